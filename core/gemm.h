// Matrix products for the layers: dst (+)= lhs rhs, where lhs and rhs are plain matrices, maps or
// their transposes.
//
// In WebAssembly, Eigen 3.4 has no SIMD path of its own and its scalar GEMM runs at about a third
// of native speed, so float products there go through the packed GEMM below, written with GCC
// vector extensions (clang turns them into WASM SIMD: f32x4.mul/add, v128.load32_splat).
// Measured on MLP-sized products (128 x 784 times 784 x 64) in Node: Eigen 14 GFLOP/s, Eigen
// with its SSE2 path compiled onto WASM SIMD (-msse2, which also needs a shim for its inline
// asm) 24, this kernel 38-43; natively Eigen's SSE2 kernel (38) stays ahead of it (25-30), so
// native builds keep using Eigen. Both give the same bits for the same build on every run: the order
// of the additions depends only on the shapes (no threads, no FMA: -ffp-contract=off).
//
// The kernel follows the GotoBLAS layout for A, packed in blocks of kMc x kKc as panels of 8 rows
// the micro-kernel reads contiguously. B is packed in slices of 4 columns when A has at least
// kPackB rows (the MLP's products) and read in place otherwise (packing it was 1-2.5x slower on
// the conv products, whose A has only 8 or 16 rows to share each slice). The micro-kernel keeps
// an 8 x 4 tile of C in eight 4-float registers. Edges are padded with zeros in the packed
// panels and only the valid part of a tile is written back. In Node, GFLOP/s (the best of 25
// runs): MLP forward 44 and its dW 43 (42 and 41 with B read in place); the CNN's conv forward
// 32 and 42, dW 35 and 41, dCols 41.
//
// A packed slice of B also lists its steps (values of k) that are not all zero, and the
// micro-kernel runs only those when they are fewer than 7/8 of a block's: with finite A the
// others add only zeros, which leaves every sum's bits as they are. MNIST digits are four-fifths
// background, so in the MLP on 64 of them 39 % of the forward product's steps are left and 28 %
// of its dW's: they run at 79 and 101 GFLOP/s of the dense product's work (dense random B: 3 %
// slower than without the lists). A conv layer over 8 or more channels computes its kernel
// gradient as its transpose (A = the patches, by offsets; B = dZ^T, packed): dZ's zeros, where
// max pooling passed no gradient, are then skipped the same way. With one channel (the first
// conv) it keeps dZ as A, one panel of 8 filters read in place, and skips A's zero steps instead,
// where the images are finite: all 8 filters' dZ is zero at 52-68 % of the positions.
// B by offsets may also flag its columns (rows) that are all zero: the first conv's positions
// whose patch is a digit's background. Given finite A, its forward stores the tiles of four such
// columns without a step, and its kernel gradient leaves such steps out of A's lists. And B by
// offsets over pixels of 4 to 32 channels may come with a mask of each pixel's non-zero channels
// (a conv's framed dZ, for its input gradient): each tile then lists its steps that are not zero
// at all four of its positions, from four mask loads per pixel of the patch, four steps per
// table lookup (listing them one set bit at a time cost half of the dense tile's work).
// A dense layer's kernel gradient dZ X^T can read the batch X where its forward product packed
// it (multiplyTransposed) instead of packing X^T. For that, the forward product's scratch keeps,
// for every four steps (features) of a slice, which of its four columns (samples) are not all
// zero there (listGroupsOfB): the kernel gradient lists the steps of its tile of four features
// from those bits, and reads a sample's four values at stride 4 within 64 bytes of the slice.
// Trained by rows on 2 threads, each thread then packs each batch once instead of twice
// (network.cpp gives the measurements).
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "parallel.h"
#include "simd.h"
#include "tensor.h"

namespace nnplay {

// A read-only matrix given by its element strides: (i, j) is data[i*rowStride + j*colStride].
struct StridedMatrix {
  const float* data;
  Index rows, cols, rowStride, colStride;
  float operator()(Index i, Index j) const { return data[i * rowStride + j * colStride]; }
  // Whether rows [i, i + count) lie next to each other in every column, and where (i, j) is.
  bool rowsAdjacent(Index, Index) const { return rowStride == 1; }
  const float* at(Index i, Index j) const { return data + i * rowStride + j * colStride; }
};

// A read-only matrix whose (i, j) is data[rowOffset[i] + colOffset[j]]: the patch matrix of a
// convolution read straight from the (padded) images, without writing it out (implicit GEMM).
// For the conv forward, rows are the patch values (kernel row, column, channel) and columns the
// output positions; for the kernel gradient, its transpose.
struct IndexedMatrix {
  const float* data;
  const int* rowOffset;  // rows entries
  const int* colOffset;  // cols entries
  Index rows, cols;
  bool finite = false;  // whether every value it reads is known to be finite (no NaN or infinity)
  // Where given, 1 for the columns (rows) whose values are all zero, else 0.
  const uint8_t* zeroColumn = nullptr;
  const uint8_t* zeroRow = nullptr;
  // Where given, the values come in pixels of 2^channelShift channels (4 to 32: the offsets are
  // multiples of it, and the rows come in groups of one pixel's channels, in order), and bit ch
  // of channelMask[offset >> channelShift] is set where channel ch of that pixel is not zero.
  const uint32_t* channelMask = nullptr;
  int channelShift = 0;
  // Whether rowOffset[i] is rowOffset[0] + i for every row (each column's values lie in order).
  bool adjacentRows = false;
  float operator()(Index i, Index j) const { return data[rowOffset[i] + colOffset[j]]; }
  bool rowsAdjacent(Index i, Index count) const {
    for (Index r = 1; r < count; ++r)
      if (rowOffset[i + r] != rowOffset[i] + r) return false;
    return true;
  }
  const float* at(Index i, Index j) const { return data + rowOffset[i] + colOffset[j]; }
};

// What the GEMM's last store of C does besides the sum, instead of a pass of its own over C (the
// same bits as that pass): add rowBias[i] to row i, then write max(C, 0) (a ReLU, as
// std::max(c, 0.f) gives it) into `relu`, a matrix laid out like C.
struct GemmEpilogue {
  const float* rowBias = nullptr;
  float* relu = nullptr;
};

// B packed in tiles of 4 columns (tile t's k x 4 values at t * 4k), with the lists of each
// tile's steps that are not all zero: list t's steps in block b are the stepCount[t * blocks + b]
// from steps[t * k + b * kKc] on. (A that skips its zero steps lists them in one list, t = 0.)
struct PackedB {
  std::vector<float> values;
  std::vector<int32_t> steps, stepCount;
  // Where listsGroups: for tile t and group q of four steps (at t * ceil(k / 4) + q), bit c set
  // unless the tile's column c is zero at all four steps (GemmScratch::multiplyTransposed).
  bool listsGroups = false;
  std::vector<uint8_t> groupBits;
};

// The packed products. The buffers for A are per thread; the one for B is per GemmScratch (one
// per layer, and one per part of a batch a dense layer trains in parts: a product never runs on
// two threads at once that are not its own pieces), or per thread where the product splits by
// rows on more than one thread. They grow on first use and are then reused,
// so training allocates nothing.
class GemmScratch {
 public:
  static constexpr Index kMr = 8, kNr = 4;              // micro-kernel tile of C
  static constexpr Index kKc = 256, kMc = 128;  // cache block of A: 128 KB
  static constexpr Index kPackB = 32;  // rows of A from which B is packed (4 panels share it)
  // Zero steps are skipped when fewer than kSkipBelow / 8 of a block's are left.
  static constexpr Index kSkipBelow = 7;

  // C (m x n, column-major with leading dimension ldc) = (accumulate ? C : 0) + A B, then the
  // epilogue.
  void multiply(const StridedMatrix& A, const StridedMatrix& B, float* C, Index ldc,
                bool accumulate, GemmEpilogue epilogue = {});
  // The same for B given by offsets. The additions happen in the same order as for a
  // StridedMatrix holding the same values, so both give the same bits.
  void multiply(const StridedMatrix& A, const IndexedMatrix& B, float* C, Index ldc,
                bool accumulate, GemmEpilogue epilogue = {});
  // And for A given by offsets (a convolution's kernel gradient, transposed: the patch values'
  // rows share B's slices of the output gradient, and the zeros there are skipped).
  void multiply(const IndexedMatrix& A, const StridedMatrix& B, float* C, Index ldc,
                bool accumulate, GemmEpilogue epilogue = {});

  // Packs B as the next product by an A of kPackB rows or more packs it on one thread (from
  // inside a piece of a job), for multiplyPacked to read: a thread that would wait for another
  // packs ahead (training by rows, network.cpp). B's data and offsets must not change until then.
  void packAhead(const IndexedMatrix& B);
  // multiply(A, B, ...), reading B as packAhead packed it where B is the one packed and the
  // product packs it on one thread (else it packs B as multiply does). The same bits either way.
  void multiplyPacked(const StridedMatrix& A, const IndexedMatrix& B, float* C, Index ldc,
                      bool accumulate, GemmEpilogue epilogue = {});
  // From now on, B packed here also lists its groups of four steps (PackedB::groupBits).
  void listGroupsOfB() { shared_.listsGroups = true; }
  // The B (K x n) that packAhead packed, or that the last product packed on one thread (an A of
  // kPackB rows or more, inside a piece of a job), with the groups of its steps listed.
  const PackedB& packedB() const { return shared_; }
  // C (m x K, leading dimension ldc) = A B^T for A (m x n) and a B (K x n) as packedB() holds it:
  // the kernel gradient of a dense layer (A its output gradient, B its input) from the packing of
  // its forward product. The same bits as multiply(A, B^T) by offsets (see the file's head).
  static void multiplyTransposed(const StridedMatrix& A, const PackedB& B, Index K, float* C,
                                 Index ldc);
  // C (m x n, leading dimension ldc) = A B for A's k columns at most kKc (one block of k, as
  // multiply sums it), on this thread, B read in place; with fromC, each element's sum goes on
  // from C's value instead of from 0. So a product over k columns, split as fromC false over the
  // first ones and fromC true over the others, holds the bits of multiply over all of them: each
  // element is the same additions in the same order (a sum from +0 is never -0, so skipping its
  // zero steps, as multiply may, leaves the same bits). With rowBias, row i then adds
  // rowBias[i], as multiply's epilogue does.
  static void multiplyChained(const StridedMatrix& A, const StridedMatrix& B, float* C, Index ldc,
                              bool fromC, const float* rowBias);

 private:
  template <typename AMatrix, typename BAccess>
  void multiplyBlocked(const AMatrix& A, const BAccess& B, float* C, Index ldc,
                       bool accumulate, GemmEpilogue epilogue, bool bPacked = false);
  // Sizes `into` for `lists` lists of k steps and `values` packed values.
  static void reserve(PackedB& into, Index lists, Index k, Index values);
  // Lists the steps that are not all zero of blocks [first, last) of list t (k steps of kWidth
  // values from p on; see listSteps).
  template <Index kWidth>
  static void listBlocks(PackedB& into, Index t, const float* p, Index k, Index first,
                         Index last, const uint8_t* zeroB);
  // Packs tiles [first, last) of B (k rows) into `into`, with their lists.
  template <typename BAccess>
  static void packTiles(const BAccess& B, Index k, PackedB& into, Index first, Index last);

  PackedB shared_;  // B packed once, read by every piece; or A's lists
  // The B that packAhead packed into shared_, until the next product.
  const float* packedData_ = nullptr;
  const int *packedRows_ = nullptr, *packedColumns_ = nullptr;
  Index packedK_ = 0, packedN_ = 0;
  // A product split by blocks of k: each block's sum, then added to C in order.
  std::vector<float> sums_;
  static constexpr Index kMaxSums = Index(1) << 20;  // values (4 MB)
  // Numbers the products that pack B per thread, for a thread to tell whether its own copy of B
  // is this product's.
  static inline std::atomic<uint64_t> products_{0};
};

// Turns a direct-access Eigen expression (a matrix, a map, a block, or a transpose of one) into
// a StridedMatrix without copying.
template <typename Derived>
StridedMatrix stridedView(const Eigen::MatrixBase<Derived>& m) {
  const Derived& d = m.derived();
  const bool rowMajor = Derived::IsRowMajor;
  return {d.data(), d.rows(), d.cols(), rowMajor ? d.outerStride() : d.innerStride(),
          rowMajor ? d.innerStride() : d.outerStride()};
}

// dst = lhs rhs, or dst += lhs rhs when accumulate; dst must already have its size and be a
// column-major direct-access matrix (a Matrix, a Map or a column block).
template <typename Dst, typename Lhs, typename Rhs>
void multiply(Dst&& dst, const Lhs& lhs, const Rhs& rhs, GemmScratch& scratch,
              bool accumulate = false) {
#ifdef __wasm_simd128__
  if constexpr (std::is_same_v<typename std::decay_t<Dst>::Scalar, float>) {
    scratch.multiply(stridedView(lhs), stridedView(rhs), dst.data(), dst.outerStride(),
                     accumulate);
    return;
  }
#endif
  (void)scratch;
  if (accumulate) {
    dst.noalias() += lhs * rhs;
  } else {
    dst.noalias() = lhs * rhs;
  }
}

// dst = lhs rhs + bias, bias[i] added to row i of every column after the product: the bits of
// the product followed by dst.colwise() += bias, with the bias added in the GEMM's last store
// in WASM instead of in a second pass over dst.
template <typename Dst, typename Lhs, typename Rhs>
void multiplyAddBias(Dst&& dst, const Lhs& lhs, const Rhs& rhs,
                     const typename std::decay_t<Dst>::Scalar* bias, GemmScratch& scratch) {
  using Scalar = typename std::decay_t<Dst>::Scalar;
#ifdef __wasm_simd128__
  if constexpr (std::is_same_v<Scalar, float>) {
    scratch.multiply(stridedView(lhs), stridedView(rhs), dst.data(), dst.outerStride(), false,
                     {bias, nullptr});
    return;
  }
#endif
  multiply(dst, lhs, rhs, scratch);
  dst.colwise() += Eigen::Map<const Vector<Scalar>>(bias, dst.rows());
}

namespace gemm_detail {

using namespace simd;  // Float4, splat, load, store

// A thread's own copy of a product's B (GemmScratch::multiplyBlocked), and that product's number.
struct ThreadB {
  PackedB packed;
  uint64_t product = 0;
};
inline ThreadB& threadB() {
  thread_local ThreadB b;  // grows on first use, then reused
  return b;
}

// A thread's buffer for the panels of A that packA writes, of at least `size` values: every
// product on this thread packs its A there, one product at a time. (Grows on first use, then
// reused.)
inline float* threadPanelsOfA(Index size) {
  thread_local std::vector<float> panels;
  if (Index(panels.size()) < size) panels.resize(size);
  return panels.data();
}

// A rows [i0, i0 + mc), columns [k0, k0 + kc) -> panels of kMr rows: per k, kMr values. A panel
// whose rows lie next to each other (A column-major, or a kernel row of 8 or more channels'
// patches) is read 8 values at a time.
// With kCheckFinite (for products whose B is packed, the only ones that skip B's zeros), it
// returns whether every value is finite: the micro-kernel may skip zeros only then, as an
// infinite or NaN value times zero is NaN. Without, it does not look and returns false.
template <bool kCheckFinite, typename AMatrix>
inline bool packA(const AMatrix& A, Index i0, Index mc, Index k0, Index kc, float* out) {
  constexpr Index kMr = GemmScratch::kMr;
  Int4 bad = {};
  for (Index i = 0; i < mc; i += kMr) {
    const Index rows = std::min(kMr, mc - i);
    if (rows == kMr && A.rowsAdjacent(i0 + i, kMr)) {
      for (Index k = 0; k < kc; ++k, out += kMr) {
        const float* src = A.at(i0 + i, k0 + k);
        const Float4 a0 = load(src), a1 = load(src + 4);
        store(out, a0);
        store(out + 4, a1);
        if constexpr (kCheckFinite) bad |= nonFinite(a0) | nonFinite(a1);
      }
      continue;
    }
    for (Index k = 0; k < kc; ++k, out += kMr) {
      Index r = 0;
      for (; r < rows; ++r) out[r] = A(i0 + i + r, k0 + k);
      for (; r < kMr; ++r) out[r] = 0.f;
      if constexpr (kCheckFinite) bad |= nonFinite(load(out)) | nonFinite(load(out + 4));
    }
  }
  return kCheckFinite && !laneBits(bad);
}

// Whether A, column-major with exactly one panel's rows, is its own packed panel (the 8-filter
// convs' dZ and kernels): then it is read in place.
inline bool isPackedPanel(const StridedMatrix& A) {
  return A.rows == GemmScratch::kMr && A.rowStride == 1 && A.colStride == GemmScratch::kMr;
}
inline bool isPackedPanel(const IndexedMatrix&) { return false; }

// How the micro-kernel reads B. For the tile whose columns start at column j and rows at k0,
// columns(j, k0, n) gives the four column pointers (columns past n repeat column j: their results
// are not written) and rows(k0) the row offsets, so element (k0 + k, j + c) is column[c][rows[k]].
struct StridedB {
  const StridedMatrix& m;
  Index rowCount() const { return m.rows; }
  Index colCount() const { return m.cols; }
  bool finite() const { return false; }  // not known
  bool hasZeroColumns() const { return false; }
  bool zeroTile(Index, Index) const { return false; }
  const uint8_t* zeroRows() const { return nullptr; }  // none known
  bool hasChannelMasks() const { return false; }
  int32_t listTileSteps(Index, Index, Index, Index kc, int32_t*) const { return int32_t(kc); }
  struct Rows {  // a running offset: one addition per k instead of a multiplication
    Index stride, offset = 0;
    Index next() {
      const Index at = offset;
      offset += stride;
      return at;
    }
    Index at(Index k) const { return k * stride; }  // the offset of step k (before any next())
  };
  Rows rows(Index) const { return {m.rowStride}; }
  void columns(Index j, Index k0, Index n, const float* (&column)[4]) const {
    const float* first = m.data + k0 * m.rowStride + j * m.colStride;
    for (Index c = 0; c < 4; ++c) column[c] = j + c < n ? first + c * m.colStride : first;
  }
};

struct IndexedB {
  const IndexedMatrix& m;
  Index rowCount() const { return m.rows; }
  Index colCount() const { return m.cols; }
  bool finite() const { return m.finite; }
  bool hasZeroColumns() const { return m.zeroColumn; }
  const uint8_t* zeroRows() const { return m.zeroRow; }
  bool hasChannelMasks() const {  // and rows in whole pixels, as listTileSteps reads them
    return m.channelMask && m.rows % (Index(1) << m.channelShift) == 0;
  }
  // With channel masks: lists the steps [k0, k0 + kc) (whole pixels) that are not zero in all
  // of the tile's columns j..j+3 (those before n), as offsets from k0, and returns how many.
  int32_t listTileSteps(Index j, Index n, Index k0, Index kc, int32_t* steps) const;
  // Whether the tile's columns j..j+3 (those before n) are all flagged as zero.
  bool zeroTile(Index j, Index n) const {
    if (j + 4 <= n) {
      uint32_t flags;
      std::memcpy(&flags, m.zeroColumn + j, sizeof flags);
      return flags == 0x01010101u;
    }
    for (; j < n; ++j)
      if (!m.zeroColumn[j]) return false;
    return true;
  }
  struct Rows {
    const int* offset;
    Index next() { return *offset++; }
    Index at(Index k) const { return offset[k]; }
  };
  Rows rows(Index k0) const { return {m.rowOffset + k0}; }
  void columns(Index j, Index, Index n, const float* (&column)[4]) const {
    for (Index c = 0; c < 4; ++c) column[c] = m.data + m.colOffset[j + c < n ? j + c : j];
  }
};

// The rows x cols corner of C (+)= the 8 x 4 tile c (c[2j + h]: rows 4h..4h+3 of column j),
// plus bias[i] on row i when a bias is given.
inline void storeTile(const Float4 (&c)[8], float* C, Index ldc, Index rows_, Index cols,
                      bool add, const float* bias) {
  if (rows_ == 8 && cols == 4) {
    for (Index j = 0; j < 4; ++j)
      for (Index h = 0; h < 2; ++h) {
        float* p = C + j * ldc + 4 * h;
        Float4 v = add ? load(p) + c[2 * j + h] : c[2 * j + h];
        if (bias) v += load(bias + 4 * h);
        store(p, v);
      }
    return;
  }
  float tile[4][8];
  for (Index j = 0; j < 4; ++j)
    for (Index h = 0; h < 2; ++h) store(&tile[j][4 * h], c[2 * j + h]);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows_; ++i) {
      float v = add ? C[i + j * ldc] + tile[j][i] : tile[j][i];
      if (bias) v += bias[i];
      C[i + j * ldc] = v;
    }
}

// One step of the micro-kernel: the tile c += (the 8 values of A at a) x (B's 4 values of the
// step), column after column.
inline void addStep(Float4 (&c)[8], const float* a, float b0, float b1, float b2, float b3) {
  const Float4 a0 = load(a), a1 = load(a + 4);
  Float4 b = splat(b0);
  c[0] += a0 * b;
  c[1] += a1 * b;
  b = splat(b1);
  c[2] += a0 * b;
  c[3] += a1 * b;
  b = splat(b2);
  c[4] += a0 * b;
  c[5] += a1 * b;
  b = splat(b3);
  c[6] += a0 * b;
  c[7] += a1 * b;
}

// The rows x cols corner of the 8 x 4 tile C (+)= Ap B, where Ap is a packed panel of A (kMr
// values per k) and B is read in place: element (k, c) of the tile's slice of B at
// column[c][rows[k]]. Each k step loads four scalars and splats them, and the kc x 4 slice of B
// stays in L1 while the tile row-panels of A stream past it.
template <typename Rows>
inline void microKernel(Index kc, const float* Ap, const float* const (&column)[4], Rows rows,
                        float* C, Index ldc, Index rows_, Index cols, bool add,
                        const float* bias) {
  const float *b0 = column[0], *b1 = column[1], *b2 = column[2], *b3 = column[3];
  Float4 c[8] = {};  // c[2j + h] holds rows 4h..4h+3 of column j
  for (const float* end = Ap + 8 * kc; Ap != end; Ap += 8) {
    const Index offset = rows.next();
    addStep(c, Ap, b0[offset], b1[offset], b2[offset], b3[offset]);
  }
  storeTile(c, C, ldc, rows_, cols, add, bias);
}

// Rows [k0, k0 + k) of B's slice for the tile of columns j..j+3, packed as 4 values per row
// (Bp), for products where many row panels of A share each slice. The micro-kernel's splats then
// read at fixed offsets from one pointer, which V8 folds into the loads; read in place, each of
// the four splats needs an address computation of its own (about 15 % fewer instructions per
// step).
template <typename BAccess>
inline void packB(const BAccess& B, Index j, Index k0, Index k, float* Bp) {
  const float* column[4];
  B.columns(j, k0, B.colCount(), column);
  const float *b0 = column[0], *b1 = column[1], *b2 = column[2], *b3 = column[3];
  auto rows = B.rows(k0);
  for (const float* end = Bp + 4 * k; Bp != end; Bp += 4) {
    const Index offset = rows.next();
    Bp[0] = b0[offset];
    Bp[1] = b1[offset];
    Bp[2] = b2[offset];
    Bp[3] = b3[offset];
  }
}

// Four columns of k values each, in order from p0..p3, packed as a slice: 4 x 4 blocks
// transposed.
inline void packColumns(const float* p0, const float* p1, const float* p2, const float* p3,
                        Index k, float* Bp) {
  Index i = 0;
  for (; i + 4 <= k; i += 4, Bp += 16) {
    const Float4 r0 = load(p0 + i), r1 = load(p1 + i), r2 = load(p2 + i), r3 = load(p3 + i);
    const Float4 t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5);
    const Float4 t1 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5);
    const Float4 t2 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
    const Float4 t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
    store(Bp, __builtin_shufflevector(t0, t1, 0, 1, 4, 5));
    store(Bp + 4, __builtin_shufflevector(t0, t1, 2, 3, 6, 7));
    store(Bp + 8, __builtin_shufflevector(t2, t3, 0, 1, 4, 5));
    store(Bp + 12, __builtin_shufflevector(t2, t3, 2, 3, 6, 7));
  }
  for (; i < k; ++i, Bp += 4) {
    Bp[0] = p0[i];
    Bp[1] = p1[i];
    Bp[2] = p2[i];
    Bp[3] = p3[i];
  }
}

// The same for B stored with unit strides, four values at a time: the batch-major inputs of the
// MLP's dW (colStride 1, a copy) and the columns of its forward product (rowStride 1).
// Slices with columns past B's last one are packed as above.
inline void packB(const StridedB& B, Index j, Index k0, Index k, float* Bp) {
  const StridedMatrix& m = B.m;
  const float* p = m.data + j * m.colStride + k0 * m.rowStride;
  if (j + 4 > m.cols || (m.colStride != 1 && m.rowStride != 1)) {
    packB<StridedB>(B, j, k0, k, Bp);
  } else if (m.colStride == 1) {
    for (Index i = 0; i < k; ++i, p += m.rowStride, Bp += 4) store(Bp, load(p));
  } else {
    packColumns(p, p + m.colStride, p + 2 * m.colStride, p + 3 * m.colStride, k, Bp);
  }
}

// And for B by offsets whose slice's four columns lie next to each other (the MLP's dW trained
// by rows: four features of each sample), or whose rows do (its forward: each sample's features
// in order), read as StridedB's.
inline void packB(const IndexedB& B, Index j, Index k0, Index k, float* Bp) {
  const IndexedMatrix& m = B.m;
  if (j + 4 > m.cols) {
    packB<IndexedB>(B, j, k0, k, Bp);
    return;
  }
  const int* column = m.colOffset + j;
  if (column[1] == column[0] + 1 && column[2] == column[0] + 2 && column[3] == column[0] + 3) {
    const float* p = m.data + column[0];
    for (Index i = 0; i < k; ++i, Bp += 4) store(Bp, load(p + m.rowOffset[k0 + i]));
  } else if (m.adjacentRows) {
    const float* p = m.data + m.rowOffset[k0];
    packColumns(p + column[0], p + column[1], p + column[2], p + column[3], k, Bp);
  } else {
    packB<IndexedB>(B, j, k0, k, Bp);
  }
}

// The micro-kernel on a packed slice of B.
inline void microKernelPacked(Index kc, const float* Ap, const float* Bp, float* C, Index ldc,
                              Index rows_, Index cols, bool add, const float* bias) {
  Float4 c[8] = {};
  for (const float* end = Ap + 8 * kc; Ap != end; Ap += 8, Bp += 4)
    addStep(c, Ap, Bp[0], Bp[1], Bp[2], Bp[3]);
  storeTile(c, C, ldc, rows_, cols, add, bias);
}

// Zero steps. Where the four values of a packed slice of B at some k are all zero (the same
// pixel of four digits' background, say), that step of the micro-kernel adds only zeros, given
// finite A; likewise where the 8 values of a panel of A are (8 filters' output gradient at one
// position, where max pooling passed none), given finite B.
// listSteps lists the steps of a block (kc steps of kWidth values from p, a packed slice of B or
// a panel of A) that are not all zero, as offsets from the block's first k, and returns how many.
// Four steps at a time: the offsets of the set bits of m, ascending (then zeros), are
// kSetBits[m], and the list gets all four of them plus the group's first offset, then moves on
// by as many as are set. (The extra ones stay inside the block's list, which has room for kc.)
// With zeroB, where zeroB[r] is 1 (B's values at step r are all zero: a patch of the first
// conv's background), step r is left out as well, unless its values here may not be finite.
// For a panel of A that test reads the OR of its two halves, whose exponent may look all ones
// for finite values too (one of them 2 or more in magnitude): such steps are kept, which is
// always safe.
inline constexpr int32_t kSetBits[16][4] = {
    {0, 0, 0, 0}, {0, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}, {2, 0, 0, 0}, {0, 2, 0, 0},
    {1, 2, 0, 0}, {0, 1, 2, 0}, {3, 0, 0, 0}, {0, 3, 0, 0}, {1, 3, 0, 0}, {0, 1, 3, 0},
    {2, 3, 0, 0}, {0, 2, 3, 0}, {1, 2, 3, 0}, {0, 1, 2, 3}};

// The bits of four flags of 0 or 1 (flag q becomes bit q).
inline int flagBits(const uint8_t* flag) {
  uint32_t bytes;
  std::memcpy(&bytes, flag, sizeof bytes);
  return int((bytes * 0x01020408u) >> 24) & 15;  // each byte's bit lands on its own bit 24 + q
}

// Appends to the list at steps[count] the offsets first + q of the set bits q of bits (a group of
// four steps), and returns the new count.
inline int32_t appendSteps(int bits, int32_t first, int32_t* steps, int32_t count) {
  Int4 offsets;
  std::memcpy(&offsets, kSetBits[bits], sizeof offsets);
  offsets += first;
  std::memcpy(steps + count, &offsets, sizeof offsets);
  return count + __builtin_popcount(unsigned(bits));
}

template <Index kWidth>
inline int32_t listSteps(const float* p, Index kc, int32_t* steps,
                         const uint8_t* zeroB = nullptr, uint8_t* groupBits = nullptr) {
  static_assert(kWidth == 4 || kWidth == 8);
  auto step = [](const float* q) {  // one Float4, ±0 only where the step's values all are
    if constexpr (kWidth == 4) return load(q);
    else return orBits(load(q), load(q + 4));
  };
  int32_t count = 0;
  Index r = 0;
  for (; r + 4 <= kc; r += 4, p += 4 * kWidth) {
    const Float4 s0 = step(p), s1 = step(p + kWidth), s2 = step(p + 2 * kWidth),
                 s3 = step(p + 3 * kWidth);
    int bits = nonZeroBits(s0, s1, s2, s3);
    if (groupBits) groupBits[r / 4] = uint8_t(nonZeroLanes(orBits(orBits(s0, s1), orBits(s2, s3))));
    if (zeroB) bits &= ~flagBits(zeroB + r) | nonFiniteBits(s0, s1, s2, s3);
    count = appendSteps(bits, int32_t(r), steps, count);
  }
  if (groupBits && r < kc) {
    Float4 any = step(p);
    for (Index q = 1; r + q < kc; ++q) any = orBits(any, step(p + q * kWidth));
    groupBits[r / 4] = uint8_t(nonZeroLanes(any));
  }
  for (; r < kc; ++r, p += kWidth) {
    const Float4 s = step(p);
    steps[count] = int32_t(r);
    count += anyNonZero(s) && !(zeroB && zeroB[r] && !laneBits(nonFinite(s)));
  }
  return count;
}

inline int32_t IndexedB::listTileSteps(Index j, Index n, Index k0, Index kc,
                                       int32_t* steps) const {
  const int shift = m.channelShift;
  const Index c = Index(1) << shift;
  const uint32_t* mask[4];  // the masks of the tile's four positions' pixels
  for (Index q = 0; q < 4; ++q)
    mask[q] = m.channelMask + (m.colOffset[j + q < n ? j + q : j] >> shift);
  int32_t count = 0;
  for (Index first = 0; first < kc; first += c) {  // one pixel of the patch: c steps
    const Index pixel = m.rowOffset[k0 + first] >> shift;
    uint32_t bits = mask[0][pixel] | mask[1][pixel] | mask[2][pixel] | mask[3][pixel];
    for (Index ch = 0; ch < c; ch += 4, bits >>= 4)  // as listSteps does, four at a time
      count = appendSteps(int(bits & 15), int32_t(first + ch), steps, count);
  }
  return count;
}

// The micro-kernel over the listed steps only: Ap points at the block's first k, and readB(s, b)
// gives B's four values of step s in b. Skipping a step whose A or B values are ±0 leaves every
// sum's bits as they were: with the other side finite it would add ±0 products, and x + ±0 is
// x, while the running sum starts at +0 and +0 + ±0 is +0.
template <typename ReadB>
inline void microKernelSteps(const int32_t* step, const int32_t* end, const float* Ap,
                             ReadB readB, float* C, Index ldc, Index rows_, Index cols, bool add,
                             const float* bias) {
  Float4 c[8] = {};
  for (; step != end; ++step) {
    float b[4];
    readB(*step, b);
    addStep(c, Ap + 8 * *step, b[0], b[1], b[2], b[3]);
  }
  storeTile(c, C, ldc, rows_, cols, add, bias);
}

// Whether every value of A is finite.
template <typename AMatrix>
bool allFinite(const AMatrix& A) {
  for (Index j = 0; j < A.cols; ++j)
    for (Index i = 0; i < A.rows; ++i)
      if (!std::isfinite(A(i, j))) return false;
  return true;
}

// relu = max(C, 0) over rows x cols of C (leading dimension ldc, as relu's), while C is still in
// L1 from the micro-kernel's store. (Written in the micro-kernel's own store instead, the
// ReLU's extra pointer made V8 spill inside the kernel's loop: MLP training 14 % slower.)
inline void reluTile(const float* C, float* relu, Index rows, Index cols, Index ldc) {
  for (Index j = 0; j < cols; ++j, C += ldc, relu += ldc) {
    Index i = 0;
    for (; i + 4 <= rows; i += 4) {
      const Float4 v = load(C + i);
      store(relu + i, keepWhere(~(v < 0.f), v));
    }
    for (; i < rows; ++i) relu[i] = C[i] < 0.f ? 0.f : C[i];
  }
}

}  // namespace gemm_detail

inline void GemmScratch::multiply(const StridedMatrix& A, const StridedMatrix& B, float* C,
                                  Index ldc, bool accumulate, GemmEpilogue epilogue) {
  multiplyBlocked(A, gemm_detail::StridedB{B}, C, ldc, accumulate, epilogue);
}

inline void GemmScratch::multiply(const StridedMatrix& A, const IndexedMatrix& B, float* C,
                                  Index ldc, bool accumulate, GemmEpilogue epilogue) {
  multiplyBlocked(A, gemm_detail::IndexedB{B}, C, ldc, accumulate, epilogue);
}

inline void GemmScratch::multiply(const IndexedMatrix& A, const StridedMatrix& B, float* C,
                                  Index ldc, bool accumulate, GemmEpilogue epilogue) {
  multiplyBlocked(A, gemm_detail::StridedB{B}, C, ldc, accumulate, epilogue);
}

inline void GemmScratch::reserve(PackedB& into, Index lists, Index k, Index values) {
  const Index blocks = (k + kKc - 1) / kKc;
  if (Index(into.values.size()) < values) into.values.resize(values);
  if (Index(into.steps.size()) < lists * k) into.steps.resize(lists * k);
  if (Index(into.stepCount.size()) < lists * blocks) into.stepCount.resize(lists * blocks);
  const Index groups = (k + 3) / 4;
  if (into.listsGroups && Index(into.groupBits.size()) < lists * groups)
    into.groupBits.resize(lists * groups);
}

template <Index kWidth>
void GemmScratch::listBlocks(PackedB& into, Index t, const float* p, Index k, Index first,
                             Index last, const uint8_t* zeroB) {
  const Index blocks = (k + kKc - 1) / kKc;
  const Index groups = (k + 3) / 4;
  uint8_t* const bits =
      kWidth == 4 && into.listsGroups ? into.groupBits.data() + t * groups : nullptr;
  for (Index b = first; b < last; ++b)
    into.stepCount[t * blocks + b] = gemm_detail::listSteps<kWidth>(
        p + b * kKc * kWidth, std::min(kKc, k - b * kKc), into.steps.data() + t * k + b * kKc,
        zeroB ? zeroB + b * kKc : nullptr, bits ? bits + b * kKc / 4 : nullptr);
}

template <typename BAccess>
void GemmScratch::packTiles(const BAccess& B, Index k, PackedB& into, Index first, Index last) {
  for (Index t = first; t < last; ++t) {
    float* Bp = into.values.data() + t * kNr * k;
    gemm_detail::packB(B, t * kNr, 0, k, Bp);
    listBlocks<kNr>(into, t, Bp, k, 0, (k + kKc - 1) / kKc, nullptr);
  }
}

inline void GemmScratch::packAhead(const IndexedMatrix& B) {
  const Index k = B.rows, tiles = (B.cols + kNr - 1) / kNr;
  reserve(shared_, tiles, k, tiles * kNr * k);
  packTiles(gemm_detail::IndexedB{B}, k, shared_, 0, tiles);
  packedData_ = B.data, packedRows_ = B.rowOffset, packedColumns_ = B.colOffset;
  packedK_ = k, packedN_ = B.cols;
}

inline void GemmScratch::multiplyPacked(const StridedMatrix& A, const IndexedMatrix& B, float* C,
                                        Index ldc, bool accumulate, GemmEpilogue epilogue) {
  const bool packed = B.data == packedData_ && B.rowOffset == packedRows_ &&
                      B.colOffset == packedColumns_ && B.rows == packedK_ && B.cols == packedN_;
  multiplyBlocked(A, gemm_detail::IndexedB{B}, C, ldc, accumulate, epilogue, packed);
}

inline void GemmScratch::multiplyChained(const StridedMatrix& A, const StridedMatrix& B, float* C,
                                          Index ldc, bool fromC, const float* rowBias) {
  using namespace gemm_detail;
  const Index m = A.rows, n = B.cols, k = A.cols;
  const Index roundedM = (m + kMr - 1) / kMr * kMr;
  float* const packed = threadPanelsOfA(roundedM * std::max<Index>(k, 1));
  packA<false>(A, 0, m, 0, k, packed);
  const StridedB b{B};
  for (Index j = 0; j < n; j += kNr) {
    const float* column[4];
    b.columns(j, 0, n, column);
    const Index cols = std::min(kNr, n - j);
    for (Index i = 0; i < m; i += kMr) {
      const Index rows = std::min(kMr, m - i);
      float* const Ci = C + i + j * ldc;
      // (microKernel's loop, started from C. microKernel taking that start as an argument, used
      // here instead, made 2-thread MLP training 0.97x to 1.00x as fast: four runs of 11 or 21
      // alternating rounds, three of them behind.)
      Float4 c[8] = {};
      if (fromC) {
        float tile[4][8] = {};
        for (Index q = 0; q < cols; ++q)
          for (Index r = 0; r < rows; ++r) tile[q][r] = Ci[r + q * ldc];
        for (Index q = 0; q < 4; ++q) {
          c[2 * q] = load(&tile[q][0]);
          c[2 * q + 1] = load(&tile[q][4]);
        }
      }
      auto at = b.rows(0);
      const float *b0 = column[0], *b1 = column[1], *b2 = column[2], *b3 = column[3];
      for (const float *Ap = packed + i * k, *end = Ap + kMr * k; Ap != end; Ap += kMr) {
        const Index offset = at.next();
        addStep(c, Ap, b0[offset], b1[offset], b2[offset], b3[offset]);
      }
      storeTile(c, Ci, ldc, rows, cols, false, rowBias ? rowBias + i : nullptr);
    }
  }
}

// A B^T, the tile of C's rows i..i+7 and columns 4g..4g+3 over the steps (samples) of a block: A's
// panel packed as usual, B read where its forward product packed it. There, sample s's four
// values of columns 4g..4g+3 lie at slice (s / 4), 16 g + s % 4 and every 4 after (one 64-byte
// block per slice and group); groupBits tells which of a slice's four samples are not all zero
// there, so the steps to run are listed without reading B. Each tile sums its steps in order,
// with the same micro-kernel steps and store as multiply(A, B^T), so the same bits.
inline void GemmScratch::multiplyTransposed(const StridedMatrix& A, const PackedB& B, Index K,
                                            float* C, Index ldc) {
  using namespace gemm_detail;
  const Index m = A.rows, n = A.cols, groups = (K + 3) / 4;
  const int32_t sliceSize = int32_t(kNr * K);
  // The listed steps of a group: the samples (for A) and where they start in B's slices.
  thread_local std::vector<int32_t> steps, offsets;
  const Index roundedM = (m + kMr - 1) / kMr * kMr;
  float* const packed = threadPanelsOfA(roundedM * std::min(n, kKc));
  if (Index(steps.size()) < kKc + 4) steps.resize(kKc + 4), offsets.resize(kKc + 4);
  for (Index k0 = 0; k0 < n; k0 += kKc) {
    const Index kc = std::min(kKc, n - k0);
    const bool add = k0 > 0;
    const bool aFinite = packA<true>(A, 0, m, k0, kc, packed);
    const float* slices = B.values.data() + (k0 / kNr) * sliceSize;
    for (Index g = 0; g < groups; ++g) {
      const Index cols = std::min<Index>(4, K - 4 * g);
      const float* group = slices + 16 * g;
      float* Cg = C + 4 * g * ldc;
      auto eachPanel = [&](auto&& tile) {
        for (Index i = 0; i < m; i += kMr) {
          Float4 c[8] = {};
          tile(c, packed + i * kc);
          storeTile(c, Cg + i, ldc, std::min(kMr, m - i), cols, add, nullptr);
        }
      };
      if (cols < 4) {  // the last columns of B: each step's values read one by one
        eachPanel([&](Float4(&c)[8], const float* Ap) {
          for (Index s = 0; s < kc; ++s, Ap += kMr) {
            const float* p = group + (s / 4) * sliceSize + s % 4;
            addStep(c, Ap, p[0], p[4 * std::min<Index>(1, cols - 1)],
                    p[4 * std::min<Index>(2, cols - 1)], p[4 * std::min<Index>(3, cols - 1)]);
          }
        });
        continue;
      }
      int32_t count = 0;
      if (aFinite) {  // (A's infinities and NaNs times B's zeros must run)
        const uint8_t* bits = B.groupBits.data() + (k0 / 4) * groups + g;
        for (Index s = 0; s < kc; s += 4) {
          int sampleBits = bits[(s / 4) * groups];
          if (s + 4 > kc) sampleBits &= (1 << (kc - s)) - 1;  // a last slice's padding
          appendSteps(sampleBits, int32_t(s / 4) * sliceSize, offsets.data(), count);
          count = appendSteps(sampleBits, int32_t(s), steps.data(), count);
        }
      }
      if (aFinite && count < kc * kSkipBelow / 8) {
        eachPanel([&](Float4(&c)[8], const float* Ap) {
          for (int32_t j = 0; j < count; ++j) {
            const float* p = group + offsets[j];
            addStep(c, Ap + kMr * steps[j], p[0], p[4], p[8], p[12]);
          }
        });
      } else {
        eachPanel([&](Float4(&c)[8], const float* Ap) {
          const float* p = group;
          Index s = 0;
          for (; s + 4 <= kc; s += 4, p += sliceSize, Ap += 4 * kMr) {
            addStep(c, Ap, p[0], p[4], p[8], p[12]);
            addStep(c, Ap + kMr, p[1], p[5], p[9], p[13]);
            addStep(c, Ap + 2 * kMr, p[2], p[6], p[10], p[14]);
            addStep(c, Ap + 3 * kMr, p[3], p[7], p[11], p[15]);
          }
          for (Index q = 0; s < kc; ++s, ++q, Ap += kMr)
            addStep(c, Ap, p[q], p[4 + q], p[8 + q], p[12 + q]);
        });
      }
    }
  }
}

// C is split into pieces of whole tiles (parallel.h): by rows (panels of kMr) when A has enough
// of them, so that each piece packs only its own rows of A; otherwise by columns, each piece
// packing all of A into its thread's buffer (cheap when A is short, as the conv kernels are).
// A piece runs every block of kKc inner indices over its part, and each element of C is one
// tile's sum over a block in order of k, added to C block after block, whichever thread runs
// the piece. A long sum into a small C goes by blocks of k instead, on more than one thread,
// and adds the blocks' sums to C in the same order afterwards: the same bits for any number of
// threads and any of the three splits.
template <typename AMatrix, typename BAccess>
void GemmScratch::multiplyBlocked(const AMatrix& A, const BAccess& B, float* C, Index ldc,
                                  bool accumulate, GemmEpilogue epilogue, bool bPacked) {
  using namespace gemm_detail;
  const Index m = A.rows, n = B.colCount(), k = A.cols;
  if (k == 0) {  // an empty sum: C keeps its values or becomes 0, then the epilogue
    for (Index j = 0; j < n; ++j)
      for (Index i = 0; i < m; ++i) {
        float& c = C[i + j * ldc];
        if (!accumulate) c = 0.f;
        if (epilogue.rowBias) c += epilogue.rowBias[i];
        if (epilogue.relu) epilogue.relu[i + j * ldc] = c < 0.f ? 0.f : c;
      }
    return;
  }
  const Index panels = (m + kMr - 1) / kMr, tiles = (n + kNr - 1) / kNr;
  const int threads = threadCount();
  const Index blocks = (k + kKc - 1) / kKc;
  // Shares of at least ~64k multiply-adds (about 8 us), below which handing work to another
  // thread costs more than it saves. A worker spinning between jobs takes one within a
  // microsecond: with shares of 256k, the MLP's output layer (three products of 82k) ran on
  // one thread, 30 us of a 2-thread batch of about 300 (2-thread MLP training in Node, median
  // of 6 alternating runs: 109k samples/s with 256k, 123k with 64k).
  constexpr Index kShare = Index(1) << 16;
  constexpr Index kSmallA = Index(1) << 14;  // values of A cheap to pack once per piece
  // A long sum into a small C (the conv kernel gradients, whose k is every position of the
  // batch) goes by blocks of k on more than one thread: each piece reads only its blocks of A
  // and B, the positions of its own samples, which the jobs before it wrote on the same core.
  // (Split by rows, every piece read all of B; by columns, all of A.) Each block's sum goes to
  // an m x n matrix of its own, then every element of C adds them up in order of the blocks:
  // the additions of block after block into C, in the same order, so the same bits.
  const Index sumsSize = blocks * m * n;
  const bool byBlocks = threads > 1 && !epilogue.rowBias && !epilogue.relu &&
                        blocks >= 4 * threads && k >= 16 * std::max(m, n) && sumsSize > 0 &&
                        sumsSize <= kMaxSums;
  // With A tall enough, B is packed, and every piece reads it from there.
  const bool packsB = m >= kPackB;
  // Where B is packed and larger than A, and A small enough to pack in every piece, a split by
  // columns packs each tile of B once, on the thread that reads it, where rows would pack all of
  // B on every thread. (The MLP's kernel gradient: A its 128 x 64 output gradient, B the batch's
  // 64 x 784; by columns, 2-thread MLP training went 1.08x faster, median of 9 alternating runs
  // in Node, and its pieces write the same ranges of the gradient the optimizer's pass reads.)
  const bool columnsPackLess = packsB && m * k <= kSmallA && k * n > m * k;
  // Rows give at least two pieces a thread, or one each where A is too large to pack per piece.
  // With one piece a thread, a thread the machine holds back holds up the job: a small A (the
  // 16-filter conv's kernel) goes by columns, in more pieces (2-thread CNN training 1.08x).
  const bool byRows = !byBlocks && !columnsPackLess &&
                      (panels >= 2 * threads ||
                       (threads > 1 && panels % threads == 0 && m * k > kSmallA));
  // Split by rows on more than one thread, every piece reads all of B: each thread packs its own
  // copy, on its first piece, and reads only that. Packed once and shared, half of B was
  // written in the other core's cache, and moving it over cost more than packing it again.
  // (2-thread MLP training in Node, per-job profile: the first layer's forward product took
  // 135 us a thread for half the rows, one thread 155 us for all of them; packing per thread
  // made 2-thread training 1.09x faster, median of 11 alternating runs. In a WASM two-thread
  // test, both threads busy, a pass over 256 KB that read and wrote data the other core had
  // written last took 52-56 us; over data its own core wrote last, 12-13 us.)
  const bool packsPerThread = packsB && byRows && threads > 1;
  const uint64_t product = packsPerThread ? ++products_ : 0;  // only those copies need it
  // An A of one panel is read in place, and where B is known finite, A's zero steps are skipped.
  const bool aIsPanel = isPackedPanel(A), skipsA = aIsPanel && B.finite();
  // Where B is packed but not per thread, each piece packs the tiles of B it reads, so the
  // thread that reads a tile wrote it (one thread's only piece packs them all), unless
  // packAhead packed all of them on this thread before. Pieces over blocks of k all read every
  // tile: they find B packed by a job of its own before them.
  const bool alreadyPacked = bPacked && packsB && threads == 1;  // (neither split on one thread)
  const bool piecesPackB = packsB && !packsPerThread && !byBlocks && !alreadyPacked;
  packedData_ = nullptr;  // for this product only
  if (packsB && !packsPerThread && !alreadyPacked) reserve(shared_, tiles, k, tiles * kNr * k);
  if (packsB && byBlocks) {
    // By blocks of k, as the product's pieces then read them: each thread packs the rows of B
    // that its own samples' jobs wrote. (Split by tiles, every thread read every row of B: the
    // second conv's dZ^T, 16 filters in one cache line a position, written by the pooling's
    // backward split by samples.)
    parallelFor(blocks, 1, [&](int64_t first, int64_t last) {
      const Index k0 = first * kKc, kc = std::min(k, Index(last) * kKc) - k0;
      for (Index t = 0; t < tiles; ++t) {
        float* Bp = shared_.values.data() + t * kNr * k;
        packB(B, t * kNr, k0, kc, Bp + k0 * kNr);
        listBlocks<kNr>(shared_, t, Bp, k, first, last, nullptr);
      }
    }, nnplay::manyPieces());
  } else if (skipsA) {  // the kernel gradient over a whole batch's positions: many blocks
    reserve(shared_, 1, k, 0);
    parallelFor(blocks, std::max<Index>(1, kElementGrain / kKc), [&](int64_t first, int64_t last) {
      listBlocks<kMr>(shared_, 0, A.data, k, first, last, B.zeroRows());
    });
  }
  // Where B says where its zeros are, skipping them needs finite A, checked once here.
  const bool bZerosKnown = B.hasZeroColumns() || (!packsB && B.hasChannelMasks());
  const bool aFiniteForB = bZerosKnown && allFinite(A);
  // B's columns flagged as all zero (the background of the first conv's images) make tiles
  // whose every step adds zero, given finite A: the tile's sum is +0, stored without a step.
  const bool skipsZeroTiles = aFiniteForB && B.hasZeroColumns();
  // B read in place with channel masks lists each tile's steps that are not all zero, to skip
  // the others where A is finite (conv2's input gradient: dZ, where max pooling left zeros).
  static_assert(kKc % 32 == 0, "blocks of k hold whole pixels");
  const bool listsTiles = aFiniteForB && !packsB && B.hasChannelMasks();
  // List t's steps in block b, where they are few enough for skipping to pay; else none.
  auto listed = [&](const PackedB& lists, Index t, Index b, Index kc, const int32_t*& step,
                    const int32_t*& end) {
    const int32_t count = lists.stepCount[t * blocks + b];
    step = end = nullptr;
    if (count >= kc * kSkipBelow / 8) return;
    step = lists.steps.data() + t * k + b * kKc;
    end = step + count;
  };
  // C rows [r0, r1) (r0 a multiple of kMr) times columns [c0, c1), over the blocks of k
  // [firstBlock, endBlock): into C, block after block; or with `sums`, each block's sum alone
  // into an m x n matrix of its own there (sums + b * m * n), for the caller to add to C in order.
  auto block = [&](Index r0, Index r1, Index c0, Index c1, Index firstBlock, Index endBlock,
                   float* sums) {
    const Index roundedM = (r1 - r0 + kMr - 1) / kMr * kMr;
    float* const packed = aIsPanel ? nullptr : threadPanelsOfA(roundedM * std::min(k, kKc));
    const float* column[4] = {};  // B's tile columns, where B is read in place
    thread_local std::vector<int32_t> tileSteps;  // those B lists for a tile
    if (listsTiles && Index(tileSteps.size()) < kKc) tileSteps.resize(kKc);
    const PackedB* packedB = &shared_;
    if (piecesPackB) packTiles(B, k, shared_, c0 / kNr, (c1 + kNr - 1) / kNr);
    if (packsPerThread) {
      ThreadB& own = threadB();
      if (own.product != product) {
        reserve(own.packed, tiles, k, tiles * kNr * k);
        packTiles(B, k, own.packed, 0, tiles);
        own.product = product;
      }
      packedB = &own.packed;
    }
    for (Index b = firstBlock, k0 = b * kKc; b < endBlock; ++b, k0 += kKc) {
      const Index kc = std::min(kKc, k - k0);
      const bool add = !sums && (accumulate || k0 > 0);
      const bool last = k0 + kc == k;  // the epilogue follows the last block's sum
      float* const Cb = sums ? sums + b * m * n : C;
      const Index ldcb = sums ? m : ldc;
      const auto rows = B.rows(k0);
      bool aFinite = false;
      if (packsB)
        aFinite = packA<true>(A, r0, r1 - r0, k0, kc, packed);
      else if (!aIsPanel)
        packA<false>(A, r0, r1 - r0, k0, kc, packed);
      const float* aPanels = aIsPanel ? A.data + k0 * kMr : packed;
      for (Index i0 = r0; i0 < r1; i0 += kMc) {
        const Index mc = std::min(kMc, r1 - i0);
        for (Index j = c0; j < c1; j += kNr) {
          if (!packsB) B.columns(j, k0, n, column);
          const float* Bp = packsB ? packedB->values.data() + (j * k + k0 * kNr) : nullptr;
          // The steps to run, when skipping zeros may pay: those of the tile's slice of B in
          // this block, or of A's.
          const int32_t *step = nullptr, *stepEnd = nullptr;
          if (packsB && aFinite) listed(*packedB, j / kNr, b, kc, step, stepEnd);
          if (skipsA) listed(shared_, 0, b, kc, step, stepEnd);
          if (!step && listsTiles) {
            const int32_t count = B.listTileSteps(j, n, k0, kc, tileSteps.data());
            if (count < kc * kSkipBelow / 8) step = tileSteps.data(), stepEnd = step + count;
          }
          // The tile's row panels, each kernel in a loop of its own (in one loop with a branch,
          // V8 allocated registers worse: dense products 10 % slower).
          auto rowPanels = [&](auto&& kernel) {
            for (Index i = i0; i < i0 + mc; i += kMr) {
              const float* bias = last && epilogue.rowBias ? epilogue.rowBias + i : nullptr;
              kernel(aPanels + (i - r0) * kc, Cb + i + j * ldcb, std::min(kMr, m - i),
                     std::min(kNr, n - j), bias);
            }
          };
          auto listedSteps = [&](auto readB) {
            rowPanels([&](const float* Ap, float* Ci, Index tileRows, Index tileCols,
                          const float* bias) {
              microKernelSteps(step, stepEnd, Ap, readB, Ci, ldcb, tileRows, tileCols, add, bias);
            });
          };
          if (skipsZeroTiles && B.zeroTile(j, n)) {
            rowPanels([&](const float*, float* Ci, Index tileRows, Index tileCols,
                          const float* bias) {
              const Float4 zero[8] = {};
              storeTile(zero, Ci, ldcb, tileRows, tileCols, add, bias);
            });
          } else if (step && packsB) {
            listedSteps([Bp](int32_t s, float(&v)[4]) {
              const float* p = Bp + 4 * s;
              v[0] = p[0], v[1] = p[1], v[2] = p[2], v[3] = p[3];
            });
          } else if (step) {
            listedSteps([rows, b0 = column[0], b1 = column[1], b2 = column[2],
                         b3 = column[3]](int32_t s, float(&v)[4]) {
              const Index offset = rows.at(s);
              v[0] = b0[offset], v[1] = b1[offset], v[2] = b2[offset], v[3] = b3[offset];
            });
          } else if (packsB) {
            rowPanels([&](const float* Ap, float* Ci, Index tileRows, Index tileCols,
                          const float* bias) {
              microKernelPacked(kc, Ap, Bp, Ci, ldcb, tileRows, tileCols, add, bias);
            });
          } else {
            rowPanels([&](const float* Ap, float* Ci, Index tileRows, Index tileCols,
                          const float* bias) {
              microKernel(kc, Ap, column, rows, Ci, ldcb, tileRows, tileCols, add, bias);
            });
          }
          if (last && epilogue.relu)  // (never with sums)
            reluTile(C + i0 + j * ldc, epilogue.relu + i0 + j * ldc, std::min(m, i0 + mc) - i0,
                     std::min(kNr, n - j), ldc);
        }
      }
    }
  };
  if (byBlocks) {
    if (Index(sums_.size()) < sumsSize) sums_.resize(sumsSize);
    float* const sums = sums_.data();
    parallelFor(blocks, 1, [&](int64_t first, int64_t last) {
      block(0, m, 0, n, first, last, sums);
    }, nnplay::manyPieces());
    // Column j of C += the blocks' sums of it, in block order, as each block's tiles add
    // theirs; without accumulating, C starts as the first block's sum, as its tiles store it.
    const Index columnGrain = std::max<Index>(1, kElementGrain / (m * blocks));
    parallelFor(n, columnGrain, [&](int64_t first, int64_t last) {
      for (Index j = first; j < last; ++j) {
        const float* sum = sums + j * m;
        const Index firstAdded = accumulate ? 0 : 1;
        if (!accumulate) simd::copy(C + j * ldc, sum, m);
        simd::addColumns(sum + firstAdded * m * n, 0, m, blocks - firstAdded, m * n, C + j * ldc);
      }
    });
    return;
  }
  // The grain for `units` (panels, tiles) of `work` multiply-adds each: as many pieces as the
  // product has shares, rounded up, of about the same size. (Whole shares of units left a short
  // last piece: the MLP's output layer, 16 tiles in shares of 12, went as 12 and 4.)
  auto grainOf = [](Index units, Index work) {
    const Index pieces = std::max<Index>(1, (units * work + kShare - 1) / kShare);
    return (units + pieces - 1) / pieces;
  };
  if (byRows) {
    parallelFor(panels, grainOf(panels, n * k * kMr), [&](int64_t first, int64_t last) {
      block(first * kMr, std::min(m, Index(last) * kMr), 0, n, 0, blocks, nullptr);
    });
  } else {
    // Each piece packs all of A, or reads all of it in place: where that is more than a few
    // tiles' work, or where the pieces also pack B, one piece per thread. (In 7 pieces of one
    // tile, the first conv's kernel gradient read its 1.6 MB dZ 7 times over, before it went by
    // blocks of k.)
    const int maxPieces = m * k > kSmallA || packsB ? threads : nnplay::manyPieces();
    parallelFor(tiles, grainOf(tiles, m * k * kNr), [&](int64_t first, int64_t last) {
      block(0, m, first * kNr, std::min(n, Index(last) * kNr), 0, blocks, nullptr);
    }, maxPieces);
  }
}

}  // namespace nnplay
