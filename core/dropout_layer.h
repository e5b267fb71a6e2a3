// Inverted dropout: in training each value is kept with probability 1 - rate and scaled by
// 1 / (1 - rate), so inference is the identity and needs no rescaling.
#pragma once

#include "layer.h"

namespace nnplay {

template <typename T>
class DropoutLayer final : public Layer<T> {
 public:
  using typename Layer<T>::Mat;
  using typename Layer<T>::ConstRef;

  DropoutLayer(const Shape& in, double rate) : Layer<T>(in, in), rate_(rate) {}

  LayerType type() const override { return LayerType::Dropout; }

  void forward(const ConstRef& in, bool training, Rng& rng) override {
    if (!training || rate_ == 0) {
      this->copyColumns(in, this->out_);
      mask_.resize(0, 0);
      return;
    }
    const T scale = T(1) / T(1 - rate_);
    const float keep = static_cast<float>(1 - rate_);
    mask_.resize(in.rows(), in.cols());
    for (Index i = 0; i < mask_.size(); ++i) mask_.data()[i] = rng.uniformFloat() < keep ? scale : T(0);
    this->out_ = in.cwiseProduct(mask_);
  }

  // dIn = dOut * mask (the identity when the last forward was not training)
  void backward(const ConstRef& /*in*/, const Mat& dOut, Mat* dIn) override {
    if (!dIn) return;
    if (mask_.size() == 0) {
      this->copyColumns(dOut, *dIn);
    } else {
      *dIn = dOut.cwiseProduct(mask_);
    }
  }

 private:
  double rate_;
  Mat mask_;
};

}  // namespace nnplay
