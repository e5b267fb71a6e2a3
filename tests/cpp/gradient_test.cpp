// Numeric gradient checks in double precision: every activation, every loss, dropout, batch
// normalization (training and inference statistics), average pooling.
#include <gtest/gtest.h>

#include <tuple>

#include "avgpool2d_layer.h"
#include "batchnorm_layer.h"
#include "dropout_layer.h"
#include "loss.h"
#include "network.h"
#include "test_util.h"

namespace nnplay {
namespace {

using testing::denseJson;

// Central differences of the loss with respect to every trainable parameter, against the
// analytic gradient from inspect() (dW, db of each dense, conv2d and batchnorm layer; the
// trainable parameters come first in the buffer). `steps` training steps on (x, y) first give
// batch norm's moving statistics values other than their start.
void expectGradientsMatchNumeric(const Json& configJson, const Matrix<double>& x,
                                 const Matrix<double>& y, int steps = 0) {
  Network<double> net(parseConfig(configJson));
  for (int i = 0; i < steps; ++i) net.trainBatch(x, y);
  const Inspection<double> info = net.inspect(x, y);
  std::vector<double> analytic;
  for (const auto& layer : info.layers) {
    analytic.insert(analytic.end(), layer.dW.data(), layer.dW.data() + layer.dW.size());
    analytic.insert(analytic.end(), layer.db.data(), layer.db.data() + layer.db.size());
  }
  Vector<double>& w = net.parameters();
  Index trainable = 0;
  for (const ParamTensor& t : net.parameterTensors()) trainable += t.trainable ? t.size : 0;
  ASSERT_EQ(static_cast<Index>(analytic.size()), trainable);
  const double h = 1e-6;
  for (Index i = 0; i < trainable; ++i) {
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

// Batch norm with its own random gamma, beta and moving statistics, L = sum(R .* layer(x)):
// checks dL/dx, dL/dgamma, dL/dbeta in training (the batch's statistics depend on x) and in
// inference (the moving ones do not), against central differences.
void expectBatchNormGradientsMatchNumeric(const Shape& in, Index n, Activation f) {
  Rng rng(5);
  BatchNormLayer<double> layer(in, 0.9, 1e-3, f);
  const Index c = in.back();
  Vector<double> values(2 * c), gradients(2 * c), state(2 * c);
  for (Index i = 0; i < 2 * c; ++i) values[i] = rng.uniform(0.5, 1.5) * (i % 2 ? 1 : -1);
  for (Index i = 0; i < c; ++i) state[i] = rng.uniform(-0.5, 0.5), state[c + i] = rng.uniform(0.5, 2);
  layer.bind(values.data(), gradients.data());
  layer.bindState(state.data());
  Matrix<double> x = randomMatrix(layer.inputSize(), n, rng, 2);
  x.array() += 0.7;
  const Matrix<double> r = randomMatrix(layer.outputSize(), n, rng);
  for (bool training : {true, false}) {
    SCOPED_TRACE(training ? "training" : "inference");
    const Vector<double> moving = state;
    const auto loss = [&] {
      layer.forward(x, training, rng);
      state = moving;  // every forward in training moves them; the checks need the same ones
      return (layer.output().array() * r.array()).sum();
    };
    loss();
    Matrix<double> dIn;
    layer.backward(x, r, &dIn);
    const Vector<double> analytic = gradients;
    const auto numeric = [&](double* v) {
      const double saved = *v, h = 1e-6;
      *v = saved + h;
      const double plus = loss();
      *v = saved - h;
      const double minus = loss();
      *v = saved;
      return (plus - minus) / (2 * h);
    };
    for (Index i = 0; i < 2 * c; ++i)
      EXPECT_NEAR(analytic[i], numeric(&values[i]), 1e-6 + 1e-6 * std::abs(analytic[i]))
          << (i < c ? "dgamma " : "dbeta ") << i % c;
    for (Index i = 0; i < x.size(); ++i)
      EXPECT_NEAR(dIn.data()[i], numeric(x.data() + i), 1e-6 + 1e-6 * std::abs(dIn.data()[i]))
          << "dx " << i;
  }
}

TEST(Gradient, batchnorm_after_dense_gradient_matches_numeric) {
  for (Activation f : {Activation::Linear, Activation::Tanh, Activation::Sigmoid}) {
    SCOPED_TRACE(toString(f));
    expectBatchNormGradientsMatchNumeric({5}, 6, f);
  }
}

TEST(Gradient, batchnorm_after_conv_gradient_matches_numeric) {
  // Per channel over the samples and the 3x4 positions.
  for (Activation f : {Activation::Linear, Activation::Relu}) {
    SCOPED_TRACE(toString(f));
    expectBatchNormGradientsMatchNumeric({3, 4, 3}, 2, f);
  }
}

TEST(Gradient, avgpool2d_gradient_matches_numeric) {
  // 5x7 with size 2: the last row and column do not fill a window and get no gradient.
  for (int size : {2, 3}) {
    AvgPool2dLayer<double> layer({5, 7, 3}, size);
    Rng rng(9);
    Matrix<double> x = randomMatrix(layer.inputSize(), 2, rng);
    const Matrix<double> r = randomMatrix(layer.outputSize(), 2, rng);
    const auto loss = [&] {
      layer.forward(x, true, rng);
      return (layer.output().array() * r.array()).sum();
    };
    loss();
    Matrix<double> dIn;
    layer.backward(x, r, &dIn);
    for (Index i = 0; i < x.size(); ++i) {
      const double saved = x.data()[i];
      x.data()[i] = saved + 1e-6;
      const double plus = loss();
      x.data()[i] = saved - 1e-6;
      const double minus = loss();
      x.data()[i] = saved;
      EXPECT_NEAR(dIn.data()[i], (plus - minus) / 2e-6, 1e-8) << "size " << size << " dx " << i;
    }
  }
}

TEST(Gradient, avgpool2d_forward_is_the_window_mean) {
  // One 4x4 channel, size 2: the four 2x2 windows' means.
  AvgPool2dLayer<double> layer({4, 4, 1}, 2);
  Matrix<double> x(16, 1);
  for (Index i = 0; i < 16; ++i) x(i, 0) = double(i);
  Rng rng(1);
  layer.forward(x, false, rng);
  EXPECT_EQ(layer.output(), (Matrix<double>(4, 1) << 2.5, 4.5, 10.5, 12.5).finished());
}

TEST(Gradient, networks_with_batchnorm_and_avgpool2d_match_numeric_in_inference) {
  // inspect's gradients (inference statistics) after a few training steps moved them.
  Rng rng(4);
  const Json dense = Json::parse(R"({"input": [3], "loss": "bce", "layers": [
    {"type": "dense", "units": 4}, {"type": "batchnorm", "activation": "tanh", "momentum": 0.5},
    {"type": "dense", "units": 3}, {"type": "batchnorm", "activation": "sigmoid", "momentum": 0.5},
    {"type": "dense", "units": 1, "activation": "sigmoid"}],
    "optimizer": {"type": "sgd", "lr": 0.1}})");
  expectGradientsMatchNumeric(dense, randomMatrix(3, 6, rng), targetsFor("sigmoid", "bce", 1, 6, rng),
                              3);
  const Json cnn = Json::parse(R"({"input": [6, 6, 2], "loss": "cross_entropy", "layers": [
    {"type": "conv2d", "filters": 3, "kernel": 3, "padding": "same"},
    {"type": "batchnorm", "activation": "relu", "momentum": 0.5}, {"type": "avgpool2d", "size": 2},
    {"type": "flatten"}, {"type": "dense", "units": 3, "activation": "softmax"}],
    "optimizer": {"type": "adam", "lr": 0.01}})");
  expectGradientsMatchNumeric(cnn, randomMatrix(72, 4, rng),
                              targetsFor("softmax", "cross_entropy", 3, 4, rng), 3);
}

// The Keras update of the moving statistics, computed here from the batches: for each channel,
// mean and biased variance over the batch (and positions), moving = moving * m + stat * (1 - m).
TEST(Gradient, batchnorm_moving_statistics_follow_the_keras_update) {
  for (const Shape& input : {Shape{3}, Shape{2, 2, 3}}) {
    SCOPED_TRACE(shapeToString(input));
    Json config = {{"input", input},
                   {"layers", Json::array({{{"type", "batchnorm"}, {"momentum", 0.8}},
                                           {{"type", "flatten"}},
                                           {{"type", "dense"}, {"units", 1}}})},
                   {"loss", "mse"},
                   {"optimizer", {{"type", "adam"}, {"lr", 0.05}}},
                   {"regularization", {{"type", "l2"}, {"rate", 0.5}}}};
    Network<double> net(parseConfig(config));
    const Index c = 3, size = shapeSize(input);
    std::vector<double> mean(c, 0.0), variance(c, 1.0);
    Rng rng(8);
    for (int step = 0; step < 4; ++step) {
      const Index n = 3 + step;
      Matrix<double> x = randomMatrix(size, n, rng, 1 + step);
      x.array() += step;
      net.trainBatch(x, randomMatrix(1, n, rng));
      for (Index k = 0; k < c; ++k) {
        double sum = 0, squares = 0, count = 0;
        for (Index s = 0; s < n; ++s)
          for (Index row = k; row < size; row += c) sum += x(row, s), ++count;
        for (Index s = 0; s < n; ++s)
          for (Index row = k; row < size; row += c)
            squares += (x(row, s) - sum / count) * (x(row, s) - sum / count);
        mean[k] = mean[k] * 0.8 + (sum / count) * 0.2;
        variance[k] = variance[k] * 0.8 + (squares / count) * 0.2;
      }
    }
    const std::vector<NamedTensor<double>> w = net.weights();
    ASSERT_EQ(w[2].name, "batchnorm_0/moving_mean");
    ASSERT_EQ(w[3].name, "batchnorm_0/moving_variance");
    for (Index k = 0; k < c; ++k) {
      EXPECT_NEAR(w[2].data[k], mean[k], 1e-12) << k;
      EXPECT_NEAR(w[3].data[k], variance[k], 1e-12) << k;
    }
    EXPECT_NE(w[0].data, std::vector<double>(c, 1.0)) << "gamma is trained";
    EXPECT_NE(w[1].data, std::vector<double>(c, 0.0)) << "beta is trained";

    // Inference normalizes with the moving statistics: gamma (x - mean) / sqrt(var + eps) + beta.
    const Matrix<double> x = randomMatrix(size, 2, rng);
    Matrix<double> out;
    net.predict(x, out);
    const NamedTensor<double>& kernel = w[4];
    double expected = w[5].data[0];
    for (Index row = 0; row < size; ++row) {
      const Index k = row % c;
      expected += kernel.data[row] * (w[0].data[k] * (x(row, 0) - mean[k]) /
                                          std::sqrt(variance[k] + 1e-3) + w[1].data[k]);
    }
    EXPECT_NEAR(out(0, 0), expected, 1e-12);
  }
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

// The softmax keeps each column's sum of e^(z - max z), the one it divides by, and cross_entropy's
// log-sum-exp reads it (lossValue's softmaxSums) instead of summing the exps again: columns of
// logits on scales from 0.01 to 80, one of equal logits, one whose other exps underflow to 0,
// soft targets. Where Eigen does not vectorize (WASM), summing again gives the same bits (a WASM
// harness found none that differ in 70,252 random columns); with SSE, as here, its vector and
// scalar exps may differ in the last bit between the two passes. A network's loss comes from its
// output layer's sums (inspect, evaluate, and trainBatch before its step).
TEST(Loss, cross_entropy_reads_the_sums_the_softmax_divided_by) {
  Rng rng(11);
  const float scales[] = {0.01f, 1.f, 3.f, 30.f, 80.f};
  Matrix<float> z(10, 52), a, y = Matrix<float>::Zero(10, 52);
  for (Index j = 0; j < z.cols(); ++j) {
    for (Index i = 0; i < z.rows(); ++i) z(i, j) = scales[j % 5] * float(rng.normal());
    y(j % 10, j) = j % 3 ? 1.f : 0.9f;
    y((j + 1) % 10, j) += j % 3 ? 0.f : 0.1f;
  }
  z.col(50).setConstant(2.5f);
  z.col(51).setConstant(-1e4f);
  z(3, 51) = 0.f;
  std::vector<float> sums(z.cols()), divisors(z.cols());
  activationForward(Activation::Softmax, z, a, 0.2f, sums.data());
  Matrix<float> exps(z.rows(), z.cols());  // (a's layout, so Eigen splits each column alike)
  for (Index j = 0; j < z.cols(); ++j) {
    exps.col(j).array() = (z.col(j).array() - z.col(j).maxCoeff()).exp();
    divisors[j] = exps.col(j).sum();
  }
  EXPECT_EQ(testing::fingerprint(sums.data(), sums.size()),
            testing::fingerprint(divisors.data(), divisors.size()));
  EXPECT_EQ(sums[51], 1.f);  // e^0 and nine exps that underflow
  const ConstMatrixRef<float> targets(y);
  const float fromSums = lossValue<float>(LossType::CrossEntropy, z, a, targets, sums.data());
  const float summedAgain = lossValue<float>(LossType::CrossEntropy, z, a, targets);
  EXPECT_GT(summedAgain, 1.f);
  EXPECT_NEAR(fromSums, summedAgain, 1e-6f * summedAgain);

  Network<float> net(parseConfig(denseJson(6, {{16, "tanh"}, {10, "softmax"}}, "cross_entropy")));
  Matrix<float> x(6, 40);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = float(rng.normal());
  const Matrix<float> labels = y.leftCols(40);
  const Inspection<float> seen = net.inspect(x, labels);
  const LayerInspection<float>& out = seen.layers.back();
  std::vector<float> outSums(40);
  Matrix<float> outA;
  activationForward(Activation::Softmax, out.z, outA, 0.2f, outSums.data());
  const double expected = lossValue<float>(LossType::CrossEntropy, out.z, out.a,
                                           ConstMatrixRef<float>(labels), outSums.data());
  EXPECT_EQ(seen.loss, expected);
  EXPECT_EQ(net.evaluate(x, labels).loss, expected);
  EXPECT_EQ(net.trainBatch(x, labels), expected);
}

// countCorrect compares each column's first largest value, as Eigen's maxCoeff(&index) picks it,
// in outputs and targets: ties and NaNs included (the reference here is Eigen's own).
TEST(Loss, count_correct_compares_each_column_s_first_largest_value) {
  Matrix<float> a(4, 6), y(4, 6);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  a << 0.1f, 0.7f, 0.5f, nan, 0.2f, 0.3f,  //
      0.7f, 0.1f, 0.5f, 0.9f, nan, 0.3f,   //
      0.1f, 0.1f, 0.0f, 0.1f, 0.8f, 0.3f,  //
      0.1f, 0.1f, 0.0f, 0.0f, 0.0f, 0.1f;
  y << 0, 0, 1, 1, 0, 1,  //
      1, 1, 0, 0, 0, 0,   //
      0, 0, 0, 0, 1, 0,   //
      0, 0, 0, 0, 0, 0;
  // The outputs' rows by column, and the targets': 1 and 1; 0 and 1 (wrong); a tie of rows 0
  // and 1 gives 0, and 0; a NaN in row 0 stays the largest (nothing is greater), 0; past a NaN
  // row 2, 2; a tie of rows 0-2 gives 0, and 0. (Taking a tie's last row would count 3; skipping
  // NaNs, 4.)
  EXPECT_EQ(countCorrect<float>(a, y), 5);
  double expected = 0;
  for (Index j = 0; j < a.cols(); ++j) {
    Index predicted = 0, target = 0;
    a.col(j).maxCoeff(&predicted);
    y.col(j).maxCoeff(&target);
    expected += predicted == target;
  }
  EXPECT_EQ(countCorrect<float>(a, y), expected);
}

}  // namespace
}  // namespace nnplay
