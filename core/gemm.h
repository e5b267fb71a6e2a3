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
#pragma once

#include <algorithm>
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
};

// What the GEMM's last store of C does besides the sum, instead of a pass of its own over C (the
// same bits as that pass): add rowBias[i] to row i, then write max(C, 0) (a ReLU, as
// std::max(c, 0.f) gives it) into `relu`, a matrix laid out like C.
struct GemmEpilogue {
  const float* rowBias = nullptr;
  float* relu = nullptr;
};

// The packed products. The buffers for A are per thread, the one for B per GemmScratch (one per
// layer; a product is never run from inside another's threads): they grow on first use and are
// then reused, so training allocates nothing.
class GemmScratch {
 public:
  static constexpr Index kMr = 8, kNr = 4;              // micro-kernel tile of C
  static constexpr Index kKc = 256, kMc = 128;  // cache block of A: 128 KB
  static constexpr Index kPackB = 32;  // rows of A from which B is packed (4 panels share it)

  // C (m x n, column-major with leading dimension ldc) = (accumulate ? C : 0) + A B, then the
  // epilogue.
  void multiply(const StridedMatrix& A, const StridedMatrix& B, float* C, Index ldc,
                bool accumulate, GemmEpilogue epilogue = {});
  // The same for B given by offsets. The additions happen in the same order as for a
  // StridedMatrix holding the same values, so both give the same bits.
  void multiply(const StridedMatrix& A, const IndexedMatrix& B, float* C, Index ldc,
                bool accumulate, GemmEpilogue epilogue = {});

 private:
  template <typename BAccess>
  void multiplyBlocked(const StridedMatrix& A, const BAccess& B, float* C, Index ldc,
                       bool accumulate, GemmEpilogue epilogue);

  std::vector<float> packedB_;  // B packed in tiles of 4 columns, shared by the pieces
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

// A rows [i0, i0 + mc), columns [k0, k0 + kc) -> panels of kMr rows: per k, kMr values.
inline void packA(const StridedMatrix& A, Index i0, Index mc, Index k0, Index kc, float* out) {
  constexpr Index kMr = GemmScratch::kMr;
  for (Index i = 0; i < mc; i += kMr) {
    const Index rows = std::min(kMr, mc - i);
    if (A.rowStride == 1 && rows == kMr) {
      const float* src = A.data + (i0 + i) + k0 * A.colStride;
      for (Index k = 0; k < kc; ++k, out += kMr, src += A.colStride)
        std::copy(src, src + kMr, out);
      continue;
    }
    for (Index k = 0; k < kc; ++k, out += kMr) {
      Index r = 0;
      for (; r < rows; ++r) out[r] = A(i0 + i + r, k0 + k);
      for (; r < kMr; ++r) out[r] = 0.f;
    }
  }
}

// How the micro-kernel reads B. For the tile whose columns start at column j and rows at k0,
// columns(j, k0, n) gives the four column pointers (columns past n repeat column j: their results
// are not written) and rows(k0) the row offsets, so element (k0 + k, j + c) is column[c][rows[k]].
struct StridedB {
  const StridedMatrix& m;
  Index rowCount() const { return m.rows; }
  Index colCount() const { return m.cols; }
  struct Rows {  // a running offset: one addition per k instead of a multiplication
    Index stride, offset = 0;
    Index next() {
      const Index at = offset;
      offset += stride;
      return at;
    }
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
  struct Rows {
    const int* offset;
    Index next() { return *offset++; }
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
    const Float4 a0 = load(Ap), a1 = load(Ap + 4);
    Float4 b = splat(b0[offset]);
    c[0] += a0 * b;
    c[1] += a1 * b;
    b = splat(b1[offset]);
    c[2] += a0 * b;
    c[3] += a1 * b;
    b = splat(b2[offset]);
    c[4] += a0 * b;
    c[5] += a1 * b;
    b = splat(b3[offset]);
    c[6] += a0 * b;
    c[7] += a1 * b;
  }
  storeTile(c, C, ldc, rows_, cols, add, bias);
}

// B's k x 4 slice for the tile of columns j..j+3, packed as 4 values per k (Bp), for products
// where many row panels of A share each slice. The micro-kernel's splats then read at fixed
// offsets from one pointer, which V8 folds into the loads; read in place, each of the four
// splats needs an address computation of its own (about 15 % fewer instructions per step).
template <typename BAccess>
inline void packB(const BAccess& B, Index j, Index k, float* Bp) {
  const float* column[4];
  B.columns(j, 0, B.colCount(), column);
  const float *b0 = column[0], *b1 = column[1], *b2 = column[2], *b3 = column[3];
  auto rows = B.rows(0);
  for (const float* end = Bp + 4 * k; Bp != end; Bp += 4) {
    const Index offset = rows.next();
    Bp[0] = b0[offset];
    Bp[1] = b1[offset];
    Bp[2] = b2[offset];
    Bp[3] = b3[offset];
  }
}

// The same for B stored with unit strides, four values at a time: the batch-major inputs of the
// MLP's dW (colStride 1, a copy) and the columns of its forward product (rowStride 1, 4 x 4
// blocks transposed). Slices with columns past B's last one are packed as above.
inline void packB(const StridedB& B, Index j, Index k, float* Bp) {
  const StridedMatrix& m = B.m;
  const float* p = m.data + j * m.colStride;
  if (j + 4 > m.cols || (m.colStride != 1 && m.rowStride != 1)) {
    packB<StridedB>(B, j, k, Bp);
  } else if (m.colStride == 1) {
    for (Index i = 0; i < k; ++i, p += m.rowStride, Bp += 4) store(Bp, load(p));
  } else {
    const float *p1 = p + m.colStride, *p2 = p1 + m.colStride, *p3 = p2 + m.colStride;
    Index i = 0;
    for (; i + 4 <= k; i += 4, Bp += 16) {
      const Float4 r0 = load(p + i), r1 = load(p1 + i), r2 = load(p2 + i), r3 = load(p3 + i);
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
      Bp[0] = p[i];
      Bp[1] = p1[i];
      Bp[2] = p2[i];
      Bp[3] = p3[i];
    }
  }
}

// The micro-kernel on a packed slice of B.
inline void microKernelPacked(Index kc, const float* Ap, const float* Bp, float* C, Index ldc,
                              Index rows_, Index cols, bool add, const float* bias) {
  Float4 c[8] = {};
  for (const float* end = Ap + 8 * kc; Ap != end; Ap += 8, Bp += 4) {
    const Float4 a0 = load(Ap), a1 = load(Ap + 4);
    Float4 b = splat(Bp[0]);
    c[0] += a0 * b;
    c[1] += a1 * b;
    b = splat(Bp[1]);
    c[2] += a0 * b;
    c[3] += a1 * b;
    b = splat(Bp[2]);
    c[4] += a0 * b;
    c[5] += a1 * b;
    b = splat(Bp[3]);
    c[6] += a0 * b;
    c[7] += a1 * b;
  }
  storeTile(c, C, ldc, rows_, cols, add, bias);
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

// C is split into pieces of whole tiles (parallel.h): by rows (panels of kMr) when A has enough
// of them, so that each piece packs only its own rows of A; otherwise by columns, each piece
// packing all of A into its thread's buffer (cheap when A is short, as the conv kernels are).
// A piece runs every block of kKc inner indices over its part, and each element of C is one
// tile's sum over a block in order of k, added to C block after block, whichever thread runs
// the piece: the same bits for any number of threads and either split.
template <typename BAccess>
void GemmScratch::multiplyBlocked(const StridedMatrix& A, const BAccess& B, float* C, Index ldc,
                                  bool accumulate, GemmEpilogue epilogue) {
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
  // With A tall enough, B is packed first, all of it, tile after tile (tile t's k x 4 values
  // at t * 4k), and every piece reads it from there.
  const bool packsB = m >= kPackB;
  if (packsB) {
    if (Index(packedB_.size()) < tiles * kNr * k) packedB_.resize(tiles * kNr * k);
    parallelFor(tiles, std::max<Index>(1, kElementGrain / (kNr * k)), [&](int64_t first, int64_t last) {
      for (Index t = first; t < last; ++t) packB(B, t * kNr, k, packedB_.data() + t * kNr * k);
    });
  }
  // An A of exactly one panel stored column-major (the 8-filter convs' dZ and kernels) is its
  // own packed panel: read in place.
  const bool aIsPanel = m == kMr && A.rowStride == 1 && A.colStride == kMr;
  // C rows [r0, r1) (r0 a multiple of kMr) times columns [c0, c1).
  auto block = [&](Index r0, Index r1, Index c0, Index c1) {
    thread_local std::vector<float> packed;  // grows on first use, then reused
    const Index roundedM = (r1 - r0 + kMr - 1) / kMr * kMr;
    if (!aIsPanel && Index(packed.size()) < roundedM * std::min(k, kKc))
      packed.resize(roundedM * std::min(k, kKc));
    const float* column[4] = {};  // B's tile columns, where B is read in place
    for (Index k0 = 0; k0 < k; k0 += kKc) {
      const Index kc = std::min(kKc, k - k0);
      const bool add = accumulate || k0 > 0;
      const bool last = k0 + kc == k;  // the epilogue follows the last block's sum
      const auto rows = B.rows(k0);
      if (!aIsPanel) packA(A, r0, r1 - r0, k0, kc, packed.data());
      const float* aPanels = aIsPanel ? A.data + k0 * kMr : packed.data();
      for (Index i0 = r0; i0 < r1; i0 += kMc) {
        const Index mc = std::min(kMc, r1 - i0);
        for (Index j = c0; j < c1; j += kNr) {
          if (!packsB) B.columns(j, k0, n, column);
          const float* Bp = packsB ? packedB_.data() + (j * k + k0 * kNr) : nullptr;
          for (Index i = i0; i < i0 + mc; i += kMr) {
            const float* Ap = aPanels + (i - r0) * kc;
            float* Ci = C + i + j * ldc;
            const Index tileRows = std::min(kMr, m - i), tileCols = std::min(kNr, n - j);
            const float* bias = last && epilogue.rowBias ? epilogue.rowBias + i : nullptr;
            if (packsB)
              microKernelPacked(kc, Ap, Bp, Ci, ldc, tileRows, tileCols, add, bias);
            else
              microKernel(kc, Ap, column, rows, Ci, ldc, tileRows, tileCols, add, bias);
          }
          if (last && epilogue.relu)
            reluTile(C + i0 + j * ldc, epilogue.relu + i0 + j * ldc, std::min(m, i0 + mc) - i0,
                     std::min(kNr, n - j), ldc);
        }
      }
    }
  };
  // Shares of at least ~256k multiply-adds, below which waking a thread costs more than it saves.
  constexpr Index kShare = Index(1) << 18;
  constexpr Index kSmallA = Index(1) << 14;  // values of A cheap to pack once per piece
  if (panels >= 2 * threads || (threads > 1 && panels % threads == 0)) {
    const Index grain = std::max<Index>(1, kShare / std::max<Index>(1, n * k * kMr));
    parallelFor(panels, grain, [&](int64_t first, int64_t last) {
      block(first * kMr, std::min(m, Index(last) * kMr), 0, n);
    });
  } else {
    // Each piece packs all of A: where that is more than a few tiles' work (the kernel
    // gradients, whose inner dimension is every position of the batch), one piece per thread.
    const Index grain = std::max<Index>(1, kShare / std::max<Index>(1, m * k * kNr));
    const int maxPieces = m * k > kSmallA ? threads : 0;
    parallelFor(tiles, grain, [&](int64_t first, int64_t last) {
      block(0, m, first * kNr, std::min(n, Index(last) * kNr));
    }, maxPieces);
  }
}

}  // namespace nnplay
