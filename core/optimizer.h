// Optimizers over the network's flat parameter buffer.
#pragma once

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "config.h"
#include "parallel.h"
#include "portable_math.h"
#include "simd.h"
#include "tensor.h"

namespace nnplay {

// Adagrad's accumulator starts here (Keras initial_accumulator_value, TF.js's too).
constexpr double kAdagradInitialAccumulator = 0.1;

// The learning rate of optimizer step t (0 for the first update, Keras's `iterations`) under the
// schedule, for the optimizer's rate lr; the formulas are in config.h. Computed in double from
// +, -, *, / and portable_math only, so it is the same number natively and in WASM, and a
// function of t alone: a network rebuilt and trained to the same step uses the same rate.
inline double scheduledRate(const ScheduleConfig& s, double lr, long long t) {
  switch (s.type) {
    case ScheduleType::Constant:
      break;
    case ScheduleType::Step:
      return lr * pmath::powInt(s.factor, t / s.every);
    case ScheduleType::Exponential: {
      if (s.staircase) return lr * pmath::powInt(s.decayRate, t / s.decaySteps);
      // rate^p = e^(p ln rate)
      const double p = static_cast<double>(t) / static_cast<double>(s.decaySteps);
      return lr * pmath::exp(p * pmath::log(s.decayRate));
    }
    case ScheduleType::Cosine: {
      const double p = static_cast<double>(std::min<long long>(t, s.decaySteps)) /
                       static_cast<double>(s.decaySteps);
      const double cosine = 0.5 * (1.0 + pmath::cos(pmath::kPi * p));
      return lr * ((1.0 - s.alpha) * cosine + s.alpha);
    }
  }
  return lr;
}

template <typename T>
class Optimizer {
 public:
  Optimizer(const OptimizerConfig& config, const ScheduleConfig& schedule, Index size)
      : config_(config), schedule_(schedule) {
    switch (config.type) {
      case OptimizerType::Adam:
      case OptimizerType::AdamW:
        m_.setZero(size);
        v_.setZero(size);
        break;
      case OptimizerType::Rmsprop:
        v_.setZero(size);
        break;
      case OptimizerType::Adagrad:
        v_.setConstant(size, static_cast<T>(kAdagradInitialAccumulator));
        break;
      case OptimizerType::Sgd:
        if (config.momentum > 0) m_.setZero(size);
        break;
    }
  }

  // The schedule starts from this rate; momentum, moments and accumulators carry on.
  void setLearningRate(double lr) { config_.lr = lr; }

  // The rate update number `step` (1-based) uses.
  double learningRate(long long step) const {
    return scheduledRate(schedule_, config_.lr, std::max<long long>(step - 1, 0));
  }

  // One update of w with gradient g; step is the 1-based count of updates so far, which
  // Adam's bias correction needs explicitly (so a restored network continues exactly).
  // Split over the threads in ranges of parameters: every value's update is its own arithmetic,
  // so the bits do not depend on the split.
  void update(Eigen::Map<Vector<T>>& w, const Eigen::Map<Vector<T>>& g, long long step) {
    const double lr = learningRate(step);
    parallelFor(w.size(), kElementGrain, [&](int64_t begin, int64_t end) {
      update(w.data() + begin, g.data() + begin, m_.size() ? m_.data() + begin : nullptr,
             v_.size() ? v_.data() + begin : nullptr, end - begin, step, lr);
    });
  }

  // The moments (Adam, AdamW, momentum) and velocities (Adam, AdamW, RMSprop, Adagrad) of every
  // parameter, in the parameters' order; nullptr where the optimizer keeps none.
  T* moments() { return m_.size() ? m_.data() : nullptr; }
  T* velocities() { return v_.size() ? v_.data() : nullptr; }

  // The update of n parameters held elsewhere, with their own copies of moments and velocities
  // (nullptr where moments() or velocities() is), at step `step` with rate learningRate(step):
  // each value's arithmetic as in update().
  void updateValues(T* w, const T* g, T* m, T* v, Index n, long long step, double rate) {
    update(w, g, m, v, n, step, rate);
  }

 private:
  // The update of n parameters from wData on (their gradients, moments and velocities alike).
  // rate: the scheduled learning rate of this step.
  void update(T* wData, const T* gData, T* mData, T* vData, Index n, long long step, double rate) {
    Eigen::Map<Vector<T>> w(wData, n);
    const Eigen::Map<const Vector<T>> g(gData, n);
    Eigen::Map<Vector<T>> m(mData, mData ? n : 0), v(vData, vData ? n : 0);  // moments, velocity
    const T lr = static_cast<T>(rate);
    const T eps = static_cast<T>(config_.epsilon);
    if (config_.type == OptimizerType::AdamW) {
      // Decoupled weight decay (Keras AdamW, Loshchilov & Hutter): w -= lr wd w, then Adam.
      w -= static_cast<T>(rate * config_.weightDecay) * w;
    }
    if (config_.type == OptimizerType::Adam || config_.type == OptimizerType::AdamW) {
      // m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
      // w -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
      const T b1 = static_cast<T>(config_.beta1), b2 = static_cast<T>(config_.beta2);
      m = b1 * m + (T(1) - b1) * g;
      v.array() = b2 * v.array() + (T(1) - b2) * g.array().square();
      const double correction = std::sqrt(1.0 - pmath::powInt(config_.beta2, step)) /
                                (1.0 - pmath::powInt(config_.beta1, step));
      const T stepSize = static_cast<T>(rate * correction);
      w.array() -= stepSize * m.array() / (v.array().sqrt() + eps);
    } else if (config_.type == OptimizerType::Rmsprop) {
      // v = rho v + (1 - rho) g^2, w -= lr g / sqrt(v + eps)  (Keras and TF.js: eps inside)
      const T rho = static_cast<T>(config_.rho);
      v.array() = rho * v.array() + (T(1) - rho) * g.array().square();
      w.array() -= lr * g.array() / (v.array() + eps).sqrt();
    } else if (config_.type == OptimizerType::Adagrad) {
      // v += g^2 (v starts at 0.1), w -= lr g / sqrt(v + eps)
      v.array() += g.array().square();
      w.array() -= lr * g.array() / (v.array() + eps).sqrt();
    } else if (mData) {
      // Heavy-ball momentum: velocity = mu velocity - lr g, w += velocity;
      // Nesterov (Keras): the same velocity, w += mu velocity - lr g
      const T mu = static_cast<T>(config_.momentum);
      m = mu * m - lr * g;
      if (config_.nesterov) {
        w += mu * m - lr * g;
      } else {
        w += m;
      }
    } else if constexpr (std::is_same_v<T, float>) {
      // Plain SGD, 4 values at a time (Eigen has no WASM SIMD path): the same w - lr g per value.
      Index i = 0;
      for (; i + 4 <= n; i += 4)
        simd::store(wData + i, simd::load(wData + i) - simd::splat(lr) * simd::load(gData + i));
      for (; i < n; ++i) wData[i] -= lr * gData[i];
    } else {
      w -= lr * g;
    }
  }

  OptimizerConfig config_;
  ScheduleConfig schedule_;
  Vector<T> m_, v_;
};

}  // namespace nnplay
