// Model files: a JSON round trip gives identical predictions; bad files load nothing.
#include <gtest/gtest.h>

#include "base64.h"
#include "model_io.h"
#include "test_util.h"

namespace nnplay {
namespace {

Network<float> trainedNetwork() {
  Json config = testing::denseJson(2, {{5, "tanh"}, {3, "softmax"}}, "cross_entropy", 0.1);
  Network<float> net(parseConfig(config));
  Rng rng(2);
  Matrix<float> x(2, 20), y = Matrix<float>::Zero(3, 20);
  for (Index j = 0; j < 20; ++j) {
    x(0, j) = rng.uniformFloat();
    x(1, j) = rng.uniformFloat();
    y(rng.below(3), j) = 1;
  }
  net.fit(x, y, 3, true);
  return net;
}

TEST(ModelIO, json_round_trip_gives_identical_predictions) {
  Network<float> net = trainedNetwork();
  Matrix<float> x = Matrix<float>::Random(2, 7), before, after;
  net.predict(x, before);
  for (bool base64 : {true, false}) {
    const Json model = modelToJson(net, base64);
    EXPECT_EQ(model["format"], "nnplay-model");
    EXPECT_EQ(model["version"], 1);
    auto copy = modelFromJson<float>(Json::parse(model.dump()));
    copy->predict(x, after);
    EXPECT_EQ(before, after) << (base64 ? "base64" : "number arrays");
    EXPECT_EQ(copy->parameters(), net.parameters());
  }
}

std::string errorFor(const Json& model) {
  try {
    modelFromJson<float>(model);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ModelIO, bad_model_files_give_clear_errors) {
  Network<float> net = trainedNetwork();
  const Json good = modelToJson(net);
  auto with = [&](const char* pointer, const Json& value) {
    Json model = good;
    model[Json::json_pointer(pointer)] = value;
    return errorFor(model);
  };
  EXPECT_EQ(with("/format", "keras"), "format: expected \"nnplay-model\", got \"keras\"");
  EXPECT_EQ(with("/version", 2), "version: expected 1, got 2");
  EXPECT_EQ(with("/config/layers/0/units", 6),
            "weights[0].shape: expected [2, 6] for dense_0/kernel, got [2, 5]");
  for (const Json& dimension : {Json(0), Json(2.5), Json("5"), Json(16777217)})
    EXPECT_EQ(with("/weights/0/shape/1", dimension), "weights[0].shape: expected positive integers")
        << dimension;
  EXPECT_EQ(with("/config/loss", "hinge"),
            "config.loss: expected one of mse|quadratic|bce|cross_entropy, got \"hinge\"");
  EXPECT_EQ(with("/weights/1/data", "AAAAAA=="),
            "weights[1].data: expected 5 values for dense_0/bias, got 1");
  EXPECT_EQ(with("/weights/1/data", "AAA"),
            "weights[1].data: 2 bytes is not a whole number of float32 values");
  EXPECT_EQ(with("/weights/1/data", "A*AA"), "weights[1].data: not base64 (character 1)");
  EXPECT_EQ(with("/weights/1/name", "dense_9/bias"),
            "weights[1].name: expected \"dense_0/bias\", got \"dense_9/bias\"");
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(with("/weights/1/data", encodeFloatsBase64(std::vector<float>{0, 0, inf, 0, 0}.data(), 5)),
            "weights[1].data[2]: dense_0/bias has a non-finite value");
  Json truncated = good;
  truncated["weights"].erase(3);
  EXPECT_EQ(errorFor(truncated), "weights: expected 4 tensors, got 3");
}

TEST(ModelIO, failed_set_weights_changes_nothing) {
  Network<float> net = trainedNetwork();
  const Vector<float> before = net.parameters();
  std::vector<NamedTensor<float>> weights = net.weights();
  for (auto& w : weights) std::fill(w.data.begin(), w.data.end(), 1.0f);
  weights.back().data.back() = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(net.setWeights(weights), ConfigError);
  EXPECT_EQ(net.parameters(), before);
}

}  // namespace
}  // namespace nnplay
