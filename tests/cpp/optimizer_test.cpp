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
//   Nesterov:  v = mu v - lr g;  w += mu v - lr g                         (Keras SGD nesterov)
//   RMSprop:   v = rho v + (1 - rho) g^2;  w -= lr g / sqrt(v + eps)      (v starts at 0)
//   Adagrad:   v += g^2;  w -= lr g / sqrt(v + eps)                       (v starts at 0.1)
//   AdamW:     w -= lr wd w, then the Adam step                           (decoupled decay)
// For the newer optimizers the first three steps are also pinned to numbers printed by a
// separate double-precision script of the same rules (Python, plain floats), so the reference
// lambdas here are checked too.
// TF.js's Adam divides by sqrt(v / (1 - b2^t)) + eps instead, which differs only in where eps
// sits: a relative difference below eps / sqrt(v) (1e-6 or less here).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
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

using Steps = std::vector<std::vector<double>>;  // w1, w2, b after steps 1, 2, 3

// Checks the reference against the script's numbers and prints them (the first steps of each
// optimizer, for people comparing with another implementation).
void expectPrinted(const char* name, const std::vector<double>& p, const Steps& printed, int t) {
  if (t > int(printed.size())) return;
  std::printf("%s step %d: w1 %.9f  w2 %.9f  b %.9f\n", name, t, p[0], p[1], p[2]);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(p[k], printed[t - 1][k], 1e-9) << "step " << t;
}

TEST(Optimizer, nesterov_steps_match_the_keras_rule) {
  const Steps printed = {{-0.151250000, -0.396395833, 0.253583333},
                         {-0.575573767, -0.098652374, 0.457618802},
                         {-0.875357309, 0.125280194, 0.688141572}};
  std::vector<double> velocity(3, 0.0);
  expectSteps({{"type", "sgd"}, {"lr", 0.05}, {"momentum", 0.9}, {"nesterov", true}}, 6,
              [&](std::vector<double>& p, auto g, int t) {
                for (int k = 0; k < 3; ++k) {
                  velocity[k] = 0.9 * velocity[k] - 0.05 * g[k];
                  p[k] += 0.9 * velocity[k] - 0.05 * g[k];
                }
                expectPrinted("nesterov (lr 0.05, momentum 0.9)", p, printed, t);
              });
}

TEST(Optimizer, rmsprop_steps_match_the_keras_rule) {
  const Steps printed = {{0.268377224, -0.668377225, 0.131622771},
                         {0.245819784, -0.645903390, 0.154163389},
                         {0.227127621, -0.627325813, 0.172832766}};
  std::vector<double> v(3, 0.0);
  expectSteps({{"type", "rmsprop"}, {"lr", 0.01}}, 6, [&](std::vector<double>& p, auto g, int t) {
    for (int k = 0; k < 3; ++k) {
      v[k] = 0.9 * v[k] + 0.1 * g[k] * g[k];
      p[k] -= 0.01 * g[k] / std::sqrt(v[k] + 1e-7);
    }
    expectPrinted("rmsprop (lr 0.01, rho 0.9, eps 1e-7)", p, printed, t);
  });
  // A large epsilon makes its placement (inside the square root) matter.
  std::vector<double> w(3, 0.0);
  expectSteps({{"type", "rmsprop"}, {"lr", 0.01}, {"rho", 0.5}, {"epsilon", 0.5}}, 4,
              [&](std::vector<double>& p, auto g, int) {
                for (int k = 0; k < 3; ++k) {
                  w[k] = 0.5 * w[k] + 0.5 * g[k] * g[k];
                  p[k] -= 0.01 * g[k] / std::sqrt(w[k] + 0.5);
                }
              });
}

TEST(Optimizer, adagrad_steps_match_the_keras_rule) {
  const Steps printed = {{0.200220873, -0.600485990, 0.198140140},
                         {0.133765105, -0.535072517, 0.263880618},
                         {0.081637364, -0.484328472, 0.315491677}};
  std::vector<double> v(3, 0.1);
  expectSteps({{"type", "adagrad"}, {"lr", 0.1}}, 6, [&](std::vector<double>& p, auto g, int t) {
    for (int k = 0; k < 3; ++k) {
      v[k] += g[k] * g[k];
      p[k] -= 0.1 * g[k] / std::sqrt(v[k] + 1e-7);
    }
    expectPrinted("adagrad (lr 0.1, accumulator 0.1, eps 1e-7)", p, printed, t);
  });
}

TEST(Optimizer, adamw_steps_decay_the_weights_then_take_the_adam_step) {
  const Steps printed = {{0.279400013, -0.678600020, 0.119799961},
                         {0.258854556, -0.657259349, 0.139547099},
                         {0.238372779, -0.635989466, 0.159232331}};
  std::vector<double> m(3, 0.0), v(3, 0.0);
  const double lr = 0.02, wd = 0.1, b1 = 0.9, b2 = 0.999;
  expectSteps({{"type", "adamw"}, {"lr", lr}, {"weightDecay", wd}}, 6,
              [&](std::vector<double>& p, auto g, int t) {
                const double alpha = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
                for (int k = 0; k < 3; ++k) {
                  p[k] -= lr * wd * p[k];
                  m[k] = b1 * m[k] + (1 - b1) * g[k];
                  v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k];
                  p[k] -= alpha * m[k] / (std::sqrt(v[k]) + 1e-7);
                }
                expectPrinted("adamw (lr 0.02, weight decay 0.1)", p, printed, t);
              });
}

// The rate of update t (0-based, Keras's `iterations`) under each schedule, written out.
double referenceRate(const std::string& type, long long t) {
  const double lr = 0.1;
  if (type == "step") return lr * std::pow(0.5, std::floor(t / 3.0));     // every 3, factor 0.5
  if (type == "exponential") return lr * std::pow(0.5, t / 4.0);         // decaySteps 4, rate 0.5
  if (type == "staircase") return lr * std::pow(0.5, std::floor(t / 4.0));
  const double p = std::min<double>(t, 4) / 4;                            // cosine, decaySteps 4
  return lr * (0.9 * 0.5 * (1 + std::cos(M_PI * p)) + 0.1);               // alpha 0.1
}

TEST(Schedule, every_update_uses_the_scheduled_rate) {
  const std::map<std::string, Json> schedules = {
      {"step", {{"type", "step"}, {"every", 3}, {"factor", 0.5}}},
      {"exponential", {{"type", "exponential"}, {"decaySteps", 4}, {"decayRate", 0.5}}},
      {"staircase",
       {{"type", "exponential"}, {"decaySteps", 4}, {"decayRate", 0.5}, {"staircase", true}}},
      {"cosine", {{"type", "cosine"}, {"decaySteps", 4}, {"alpha", 0.1}}}};
  for (const auto& [name, schedule] : schedules) {
    Json config = testing::denseJson(2, {{1, "linear"}}, "mse", 0.1, "xavier", 3);
    config["schedule"] = schedule;
    Network<double> net(parseConfig(config));
    Matrix<double> x(2, 3), y(1, 3);
    for (int i = 0; i < 3; ++i) {
      x.col(i) << kX[i][0], kX[i][1];
      y(0, i) = kY[i];
    }
    for (long long t = 0; t < 9; ++t) {
      EXPECT_NEAR(net.learningRate(), referenceRate(name, t), 1e-15) << name << " t " << t;
      const Inspection<double> before = net.inspect(x, y);
      const double w = net.parameters()[0];
      net.trainBatch(x, y);
      // plain SGD: the step is exactly rate * gradient
      EXPECT_NEAR(w - net.parameters()[0], referenceRate(name, t) * before.layers[0].dW(0), 1e-12)
          << name << " t " << t;
    }
  }
  // Known values: cosine halfway is (1 - alpha) / 2 + alpha of the rate; the end is alpha.
  EXPECT_NEAR(referenceRate("cosine", 2), 0.055, 1e-15);
  EXPECT_NEAR(referenceRate("cosine", 7), 0.01, 1e-15);
  EXPECT_NEAR(referenceRate("exponential", 2), 0.1 / std::sqrt(2.0), 1e-15);
}

TEST(Schedule, the_rate_is_a_function_of_the_step_count_alone) {
  // Two networks trained to the same step have the same rate, however the steps were grouped
  // into epochs; setLearningRate rescales the schedule's starting rate.
  Json config = testing::denseJson(2, {{4, "tanh"}, {1, "linear"}}, "mse", 0.1, "xavier", 3);
  config["optimizer"] = {{"type", "adam"}, {"lr", 0.01}};
  config["schedule"] = {{"type", "cosine"}, {"decaySteps", 10}, {"alpha", 0}};
  Matrix<float> x(2, 6), y(1, 6);
  for (int i = 0; i < 6; ++i) {
    x.col(i) << float(kX[i % 3][0]), float(kX[i % 3][1]);
    y(0, i) = float(kY[i % 3]);
  }
  Network<float> a(parseConfig(config)), b(parseConfig(config));
  for (int e = 0; e < 3; ++e) a.trainEpoch(x, y, false);  // 2 steps per epoch
  for (int e = 0; e < 2; ++e) b.trainEpoch(x, y, false, 2);  // 3 steps per epoch
  EXPECT_EQ(a.steps(), 6);
  EXPECT_EQ(b.steps(), 6);
  EXPECT_EQ(a.learningRate(), b.learningRate());
  EXPECT_NEAR(a.learningRate(), 0.01 * 0.5 * (1 + std::cos(M_PI * 0.6)), 1e-12);
  const EpochResult last = a.trainEpoch(x, y, false);  // steps 7 and 8 (t = 6, 7)
  EXPECT_NEAR(last.lr, 0.01 * 0.5 * (1 + std::cos(M_PI * 0.7)), 1e-12);
  a.setLearningRate(0.02);
  EXPECT_NEAR(a.learningRate(), 0.02 * 0.5 * (1 + std::cos(M_PI * 0.8)), 1e-12);
}

}  // namespace
}  // namespace nnplay
