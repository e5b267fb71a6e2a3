// Numeric gradient checks in double precision: every activation, every loss, dropout.
#include <gtest/gtest.h>

#include <tuple>

#include "dropout_layer.h"
#include "network.h"
#include "test_util.h"

namespace nnplay {
namespace {

using testing::denseJson;

// Central differences of the loss with respect to every parameter, against the analytic
// gradient from inspect() (dW, db of each dense layer).
void expectGradientsMatchNumeric(const Json& configJson, const Matrix<double>& x,
                                 const Matrix<double>& y) {
  Network<double> net(parseConfig(configJson));
  const Inspection<double> info = net.inspect(x, y);
  std::vector<double> analytic;
  for (const auto& layer : info.layers) {
    analytic.insert(analytic.end(), layer.dW.data(), layer.dW.data() + layer.dW.size());
    analytic.insert(analytic.end(), layer.db.data(), layer.db.data() + layer.db.size());
  }
  Vector<double>& w = net.parameters();
  ASSERT_EQ(static_cast<Index>(analytic.size()), w.size());
  const double h = 1e-6;
  for (Index i = 0; i < w.size(); ++i) {
    const double saved = w[i];
    w[i] = saved + h;
    const double plus = net.evaluate(x, y).loss;
    w[i] = saved - h;
    const double minus = net.evaluate(x, y).loss;
    w[i] = saved;
    const double numeric = (plus - minus) / (2 * h);
    EXPECT_NEAR(analytic[i], numeric, 1e-7 + 1e-5 * std::abs(numeric))
        << "parameter " << i << " of " << configJson.dump();
  }
}

Matrix<double> randomMatrix(Index rows, Index cols, Rng& rng, double scale = 1) {
  Matrix<double> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = scale * rng.normal();
  return m;
}

Matrix<double> targetsFor(const std::string& output, const std::string& loss, Index k, Index n,
                          Rng& rng) {
  Matrix<double> y = Matrix<double>::Zero(k, n);
  for (Index j = 0; j < n; ++j) {
    if (loss == "cross_entropy" || output == "softmax") {
      y(rng.below(uint32_t(k)), j) = 1;
    } else {
      for (Index i = 0; i < k; ++i) y(i, j) = loss == "bce" ? rng.below(2) : rng.uniform(-1, 1);
    }
  }
  return y;
}

using GradientCase = std::tuple<std::string, std::tuple<std::string, std::string>>;

class DenseGradient : public ::testing::TestWithParam<GradientCase> {};

TEST_P(DenseGradient, dense_gradient_matches_numeric) {
  const auto& [hidden, outputAndLoss] = GetParam();
  const auto& [output, loss] = outputAndLoss;
  Rng rng(7);
  const Index inputs = 3, outputs = 4, n = 5;
  const Json config = denseJson(inputs, {{5, hidden}, {4, hidden}, {outputs, output}}, loss);
  expectGradientsMatchNumeric(config, randomMatrix(inputs, n, rng),
                              targetsFor(output, loss, outputs, n, rng));
}

INSTANTIATE_TEST_SUITE_P(
    EveryActivationAndLoss, DenseGradient,
    ::testing::Combine(
        ::testing::Values("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu",
                          "softplus", "swish"),
        ::testing::Values(std::make_tuple("linear", "mse"), std::make_tuple("tanh", "quadratic"),
                          std::make_tuple("sigmoid", "mse"), std::make_tuple("relu", "quadratic"),
                          std::make_tuple("softmax", "mse"), std::make_tuple("sigmoid", "bce"),
                          std::make_tuple("softmax", "cross_entropy"))),
    [](const auto& info) {
      return std::get<0>(info.param) + "_" + std::get<0>(std::get<1>(info.param)) + "_" +
             std::get<1>(std::get<1>(info.param));
    });

TEST(Gradient, leaky_relu_slope_and_conv_activations_match_numeric) {
  Rng rng(5);
  Json config = denseJson(3, {{5, "leaky_relu"}, {2, "elu"}}, "mse");
  config["layers"][0]["alpha"] = 0.05;
  expectGradientsMatchNumeric(config, randomMatrix(3, 4, rng), randomMatrix(2, 4, rng));
  // Each new activation after a convolution, whose backward runs through the same code.
  for (const char* activation : {"leaky_relu", "elu", "gelu", "softplus", "swish"}) {
    const Json conv = {{"input", {4, 4, 2}},
                       {"layers",
                        {{{"type", "conv2d"}, {"filters", 2}, {"kernel", 3}, {"padding", "same"},
                          {"activation", activation}},
                         {{"type", "flatten"}},
                         {{"type", "dense"}, {"units", 2}, {"activation", "linear"}}}},
                       {"loss", "mse"}};
    expectGradientsMatchNumeric(conv, randomMatrix(32, 3, rng), randomMatrix(2, 3, rng));
  }
}

// Forward values against the formulas evaluated here in double: gelu is the exact erf form
// (Keras approximate=False, TF.js "gelu"), not the tanh approximation.
TEST(Gradient, new_activations_forward_values) {
  Matrix<double> z(1, 5), a;
  z << -3.0, -0.5, 0.0, 0.7, 4.0;
  const auto check = [&](Activation f, auto formula) {
    activationForward(f, z, a, 0.2);
    for (Index i = 0; i < z.size(); ++i)
      EXPECT_NEAR(a(i), formula(z(i)), 1e-15) << toString(f) << " at " << z(i);
  };
  check(Activation::LeakyRelu, [](double x) { return x > 0 ? x : 0.2 * x; });
  check(Activation::Elu, [](double x) { return x > 0 ? x : std::exp(x) - 1; });
  check(Activation::Gelu, [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); });
  check(Activation::Softplus, [](double x) { return std::log(1 + std::exp(x)); });
  check(Activation::Swish, [](double x) { return x / (1 + std::exp(-x)); });
  activationForward(Activation::Gelu, z, a, 0.2);
  EXPECT_NEAR(a(3), 0.5306254, 1e-7);  // gelu(0.7); the tanh approximation gives 0.5305701
  Matrix<double> big(1, 1);
  big << 800.0;
  activationForward(Activation::Softplus, big, a, 0.2);
  EXPECT_EQ(a(0), 800.0) << "softplus does not overflow";
}

TEST(Gradient, regularized_gradient_adds_penalty_derivative) {
  // L2: w -= lr (dL/dw + rate w); with a zero data gradient only the penalty moves w.
  Json config = denseJson(1, {{1, "linear"}}, "mse", 0.5);
  config["regularization"] = {{"type", "l2"}, {"rate", 0.1}};
  Network<double> net(parseConfig(config));
  net.setWeights({{"dense_0/kernel", {1, 1}, {2.0}}, {"dense_0/bias", {1}, {0.0}}});
  Matrix<double> x = Matrix<double>::Zero(1, 1), y = Matrix<double>::Zero(1, 1);
  net.trainBatch(x, y);
  EXPECT_DOUBLE_EQ(net.parameters()[0], 2.0 - 0.5 * 0.1 * 2.0);

  config["regularization"] = {{"type", "l1"}, {"rate", 0.1}};
  Network<double> l1(parseConfig(config));
  l1.setWeights({{"dense_0/kernel", {1, 1}, {-2.0}}, {"dense_0/bias", {1}, {0.0}}});
  l1.trainBatch(x, y);
  EXPECT_DOUBLE_EQ(l1.parameters()[0], -2.0 + 0.5 * 0.1);
}

TEST(Gradient, dropout_gradient_matches_numeric) {
  // L = sum(G * dropout(in)) with the same mask each time (the Rng reseeded per forward).
  DropoutLayer<double> layer({6}, 0.4);
  Rng data(3);
  const Matrix<double> in = randomMatrix(6, 4, data), g = randomMatrix(6, 4, data);
  auto loss = [&](const Matrix<double>& input) {
    Rng rng(11);
    layer.forward(input, true, rng);
    return (layer.output().array() * g.array()).sum();
  };
  loss(in);
  Matrix<double> dIn;
  layer.backward(in, g, &dIn);
  int dropped = 0;
  for (Index i = 0; i < in.size(); ++i) {
    Matrix<double> plus = in, minus = in;
    plus.data()[i] += 1e-6;
    minus.data()[i] -= 1e-6;
    EXPECT_NEAR(dIn.data()[i], (loss(plus) - loss(minus)) / 2e-6, 1e-6);
    dropped += dIn.data()[i] == 0;
  }
  EXPECT_GT(dropped, 0);
  EXPECT_LT(dropped, in.size());
  Rng rng(1);
  layer.forward(in, false, rng);
  EXPECT_EQ(layer.output(), in) << "inference is the identity";
}

TEST(Gradient, fused_losses_stay_finite_when_saturated) {
  // Logits of +-200 saturate sigmoid/softmax to exactly 0 and 1 in float.
  for (const auto& [output, loss] : {std::make_pair("sigmoid", "bce"),
                                     std::make_pair("softmax", "cross_entropy")}) {
    const int k = std::string(output) == "softmax" ? 2 : 1;
    Network<float> net(parseConfig(denseJson(1, {{k, output}}, loss)));
    std::vector<NamedTensor<float>> w = net.weights();
    w[0].data.assign(w[0].data.size(), 200.0f);
    if (k == 2) w[0].data[1] = -200.0f;
    net.setWeights(w);
    // The output says class 1 (sigmoid) or class 0 (softmax); the target is the other class.
    Matrix<float> x = Matrix<float>::Ones(1, 1), y = Matrix<float>::Zero(k, 1);
    if (k == 2) y(1, 0) = 1;
    const Metrics m = net.evaluate(x, y);
    EXPECT_TRUE(std::isfinite(m.loss)) << loss;
    EXPECT_GT(m.loss, 100) << loss;
    EXPECT_TRUE(std::isfinite(net.trainBatch(x, y))) << loss;
    EXPECT_TRUE(net.parameters().allFinite()) << loss;
  }
}

}  // namespace
}  // namespace nnplay
