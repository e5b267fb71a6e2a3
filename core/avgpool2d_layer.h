// 2-D average pooling with window = stride = size and valid padding, like maxpool2d (rows and
// columns that do not fill a whole window are dropped, as in TensorFlow):
//   out[oy, ox, c] = sum over the size x size window of in[oy*size + i, ox*size + j, c] / size^2
// so every input of a window gets dOut / size^2 back, and the dropped ones get 0.
#pragma once

#include <algorithm>

#include "layer.h"
#include "parallel.h"

namespace nnplay {

template <typename T>
class AvgPool2dLayer final : public Layer<T> {
 public:
  using typename Layer<T>::Mat;
  using typename Layer<T>::ConstRef;

  // in = {H, W, C}
  AvgPool2dLayer(const Shape& in, int size)
      : Layer<T>(in, {windowOutputSize(in[0], size, size, Padding::Valid),
                      windowOutputSize(in[1], size, size, Padding::Valid), in[2]}),
        size_(size) {}

  LayerType type() const override { return LayerType::AvgPool2d; }

  // in (H*W*C, n) -> out (OH*OW*C, n). Samples split over the threads (each writes its own
  // columns); each window is summed in one fixed order.
  void forward(const ConstRef& in, bool /*training*/, Rng& /*rng*/) override {
    const Index n = in.cols();
    const int width = this->inShape_[1], channels = this->inShape_[2];
    const int outHeight = this->outShape_[0], outWidth = this->outShape_[1];
    const T area = static_cast<T>(size_ * size_);
    this->out_.resize(this->outputSize(), n);
    parallelFor(n, 1, [&](int64_t first, int64_t last) {
      for (Index s = first; s < last; ++s) {
        const T* image = in.col(s).data();
        T* out = this->out_.col(s).data();
        for (int oy = 0; oy < outHeight; ++oy)
          for (int ox = 0; ox < outWidth; ++ox, out += channels) {
            const int corner = (oy * size_ * width + ox * size_) * channels;
            std::fill(out, out + channels, T(0));
            for (int i = 0; i < size_; ++i)
              for (int j = 0; j < size_; ++j) {
                const T* pixel = image + corner + (i * width + j) * channels;
                for (int c = 0; c < channels; ++c) out[c] += pixel[c];
              }
            for (int c = 0; c < channels; ++c) out[c] /= area;
          }
      }
    });
  }

  // dOut (OH*OW*C, n) -> dIn (H*W*C, n): dIn[window] = dOut / size^2 (windows do not overlap).
  void backward(const ConstRef& /*in*/, const Mat& dOut, Mat* dIn) override {
    if (!dIn) return;
    const int width = this->inShape_[1], channels = this->inShape_[2];
    const int outHeight = this->outShape_[0], outWidth = this->outShape_[1];
    const T area = static_cast<T>(size_ * size_);
    dIn->setZero(this->inputSize(), dOut.cols());
    parallelFor(dOut.cols(), 1, [&](int64_t first, int64_t last) {
      for (Index s = first; s < last; ++s) {
        const T* d = dOut.col(s).data();
        T* image = dIn->col(s).data();
        for (int oy = 0; oy < outHeight; ++oy)
          for (int ox = 0; ox < outWidth; ++ox, d += channels) {
            const int corner = (oy * size_ * width + ox * size_) * channels;
            for (int i = 0; i < size_; ++i)
              for (int j = 0; j < size_; ++j) {
                T* pixel = image + corner + (i * width + j) * channels;
                for (int c = 0; c < channels; ++c) pixel[c] = d[c] / area;
              }
          }
      }
    });
  }

 private:
  int size_;
};

}  // namespace nnplay
