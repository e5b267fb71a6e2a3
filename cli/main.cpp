// nnplay, the native command line: trains and evaluates the same configs the pages share.
//
//   nnplay train <config.json> [--data mnist|file.csv|circle|xor|gauss|spiral|moons|reg-plane|
//                reg-gauss] [--epochs N] [--n N] [--noise X] [--data-seed S] [--test-ratio R]
//                [--label COLUMN] [--standardize 1] [--mnist-dir DIR] [--augment]
//                [--lr-decay F] [--save model.json]
//   nnplay eval <model.json> [--data ...same options]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "augment.h"
#include "config.h"
#include "csv.h"
#include "datasets.h"
#include "mnist.h"
#include "model_io.h"
#include "network.h"
#include "read_file.h"
#include "rng.h"

namespace {

using namespace nnplay;

struct Split {
  Matrix<float> trainX, trainY, testX, testY;
};

const char* kUsage =
    "usage: nnplay train <config.json> [--data mnist|file.csv|<dataset>] [--epochs N] [--n N]\n"
    "                    [--noise X] [--data-seed S] [--test-ratio R] [--mnist-dir DIR]\n"
    "                    [--label COLUMN] [--standardize 1] [--augment] [--lr-decay F]\n"
    "                    [--save model.json]\n"
    "       --augment: MNIST only; every epoch trains on fresh random shifts, rotations,\n"
    "                  scales, slants and stroke widths of the training images\n"
    "       --lr-decay F: multiply the learning rate by F after every epoch (the saved\n"
    "                  model keeps the config's learning rate); a config's \"schedule\"\n"
    "                  changes it per step instead, and each epoch's line shows it\n"
    "       nnplay eval <model.json> [same data options]\n";

// Shuffles whole samples (a CSV is often sorted by class) with the seeded Rng.
void shuffleSamples(Dataset& d, uint64_t seed) {
  Rng rng(seed);
  for (int i = d.n - 1; i > 0; --i) {
    const int j = static_cast<int>(rng.below(static_cast<uint32_t>(i + 1)));
    std::swap_ranges(d.x.begin() + i * d.inputs, d.x.begin() + (i + 1) * d.inputs,
                     d.x.begin() + j * d.inputs);
    std::swap_ranges(d.y.begin() + i * d.outputs, d.y.begin() + (i + 1) * d.outputs,
                     d.y.begin() + j * d.outputs);
  }
}

Split loadData(const std::map<std::string, std::string>& options) {
  auto option = [&](const std::string& key, const std::string& fallback) {
    auto it = options.find(key);
    return it == options.end() ? fallback : it->second;
  };
  const std::string name = option("data", "mnist");
  Split split;
  if (name == "mnist") {
    const std::string dir = option("mnist-dir", kMnistDir);
    LabelledImages train = readMnist(dir, true), test = readMnist(dir, false);
    split.trainX = std::move(train.x);
    split.trainY = std::move(train.y);
    split.testX = std::move(test.x);
    split.testY = std::move(test.y);
    return split;
  }
  const uint64_t seed = std::stoull(option("data-seed", "1"));
  Dataset d;
  if (name.size() > 4 && name.substr(name.size() - 4) == ".csv") {
    CsvData csv = parseCsv(readFile(name), {option("label", ""), -1, option("standardize", "0") == "1"});
    d = {std::move(csv.x), std::move(csv.y), csv.n, csv.inputs, csv.outputs};
    shuffleSamples(d, seed);
  } else {
    d = makeDataset(name, std::stoi(option("n", "500")), std::stod(option("noise", "0")), seed);
  }
  const Index n = d.n;
  const Eigen::Map<const Matrix<float>> x(d.x.data(), d.inputs, d.n), y(d.y.data(), d.outputs, d.n);
  const Index trainCount = std::lround(n * (1 - std::stod(option("test-ratio", "0.5"))));
  split.trainX = x.leftCols(trainCount);
  split.trainY = y.leftCols(trainCount);
  split.testX = x.rightCols(n - trainCount);
  split.testY = y.rightCols(n - trainCount);
  return split;
}

void printMetrics(const char* label, const Metrics& m, Index n) {
  std::printf("%s: loss %.6f", label, m.loss);
  if (!std::isnan(m.accuracy))
    std::printf("  accuracy %.4f (%lld/%lld)", m.accuracy, std::llround(m.accuracy * n),
                static_cast<long long>(n));
  std::printf("\n");
}

int train(const std::string& configPath, const std::map<std::string, std::string>& options) {
  Network<float> net(parseConfig(readFile(configPath)));
  Split data = loadData(options);
  const int epochs = options.count("epochs") ? std::stoi(options.at("epochs")) : 10;
  std::printf("training %s: %lld train / %lld test samples, %d epochs, %lld parameters\n",
              configPath.c_str(), static_cast<long long>(data.trainX.cols()),
              static_cast<long long>(data.testX.cols()), epochs,
              static_cast<long long>(net.parameters().size()));
  const bool augment = options.count("augment") > 0;
  if (augment && options.count("data") && options.at("data") != "mnist")
    throw std::runtime_error("--augment works on MNIST images only");
  // Its own stream of the config's seed, so augmenting leaves the shuffling order unchanged.
  Rng augmentRng(net.config().seed, kAugmentStream);
  Matrix<float> augmented;
  const double initialLr = net.config().optimizer.lr;
  const double lrDecay = options.count("lr-decay") ? std::stod(options.at("lr-decay")) : 1.0;
  double trainSeconds = 0;
  for (int e = 0; e < epochs; ++e) {
    if (augment) augmentImages(data.trainX, augmented, 28, 28, AugmentOptions{}, augmentRng);
    const auto start = std::chrono::steady_clock::now();
    const EpochResult r = net.trainEpoch(augment ? augmented : data.trainX, data.trainY, true);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    trainSeconds += seconds;
    if (r.diverged) {
      std::printf("epoch %d: diverged (loss %g); try a lower learning rate\n", r.epoch, r.loss);
      return 1;
    }
    const Metrics test = net.evaluate(data.testX, data.testY);
    std::printf("epoch %3d  train loss %.6f  test loss %.6f", r.epoch, r.loss, test.loss);
    if (!std::isnan(test.accuracy))
      std::printf("  test accuracy %.4f (%lld/%lld)", test.accuracy,
                  std::llround(test.accuracy * data.testX.cols()),
                  static_cast<long long>(data.testX.cols()));
    std::printf("  %.0f samples/s", data.trainX.cols() / seconds);
    // The rate of the epoch's last step: the config's schedule (per step) and --lr-decay.
    if (lrDecay != 1.0 || net.config().schedule.type != ScheduleType::Constant)
      std::printf("  lr %.3g", r.lr);
    if (lrDecay != 1.0) net.setLearningRate(net.config().optimizer.lr * lrDecay);
    std::printf("\n");
    std::fflush(stdout);  // progress shows even when stdout is a file
  }
  net.setLearningRate(initialLr);
  std::printf("trained %d epochs in %.1f s: %.0f samples/s\n", epochs, trainSeconds,
              epochs * data.trainX.cols() / std::max(trainSeconds, 1e-9));
  printMetrics("test", net.evaluate(data.testX, data.testY), data.testX.cols());
  if (options.count("save")) {
    std::ofstream(options.at("save")) << modelToJson(net).dump() << "\n";
    std::printf("saved %s\n", options.at("save").c_str());
  }
  return 0;
}

int evaluate(const std::string& modelPath, const std::map<std::string, std::string>& options) {
  auto net = modelFromJson<float>(Json::parse(readFile(modelPath)));
  Split data = loadData(options);
  printMetrics("train", net->evaluate(data.trainX, data.trainY), data.trainX.cols());
  printMetrics("test", net->evaluate(data.testX, data.testY), data.testX.cols());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string command = argv[1], path = argv[2];
  std::map<std::string, std::string> options;
  for (int i = 3; i < argc; ++i) {
    const std::string key = argv[i];
    if (key == "--augment") {  // the one flag without a value
      options["augment"] = "";
      continue;
    }
    if (key.rfind("--", 0) != 0 || i + 1 >= argc) {
      std::fprintf(stderr, "nnplay: expected --option value, got %s\n%s", key.c_str(), kUsage);
      return 2;
    }
    options[key.substr(2)] = argv[++i];
  }
  try {
    if (command == "train") return train(path, options);
    if (command == "eval") return evaluate(path, options);
    std::fputs(kUsage, stderr);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nnplay: %s\n", e.what());
    return 1;
  }
}
