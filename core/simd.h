// Four floats in one vector register, written with GCC vector extensions: clang turns them into
// WASM SIMD (f32x4.add/mul, v128.load32_splat, v128.and), and natively they are SSE2. The GEMM
// and the elementwise loops that clang does not vectorize by itself (selects with a conditional
// load, Eigen expressions: Eigen 3.4 has no WASM SIMD path) use them. Every operation works per
// value, so a loop gives the same bits in vector form as in its scalar form.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#include "tensor.h"

namespace nnplay::simd {

typedef float Float4 __attribute__((vector_size(16)));
typedef int32_t Int4 __attribute__((vector_size(16)));  // what comparing two Float4 gives

inline Float4 splat(float x) { return Float4{x, x, x, x}; }
// Unaligned loads and stores (memcpy compiles to one movups or v128.load/store).
inline Float4 load(const float* p) {
  Float4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, Float4 v) { std::memcpy(p, &v, sizeof v); }
// v where mask is all ones, +0 where it is zero: a select without arithmetic (the same bits as
// `mask ? v : 0.f` per value).
inline Float4 keepWhere(Int4 mask, Float4 v) {
  return reinterpret_cast<Float4>(reinterpret_cast<Int4>(v) & mask);
}

// Whether any of the four values is not zero (+0 and -0 are zero; NaN is not): one
// v128.any_true in WASM.
inline bool anyNonZero(Float4 v) {
#ifdef __wasm_simd128__
  return wasm_v128_any_true(reinterpret_cast<v128_t>(v != 0.f));
#else
  return v[0] != 0.f || v[1] != 0.f || v[2] != 0.f || v[3] != 0.f;
#endif
}

// Bit q set where lane q of the mask m is set (all ones): one i32x4.bitmask in WASM.
inline int laneBits(Int4 m) {
#ifdef __wasm_simd128__
  return wasm_i32x4_bitmask(reinterpret_cast<v128_t>(m));
#else
  return (m[0] & 1) | (m[1] & 2) | (m[2] & 4) | (m[3] & 8);
#endif
}

// Bit q set where the mask m_q has a lane set.
inline int anyLaneBits(Int4 m0, Int4 m1, Int4 m2, Int4 m3) {
  // Lanes (0, 2) and (1, 3) of each folded together, then the two halves: lane q is any of m_q.
  const Int4 a =
      __builtin_shufflevector(m0, m1, 0, 1, 4, 5) | __builtin_shufflevector(m0, m1, 2, 3, 6, 7);
  const Int4 b =
      __builtin_shufflevector(m2, m3, 0, 1, 4, 5) | __builtin_shufflevector(m2, m3, 2, 3, 6, 7);
  const Int4 any =
      __builtin_shufflevector(a, b, 0, 2, 4, 6) | __builtin_shufflevector(a, b, 1, 3, 5, 7);
  return laneBits(any);
}

// Bit q set when v_q has a value that is not zero: four anyNonZero at once.
inline int nonZeroBits(Float4 v0, Float4 v1, Float4 v2, Float4 v3) {
  return anyLaneBits(v0 != 0.f, v1 != 0.f, v2 != 0.f, v3 != 0.f);
}

// Bit q set where lane q is not zero (+0 and -0 are zero; NaN is not).
inline int nonZeroLanes(Float4 v) { return laneBits(v != 0.f); }

// All ones in the lanes whose value is infinite or NaN (its exponent all ones).
inline Int4 nonFinite(Float4 v) {
  const Int4 exponent = reinterpret_cast<Int4>(v) & 0x7f800000;
  return exponent == 0x7f800000;
}

// Bit q set when v_q has a value that is infinite or NaN.
inline int nonFiniteBits(Float4 v0, Float4 v1, Float4 v2, Float4 v3) {
  return anyLaneBits(nonFinite(v0), nonFinite(v1), nonFinite(v2), nonFinite(v3));
}

// The bits of a OR the bits of b: a value that is ±0 only where both are (NaN and infinity stay
// not zero), so anyNonZero of it tells whether either has a value that is not zero.
inline Float4 orBits(Float4 a, Float4 b) {
  return reinterpret_cast<Float4>(reinterpret_cast<Int4>(a) | reinterpret_cast<Int4>(b));
}

// dst[0, count) = src[0, count), inline: four floats at a time, other types one at a time. In
// WASM a std::copy or memcpy of 512 bytes or more is a call out to JavaScript (Emscripten's
// memcpy_big), which cost more than copying a column of a batch (4 % of MLP training), and a
// call for a conv kernel row of 5 to 40 values cost more than the copy.
template <typename T>
inline void copy(T* dst, const T* src, Index count) {
  Index i = 0;
  if constexpr (std::is_same_v<T, float>)
    for (; i + 4 <= count; i += 4) store(dst + i, load(src + i));
  for (; i < count; ++i) dst[i] = src[i];
}

// The same copy, which also returns whether every value copied is finite.
template <typename T>
inline bool copyFinite(T* dst, const T* src, Index count) {
  Index i = 0;
  bool finite = true;
  if constexpr (std::is_same_v<T, float>) {
    Int4 bad = {};
    for (; i + 4 <= count; i += 4) {
      const Float4 v = load(src + i);
      store(dst + i, v);
      bad |= nonFinite(v);
    }
    finite = !laneBits(bad);
  }
  for (; i < count; ++i) {
    dst[i] = src[i];
    finite &= std::isfinite(src[i]);
  }
  return finite;
}

// Column j of the rows x cols column-major m (leading dimension ld) += b, for every column.
inline void addToColumns(float* m, Index rows, Index cols, Index ld, const float* b) {
  for (Index j = 0; j < cols; ++j, m += ld) {
    Index i = 0;
    for (; i + 4 <= rows; i += 4) store(m + i, load(m + i) + load(b + i));
    for (; i < rows; ++i) m[i] += b[i];
  }
}

// sum[i] += m(i, j) for j = 0, 1, ..., cols - 1 in that order (rows [first, last) of the
// column-major m with leading dimension ld): each row's sum in the order of a scalar loop.
inline void addColumns(const float* m, Index first, Index last, Index cols, Index ld, float* sum) {
  Index i = first;
  for (; i + 4 <= last; i += 4) {
    Float4 s = load(sum + i);
    const float* p = m + i;
    for (Index j = 0; j < cols; ++j, p += ld) s += load(p);
    store(sum + i, s);
  }
  for (; i < last; ++i) {
    const float* p = m + i;
    for (Index j = 0; j < cols; ++j, p += ld) sum[i] += *p;
  }
}

}  // namespace nnplay::simd
