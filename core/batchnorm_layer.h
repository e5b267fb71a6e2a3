// Batch normalization as Keras' BatchNormalization, over the last axis (a dense layer's units,
// an image's channels in NHWC), followed by an optional activation:
//   z = gamma * (x - mean) / sqrt(var + epsilon) + beta,  a = f(z)
// In training, mean and var are the batch's (over samples and, for images, positions; var is
// the biased one, as Keras normalizes with), and the moving statistics follow
//   moving = moving * momentum + batch * (1 - momentum).
// In inference, mean and var are the moving statistics. gamma and beta are trained; the moving
// statistics are state (not trainable): saved with the weights, never touched by the optimizer.
//
// Bit-identity for any thread count: every per-channel sum runs over samples, then positions,
// in one fixed order, and the threads split the channels only; elementwise work splits samples.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "layer.h"
#include "parallel.h"

namespace nnplay {

template <typename T>
class BatchNormLayer final : public ActivatedLayer<T> {
 public:
  using typename Layer<T>::Mat;
  using typename Layer<T>::ConstRef;

  BatchNormLayer(const Shape& in, double momentum, double epsilon, Activation f)
      // A leaky_relu after batch norm has the default slope: batchnorm has no alpha field.
      : ActivatedLayer<T>(in, in, f, LayerConfig{}.alpha),
        channels_(in.back()),
        positions_(shapeSize(in) / in.back()),
        momentum_(momentum),
        epsilon_(epsilon) {}

  LayerType type() const override { return LayerType::BatchNorm; }

  // Keras' names and order; every tensor is [channels].
  std::vector<ParamInfo> parameters() const override {
    const Shape c = {static_cast<int>(channels_)};
    return {{"gamma", c, false},
            {"beta", c, false},
            {"moving_mean", c, false, false},
            {"moving_variance", c, false, false}};
  }

  void bind(T* values, T* gradients) override {
    remap(gamma_, values, channels_);
    remap(beta_, values + channels_, channels_);
    remap(dGamma_, gradients, channels_);
    remap(dBeta_, gradients + channels_, channels_);
  }

  void bindState(T* state) override {
    remap(movingMean_, state, channels_);
    remap(movingVariance_, state + channels_, channels_);
  }

  // Keras' initializers: gamma 1, beta 0, moving mean 0, moving variance 1 (no random numbers).
  void initialize(InitType /*init*/, Rng& /*rng*/) override {
    gamma_.setOnes();
    beta_.setZero();
    movingMean_.setZero();
    movingVariance_.setOnes();
  }

 protected:
  // in (P*C, n) -> z (P*C, n), P positions of C channels per sample; keeps xhat for backward.
  void forwardLinear(const ConstRef& in, bool training, Mat& z) override {
    const Index n = in.cols();
    trainedForward_ = training;
    if (training) {
      batchStatistics(in);
      const T keep = static_cast<T>(momentum_), take = static_cast<T>(1 - momentum_);
      movingMean_ = movingMean_ * keep + mean_ * take;
      movingVariance_ = movingVariance_ * keep + variance_ * take;
    } else {
      mean_ = movingMean_;
      variance_ = movingVariance_;
    }
    // 1 / sqrt, both correctly rounded: the same bits natively and in WASM (rsqrt may be an
    // approximation with SIMD).
    invStd_ = (variance_.array() + static_cast<T>(epsilon_)).sqrt().inverse();
    z.resize(in.rows(), n);
    xhat_.resize(in.rows(), n);
    parallelFor(n, std::max<Index>(1, kElementGrain / in.rows()), [&](int64_t first, int64_t last) {
      for (Index s = first; s < last; ++s) {
        const Eigen::Map<const Mat> x(in.col(s).data(), channels_, positions_);
        Eigen::Map<Mat> xhat(xhat_.col(s).data(), channels_, positions_);
        Eigen::Map<Mat> out(z.col(s).data(), channels_, positions_);
        xhat = (x.colwise() - mean_).array().colwise() * invStd_.array();
        out = (xhat.array().colwise() * gamma_.array()).colwise() + beta_.array();
      }
    });
  }

  // dGamma = sum dz * xhat, dBeta = sum dz (over samples and positions). With the batch's
  // statistics, mean and var depend on x too, which gives (m values per channel)
  //   dIn = gamma * invStd / m * (m * dz - dBeta - xhat * dGamma);
  // with the moving ones (inference, e.g. inspect) they are constants: dIn = gamma * invStd * dz.
  void backwardLinear(const ConstRef& /*in*/, const Mat& dz, Mat* dIn) override {
    const Index n = dz.cols();
    sumPerChannel(n, sums_, [&](Index s, Index row, Index) { return double(dz(row, s)); });
    for (Index c = 0; c < channels_; ++c) dBeta_[c] = static_cast<T>(sums_[c]);
    sumPerChannel(n, sums_, [&](Index s, Index row, Index) {
      return double(dz(row, s)) * double(xhat_(row, s));
    });
    for (Index c = 0; c < channels_; ++c) dGamma_[c] = static_cast<T>(sums_[c]);
    if (!dIn) return;
    dIn->resize(dz.rows(), n);
    // gamma * invStd (/ m in training), a member and not an expression inside the loop: Eigen
    // would evaluate that into a temporary per sample, and training allocates nothing once warm.
    const T m = static_cast<T>(n * positions_);
    scale_ = gamma_.cwiseProduct(invStd_);
    if (trainedForward_) scale_ /= m;
    parallelFor(n, std::max<Index>(1, kElementGrain / dz.rows()), [&](int64_t first, int64_t last) {
      for (Index s = first; s < last; ++s) {
        const Eigen::Map<const Mat> d(dz.col(s).data(), channels_, positions_);
        const Eigen::Map<const Mat> xhat(xhat_.col(s).data(), channels_, positions_);
        Eigen::Map<Mat> out(dIn->col(s).data(), channels_, positions_);
        if (trainedForward_) {
          out = (((m * d.array()).colwise() - dBeta_.array()) -
                 xhat.array().colwise() * dGamma_.array())
                    .colwise() *
                scale_.array();
        } else {
          out = d.array().colwise() * scale_.array();
        }
      }
    });
  }

 private:
  // The batch's mean and biased variance per channel (m values each), summed in double.
  void batchStatistics(const ConstRef& in) {
    const Index n = in.cols();
    const double m = static_cast<double>(n * positions_);
    sumPerChannel(n, sums_, [&](Index s, Index row, Index) { return double(in(row, s)); });
    for (double& sum : sums_) sum /= m;  // the mean
    sumPerChannel(n, squares_, [&](Index s, Index row, Index c) {
      const double d = double(in(row, s)) - sums_[c];
      return d * d;
    });
    mean_.resize(channels_);
    variance_.resize(channels_);
    for (Index c = 0; c < channels_; ++c) {
      mean_[c] = static_cast<T>(sums_[c]);
      variance_[c] = static_cast<T>(squares_[c] / m);
    }
  }

  // sums[c] = sum of term(sample, row, c) over the rows of channel c (row = position * C + c),
  // samples outer, positions inner: one fixed order. The threads split the channels only, so
  // every sum is the same whatever their number.
  template <typename Term>
  void sumPerChannel(Index n, std::vector<double>& sums, const Term& term) {
    sums.assign(channels_, 0.0);
    const Index work = std::max<Index>(1, n * positions_);
    parallelFor(channels_, std::max<Index>(1, kElementGrain / work), [&](int64_t c0, int64_t c1) {
      for (Index s = 0; s < n; ++s)
        for (Index p = 0; p < positions_; ++p)
          for (Index c = c0; c < c1; ++c) sums[c] += term(s, p * channels_ + c, c);
    });
  }

  Index channels_, positions_;
  double momentum_, epsilon_;
  bool trainedForward_ = false;  // the last forward normalized with the batch's statistics
  Eigen::Map<Vector<T>> gamma_{nullptr, 0}, beta_{nullptr, 0};
  Eigen::Map<Vector<T>> dGamma_{nullptr, 0}, dBeta_{nullptr, 0};
  Eigen::Map<Vector<T>> movingMean_{nullptr, 0}, movingVariance_{nullptr, 0};
  Vector<T> mean_, variance_, invStd_;  // the statistics of the last forward
  Vector<T> scale_;                     // gamma * invStd, for backward
  Mat xhat_;
  std::vector<double> sums_, squares_;
};

}  // namespace nnplay
