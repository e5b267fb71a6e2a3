// Fully connected layer: z = W in + b, a = f(z).
#pragma once

#include <vector>

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

  // Training in parts (Network::trainInParts): each part of a batch, some of its samples, goes
  // through every layer's forward and backward on one thread, with a GEMM scratch of its own,
  // into its columns of the layer's matrices; then parameterGradients() computes dW and db over
  // the whole batch. The products give every column the same bits whichever columns they are
  // computed with, so the result is the bits of forward() and backward() on the whole batch.
  // prepareParts sizes the matrices for a batch of n samples in `parts` parts.
  void prepareParts(Index n, Index parts) {
    this->z_.resize(W_.rows(), n);
    this->out_.resize(W_.rows(), n);
    this->dz_.resize(W_.rows(), n);
    this->resizeSoftmaxSums(n);
    if (Index(partGemm_.size()) < parts) partGemm_.resize(parts);
  }

  // z and a for the batch's columns [begin, begin + in.cols()); in: those columns of the input.
  void forwardPart(const ConstRef& in, Index begin, Index part) {
    const Index rows = W_.rows(), count = in.cols();
    Eigen::Map<Mat> z(this->z_.data() + begin * rows, rows, count);
    Eigen::Map<Mat> a(this->out_.data() + begin * rows, rows, count);
    GemmScratch& gemm = partGemm_[part];
    if (this->f_ == Activation::Relu && productRelu(in, z.data(), a.data(), gemm)) return;
    multiplyAddBias(z, W_, in, b_.data(), gemm);
    activationForward(this->f_, z, a, this->alpha_, this->softmaxSumsAt(begin));
  }

  // Training by rows, the layer after the rows, in two pieces: prefixPart sums z over its first
  // inputs (the units of the row part that begins at unit 0) on that part's thread, into
  // `prefix` (outputs x samples, without the bias); forwardPartChained goes on from there with
  // the other inputs, `in` (rows [first, inputs) of the batch's columns [begin, begin +
  // count)), and writes z and a as forwardPart does. Each sum is the same additions in the same
  // order (GemmScratch::multiplyChained; the layer's inputs at most kKc): forwardPart's bits.
  void prefixPart(const Eigen::Map<const Mat>& in, T* prefix) const {
    GemmScratch::multiplyChained(stridedView(W_.leftCols(in.rows())), stridedView(in), prefix,
                                 W_.rows(), false, nullptr);
  }
  void forwardPartChained(const T* prefix, Index first, const ConstRef& in, Index begin) {
    const Index rows = W_.rows(), count = in.cols();
    Eigen::Map<Mat> z(this->z_.data() + begin * rows, rows, count);
    Eigen::Map<Mat> a(this->out_.data() + begin * rows, rows, count);
    simd::copy(z.data(), prefix, rows * count);
    GemmScratch::multiplyChained(stridedView(W_.rightCols(W_.cols() - first)), stridedView(in),
                                 z.data(), rows, true, b_.data());
    activationForward(this->f_, z, a, this->alpha_, this->softmaxSumsAt(begin));
  }

  // dz over the same columns from dOut (dL/d(output), or with dOutIsZ dL/dz, which a loss fused
  // with the activation gives), and with dIn, dL/d(in) there.
  void backwardPart(const Mat& dOut, bool dOutIsZ, Index begin, Index count, Mat* dIn, Index part) {
    const Index rows = W_.rows(), at = begin * rows;
    Eigen::Map<Mat> dz(this->dz_.data() + at, rows, count);
    const Eigen::Map<const Mat> given(dOut.data() + at, rows, count);
    if (dOutIsZ) {
      simd::copy(dz.data(), given.data(), rows * count);
    } else {
      activationBackward(this->f_, Eigen::Map<const Mat>(this->z_.data() + at, rows, count),
                         Eigen::Map<const Mat>(this->out_.data() + at, rows, count), given, dz,
                         this->alpha_);
    }
    if (dIn)
      multiply(Eigen::Map<Mat>(dIn->data() + begin * W_.cols(), W_.cols(), count), W_.transpose(),
               dz, partGemm_[part]);
  }

  // dW and db for the whole batch, from the dz the parts wrote.
  void parameterGradients(const ConstRef& in) { parameterGradients(in, this->dz_); }

  // Training by rows (Network::trainByRows), the layer after the rows: db from the dz the parts
  // wrote, and dW's columns [begin, begin + in.rows()), those of the rows' units, from their
  // outputs `in` (units x samples). A column's sums do not depend on the columns computed with
  // it, so these are the bits of parameterGradients().
  void biasGradient() { biasGradient(this->dz_); }
  // And rows [begin, begin + count) of dL/d(in) = W^T dz, count x samples into dIn: those of the
  // rows' units, from the columns of W that their own update changes after this. A row's sums do
  // not depend on the rows computed with it: the bits of backward()'s dIn.
  void inputGradientRows(Index begin, Index count, T* dIn, GemmScratch& gemm) const {
    multiply(Eigen::Map<Mat>(dIn, count, this->dz_.cols()),
             W_.middleCols(begin, count).transpose(), this->dz_, gemm);
  }
  void kernelGradientColumns(Index begin, const Eigen::Map<const Mat>& in, GemmScratch& gemm) {
    multiply(dW_.middleCols(begin, in.rows()), this->dz_, in.transpose(), gemm);
  }

 protected:
  // in (in, n) -> z (out, n)
  void forwardLinear(const ConstRef& in, bool /*training*/, Mat& z) override {
    z.resize(W_.rows(), in.cols());
    multiplyAddBias(z, W_, in, b_.data(), gemm_);
  }

  bool forwardLinearRelu(const ConstRef& in, bool /*training*/, Mat& z, Mat& a) override {
    z.resize(W_.rows(), in.cols());
    a.resize(W_.rows(), in.cols());
    return productRelu(in, z.data(), a.data(), gemm_);
  }

  // dW and db (parameterGradients), dIn = W^T dz.
  void backwardLinear(const ConstRef& in, const Mat& dz, Mat* dIn) override {
    parameterGradients(in, dz);
    if (dIn) {
      dIn->resize(W_.cols(), dz.cols());
      multiply(*dIn, W_.transpose(), dz, gemm_);
    }
  }

 private:
  // z = W in + b and a = relu(z), both (outputs, in.cols()), in one pass: in WASM the ReLU comes
  // from the GEMM's last store too. False where it cannot (natively Eigen does the product).
  bool productRelu(const ConstRef& in, T* z, T* a, GemmScratch& gemm) {
#ifdef __wasm_simd128__
    if constexpr (std::is_same_v<T, float>) {
      gemm.multiply(stridedView(W_), stridedView(in), z, W_.rows(), false, {b_.data(), a});
      return true;
    }
#endif
    (void)in, (void)z, (void)a, (void)gemm;
    return false;
  }

  // dW = dz in^T, db = sum over samples of dz. The loss is already a batch mean.
  void parameterGradients(const ConstRef& in, const Mat& dz) {
    multiply(dW_, dz, in.transpose(), gemm_);
    biasGradient(dz);
  }

  void biasGradient(const Mat& dz) {
    // db = dz(:, 0) + dz(:, 1) + ..., in the order Eigen's rowwise().sum() adds them without
    // SIMD (as in WASM), four rows at a time.
    if (dz.cols() == 0) {
      db_.setZero();
    } else {
      db_ = dz.col(0);
      this->addColumnSums(dz.data() + dz.rows(), dz.rows(), dz.cols() - 1, db_.data());
    }
  }

  Eigen::Map<Mat> W_{nullptr, 0, 0}, dW_{nullptr, 0, 0};
  Eigen::Map<Vector<T>> b_{nullptr, 0}, db_{nullptr, 0};
  GemmScratch gemm_;
  std::vector<GemmScratch> partGemm_;  // one per part of a batch trained in parts
};

}  // namespace nnplay
