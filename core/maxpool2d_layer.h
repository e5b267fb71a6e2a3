// 2-D max pooling with window = stride = size and valid padding (rows and columns that do not
// fill a whole window are dropped, as in TensorFlow): out[oy, ox, c] = max over the size x size
// window of in[oy*size + i, ox*size + j, c]. The max is a selection, so its gradient goes only
// to the input that won (the first one on ties); forward remembers which one that was.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "layer.h"
#include "parallel.h"
#include "simd.h"

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
    // Samples split over the threads, in many pieces (parallel.h): each writes only its own
    // columns.
    parallelFor(n, 1, [&](int64_t first, int64_t last) {
    for (Index s = first; s < last; ++s) {
      const T* image = in.col(s).data();
      T* out = this->out_.col(s).data();
      int32_t* winner = argmax_.col(s).data();
      for (int oy = 0; oy < outHeight; ++oy)
        for (int ox = 0; ox < outWidth; ++ox, out += channels, winner += channels) {
          const int corner = (oy * size_ * width + ox * size_) * channels;
          if constexpr (std::is_same_v<T, float>) {
            if (channels % 4 == 0) {
              if (size_ == 2) {
                windowMax4<2>(image, corner, width, channels, out, winner);
              } else {
                windowMax4<0>(image, corner, width, channels, out, winner);
              }
              continue;
            }
          }
          for (int c = 0; c < channels; ++c) {
            out[c] = image[corner + c];
            winner[c] = corner + c;
          }
          for (int i = 0; i < size_; ++i)
            for (int j = 0; j < size_; ++j) {
              const int pixel = corner + (i * width + j) * channels;
              for (int c = 0; c < channels; ++c)
                if (image[pixel + c] > out[c]) {
                  out[c] = image[pixel + c];
                  winner[c] = pixel + c;
                }
            }
        }
    }
    }, manyPieces());
  }

  // dOut (OH*OW*C, n) -> dIn (H*W*C, n): dIn[argmax] = dOut, zero elsewhere (windows do not
  // overlap, so nothing adds up).
  void backward(const ConstRef& /*in*/, const Mat& dOut, Mat* dIn) override {
    if (dIn) backwardInto(dOut, false, *dIn);
  }

  // The same followed by the backward of the ReLU before this layer, in one pass: dz = dIn
  // where the ReLU's output a (this layer's input) is > 0, else 0, which is where the ReLU's
  // input z > 0. dIn is 0 but at each window's winner, where a is the window's output: so the
  // ReLU's mask is read from this layer's output, a quarter of a's size. The same values as
  // backward() followed by activationBackward(Relu); the network uses it while training, when
  // nothing reads dIn itself.
  void backwardThroughRelu(const Mat& dOut, Mat& dz) { backwardInto(dOut, true, dz); }

 private:
  void backwardInto(const Mat& dOut, bool throughRelu, Mat& dIn) const {
    const int height = this->inShape_[0], width = this->inShape_[1], channels = this->inShape_[2];
    const int outHeight = this->outShape_[0], outWidth = this->outShape_[1];
    if constexpr (std::is_same_v<T, float>) {
      if (channels % 4 == 0) {
        // Windows tile the image but for a last partial row or column: only those need zeroing.
        if (height % size_ || width % size_) {
          dIn.setZero(this->inputSize(), dOut.cols());
        } else {
          dIn.resize(this->inputSize(), dOut.cols());
        }
        parallelFor(dOut.cols(), 1, [&](int64_t first, int64_t last) {
          for (Index s = first; s < last; ++s) {
            const float* out = throughRelu ? this->out_.col(s).data() : nullptr;
            for (int oy = 0; oy < outHeight; ++oy)
              for (int ox = 0; ox < outWidth; ++ox) {
                const Index o = (Index(oy) * outWidth + ox) * channels;
                const int corner = (oy * size_ * width + ox * size_) * channels;
                const float* gradient = dOut.col(s).data() + o;
                const int32_t* winner = argmax_.col(s).data() + o;
                if (size_ == 2) {
                  windowBackward4<2>(gradient, winner, out ? out + o : nullptr, corner, width,
                                     channels, dIn.col(s).data());
                } else {
                  windowBackward4<0>(gradient, winner, out ? out + o : nullptr, corner, width,
                                     channels, dIn.col(s).data());
                }
              }
          }
        }, manyPieces());
        return;
      }
    }
    dIn.setZero(this->inputSize(), dOut.cols());
    for (Index s = 0; s < dOut.cols(); ++s)
      for (Index o = 0; o < dOut.rows(); ++o) {
        if (!throughRelu || this->out_(o, s) > T(0)) dIn(argmax_(o, s), s) = dOut(o, s);
      }
  }

  // One window, four channels at a time in vector registers (float, channels % 4 == 0): the
  // scalar loop above does not vectorize, and was 9% of CNN training time in WASM. kSize is the
  // window's size where it is known at compile time (2, the usual one: the loops unroll), else 0.
  template <int kSize>
  void windowMax4(const float* image, int corner, int width, int channels, float* out,
                  int32_t* winner) const {
    const int size = kSize ? kSize : size_;
    using simd::Float4;
    using simd::Int4;
    for (int c = 0; c < channels; c += 4) {
      Float4 best = simd::load(image + corner + c);
      Int4 won = Int4{0, 1, 2, 3} + (corner + c);
      for (int i = 0; i < size; ++i)
        for (int j = 0; j < size; ++j) {
          const int pixel = corner + (i * width + j) * channels + c;
          const Float4 v = simd::load(image + pixel);
          const Int4 larger = v > best;  // all ones where v wins; ties keep the earlier pixel
          best = reinterpret_cast<Float4>((reinterpret_cast<Int4>(v) & larger) |
                                          (reinterpret_cast<Int4>(best) & ~larger));
          won = ((Int4{0, 1, 2, 3} + pixel) & larger) | (won & ~larger);
        }
      simd::store(out + c, best);
      std::memcpy(winner + c, &won, sizeof won);
    }
  }

  // One window's gradient, four channels at a time: every pixel of the window gets dOut where it
  // was the maximum (given this layer's output `out`, only where that is > 0) and 0 elsewhere,
  // so dIn needs no zeroing first (selects, no arithmetic: the same values as the scalar scatter).
  template <int kSize>
  void windowBackward4(const float* dOut, const int32_t* winner, const float* out, int corner,
                       int width, int channels, float* dIn) const {
    const int size = kSize ? kSize : size_;
    using simd::Float4;
    using simd::Int4;
    for (int c = 0; c < channels; c += 4) {
      Float4 gradient = simd::load(dOut + c);
      if (out) gradient = simd::keepWhere(simd::load(out + c) > 0.f, gradient);
      Int4 won;
      std::memcpy(&won, winner + c, sizeof won);
      for (int i = 0; i < size; ++i)
        for (int j = 0; j < size; ++j) {
          const int pixel = corner + (i * width + j) * channels + c;
          const Int4 here = won == (Int4{0, 1, 2, 3} + pixel);
          simd::store(dIn + pixel, simd::keepWhere(here, gradient));
        }
    }
  }

  int size_;
  Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic> argmax_;
};

}  // namespace nnplay
