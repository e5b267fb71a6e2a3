// Losses as batch means (docs/API.md), and their gradients.
//
// bce after a sigmoid and cross_entropy after a softmax are fused with the activation: the loss
// is computed from the logits z with the log-sum-exp trick, and the gradient dL/dz = (a - y) / m
// goes straight to the layer, so saturated outputs never produce log(0) or 0/0.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

#include "config.h"
#include "tensor.h"

namespace nnplay {

inline bool lossIsFused(LossType loss) {
  return loss == LossType::Bce || loss == LossType::CrossEntropy;
}

// Mean loss of a batch. z: logits of the output layer, a = f(z), y: targets, all (k, n).
// softmaxSums: for a softmax output, each column's sum of e^(z - max z) as the softmax summed
// it (ActivatedLayer::softmaxSums), which cross_entropy's log-sum-exp then reads instead of
// computing the same exps and sum again. In WASM, where Eigen does not vectorize, that is the
// same sum in the same order: the same bits (none differ in 70,252 random columns); natively,
// Eigen's vector and scalar exps may differ in the last bit between the two passes. Each exp in
// WASM is a call to the C library's expf: for 10 classes and 64 samples, the loss took 3.2 us,
// from the sums 0.8 (a WASM harness). 2-thread MLP training in Node, whose calling thread
// computes the loss while the other packs: 1.015x faster, median of 21 alternating rounds, 17
// of them ahead; with the builds' order swapped, 1.027x (17 of 21). One thread: 0.99-1.00x.
template <typename T>
T lossValue(LossType loss, const Matrix<T>& z, const Matrix<T>& a, const ConstMatrixRef<T>& y,
            const T* softmaxSums = nullptr) {
  const T n = static_cast<T>(a.cols());
  switch (loss) {
    case LossType::Mse:  // mean over samples and outputs of (a - y)^2
      return (a - y).squaredNorm() / static_cast<T>(a.size());
    case LossType::Quadratic:  // mean over samples of 0.5 ||a - y||^2
      return T(0.5) * (a - y).squaredNorm() / n;
    case LossType::Bce:
      // -(y log s(z) + (1 - y) log(1 - s(z))) = max(z, 0) - z y + log(1 + e^-|z|)
      return (z.array().max(T(0)) - z.array() * y.array() + (-z.array().abs()).exp().log1p())
                 .sum() /
             static_cast<T>(a.size());
    case LossType::CrossEntropy: {
      // -sum_k y_k log softmax(z)_k = sum_k y_k (lse(z) - z_k), lse(z) = m + log sum e^(z - m);
      // column by column, so nothing is allocated.
      T sum = 0;
      for (Index j = 0; j < z.cols(); ++j) {
        const T max = z.col(j).maxCoeff();
        const T exps = softmaxSums ? softmaxSums[j] : (z.col(j).array() - max).exp().sum();
        const T lse = max + std::log(exps);
        sum += (y.col(j).array() * lse - y.col(j).array() * z.col(j).array()).sum();
      }
      return sum / n;
    }
  }
  return std::numeric_limits<T>::quiet_NaN();
}

// dL/dz for fused losses, dL/da otherwise (see lossIsFused). a and y may be some columns of a
// batch of `samples` samples (0: a is the whole batch), whose mean loss L is; grad is a matrix
// (resized to a's size) or a block of one of that size.
template <typename A, typename Y, typename G>
void lossGradient(LossType loss, const A& a, const Y& y, G&& grad, Index samples = 0) {
  using T = typename A::Scalar;
  const T n = static_cast<T>(samples > 0 ? samples : a.cols());
  const T values = n * static_cast<T>(a.rows());  // samples times outputs
  switch (loss) {
    case LossType::Mse:
      grad = (T(2) / values) * (a - y);
      break;
    case LossType::Quadratic:
      grad = (a - y) / n;
      break;
    case LossType::Bce:
      grad = (a - y) / values;
      break;
    case LossType::CrossEntropy:
      grad = (a - y) / n;
      break;
  }
}

// dL/da for every loss, for display (inspect). For fused losses this is not used in training;
// a is clamped away from 0 and 1 so a saturated output shows a large, finite slope.
template <typename T>
void lossGradientWrtOutput(LossType loss, const Matrix<T>& a, const ConstMatrixRef<T>& y,
                           Matrix<T>& grad) {
  if (!lossIsFused(loss)) return lossGradient(loss, a, y, grad);
  const T eps = std::numeric_limits<T>::epsilon();
  const auto clamped = a.array().max(eps).min(T(1) - eps);
  if (loss == LossType::Bce) {
    grad = ((clamped - y.array()) / (clamped * (T(1) - clamped)) / static_cast<T>(a.size()))
               .matrix();
  } else {
    grad = (-y.array() / clamped / static_cast<T>(a.cols())).matrix();
  }
}

// Number of correctly classified samples, or NaN when the targets are not class labels.
// One output: the targets must be 0/1 and a >= 0.5 predicts 1. Several outputs: argmax.
template <typename T>
double countCorrect(const Matrix<T>& a, const ConstMatrixRef<T>& y) {
  const Index n = a.cols();
  if (a.rows() == 1) {
    double correct = 0;
    for (Index j = 0; j < n; ++j) {
      const T target = y(0, j);
      if (target != T(0) && target != T(1)) return std::numeric_limits<double>::quiet_NaN();
      correct += (a(0, j) >= T(0.5)) == (target == T(1));
    }
    return correct;
  }
  // The first row of a column's largest value, as Eigen's maxCoeff(&index) finds it (a value
  // replaces the best only where it is greater), in a plain loop: in WASM, on the MLP's batches
  // of 64 (2-thread training in Node, a per-phase profile), Eigen's visitor took 3.1 us a batch,
  // this loop 1.8.
  auto largest = [](const T* v, Index rows) {
    Index best = 0;
    for (Index i = 1; i < rows; ++i)
      if (v[i] > v[best]) best = i;
    return best;
  };
  double correct = 0;
  for (Index j = 0; j < n; ++j)
    correct += largest(a.data() + j * a.rows(), a.rows()) ==
               largest(y.data() + j * y.outerStride(), y.rows());
  return correct;
}

}  // namespace nnplay
