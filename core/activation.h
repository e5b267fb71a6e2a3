// Activation functions and their backward passes, one sample per column.
#pragma once

#include "config.h"
#include "parallel.h"
#include "tensor.h"

namespace nnplay {

// a = f(z)
template <typename T>
void activationForward(Activation f, const Matrix<T>& z, Matrix<T>& a) {
  switch (f) {
    case Activation::Linear:
      a = z;
      break;
    case Activation::Sigmoid:
      // 1 / (1 + e^-z): for very negative z, e^-z overflows to inf and a becomes 0, never NaN.
      a.resize(z.rows(), z.cols());
      a.array() = (T(1) + (-z.array()).exp()).inverse();
      break;
    case Activation::Tanh:
      a.resize(z.rows(), z.cols());
      a.array() = z.array().tanh();
      break;
    case Activation::Relu:
      // Split over the threads: a max per value, the same bits however it is split.
      a.resize(z.rows(), z.cols());
      parallelFor(z.size(), kElementGrain, [&](int64_t begin, int64_t end) {
        a.reshaped().segment(begin, end - begin).array() =
            z.reshaped().segment(begin, end - begin).array().max(T(0));
      });
      break;
    case Activation::Softmax:
      // Subtracting the column maximum keeps exp() <= 1: no overflow for any finite z. Column by
      // column, so no temporary row of maxima or sums is allocated.
      // Each column on its own, the columns split over the threads: the same bits for any split.
      a.resize(z.rows(), z.cols());
      parallelFor(z.cols(), std::max<Index>(1, kElementGrain / 8 / z.rows()), [&](int64_t first, int64_t last) {
        for (Index j = first; j < last; ++j) {
          const T max = z.col(j).maxCoeff();
          a.col(j).array() = (z.col(j).array() - max).exp();
          a.col(j) /= a.col(j).sum();
        }
      });
      break;
  }
}

// dz = dL/dz given da = dL/da, z and a = f(z).
template <typename T>
void activationBackward(Activation f, const Matrix<T>& z, const Matrix<T>& a, const Matrix<T>& da,
                        Matrix<T>& dz) {
  dz.resize(z.rows(), z.cols());
  switch (f) {
    case Activation::Linear:
      dz = da;
      break;
    case Activation::Sigmoid:
      // sigmoid'(z) = a (1 - a)
      dz.array() = da.array() * a.array() * (T(1) - a.array());
      break;
    case Activation::Tanh:
      // tanh'(z) = 1 - a^2
      dz.array() = da.array() * (T(1) - a.array().square());
      break;
    case Activation::Relu:
      // A plain select loop: clang vectorizes it for WASM SIMD, Eigen's select it does not.
      parallelFor(z.size(), kElementGrain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) dz.data()[i] = z.data()[i] > T(0) ? da.data()[i] : T(0);
      });
      break;
    case Activation::Softmax:
      // da/dz = diag(a) - a a^T per sample, so dz = a * (da - sum_k da_k a_k)
      dz.array() = a.array() *
                   (da.array().rowwise() - (da.array() * a.array()).colwise().sum());
      break;
  }
}

}  // namespace nnplay
