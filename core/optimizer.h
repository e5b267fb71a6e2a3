// Optimizers over the network's flat parameter buffer.
#pragma once

#include <cmath>
#include <vector>

#include "config.h"
#include "portable_math.h"
#include "tensor.h"

namespace nnplay {

template <typename T>
class Optimizer {
 public:
  Optimizer(const OptimizerConfig& config, Index size) : config_(config) {
    if (config.type == OptimizerType::Adam) {
      m_.setZero(size);
      v_.setZero(size);
    } else if (config.momentum > 0) {
      m_.setZero(size);
    }
  }

  void setLearningRate(double lr) { config_.lr = lr; }

  // One update of w with gradient g; step is the 1-based count of updates so far, which
  // Adam's bias correction needs explicitly (so a restored network continues exactly).
  void update(Eigen::Map<Vector<T>>& w, const Eigen::Map<Vector<T>>& g, long long step) {
    const T lr = static_cast<T>(config_.lr);
    if (config_.type == OptimizerType::Adam) {
      // m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
      // w -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
      const T b1 = static_cast<T>(config_.beta1), b2 = static_cast<T>(config_.beta2);
      m_ = b1 * m_ + (T(1) - b1) * g;
      v_.array() = b2 * v_.array() + (T(1) - b2) * g.array().square();
      const double correction = std::sqrt(1.0 - pmath::powInt(config_.beta2, step)) /
                                (1.0 - pmath::powInt(config_.beta1, step));
      const T stepSize = static_cast<T>(config_.lr * correction);
      const T eps = static_cast<T>(config_.epsilon);
      w.array() -= stepSize * m_.array() / (v_.array().sqrt() + eps);
    } else if (m_.size() > 0) {
      // Heavy-ball momentum: velocity = mu velocity - lr g, w += velocity
      m_ = static_cast<T>(config_.momentum) * m_ - lr * g;
      w += m_;
    } else {
      w -= lr * g;
    }
  }

 private:
  OptimizerConfig config_;
  Vector<T> m_, v_;
};

}  // namespace nnplay
