// 2-D convolution: z = W * patches(in) + b, a = f(z), as one GEMM over the patch matrix: read
// in place from zero-framed copies of the images (implicit GEMM, float in WebAssembly), or
// written out by im2col (native builds, double, and strides other than 1 for dIn).
//
// Layout. A sample's column holds an H x W x C image in NHWC order (channel fastest). The kernel
// is [kh, kw, inC, outC] in Keras order, which stored row-major is exactly a column-major
// matrix W of shape F x K, F = outC filters and K = kh*kw*inC, the row of a patch value at
// (i, j, c) being p = (i*kw + j)*C + c. im2col turns n samples into cols (K, P*n), one column
// per output position (P = OH*OW per sample), so the layer is one product
//   Z = W cols   (F, P*n)
// and Z stored column-major is already z (OH*OW*F, n) in NHWC order: no reshuffle.
//
// Padding follows TensorFlow: valid uses no padding; same gives OH = ceil(H / stride) with
// pad_total = max((OH - 1)*stride + k - H, 0) split as pad_top = pad_total / 2 rounded down,
// the rest at the bottom (likewise for the width).
//
// Memory: cols for a whole batch can be large (the second layer of a digits CNN has K = 400 and
// P = 196), so im2col runs in chunks of samples whose cols fit kMaxColumnValues. When the whole
// batch fits in one chunk (training batches do), backward reuses the forward's cols; otherwise
// it recomputes them chunk by chunk. Scratch matrices are members and only grow.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <type_traits>
#include <vector>

#include "gemm.h"
#include "layer.h"
#include "parallel.h"
#include "simd.h"

namespace nnplay {

template <typename T>
class Conv2dLayer final : public ActivatedLayer<T> {
 public:
  using typename Layer<T>::Mat;
  using typename Layer<T>::ConstRef;

  // Bounds the im2col scratch: 8 Mi values, 32 MB of float32.
  static constexpr Index kMaxColumnValues = Index(1) << 23;

  // in = {H, W, C}
  Conv2dLayer(const Shape& in, int filters, int kernel, int stride, Padding padding, Activation f,
              double alpha = 0.2)
      : ActivatedLayer<T>(in, outputShape(in, filters, kernel, stride, padding), f, alpha),
        height_(in[0]),
        width_(in[1]),
        channels_(in[2]),
        filters_(filters),
        kernel_(kernel),
        stride_(stride),
        outHeight_(this->outShape_[0]),
        outWidth_(this->outShape_[1]),
        padTop_(padBefore(in[0], outHeight_, kernel, stride)),
        padLeft_(padBefore(in[1], outWidth_, kernel, stride)) {}

  LayerType type() const override { return LayerType::Conv2d; }

  // Chooses implicit GEMM (float only; the default in WebAssembly) or im2col, so native tests
  // can check one against the other.
  void setImplicitGemm(bool on) { implicitGemm_ = on && std::is_same_v<T, float>; }

  std::vector<ParamInfo> parameters() const override {
    return {{"kernel", {kernel_, kernel_, channels_, filters_}, true}, {"bias", {filters_}, false}};
  }

  void bind(T* values, T* gradients) override {
    const Index k = patchSize();
    remap(W_, values, filters_, k);
    remap(b_, values + filters_ * k, filters_);
    remap(dW_, gradients, filters_, k);
    remap(db_, gradients + filters_ * k, filters_);
  }

  // Glorot/He as Keras computes them for convolutions: fan_in = k*k*inC, fan_out = k*k*outC.
  void initialize(InitType init, Rng& rng) override {
    const double area = double(kernel_) * kernel_;
    this->initializeKernel(init, rng, W_.data(), W_.size(), b_.data(), b_.size(), area * channels_,
                           area * filters_);
  }

 protected:
  // in (H*W*C, n) -> z (OH*OW*F, n); per chunk of samples Z (F, P*count) = W cols + b.
  void forwardLinear(const ConstRef& in, bool /*training*/, Mat& z) override {
    forwardProduct(in, z, nullptr);
  }

  // With implicit GEMM, the ReLU comes from the GEMM's last store too.
  bool forwardLinearRelu(const ConstRef& in, bool /*training*/, Mat& z, Mat& a) override {
    if (!implicitGemm_) return false;
    a.resize(this->outputSize(), in.cols());
    forwardProduct(in, z, &a);
    return true;
  }

  // dz (OH*OW*F, n) -> dW (F, K) = sum over chunks of dZ cols^T, db (F) = dZ summed over
  // positions and samples, dIn (H*W*C, n) = col2im(W^T dZ). The loss is already a batch mean.
  void backwardLinear(const ConstRef& in, const Mat& dz, Mat* dIn) override {
    const Index n = in.cols(), chunk = chunkSamples(), P = positions();
    dW_.setZero();
    db_.setZero();
    if (dIn) dIn->resize(this->inputSize(), n);
    for (Index start = 0; start < n; start += chunk) {
      const Index count = std::min(chunk, n - start);
      const Eigen::Map<const Mat> dZ(dz.col(start).data(), filters_, P * count);
      if (!kernelGradientImplicit(in, start, count, dZ)) {
        if (!colsHoldBatch_) im2col(in, start, count);
        multiply(dW_, dZ, cols_.leftCols(P * count).transpose(), gemm_, true);
      }
      addSampleSums(dZ.data(), count);
      if (!dIn) continue;
      if (inputGradientImplicit(start, count, dZ, *dIn)) continue;
      if (dCols_.cols() < P * count) dCols_.resize(patchSize(), P * count);
      multiply(dCols_.leftCols(P * count), W_.transpose(), dZ, gemm_);
      col2im(*dIn, start, count);
    }
  }

 private:
  static Shape outputShape(const Shape& in, int filters, int kernel, int stride, Padding padding) {
    return {windowOutputSize(in[0], kernel, stride, padding),
            windowOutputSize(in[1], kernel, stride, padding), filters};
  }

  // TensorFlow's padding before the image (zero for valid, where out*stride never overshoots).
  static int padBefore(int in, int out, int kernel, int stride) {
    return std::max((out - 1) * stride + kernel - in, 0) / 2;
  }

  // WebAssembly's float products go through gemm.h's packed kernel, which can read the patch
  // matrix straight from zero-framed copies of the images (implicit GEMM) instead of writing it
  // out: im2col wrote K values per output position, 25 to 400 times the image. The forward and
  // the kernel gradient add in the same order as im2col + the same GEMM, so they give the same
  // bits; dIn (stride 1) becomes a convolution of dZ instead of a product and col2im, which
  // adds in another order. Native builds keep im2col + Eigen's GEMM, which is faster there (and
  // trained the pretrained CNN); only float has the packed kernel.
#ifdef __wasm_simd128__
  static constexpr bool kWasm = true;
#else
  static constexpr bool kWasm = false;
#endif
  bool implicitGemm_ = kWasm && std::is_same_v<T, float>;

  Index patchSize() const { return Index(kernel_) * kernel_ * channels_; }  // K
  Index positions() const { return Index(outHeight_) * outWidth_; }         // P
  Index chunkSamples() const {
    return std::max<Index>(1, kMaxColumnValues / (patchSize() * positions()));
  }

  // For output (oy, ox) and kernel row i: the input row iy, and the kernel columns [j0, j1)
  // that fall inside the image, starting at input column ix0 + j0. Within a kernel row the
  // patch values (j, c) for j in [j0, j1) are contiguous both in the image and in the patch.
  struct RowSpan {
    int iy, ix0, j0, j1;
  };
  RowSpan rowSpan(int oy, int ox, int i) const {
    const int iy = oy * stride_ - padTop_ + i, ix0 = ox * stride_ - padLeft_;
    if (iy < 0 || iy >= height_) return {iy, ix0, 0, 0};
    return {iy, ix0, std::max(0, -ix0), std::min(kernel_, width_ - ix0)};
  }

  // in columns [start, start + count) -> cols_ (K, P*count), zeros where the patch is padding.
  void im2col(const ConstRef& in, Index start, Index count) {
    const Index K = patchSize(), P = positions(), C = channels_;
    if (cols_.rows() != K || cols_.cols() < P * count) cols_.resize(K, P * count);
    for (Index s = 0; s < count; ++s) {
      const T* image = in.col(start + s).data();
      T* col = cols_.col(s * P).data();
      for (int oy = 0; oy < outHeight_; ++oy)
        for (int ox = 0; ox < outWidth_; ++ox, col += K)
          for (int i = 0; i < kernel_; ++i) {
            const RowSpan r = rowSpan(oy, ox, i);
            T* patchRow = col + i * kernel_ * C;
            if (r.j1 <= r.j0) {
              fillShort(patchRow, kernel_ * C);
              continue;
            }
            fillShort(patchRow, r.j0 * C);
            const T* src = image + (Index(r.iy) * width_ + r.ix0 + r.j0) * C;
            simd::copy(patchRow + r.j0 * C, src, (r.j1 - r.j0) * C);
            fillShort(patchRow + r.j1 * C, (kernel_ - r.j1) * C);
          }
    }
  }

  // Images of h x w x c (NHWC, one after another) copied into zero frames of hp x wp x c at row
  // `top`, column `left`, with the offset tables that read the patch matrix of a k x k
  // convolution with stride s over them: (k*k*c, positions) as im2col would have written it,
  // patch value (i*k + j)*c + ch, position (sample, oy, ox), without writing it out.
  // One-channel images in frames up to 64 wide (the digits) also get a flag per position for
  // the patches that are all zero (a digit's background), which the GEMM skips: in the forward
  // the tiles of four such positions, in the kernel gradient each such position. The flags cost
  // a few bit operations: per row of pixels, a 64-bit mask of those that are not zero, and per
  // output row, the OR of k masks and of k shifts of it.
  struct FramedImages {
    std::vector<T> values;  // frames are zero and never written
    std::vector<int> patchOffset, positionOffset;
    Index count = 0;
    bool finite = false;  // whether every value is (checked while copying)
    std::vector<uint8_t> zeroPatch;  // per position, 1 where its patch is all zero
    std::vector<uint64_t> rowMask;   // per framed row, bit x where pixel x is not zero
    bool flagged = false;            // whether zeroPatch holds this framing's flags
    // Asked for before framing (a conv's output gradient, dZ, framed for the input gradient):
    // per framed pixel of 4 to 32 channels (a power of two), bit ch set where channel ch is not
    // zero. The GEMM lists the steps of each tile that are not all zero from them.
    bool wantsMasks = false;
    std::vector<uint32_t> channelMask;
    int channelShift = -1;  // log2 of the channels, where channelMask holds this framing's masks

    void frame(const T* images, int h, int w, int c, Index n, int top, int left, int hp, int wp,
               int k, int s, int outH, int outW) {
      const Index frameSize = Index(hp) * wp * c;
      if (Index(values.size()) < frameSize * n) values.assign(frameSize * n, T(0));
      const Index positions = Index(outH) * outW;
      flagged = c == 1 && wp <= 64;
      if (flagged) {
        if (Index(zeroPatch.size()) < n * positions) zeroPatch.resize(n * positions);
        if (Index(rowMask.size()) < n * hp) rowMask.resize(n * hp);
      }
      channelShift = -1;
      if (wantsMasks && c >= 4 && c <= 32 && (c & (c - 1)) == 0) {
        channelShift = __builtin_ctz(unsigned(c));
        if (Index(channelMask.size()) < frameSize / c * n) channelMask.assign(frameSize / c * n, 0);
      }
      std::atomic<bool> allFinite{true};
      parallelFor(n, 8, [&](int64_t first, int64_t last) {
        bool piece = true;
        for (Index i = first; i < last; ++i) {
          for (int y = 0; y < h; ++y) {
            const Index at = i * frameSize + (Index(y + top) * wp + left) * c;
            T* row = values.data() + at;
            piece &= simd::copyFinite(row, images + (i * h + y) * Index(w) * c, Index(w) * c);
            if (channelShift >= 0) maskChannels(row, w, c, channelMask.data() + at / c);
          }
          if (flagged)
            flagZeroPatches(images + i * h * Index(w), h, w, top, left, hp, k, s, outH, outW,
                            rowMask.data() + i * hp, zeroPatch.data() + i * positions);
        }
        if (!piece) allFinite.store(false, std::memory_order_relaxed);
      });
      finite = allFinite.load(std::memory_order_relaxed);
      if (patchOffset.empty()) {
        for (int i = 0; i < k; ++i)
          for (int v = 0; v < k * c; ++v) patchOffset.push_back(i * wp * c + v);
      }
      for (Index i = positionOffset.size() / positions; i < n; ++i)
        for (int oy = 0; oy < outH; ++oy)
          for (int ox = 0; ox < outW; ++ox)
            positionOffset.push_back(int(i * frameSize + (Index(oy) * s * wp + Index(ox) * s) * c));
      count = n * positions;
    }

    // One image of h x w pixels (one channel): rows[y] = the mask of framed row y, then
    // flag[oy * outW + ox] = 1 where the k x k window at (oy * s, ox * s) has no pixel that is
    // not zero.
    static void flagZeroPatches(const T* image, int h, int w, int top, int left, int hp, int k,
                                int s, int outH, int outW, uint64_t* rows, uint8_t* flag) {
      std::fill(rows, rows + hp, uint64_t(0));
      for (int y = 0; y < h; ++y) rows[y + top] = nonZeroMask(image + Index(y) * w, w) << left;
      for (int oy = 0; oy < outH; ++oy) {
        uint64_t column = 0;  // bit x: column x has a pixel that is not zero in the window's rows
        for (int i = 0; i < k; ++i) column |= rows[oy * s + i];
        uint64_t window = 0;  // bit x: so has the window whose first column is x
        for (int j = 0; j < k; ++j) window |= column >> j;
        int ox = 0;
        if (s == 1)  // four flags at a time: the nibble of zero windows spread to four bytes
          for (const uint64_t zero = ~window; ox + 4 <= outW; ox += 4, flag += 4)
            std::memcpy(flag, &kSpreadNibble[(zero >> ox) & 15], 4);
        for (; ox < outW; ++ox) *flag++ = !((window >> (ox * s)) & 1);
      }
    }
    // mask[p] = bit ch set where channel ch of pixel p is not zero, for w pixels of c channels.
    static void maskChannels(const T* pixel, int w, int c, uint32_t* mask) {
      for (int p = 0; p < w; ++p, pixel += c) mask[p] = uint32_t(nonZeroMask(pixel, c));
    }

    // Bit i set where v[i] is not zero, for count <= 64 values.
    static uint64_t nonZeroMask(const T* v, int count) {
      uint64_t mask = 0;
      int i = 0;
      if constexpr (std::is_same_v<T, float>)
        for (; i + 4 <= count; i += 4) mask |= uint64_t(simd::nonZeroLanes(simd::load(v + i))) << i;
      for (; i < count; ++i) mask |= uint64_t(v[i] != T(0)) << i;
      return mask;
    }

    // kSpreadNibble[m]: byte b is bit b of m (little-endian, as WASM and x86 are).
    static constexpr std::array<uint32_t, 16> kSpreadNibble = [] {
      std::array<uint32_t, 16> spread{};
      for (uint32_t m = 0; m < 16; ++m)
        for (uint32_t b = 0; b < 4; ++b) spread[m] |= ((m >> b) & 1) << (8 * b);
      return spread;
    }();

    IndexedMatrix patches() const {
      return {values.data(), patchOffset.data(), positionOffset.data(), Index(patchOffset.size()),
              count, finite, flagged ? zeroPatch.data() : nullptr, nullptr,
              channelShift >= 0 ? channelMask.data() : nullptr, channelShift};
    }
    IndexedMatrix patchesTransposed() const {
      return {values.data(), positionOffset.data(), patchOffset.data(), count,
              Index(patchOffset.size()), finite, nullptr, flagged ? zeroPatch.data() : nullptr};
    }
  };

  // in columns [start, start + count) -> input_, framed so that every patch lies inside.
  void frameInput(const ConstRef& in, Index start, Index count) {
    const int hp = std::max((outHeight_ - 1) * stride_ + kernel_, height_ + padTop_);
    const int wp = std::max((outWidth_ - 1) * stride_ + kernel_, width_ + padLeft_);
    input_.frame(in.col(start).data(), height_, width_, channels_, count, padTop_, padLeft_, hp,
                 wp, kernel_, stride_, outHeight_, outWidth_);
  }

  // The implicit-GEMM steps; each returns false where it does not apply (im2col does it).
  // z = W cols + b chunk by chunk, and a = relu(z) when given (implicit GEMM only).
  void forwardProduct(const ConstRef& in, Mat& z, Mat* relu) {
    const Index n = in.cols(), chunk = chunkSamples(), P = positions();
    z.resize(this->outputSize(), n);
    for (Index start = 0; start < n; start += chunk) {
      const Index count = std::min(chunk, n - start);
      Eigen::Map<Mat> Z(z.col(start).data(), filters_, P * count);
      T* a = relu ? relu->col(start).data() : nullptr;
      if (!forwardImplicit(in, start, count, Z, a)) {  // which adds the bias in the GEMM
        im2col(in, start, count);
        multiply(Z, W_, cols_.leftCols(P * count), gemm_);
        this->addBias(Z.data(), filters_, Z.cols(), b_.data());
      }
    }
    colsHoldBatch_ = n <= chunk;
  }

  bool forwardImplicit(const ConstRef& in, Index start, Index count, Eigen::Map<Mat>& Z, T* relu) {
    if constexpr (std::is_same_v<T, float>) {
      if (!implicitGemm_) return false;
      frameInput(in, start, count);
      gemm_.multiply(stridedView(W_), input_.patches(), Z.data(), Z.outerStride(), false,
                     {b_.data(), relu});
      return true;
    }
    return false;
  }

  // The kernel gradient as its transpose, dW^T (K, F) += cols dZ^T, adds the same products in
  // the same order (the same bits), but its K rows of patch values split evenly between threads
  // where F has only one or two row panels, and dZ^T is packed, so that its zeros are skipped:
  // max pooling passes a gradient to one position in four, a ReLU only to positive ones. It
  // pays where the patch rows come in runs of whole panels (kernel rows of k*C values, C = 8:
  // each panel's 8 values at a position are one read), so that packing them is cheap; for the
  // first layer's single channel, gathering them one by one made CNN training 16 % slower.
  // There dZ (8 filters) is one panel read in place, whose zero steps the GEMM skips instead
  // when the images it was framed from are finite (FramedImages::finite).
  bool transposedKernelGradient() const {
    return patchSize() >= GemmScratch::kPackB && Index(kernel_) * channels_ % GemmScratch::kMr == 0;
  }

  bool kernelGradientImplicit(const ConstRef& in, Index start, Index count,
                              const Eigen::Map<const Mat>& dZ) {
    if constexpr (std::is_same_v<T, float>) {
      if (!implicitGemm_) return false;
      if (!colsHoldBatch_) frameInput(in, start, count);
      if (!transposedKernelGradient()) {
        gemm_.multiply(stridedView(dZ), input_.patchesTransposed(), dW_.data(),
                       dW_.outerStride(), true);
        return true;
      }
      dWT_ = dW_.transpose();
      const StridedMatrix dZT{dZ.data(), dZ.cols(), dZ.rows(), dZ.outerStride(), 1};
      gemm_.multiply(input_.patches(), dZT, dWT_.data(), dWT_.outerStride(), true);
      dW_ = dWT_.transpose();
      return true;
    }
    return false;
  }

  // For stride 1, dIn is the full correlation of dZ with the kernel turned by 180 degrees and
  // its channel axes swapped: a convolution of dZ, read implicitly like the forward's input.
  bool inputGradientImplicit(Index start, Index count, const Eigen::Map<const Mat>& dZ, Mat& dIn) {
    if constexpr (std::is_same_v<T, float>) {
      if (!implicitGemm_ || stride_ != 1) return false;
      if (start == 0) rotateKernel();
      gradient_.wantsMasks = true;
      gradient_.frame(dZ.data(), outHeight_, outWidth_, filters_, count, kernel_ - 1 - padTop_,
                      kernel_ - 1 - padLeft_, height_ + kernel_ - 1, width_ + kernel_ - 1,
                      kernel_, 1, height_, width_);
      Eigen::Map<Mat> dX(dIn.col(start).data(), channels_, Index(height_) * width_ * count);
      gemm_.multiply(stridedView(rotated_), gradient_.patches(), dX.data(), dX.outerStride(),
                     false);
      return true;
    }
    return false;
  }

  // db += dZ summed over each sample's positions, in order, then those sums in order of the
  // samples. Each sample's sum runs on the thread that takes the sample, whose backward pass of
  // the layer above (split by samples too) wrote its dZ. Summed as a dense layer's bias gradient
  // is, in one order over every position of the batch, the first conv's was a chain of 50,176
  // additions that no second thread shortens, split by filters: each thread read all of dZ, and
  // the pooling's backward then wrote lines both cores held (2-thread CNN training in Node,
  // per-layer profile: that pooling's backward took 170 us a step, 190 on one thread).
  void addSampleSums(const T* dZ, Index count) {
    const Index F = filters_, P = positions();
    if (Index(sampleSums_.size()) < F * count) sampleSums_.resize(F * count);
    const Index grain = std::max<Index>(1, kElementGrain / (P * F));
    parallelFor(count, grain, [&](int64_t first, int64_t last) {
      for (Index s = first; s < last; ++s) {
        T* const sum = sampleSums_.data() + s * F;
        const T* const z = dZ + s * P * F;
        std::copy(z, z + F, sum);
        this->addColumnSums(z + F, F, P - 1, sum);  // (inside a piece: on this thread)
      }
    }, manyPieces());
    for (Index s = 0; s < count; ++s)
      for (Index i = 0; i < F; ++i) db_[i] += sampleSums_[s * F + i];
  }

  // rotated_ (C, k*k*F): rotated_(c, (i*k + j)*F + f) = W(f, ((k-1-i)*k + k-1-j)*C + c).
  void rotateKernel() {
    const Index C = channels_, F = filters_, k = kernel_;
    rotated_.resize(C, k * k * F);
    for (Index i = 0; i < k; ++i)
      for (Index j = 0; j < k; ++j)
        for (Index f = 0; f < F; ++f)
          for (Index c = 0; c < C; ++c)
            rotated_(c, (i * k + j) * F + f) = W_(f, ((k - 1 - i) * k + k - 1 - j) * C + c);
  }

  // Zero-fills of a kernel row (kernel*C values, 5 to 40 in the digits CNNs), inline: at these
  // sizes a call to memset cost more than the fill (copies of them use simd::copy, for the same
  // reason; together they were a third of im2col's time).
  static void fillShort(T* dst, Index count) {
    for (Index v = 0; v < count; ++v) dst[v] = T(0);
  }

  // dCols_ (K, P*count) -> dIn columns [start, start + count): each patch value's gradient is
  // added back to the pixel it was copied from (pixels shared by overlapping patches sum up).
  void col2im(Mat& dIn, Index start, Index count) const {
    const Index K = patchSize(), P = positions(), C = channels_;
    for (Index s = 0; s < count; ++s) {
      T* image = dIn.col(start + s).data();
      std::fill(image, image + this->inputSize(), T(0));
      const T* col = dCols_.col(s * P).data();
      for (int oy = 0; oy < outHeight_; ++oy)
        for (int ox = 0; ox < outWidth_; ++ox, col += K)
          for (int i = 0; i < kernel_; ++i) {
            const RowSpan r = rowSpan(oy, ox, i);
            if (r.j1 <= r.j0) continue;
            const T* patch = col + (i * kernel_ + r.j0) * C;
            T* dst = image + (Index(r.iy) * width_ + r.ix0 + r.j0) * C;
            for (Index v = 0; v < (r.j1 - r.j0) * C; ++v) dst[v] += patch[v];
          }
    }
  }

  const int height_, width_, channels_, filters_, kernel_, stride_;
  const int outHeight_, outWidth_, padTop_, padLeft_;
  Eigen::Map<Mat> W_{nullptr, 0, 0}, dW_{nullptr, 0, 0};
  Eigen::Map<Vector<T>> b_{nullptr, 0}, db_{nullptr, 0};
  Mat cols_, dCols_;
  bool colsHoldBatch_ = false;  // cols_ (or input_) still hold the last forward's batch
  FramedImages input_, gradient_;  // implicit GEMM: the input images, and dZ for dIn
  Mat rotated_, dWT_;
  std::vector<T> sampleSums_;  // addSampleSums's, per sample
  GemmScratch gemm_;
};

}  // namespace nnplay
