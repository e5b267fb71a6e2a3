// Flatten: an H x W x C image column is already a flat NHWC vector, so only the shape changes.
#pragma once

#include "layer.h"

namespace nnplay {

template <typename T>
class FlattenLayer final : public Layer<T> {
 public:
  using typename Layer<T>::Mat;
  using typename Layer<T>::ConstRef;

  explicit FlattenLayer(const Shape& in) : Layer<T>(in, {static_cast<int>(shapeSize(in))}) {}

  LayerType type() const override { return LayerType::Flatten; }

  void forward(const ConstRef& in, bool /*training*/, Rng& /*rng*/) override {
    this->copyColumns(in, this->out_);
  }

  void backward(const ConstRef& /*in*/, const Mat& dOut, Mat* dIn) override {
    if (dIn) this->copyColumns(dOut, *dIn);
  }
};

}  // namespace nnplay
