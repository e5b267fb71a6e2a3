// Four floats in one vector register, written with GCC vector extensions: clang turns them into
// WASM SIMD (f32x4.add/mul, v128.load32_splat, v128.and), and natively they are SSE2. The GEMM
// and the elementwise loops that clang does not vectorize by itself (selects with a conditional
// load, Eigen expressions: Eigen 3.4 has no WASM SIMD path) use them. Every operation works per
// value, so a loop gives the same bits in vector form as in its scalar form.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

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
