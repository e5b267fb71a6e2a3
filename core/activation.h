// Activation functions and their backward passes, one sample per column.
//
// The newer activations (leaky_relu, elu, gelu, softplus, swish) run one scalar libm call per
// value, split over the threads: each value's arithmetic is its own, so the bits do not depend on
// the thread count. Like sigmoid and tanh, their exp/erf/log1p come from the platform's libm,
// so a native build and the WASM build may differ in the last bit (the WASM build is the same
// in Node and every browser).
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "config.h"
#include "parallel.h"
#include "simd.h"
#include "tensor.h"

namespace nnplay {

// out[i] = fn(i) for every value (out: a matrix or a map), split over the threads.
template <typename Out, typename Fn>
void forEachValue(Out& out, Fn&& fn) {
  parallelFor(out.size(), kElementGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) out.data()[i] = fn(i);
  });
}

// The ReLU over values [begin, end): a = max(z, 0) (as std::max(z, 0): -0 and NaN pass
// through), and dz = z > 0 ? da : 0. Four values at a time for float, as selects by comparison
// masks, the same bits as the scalar forms: clang does not vectorize the scalar loops (the
// backward's load is conditional) and Eigen has no WASM SIMD path; they were 7 % of CNN training.
template <typename T>
void reluForward(const T* z, T* a, int64_t begin, int64_t end) {
  int64_t i = begin;
  if constexpr (std::is_same_v<T, float>) {
    using namespace simd;
    for (; i + 4 <= end; i += 4) {
      const Float4 v = load(z + i);
      store(a + i, keepWhere(~(v < 0.f), v));
    }
  }
  for (; i < end; ++i) a[i] = z[i] < T(0) ? T(0) : z[i];
}

template <typename T>
void reluBackward(const T* z, const T* da, T* dz, int64_t begin, int64_t end) {
  int64_t i = begin;
  if constexpr (std::is_same_v<T, float>) {
    using namespace simd;
    for (; i + 4 <= end; i += 4) store(dz + i, keepWhere(load(z + i) > 0.f, load(da + i)));
  }
  for (; i < end; ++i) dz[i] = z[i] > T(0) ? da[i] : T(0);
}

template <typename T>
T sigmoidOf(T z) {
  return T(1) / (T(1) + std::exp(-z));
}

// a = f(z); alpha is leaky_relu's slope for z < 0. z and a are matrices, or maps of columns of
// one (a of z's size).
// With softmaxSums, a softmax also writes each column's sum of e^(z - max z), which it divides
// by, to softmaxSums[j] (lossValue's log-sum-exp reads it).
template <typename Z, typename A>
void activationForward(Activation f, const Z& z, A&& a,
                       typename Z::Scalar alpha = typename Z::Scalar(0.2),
                       typename Z::Scalar* softmaxSums = nullptr) {
  using T = typename Z::Scalar;
  const T* zv = z.data();
  if (f != Activation::Linear) a.resize(z.rows(), z.cols());
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
        reluForward(zv, a.data(), begin, end);
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
          const T sum = a.col(j).sum();
          if (softmaxSums) softmaxSums[j] = sum;
          a.col(j) /= sum;
        }
      });
      break;
    case Activation::LeakyRelu:
      forEachValue(a, [&](int64_t i) { return zv[i] > T(0) ? zv[i] : alpha * zv[i]; });
      break;
    case Activation::Elu:
      // alpha = 1 (Keras and TF.js): z for z > 0, e^z - 1 otherwise.
      forEachValue(a, [&](int64_t i) { return zv[i] > T(0) ? zv[i] : std::expm1(zv[i]); });
      break;
    case Activation::Gelu:
      // The exact form (Keras approximate=False, TF.js "gelu"), not the tanh approximation
      // (TF.js "gelu_new"): z Phi(z) = z (1 + erf(z / sqrt 2)) / 2
      forEachValue(a, [&](int64_t i) {
        return T(0.5) * zv[i] * (T(1) + std::erf(zv[i] * T(0.70710678118654752440)));
      });
      break;
    case Activation::Softplus:
      // log(1 + e^z) = max(z, 0) + log1p(e^-|z|): no overflow for large z.
      forEachValue(a, [&](int64_t i) {
        return std::max(zv[i], T(0)) + std::log1p(std::exp(-std::abs(zv[i])));
      });
      break;
    case Activation::Swish:
      // z sigmoid(z) (also called SiLU)
      forEachValue(a, [&](int64_t i) { return zv[i] * sigmoidOf(zv[i]); });
      break;
  }
}

// dz = dL/dz given da = dL/da, z and a = f(z): matrices, or maps of columns of them.
template <typename Z, typename A, typename D, typename G>
void activationBackward(Activation f, const Z& z, const A& a, const D& da, G&& dz,
                        typename Z::Scalar alpha = typename Z::Scalar(0.2)) {
  using T = typename Z::Scalar;
  dz.resize(z.rows(), z.cols());
  const T *zv = z.data(), *av = a.data(), *dav = da.data();
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
      parallelFor(z.size(), kElementGrain, [&](int64_t begin, int64_t end) {
        reluBackward(zv, dav, dz.data(), begin, end);
      });
      break;
    case Activation::Softmax:
      // da/dz = diag(a) - a a^T per sample, so dz = a * (da - sum_k da_k a_k)
      dz.array() = a.array() *
                   (da.array().rowwise() - (da.array() * a.array()).colwise().sum());
      break;
    case Activation::LeakyRelu:
      forEachValue(dz, [&](int64_t i) { return zv[i] > T(0) ? dav[i] : alpha * dav[i]; });
      break;
    case Activation::Elu:
      // elu'(z) = e^z = a + 1 for z <= 0
      forEachValue(dz, [&](int64_t i) { return zv[i] > T(0) ? dav[i] : dav[i] * (av[i] + T(1)); });
      break;
    case Activation::Gelu:
      // gelu'(z) = Phi(z) + z phi(z), phi(z) = e^(-z^2/2) / sqrt(2 pi)
      forEachValue(dz, [&](int64_t i) {
        const T x = zv[i];
        const T cdf = T(0.5) * (T(1) + std::erf(x * T(0.70710678118654752440)));
        const T pdf = T(0.39894228040143267794) * std::exp(T(-0.5) * x * x);
        return dav[i] * (cdf + x * pdf);
      });
      break;
    case Activation::Softplus:
      // softplus'(z) = sigmoid(z)
      forEachValue(dz, [&](int64_t i) { return dav[i] * sigmoidOf(zv[i]); });
      break;
    case Activation::Swish:
      // swish'(z) = s + z s (1 - s), s = sigmoid(z)
      forEachValue(dz, [&](int64_t i) {
        const T s = sigmoidOf(zv[i]);
        return dav[i] * (s + zv[i] * s * (T(1) - s));
      });
      break;
  }
}

}  // namespace nnplay
