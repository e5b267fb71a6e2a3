// Fully connected layer: z = W in + b, a = f(z).
#pragma once

#include "gemm.h"
#include "layer.h"

namespace nnplay {

template <typename T>
class DenseLayer final : public ActivatedLayer<T> {
 public:
  using typename Layer<T>::Mat;
  using typename Layer<T>::ConstRef;

  DenseLayer(const Shape& in, int units, Activation f, double alpha = 0.2)
      : ActivatedLayer<T>(in, {units}, f, alpha) {}

  LayerType type() const override { return LayerType::Dense; }

  // The kernel is [in, out] in Keras order, which is W (out x in) stored column-major.
  std::vector<ParamInfo> parameters() const override {
    const int in = static_cast<int>(this->inputSize()), out = static_cast<int>(this->outputSize());
    return {{"kernel", {in, out}, true}, {"bias", {out}, false}};
  }

  void bind(T* values, T* gradients) override {
    const Index in = this->inputSize(), out = this->outputSize();
    remap(W_, values, out, in);
    remap(b_, values + out * in, out);
    remap(dW_, gradients, out, in);
    remap(db_, gradients + out * in, out);
  }

  void initialize(InitType init, Rng& rng) override {
    this->initializeKernel(init, rng, W_.data(), W_.size(), b_.data(), b_.size(),
                           double(this->inputSize()), double(this->outputSize()));
  }

 protected:
  // in (in, n) -> z (out, n)
  void forwardLinear(const ConstRef& in, bool /*training*/, Mat& z) override {
    z.resize(W_.rows(), in.cols());
    multiplyAddBias(z, W_, in, b_.data(), gemm_);
  }

  // In WASM the ReLU comes from the GEMM's last store too (natively Eigen does the product).
  bool forwardLinearRelu(const ConstRef& in, bool /*training*/, Mat& z, Mat& a) override {
#ifdef __wasm_simd128__
    if constexpr (std::is_same_v<T, float>) {
      z.resize(W_.rows(), in.cols());
      a.resize(W_.rows(), in.cols());
      gemm_.multiply(stridedView(W_), stridedView(in), z.data(), z.outerStride(), false,
                     {b_.data(), a.data()});
      return true;
    }
#endif
    (void)in, (void)z, (void)a;
    return false;
  }

  // dW = dz in^T, db = sum over samples of dz, dIn = W^T dz. The loss is already a batch mean.
  void backwardLinear(const ConstRef& in, const Mat& dz, Mat* dIn) override {
    multiply(dW_, dz, in.transpose(), gemm_);
    // db = dz(:, 0) + dz(:, 1) + ..., in the order Eigen's rowwise().sum() adds them without
    // SIMD (as in WASM), four rows at a time.
    if (dz.cols() == 0) {
      db_.setZero();
    } else {
      db_ = dz.col(0);
      this->addColumnSums(dz.data() + dz.rows(), dz.rows(), dz.cols() - 1, db_.data());
    }
    if (dIn) {
      dIn->resize(W_.cols(), dz.cols());
      multiply(*dIn, W_.transpose(), dz, gemm_);
    }
  }

 private:
  Eigen::Map<Mat> W_{nullptr, 0, 0}, dW_{nullptr, 0, 0};
  Eigen::Map<Vector<T>> b_{nullptr, 0}, db_{nullptr, 0};
  GemmScratch gemm_;
};

}  // namespace nnplay
