// The layer interface. Layers see sample shapes ({units} or {height, width, channels}), take a
// batch as one column per sample, and keep their parameters in the network's one flat buffer.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include "activation.h"
#include "config.h"
#include "parallel.h"
#include "rng.h"
#include "simd.h"
#include "tensor.h"

namespace nnplay {

// One parameter tensor of a layer, e.g. {"kernel", {2, 4}, true}. Shapes use Keras order.
struct ParamInfo {
  std::string name;
  Shape shape;
  bool regularized;  // kernels are, biases are not
  // false for state the layer updates itself (batch norm's moving statistics): saved and
  // restored with the weights, but no gradient, no optimizer and no regularization touch it.
  bool trainable = true;
};

template <typename T>
class Layer {
 public:
  using Mat = Matrix<T>;
  using ConstRef = ConstMatrixRef<T>;

  Layer(Shape in, Shape out) : inShape_(std::move(in)), outShape_(std::move(out)) {}
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  virtual LayerType type() const = 0;
  const Shape& inputShape() const { return inShape_; }
  const Shape& outputShape() const { return outShape_; }
  Index inputSize() const { return shapeSize(inShape_); }
  Index outputSize() const { return shapeSize(outShape_); }

  virtual std::vector<ParamInfo> parameters() const { return {}; }
  // Points the layer at its slices of the network's flat value and gradient buffers, laid out
  // in the order of parameters() (the trainable ones only).
  virtual void bind(T* /*values*/, T* /*gradients*/) {}
  // Points the layer at its non-trainable parameters, in the order of parameters().
  virtual void bindState(T* /*state*/) {}
  virtual void initialize(InitType /*init*/, Rng& /*rng*/) {}

  // in is (inputSize, n); the result is output(), (outputSize, n).
  virtual void forward(const ConstRef& in, bool training, Rng& rng) = 0;
  // dOut = dL/d(output) for the last forward; writes this layer's parameter gradients and, if
  // dIn is given, dL/d(in).
  virtual void backward(const ConstRef& in, const Mat& dOut, Mat* dIn) = 0;
  const Mat& output() const { return out_; }

 protected:
  // to = from, the columns split over the threads, each copied in vectors: Eigen's assignment
  // copies one value at a time in WASM (flatten's copies of the bench CNN's 784 x 64 batch,
  // forward and backward, were serial steps of about 20 us each).
  static void copyColumns(const ConstRef& from, Mat& to) {
    const Index rows = from.rows();
    to.resize(rows, from.cols());
    parallelFor(from.cols(), std::max<Index>(1, kElementGrain / std::max<Index>(1, rows)),
                [&](int64_t first, int64_t last) {
      for (Index j = first; j < last; ++j) simd::copy(to.col(j).data(), from.col(j).data(), rows);
    });
  }

  Shape inShape_, outShape_;
  Mat out_;
};

// A layer computing z = linear(in) followed by a = f(z): dense, conv2d and batchnorm.
template <typename T>
class ActivatedLayer : public Layer<T> {
 public:
  using typename Layer<T>::Mat;
  using typename Layer<T>::ConstRef;

  // alpha: leaky_relu's slope for z < 0 (unused by the other activations).
  ActivatedLayer(Shape in, Shape out, Activation f, double alpha)
      : Layer<T>(std::move(in), std::move(out)), f_(f), alpha_(static_cast<T>(alpha)) {}

  Activation activation() const { return f_; }
  T alpha() const { return alpha_; }
  const Mat& z() const { return z_; }
  const Mat& dz() const { return dz_; }
  // A softmax layer's sum of e^(z - max z) for each column of the last forward pass (which it
  // divided by), for the loss (lossValue); nullptr for the other activations.
  const T* softmaxSums() const {
    return f_ == Activation::Softmax && softmaxSums_.size() == z_.cols() ? softmaxSums_.data()
                                                                         : nullptr;
  }

  void forward(const ConstRef& in, bool training, Rng& /*rng*/) final {
    if (f_ == Activation::Relu && forwardLinearRelu(in, training, z_, this->out_)) return;
    forwardLinear(in, training, z_);
    resizeSoftmaxSums(z_.cols());
    activationForward(f_, z_, this->out_, alpha_, softmaxSumsAt(0));
  }

  void backward(const ConstRef& in, const Mat& dOut, Mat* dIn) final {
    activationBackward(f_, z_, this->out_, dOut, dz_, alpha_);
    backwardLinear(in, dz_, dIn);
  }

  // For losses fused with the output activation, which hand over dL/dz directly.
  void backwardFromZ(const ConstRef& in, const Mat& dz, Mat* dIn) {
    dz_ = dz;
    backwardLinear(in, dz_, dIn);
  }

  // For a next layer that computes dL/dz for this one (max-pooling folding in a ReLU's
  // backward): it writes dz into zGradient(), then backwardFromOwnZ() does the linear part.
  Mat& zGradient() { return dz_; }
  void backwardFromOwnZ(const ConstRef& in, Mat* dIn) { backwardLinear(in, dz_, dIn); }

 protected:
  // training: batch norm normalizes with the batch's statistics (else with its moving ones).
  virtual void forwardLinear(const ConstRef& in, bool training, Mat& z) = 0;
  virtual void backwardLinear(const ConstRef& in, const Mat& dz, Mat* dIn) = 0;
  // forwardLinear and a = relu(z) in one pass where the layer can (its GEMM's last store writes
  // both, the same bits as the two steps); false where it cannot.
  virtual bool forwardLinearRelu(const ConstRef& /*in*/, bool /*training*/, Mat& /*z*/,
                                 Mat& /*a*/) {
    return false;
  }

  // Fills a kernel and its bias: xavier U(+-sqrt(6/(fanIn+fanOut))), he N(0, 2/fanIn) with
  // zero bias; uniform U(-0.5, 0.5) for both, as in tutorial 002.
  static void initializeKernel(InitType init, Rng& rng, T* kernel, Index kernelSize, T* bias,
                               Index biasSize, double fanIn, double fanOut) {
    if (init == InitType::Uniform) {
      for (Index i = 0; i < kernelSize; ++i) kernel[i] = static_cast<T>(rng.uniform() - 0.5);
      for (Index i = 0; i < biasSize; ++i) bias[i] = static_cast<T>(rng.uniform() - 0.5);
      return;
    }
    if (init == InitType::Xavier) {
      const double limit = std::sqrt(6.0 / (fanIn + fanOut));
      for (Index i = 0; i < kernelSize; ++i) kernel[i] = static_cast<T>(rng.uniform(-limit, limit));
    } else {
      const double sd = std::sqrt(2.0 / fanIn);
      for (Index i = 0; i < kernelSize; ++i) kernel[i] = static_cast<T>(sd * rng.normal());
    }
    for (Index i = 0; i < biasSize; ++i) bias[i] = T(0);
  }

  // Column j of z (rows x cols, column-major) += b for every j, the columns split over the
  // threads: one addition per value, the same bits for any split.
  static void addBias(T* z, Index rows, Index cols, const T* b) {
    parallelFor(cols, std::max<Index>(1, kElementGrain / std::max<Index>(1, rows)),
                [&](int64_t first, int64_t last) {
      T* part = z + first * rows;
      if constexpr (std::is_same_v<T, float>) {
        simd::addToColumns(part, rows, last - first, rows, b);
      } else {
        Eigen::Map<Mat>(part, rows, last - first).colwise() += Eigen::Map<const Vector<T>>(b, rows);
      }
    });
  }

  // sum[i] += dz(i, 0) + dz(i, 1) + ... in that order (dz rows x cols, column-major), the rows
  // split over the threads four at a time: each sum has one order whatever the split.
  static void addColumnSums(const T* dz, Index rows, Index cols, T* sum) {
    const Index groups = (rows + 3) / 4;
    parallelFor(groups, std::max<Index>(1, kElementGrain / 4 / std::max<Index>(1, cols)),
                [&](int64_t first, int64_t last) {
      const Index begin = 4 * first, end = std::min(rows, 4 * Index(last));
      if constexpr (std::is_same_v<T, float>) {
        simd::addColumns(dz, begin, end, cols, rows, sum);
      } else {
        for (Index i = begin; i < end; ++i)
          for (Index j = 0; j < cols; ++j) sum[i] += dz[i + j * rows];
      }
    });
  }

  // A softmax keeps its sums for n columns in softmaxSums_; softmaxSumsAt(begin) is where column
  // begin's goes (nullptr for the other activations).
  void resizeSoftmaxSums(Index n) {
    if (f_ == Activation::Softmax) softmaxSums_.resize(n);
  }
  T* softmaxSumsAt(Index begin) {
    return f_ == Activation::Softmax ? softmaxSums_.data() + begin : nullptr;
  }

  Activation f_;
  T alpha_;
  Mat z_, dz_;
  Vector<T> softmaxSums_;
};

// Re-seats an Eigen::Map onto new memory (the placement-new idiom the Eigen docs describe).
template <typename MapType, typename... Args>
void remap(MapType& map, Args... args) {
  map.~MapType();
  new (&map) MapType(args...);
}

}  // namespace nnplay
