// Native side of `npm run bench` (bench/run.mjs runs it as a child process): the same core the
// WASM module is built from, timed on the first SAMPLES MNIST training images.
//
//   nnplay_train_bench CONFIG.json train|infer SAMPLES SECONDS
//
// train: whole shuffled epochs of Network::trainEpoch (SGD in the config's batch size), as the
// pages' fit() runs them; infer: Network::predict over all SAMPLES at once. After one warm-up
// epoch (or call) it repeats until SECONDS have passed and prints {"samples_per_s": ...}.
#include <chrono>
#include <iostream>
#include <string>

#include "../cli/mnist.h"
#include "../cli/read_file.h"
#include "network.h"

namespace {

using nnplay::Index;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int run(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: " << argv[0] << " CONFIG.json train|infer SAMPLES SECONDS\n";
    return 2;
  }
  nnplay::Network<float> net(nnplay::parseConfig(nnplay::readFile(argv[1])));
  const std::string mode = argv[2];
  const auto samples = static_cast<uint32_t>(std::stoul(argv[3]));
  const double seconds = std::stod(argv[4]);
  const nnplay::LabelledImages data = nnplay::readMnist(nnplay::kMnistDir, true, samples);

  nnplay::Matrix<float> out;
  const auto once = [&] {
    if (mode == "train") {
      net.trainEpoch(data.x, data.y, true);
    } else {
      net.predict(data.x, out);
    }
  };
  once();  // warm-up: scratch buffers reach their size
  Index done = 0;
  const Clock::time_point start = Clock::now();
  do {
    once();
    done += data.x.cols();
  } while (secondsSince(start) < seconds);
  std::cout << "{\"samples_per_s\": " << double(done) / secondsSince(start) << "}\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "nnplay_train_bench: " << e.what() << "\n";
    return 1;
  }
}
