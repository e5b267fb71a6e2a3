// 2-D max pooling with window = stride = size and valid padding (rows and columns that do not
// fill a whole window are dropped, as in TensorFlow): out[oy, ox, c] = max over the size x size
// window of in[oy*size + i, ox*size + j, c]. The max is a selection, so its gradient goes only
// to the input that won (the first one on ties); forward remembers which one that was.
#pragma once

#include <cstdint>

#include "layer.h"

namespace nnplay {

template <typename T>
class MaxPool2dLayer final : public Layer<T> {
 public:
  using typename Layer<T>::Mat;
  using typename Layer<T>::ConstRef;

  // in = {H, W, C}
  MaxPool2dLayer(const Shape& in, int size)
      : Layer<T>(in, {windowOutputSize(in[0], size, size, Padding::Valid),
                      windowOutputSize(in[1], size, size, Padding::Valid), in[2]}),
        size_(size) {}

  LayerType type() const override { return LayerType::MaxPool2d; }

  // in (H*W*C, n) -> out (OH*OW*C, n); argmax_ (OH*OW*C, n) holds each winner's row in `in`.
  void forward(const ConstRef& in, bool /*training*/, Rng& /*rng*/) override {
    const Index n = in.cols();
    const int width = this->inShape_[1], channels = this->inShape_[2];
    const int outHeight = this->outShape_[0], outWidth = this->outShape_[1];
    this->out_.resize(this->outputSize(), n);
    argmax_.resize(this->outputSize(), n);
    for (Index s = 0; s < n; ++s) {
      const T* image = in.col(s).data();
      T* out = this->out_.col(s).data();
      int32_t* winner = argmax_.col(s).data();
      for (int oy = 0; oy < outHeight; ++oy)
        for (int ox = 0; ox < outWidth; ++ox, out += channels, winner += channels) {
          const int corner = (oy * size_ * width + ox * size_) * channels;
          for (int c = 0; c < channels; ++c) {
            out[c] = image[corner + c];
            winner[c] = corner + c;
          }
          for (int i = 0; i < size_; ++i)
            for (int j = 0; j < size_; ++j) {
              const int pixel = corner + (i * width + j) * channels;
              for (int c = 0; c < channels; ++c) {  // branch-free, so it vectorizes
                const bool larger = image[pixel + c] > out[c];
                out[c] = larger ? image[pixel + c] : out[c];
                winner[c] = larger ? pixel + c : winner[c];
              }
            }
        }
    }
  }

  // dIn[argmax] = dOut, zero elsewhere (windows do not overlap, so nothing adds up).
  void backward(const ConstRef& /*in*/, const Mat& dOut, Mat* dIn) override {
    if (!dIn) return;
    dIn->setZero(this->inputSize(), dOut.cols());
    for (Index s = 0; s < dOut.cols(); ++s)
      for (Index o = 0; o < dOut.rows(); ++o) (*dIn)(argmax_(o, s), s) = dOut(o, s);
  }

 private:
  int size_;
  Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic> argmax_;
};

}  // namespace nnplay
