// The optimizers against their published update rules, step by step. The reference runs in
// double precision on a linear model whose gradient is written out here by hand, so neither the
// gradient nor the update comes from the core; the core's float32 parameters must match it to
// float32 precision after every step.
//
// Rules (Keras, tf.keras.optimizers; TF.js's SGD and momentum are the same updates):
//   SGD:       w -= lr g
//   momentum:  v = mu v - lr g;  w += v                                   (heavy ball)
//   Adam:      m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//              w -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)  (t = 1, 2, ...)
// TF.js's Adam divides by sqrt(v / (1 - b2^t)) + eps instead, which differs only in where eps
// sits: a relative difference below eps / sqrt(v) (1e-6 or less here).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "network.h"
#include "test_util.h"

namespace nnplay {
namespace {

// Three samples of two inputs and their targets; a linear 2 -> 1 model, mean squared error.
const double kX[3][2] = {{0.5, -1.0}, {2.0, 0.25}, {-1.5, 1.5}};
const double kY[3] = {1.0, -0.5, 2.0};
const std::vector<double> kStart = {0.3, -0.7, 0.1};  // w1, w2, b

// L = 1/n sum (w.x + b - y)^2, so dL/dw_j = 2/n sum (a - y) x_j and dL/db = 2/n sum (a - y).
std::vector<double> gradient(const std::vector<double>& p) {
  std::vector<double> g(3, 0.0);
  for (int i = 0; i < 3; ++i) {
    const double error = p[0] * kX[i][0] + p[1] * kX[i][1] + p[2] - kY[i];
    g[0] += 2.0 / 3 * error * kX[i][0];
    g[1] += 2.0 / 3 * error * kX[i][1];
    g[2] += 2.0 / 3 * error;
  }
  return g;
}

// Runs `steps` core steps from kStart and checks every step against `reference`, which updates
// the double parameters from their gradient; step is 1-based.
template <typename Reference>
void expectSteps(const Json& optimizer, int steps, Reference&& reference) {
  Json config = {{"input", {2}},
                 {"layers", {{{"type", "dense"}, {"units", 1}, {"activation", "linear"}}}},
                 {"loss", "mse"},
                 {"optimizer", optimizer},
                 {"batchSize", 3}};
  Network<float> net(parseConfig(config));
  net.setWeights({{"dense_0/kernel", {2, 1}, {float(kStart[0]), float(kStart[1])}},
                  {"dense_0/bias", {1}, {float(kStart[2])}}});
  Matrix<float> x(2, 3), y(1, 3);
  for (int i = 0; i < 3; ++i) {
    x(0, i) = float(kX[i][0]);
    x(1, i) = float(kX[i][1]);
    y(0, i) = float(kY[i]);
  }
  std::vector<double> p = kStart;
  for (int step = 1; step <= steps; ++step) {
    net.trainBatch(x, y);
    reference(p, gradient(p), step);
    const std::vector<NamedTensor<float>> w = net.weights();
    const double got[3] = {w[0].data[0], w[0].data[1], w[1].data[0]};
    for (int k = 0; k < 3; ++k)
      EXPECT_NEAR(got[k], p[k], 2e-6 * std::max(1.0, std::abs(p[k])))
          << optimizer.dump() << ", step " << step << ", parameter " << k;
  }
}

TEST(Optimizer, sgd_steps_match_the_update_rule) {
  expectSteps({{"type", "sgd"}, {"lr", 0.1}}, 5, [](std::vector<double>& p, auto g, int) {
    for (int k = 0; k < 3; ++k) p[k] -= 0.1 * g[k];
  });
}

TEST(Optimizer, momentum_steps_match_the_heavy_ball_rule) {
  std::vector<double> velocity(3, 0.0);
  expectSteps({{"type", "sgd"}, {"lr", 0.05}, {"momentum", 0.9}}, 6,
              [&](std::vector<double>& p, auto g, int) {
                for (int k = 0; k < 3; ++k) {
                  velocity[k] = 0.9 * velocity[k] - 0.05 * g[k];
                  p[k] += velocity[k];
                }
              });
}

TEST(Optimizer, adam_steps_match_the_bias_corrected_rule) {
  // A large epsilon makes its placement matter: a wrong one fails here.
  for (const double epsilon : {1e-7, 0.1}) {
    std::vector<double> m(3, 0.0), v(3, 0.0);
    const double lr = 0.02, b1 = 0.8, b2 = 0.95;
    expectSteps({{"type", "adam"}, {"lr", lr}, {"beta1", b1}, {"beta2", b2}, {"epsilon", epsilon}}, 6,
                [&](std::vector<double>& p, auto g, int t) {
                  const double alpha = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
                  for (int k = 0; k < 3; ++k) {
                    m[k] = b1 * m[k] + (1 - b1) * g[k];
                    v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k];
                    p[k] -= alpha * m[k] / (std::sqrt(v[k]) + epsilon);
                  }
                });
  }
}

// Adam's first step moves each parameter by the learning rate against the sign of its
// gradient, whatever the gradient's size: with the defaults (b1 0.9, b2 0.999, eps 1e-7),
// m1 = 0.1 g and v1 = 0.001 g^2, so the step is lr g / (|g| + eps / sqrt(0.001)).
TEST(Optimizer, first_adam_step_moves_each_parameter_by_the_learning_rate) {
  expectSteps({{"type", "adam"}, {"lr", 0.01}}, 1, [](std::vector<double>& p, auto g, int) {
    for (int k = 0; k < 3; ++k) p[k] -= 0.01 * g[k] / (std::abs(g[k]) + 1e-7 / std::sqrt(0.001));
  });
}

}  // namespace
}  // namespace nnplay
