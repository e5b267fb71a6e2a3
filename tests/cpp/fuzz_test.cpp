// Deterministic fuzzing of everything a stranger's link or file reaches: thousands of mutated
// configs, model files and raw texts. Each must either work or throw ConfigError (a message for
// the user) — never another exception, a crash, or (under the sanitizer build) a memory error.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "csv.h"
#include "model_io.h"
#include "network.h"
#include "rng.h"

namespace nnplay {
namespace {

const char* kSeedConfigs[] = {
    R"({"input": [2], "layers": [{"type": "dense", "units": 4, "activation": "tanh"},
        {"type": "dense", "units": 1, "activation": "sigmoid"}], "loss": "bce",
        "optimizer": {"type": "sgd", "lr": 0.03, "momentum": 0.9},
        "regularization": {"type": "l2", "rate": 0.001}, "init": "xavier", "seed": 1, "batchSize": 10})",
    R"({"input": [3], "layers": [{"type": "dense", "units": 5, "activation": "relu"},
        {"type": "dropout", "rate": 0.5}, {"type": "dense", "units": 3, "activation": "softmax"}],
        "loss": "cross_entropy", "optimizer": {"type": "adam", "lr": 0.001, "beta1": 0.9}, "seed": 2})",
    R"({"input": [6, 6, 1], "layers": [{"type": "conv2d", "filters": 2, "kernel": 3, "stride": 1,
        "padding": "same", "activation": "relu"}, {"type": "maxpool2d", "size": 2},
        {"type": "flatten"}, {"type": "dense", "units": 2, "activation": "softmax"}],
        "loss": "cross_entropy", "init": "he", "seed": 3, "batchSize": 4})",
    R"({"input": [2], "layers": [{"type": "dense", "units": 1, "activation": "linear"}],
        "loss": "mse", "init": "uniform"})"};

const std::vector<Json> kHostileValues = {
    -1, 0, 1, 2, 1e9, -1e9, 1e300, -1e300, 0.5, 4294967296.0, -0.0, "", "x", "softmax", "conv2d",
    "same", "<img src=x onerror=alert(1)>", "javascript:alert(1)", nullptr, true, Json::array(),
    Json::object(), Json::array({1, 2, 3}), Json::array({28, 28, 1}), Json::array({1000000})};

std::vector<Json*> allNodes(Json& j) {
  std::vector<Json*> nodes{&j};
  if (j.is_structured())
    for (auto& child : j) {
      auto below = allNodes(child);
      nodes.insert(nodes.end(), below.begin(), below.end());
    }
  return nodes;
}

void mutate(Json& root, Rng& rng) {
  std::vector<Json*> nodes = allNodes(root);
  Json& node = *nodes[rng.below(static_cast<uint32_t>(nodes.size()))];
  switch (rng.below(6)) {
    case 0:
      node = kHostileValues[rng.below(static_cast<uint32_t>(kHostileValues.size()))];
      break;
    case 1:
      if (node.is_object() && !node.empty()) {
        auto it = node.begin();
        std::advance(it, rng.below(static_cast<uint32_t>(node.size())));
        node.erase(it.key());
      }
      break;
    case 2:
      if (node.is_object()) node["extra" + std::to_string(rng.below(3))] = 1;
      break;
    case 3:
      if (node.is_array() && !node.empty()) {
        const size_t i = rng.below(static_cast<uint32_t>(node.size()));
        if (rng.below(2)) {
          node.push_back(node[i]);
        } else {
          node.erase(i);
        }
      }
      break;
    case 4:
      if (node.is_number()) {
        const double factors[] = {-1, 0, 10, 1e6, 0.5, 1.5};
        node = node.get<double>() * factors[rng.below(6)];
      }
      break;
    default:
      if (node.is_string()) {
        std::string s = node.get<std::string>();
        node = rng.below(2) ? s.substr(0, s.size() / 2) : s + "A=";
      }
      break;
  }
}

// Builds and uses a network if its config is valid and small; returns false when refused.
bool exercise(const Json& configJson, Rng& rng) {
  try {
    const Config config = parseConfig(configJson);
    Index parameters = 0;
    layerOutputShapes(config, &parameters);
    if (parameters > 200000) return true;  // valid, but too slow to train thousands of times
    Network<float> net(config);
    const Index n = 1 + rng.below(3);
    Matrix<float> x = Matrix<float>::Random(net.inputSize(), n);
    Matrix<float> y = Matrix<float>::Zero(net.outputSize(), n);
    y(0, 0) = 1;
    net.trainBatch(x, y);
    Matrix<float> out;
    net.predict(x, out);
    auto copy = modelFromJson<float>(modelToJson(net));
    return true;
  } catch (const ConfigError&) {
    return false;
  }
}

TEST(Fuzz, mutated_configs_work_or_give_config_errors) {
  Rng rng(20261125);
  int refused = 0, total = 0;
  for (int i = 0; i < 3000; ++i, ++total) {
    Json config = Json::parse(kSeedConfigs[i % std::size(kSeedConfigs)]);
    for (uint32_t m = 0, count = 1 + rng.below(3); m < count; ++m) mutate(config, rng);
    refused += !exercise(config, rng);
  }
  // Most mutations must be caught; some (a changed seed, a kept default) are still valid.
  EXPECT_GT(refused, total / 3) << refused << " of " << total;
  EXPECT_LT(refused, total) << refused << " of " << total;
}

TEST(Fuzz, mutated_model_files_load_completely_or_not_at_all) {
  Rng rng(7);
  Network<float> source(parseConfig(std::string(kSeedConfigs[1])));
  const Json model = modelToJson(source);
  const Json plainModel = modelToJson(source, false);
  int refused = 0;
  for (int i = 0; i < 2000; ++i) {
    Json mutated = i % 2 ? model : plainModel;
    for (uint32_t m = 0, count = 1 + rng.below(3); m < count; ++m) mutate(mutated, rng);
    try {
      auto net = modelFromJson<float>(mutated);
      EXPECT_TRUE(net->parameters().allFinite());
    } catch (const ConfigError&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 2000 / 3);
}

TEST(Fuzz, mutated_texts_parse_or_give_config_errors) {
  Rng rng(99);
  const std::string csv = "a,b,label\n1,2,x\n3,4,y\n\"5\",6,x\n";
  for (int i = 0; i < 3000; ++i) {
    std::string text = i % 2 ? std::string(kSeedConfigs[i % std::size(kSeedConfigs)]) : csv;
    for (uint32_t m = 0, count = 1 + rng.below(4); m < count; ++m) {
      const size_t at = rng.below(static_cast<uint32_t>(text.size() + 1));
      const char bytes[] = {'"', ',', '\n', '\r', '{', '}', '[', ']', '0', '-', 'e', '\0', '\xff', ' '};
      switch (rng.below(3)) {
        case 0:
          text.insert(at, 1, bytes[rng.below(sizeof bytes)]);
          break;
        case 1:
          if (at < text.size()) text.erase(at, 1 + rng.below(8));
          break;
        default:
          text = text.substr(0, at);
          break;
      }
    }
    try {
      if (i % 2) {
        exercise(Json::parse(text), rng);
      } else {
        parseCsv(text, {});
      }
    } catch (const ConfigError&) {
    } catch (const Json::parse_error&) {
      // The bindings and parseConfig(string) turn this into "config: not valid JSON".
    }
  }
}

}  // namespace
}  // namespace nnplay
