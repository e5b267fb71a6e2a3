// Optimizers over the network's flat parameter buffer.
#pragma once

#include <cmath>
#include <vector>

#include "config.h"
#include "parallel.h"
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
  // Split over the threads in ranges of parameters: every value's update is its own arithmetic,
  // so the bits do not depend on the split.
  void update(Eigen::Map<Vector<T>>& w, const Eigen::Map<Vector<T>>& g, long long step) {
    parallelFor(w.size(), kElementGrain, [&](int64_t begin, int64_t end) {
      update(w.data() + begin, g.data() + begin, m_.size() ? m_.data() + begin : nullptr,
             v_.size() ? v_.data() + begin : nullptr, end - begin, step);
    });
  }

 private:
  // The update of n parameters from wData on (their gradients, moments and velocities alike).
  void update(T* wData, const T* gData, T* mData, T* vData, Index n, long long step) {
    Eigen::Map<Vector<T>> w(wData, n);
    const Eigen::Map<const Vector<T>> g(gData, n);
    Eigen::Map<Vector<T>> m(mData, mData ? n : 0), v(vData, vData ? n : 0);  // moments, velocity
    const T lr = static_cast<T>(config_.lr);
    if (config_.type == OptimizerType::Adam) {
      // m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
      // w -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
      const T b1 = static_cast<T>(config_.beta1), b2 = static_cast<T>(config_.beta2);
      m = b1 * m + (T(1) - b1) * g;
      v.array() = b2 * v.array() + (T(1) - b2) * g.array().square();
      const double correction = std::sqrt(1.0 - pmath::powInt(config_.beta2, step)) /
                                (1.0 - pmath::powInt(config_.beta1, step));
      const T stepSize = static_cast<T>(config_.lr * correction);
      const T eps = static_cast<T>(config_.epsilon);
      w.array() -= stepSize * m.array() / (v.array().sqrt() + eps);
    } else if (mData) {
      // Heavy-ball momentum: velocity = mu velocity - lr g, w += velocity
      m = static_cast<T>(config_.momentum) * m - lr * g;
      w += m;
    } else {
      w -= lr * g;
    }
  }

  OptimizerConfig config_;
  Vector<T> m_, v_;
};

}  // namespace nnplay
