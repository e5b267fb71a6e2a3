// The reference numbers of the seed tutorials, computed by the float core.
#include <gtest/gtest.h>

#include "datasets.h"
#include "network.h"
#include "test_util.h"

namespace nnplay {
namespace {

using testing::denseJson;
using testing::expectReference;

Matrix<float> columns(std::initializer_list<std::initializer_list<float>> samples) {
  const Index n = static_cast<Index>(samples.size()), k = static_cast<Index>(samples.begin()->size());
  Matrix<float> m(k, n);
  Index j = 0;
  for (const auto& sample : samples) {
    Index i = 0;
    for (float v : sample) m(i++, j) = v;
    ++j;
  }
  return m;
}

TEST(Tutorial004, backprop_by_hand_matches_every_partial_derivative) {
  // 1-1-1 sigmoid network, quadratic cost, x = 0.8, y = 1, learning rate 0.1.
  Network<float> net(parseConfig(denseJson(1, {{1, "sigmoid"}, {1, "sigmoid"}}, "quadratic", 0.1)));
  net.setWeights({{"dense_0/kernel", {1, 1}, {1.58f}}, {"dense_0/bias", {1}, {-0.14f}},
                  {"dense_1/kernel", {1, 1}, {2.45f}}, {"dense_1/bias", {1}, {-0.11f}}});
  const Matrix<float> x = columns({{0.8f}}), y = columns({{1.0f}});
  const Inspection<float> info = net.inspect(x, y);
  ASSERT_EQ(info.layers.size(), 2u);
  const auto& hidden = info.layers[0];
  const auto& output = info.layers[1];
  expectReference(hidden.z(0), 1.124, "z1");
  expectReference(hidden.a(0), 0.7547299, "a1");
  expectReference(output.z(0), 1.7390883, "z2");
  expectReference(output.a(0), 0.8505712, "a2");
  expectReference(output.db(0), -0.0189924, "dC/db2");
  expectReference(output.dW(0), -0.0143341, "dC/dw2");
  expectReference(hidden.dA(0), -0.0465313, "dC/da1");
  expectReference(hidden.db(0), -0.0086135, "dC/db1");
  expectReference(hidden.dW(0), -0.0068908, "dC/dw1");
  expectReference(info.loss, 0.0111645, "cost before");
  net.trainBatch(x, y);
  expectReference(net.evaluate(x, y).loss, 0.0110959, "cost after one step");
}

// Tutorial 003's sigmoid networks on x = [2, 3]: the one output for these weights.
float outputFor2And3(const Json& config, const std::vector<NamedTensor<float>>& weights) {
  Network<float> net(parseConfig(config));
  net.setWeights(weights);
  Matrix<float> out;
  net.predict(columns({{2, 3}}), out);
  return out(0);
}

TEST(Tutorial003, one_neuron_gives_0_9990889) {
  expectReference(outputFor2And3(denseJson(2, {{1, "sigmoid"}}, "mse"),
                                 {{"dense_0/kernel", {2, 1}, {0, 1}}, {"dense_0/bias", {1}, {4}}}),
                  0.9990889, "neuron output");
}

TEST(Tutorial003, two_two_one_network_gives_0_7216326) {
  // Each neuron has w = [0, 1] (from x1, x2), b = 0; kernels are [in, out] row-major.
  expectReference(
      outputFor2And3(denseJson(2, {{2, "sigmoid"}, {1, "sigmoid"}}, "mse"),
                     {{"dense_0/kernel", {2, 2}, {0, 0, 1, 1}}, {"dense_0/bias", {2}, {0, 0}},
                      {"dense_1/kernel", {2, 1}, {0, 1}}, {"dense_1/bias", {1}, {0}}}),
      0.7216326, "network output");
}

TEST(Tutorial003, alice_prediction_and_first_weight_gradient) {
  Network<float> net(parseConfig(denseJson(2, {{2, "sigmoid"}, {1, "sigmoid"}}, "mse")));
  net.setWeights({{"dense_0/kernel", {2, 2}, {1, 1, 1, 1}}, {"dense_0/bias", {2}, {0, 0}},
                  {"dense_1/kernel", {2, 1}, {1, 1}}, {"dense_1/bias", {1}, {0}}});
  const Inspection<float> info = net.inspect(columns({{-2, -1}}), columns({{1}}));
  EXPECT_NEAR(info.layers[1].a(0), 0.524, 0.0005);
  // w1 connects input 1 to hidden 1: kernel [0][0], the first value of dW. The tutorial
  // prints 0.0214, its value 0.02147 cut after four decimals.
  EXPECT_NEAR(info.layers[0].dW(0, 0), 0.02147, 0.000005);
}

TEST(Tutorial003, trained_network_predicts_emily_and_frank) {
  Network<float> net(parseConfig(denseJson(2, {{2, "sigmoid"}, {1, "sigmoid"}}, "mse", 0.1)));
  const Matrix<float> people = columns({{-2, -1}, {25, 6}, {17, 4}, {-15, -6}});
  const Matrix<float> female = columns({{1}, {0}, {0}, {1}});
  net.fit(people, female, 1000, false);
  Matrix<float> out;
  net.predict(columns({{-7, -3}, {20, 2}}), out);
  EXPECT_GT(out(0), 0.9) << "Emily, ~0.95 in the tutorial";
  EXPECT_LT(out(1), 0.1) << "Frank, ~0.04 in the tutorial";
}

TEST(Tutorial002, xor_2_3_1_tanh_learns_xor) {
  Network<float> net(parseConfig(denseJson(2, {{3, "tanh"}, {1, "tanh"}}, "mse", 0.1, "uniform")));
  const Matrix<float> x = columns({{0, 0}, {0, 1}, {1, 0}, {1, 1}});
  const Matrix<float> y = columns({{0}, {1}, {1}, {0}});
  const auto history = net.fit(x, y, 1000, false);
  ASSERT_EQ(history.size(), 1000u);
  EXPECT_LT(net.evaluate(x, y).loss, 0.01);
  Matrix<float> out;
  net.predict(x, out);
  for (Index j = 0; j < 4; ++j) EXPECT_EQ(std::lround(std::abs(out(j))), std::lround(y(j))) << j;

  // evaluate can hand back the outputs of its own forward pass: the same as predict's.
  Matrix<float> outputs;
  const Metrics both = net.evaluate(x, y, &outputs);
  EXPECT_EQ(both.loss, net.evaluate(x, y).loss);
  EXPECT_EQ(outputs, out);
}

TEST(Tutorial000, deep_relu_network_separates_moons) {
  // 2-25-50-50-25-1 ReLU / sigmoid with binary cross-entropy on 1000 moons points, noise 0.2,
  // 10% held out, as in the tutorial.
  Json config = denseJson(2, {{25, "relu"}, {50, "relu"}, {50, "relu"}, {25, "relu"}, {1, "sigmoid"}},
                          "bce", 0.01, "he", 32, 3);
  config["optimizer"] = {{"type", "adam"}, {"lr", 0.005}};
  Network<float> net(parseConfig(config));
  const Dataset d = makeDataset("moons", 1000, 0.2, 1);
  const Eigen::Map<const Matrix<float>> x(d.x.data(), 2, d.n), y(d.y.data(), 1, d.n);
  net.fit(x.leftCols(900), y.leftCols(900), 100, true);
  const Metrics test = net.evaluate(x.rightCols(100), y.rightCols(100));
  EXPECT_GE(test.accuracy, 0.95);
}

}  // namespace
}  // namespace nnplay
