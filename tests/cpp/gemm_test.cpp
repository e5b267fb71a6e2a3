// The packed GEMM kernel that WASM builds use for float products (core/gemm.h), run natively
// against a double-precision reference: every transpose combination, edge tiles, several cache
// blocks, accumulation, and the same bits on a second run.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gemm.h"
#include "parallel.h"
#include "rng.h"

namespace nnplay {
namespace {

Matrix<float> randomFloats(Index rows, Index cols, Rng& rng) {
  Matrix<float> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.uniform(-1, 1));
  return m;
}

// got[0, count) holds the bits of want, except that where want is NaN, got need only be NaN (a
// NaN's payload may differ).
void expectSameBits(const float* got, const float* want, Index count, const std::string& what) {
  for (Index i = 0; i < count; ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << what << ", element " << i;
    } else {
      EXPECT_EQ(0, std::memcmp(got + i, want + i, sizeof(float)))
          << what << ", element " << i << ": " << got[i] << " vs " << want[i];
    }
  }
}

// C = [C0 +] op(A) op(B) for A stored (m x k) or (k x m), B stored (k x n) or (n x k).
void checkProduct(Index m, Index n, Index k, bool transposeA, bool transposeB, bool accumulate) {
  Rng rng(m * 1000003 + n * 1009 + k);
  const Matrix<float> A = transposeA ? randomFloats(k, m, rng) : randomFloats(m, k, rng);
  const Matrix<float> B = transposeB ? randomFloats(n, k, rng) : randomFloats(k, n, rng);
  const Matrix<float> C0 = randomFloats(m, n, rng);
  const Matrix<double> opA = transposeA ? Matrix<double>(A.cast<double>().transpose())
                                        : Matrix<double>(A.cast<double>());
  const Matrix<double> opB = transposeB ? Matrix<double>(B.cast<double>().transpose())
                                        : Matrix<double>(B.cast<double>());
  Matrix<double> expected = opA * opB;
  if (accumulate) expected += C0.cast<double>();

  GemmScratch scratch;
  const StridedMatrix a = transposeA ? stridedView(A.transpose()) : stridedView(A);
  const StridedMatrix b = transposeB ? stridedView(B.transpose()) : stridedView(B);
  Matrix<float> C = C0, again = C0;
  scratch.multiply(a, b, C.data(), C.outerStride(), accumulate);
  scratch.multiply(a, b, again.data(), again.outerStride(), accumulate);
  const std::string what = std::to_string(m) + "x" + std::to_string(n) + "x" +
                           std::to_string(k) + (transposeA ? " A^T" : "") +
                           (transposeB ? " B^T" : "") + (accumulate ? " +=" : "");
  for (Index i = 0; i < C.size(); ++i)
    ASSERT_NEAR(C.data()[i], expected.data()[i], 1e-5 * (k + 1)) << what << " at " << i;
  EXPECT_EQ(0, std::memcmp(C.data(), again.data(), C.size() * sizeof(float))) << what;
}

TEST(Gemm, kernel_matches_double_reference_for_all_transposes_and_edges) {
  const Index shapes[][3] = {{1, 1, 1},     {8, 4, 3},      {10, 64, 128}, {128, 64, 784},
                             {128, 301, 64}, {25, 70, 8},    {13, 300, 5},  {130, 7, 600},
                             {16, 517, 200}};
  for (const auto& s : shapes)
    for (int variant = 0; variant < 8; ++variant)
      checkProduct(s[0], s[1], s[2], variant & 1, variant & 2, variant & 4);
}

TEST(Gemm, empty_inner_dimension_gives_zero_or_keeps_c) {
  GemmScratch scratch;
  Matrix<float> A(3, 0), B(0, 2), C = Matrix<float>::Constant(3, 2, 5.f);
  scratch.multiply(stridedView(A), stridedView(B), C.data(), 3, true);
  EXPECT_EQ(C(2, 1), 5.f);
  scratch.multiply(stridedView(A), stridedView(B), C.data(), 3, false);
  EXPECT_EQ(C(2, 1), 0.f);
}

// The epilogue (a bias per row, then a ReLU into a second matrix) gives the bits of the product
// followed by passes that add the bias and take max(c, 0): full and partial tiles, one and
// several blocks of k (kKc = 256), and k = 0.
TEST(Gemm, epilogue_gives_the_bits_of_separate_bias_and_relu_passes) {
  for (const auto& [m, n, k] : {std::array<Index, 3>{16, 12, 25}, {13, 7, 200}, {128, 64, 784},
                               {8, 5, 0}}) {
    Rng rng(m + n + k);
    const Matrix<float> A = randomFloats(m, k, rng), B = randomFloats(k, n, rng);
    const Matrix<float> bias = randomFloats(m, 1, rng);
    GemmScratch scratch;
    Matrix<float> fused(m, n), relu(m, n), separate(m, n), biasOnly(m, n);
    scratch.multiply(stridedView(A), stridedView(B), fused.data(), m, false,
                     {bias.data(), relu.data()});
    scratch.multiply(stridedView(A), stridedView(B), biasOnly.data(), m, false, {bias.data()});
    scratch.multiply(stridedView(A), stridedView(B), separate.data(), m, false);
    for (Index j = 0; j < n; ++j)
      for (Index i = 0; i < m; ++i) separate(i, j) += bias(i);
    const std::string what = std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
    EXPECT_EQ(0, std::memcmp(fused.data(), separate.data(), fused.size() * sizeof(float))) << what;
    EXPECT_EQ(0, std::memcmp(biasOnly.data(), separate.data(), fused.size() * sizeof(float)))
        << what;
    EXPECT_NE(fused, Matrix<float>(A * B)) << "the bias was added";
    Index zeros = 0;
    for (Index i = 0; i < relu.size(); ++i) {
      const float expected = std::max(separate.data()[i], 0.f);
      ASSERT_EQ(0, std::memcmp(&relu.data()[i], &expected, sizeof(float))) << what << " at " << i;
      zeros += relu.data()[i] == 0.f;
    }
    EXPECT_GT(zeros, 0) << what;
    EXPECT_LT(zeros, relu.size()) << what;
  }
}

TEST(Gemm, multiply_writes_into_a_column_block_of_a_larger_matrix) {
  Rng rng(7);
  const Matrix<float> A = randomFloats(9, 11, rng), B = randomFloats(11, 6, rng);
  Matrix<float> C = Matrix<float>::Zero(9, 10);
  GemmScratch scratch;
  multiply(C.middleCols(2, 6), A, B, scratch);
  const Matrix<float> expected = A * B;
  EXPECT_TRUE(C.middleCols(2, 6).isApprox(expected, 1e-5f));
  EXPECT_EQ(C.col(0).squaredNorm(), 0.f);
  EXPECT_EQ(C.col(9).squaredNorm(), 0.f);
}

TEST(Gemm, indexed_b_gives_the_bits_of_the_same_values_stored) {
  // B (k x n) as a scattered table: element (i, j) at data[rowOffset[i] + colOffset[j]], with
  // offsets that are neither contiguous nor in order; and its transpose the same way.
  for (const auto& [m, n, k] : {std::array<Index, 3>{8, 37, 25}, {16, 196, 300}, {3, 5, 600}}) {
    Rng rng(m + n + k);
    const Matrix<float> A = randomFloats(m, k, rng);
    std::vector<int> rowOffset(k), colOffset(n);
    for (Index i = 0; i < k; ++i) rowOffset[i] = int(((i * 7) % k) * n);
    for (Index j = 0; j < n; ++j) colOffset[j] = int((j * 5 + 3) % n);
    std::vector<float> data(k * n);
    for (float& v : data) v = static_cast<float>(rng.uniform(-1, 1));
    Matrix<float> stored(k, n);
    for (Index i = 0; i < k; ++i)
      for (Index j = 0; j < n; ++j) stored(i, j) = data[rowOffset[i] + colOffset[j]];
    GemmScratch scratch;
    Matrix<float> expected = randomFloats(m, n, rng), got = expected;
    scratch.multiply(stridedView(A), stridedView(stored), expected.data(), m, true);
    scratch.multiply(stridedView(A), IndexedMatrix{data.data(), rowOffset.data(), colOffset.data(), k, n},
                     got.data(), m, true);
    EXPECT_EQ(0, std::memcmp(got.data(), expected.data(), got.size() * sizeof(float)))
        << m << "x" << n << "x" << k;
    // The transposed product A' (m x n) B^T (n x k) with B^T given by swapped tables.
    const Matrix<float> A2 = randomFloats(m, n, rng);
    Matrix<float> expectedT(m, k), gotT(m, k);
    scratch.multiply(stridedView(A2), stridedView(stored.transpose()), expectedT.data(), m, false);
    scratch.multiply(stridedView(A2), IndexedMatrix{data.data(), colOffset.data(), rowOffset.data(), n, k},
                     gotT.data(), m, false);
    EXPECT_EQ(0, std::memcmp(gotT.data(), expectedT.data(), gotT.size() * sizeof(float)));
  }
}

// From kPackB rows of A on, B is packed before the product; below, it is read in place. A tall
// product gives the bits of its 8-row slices computed one by one: B stored column-major (the
// MLP's forward), row-major (its dW), with other strides, and given by offsets; n not a
// multiple of 4, k over several blocks.
TEST(Gemm, packed_b_gives_the_bits_of_b_read_in_place) {
  constexpr Index m = 40, n = 23, k = 300;
  static_assert(m >= GemmScratch::kPackB && GemmScratch::kMr < GemmScratch::kPackB);
  Rng rng(40);
  const Matrix<float> A = randomFloats(m, k, rng), stored = randomFloats(k, n, rng);
  const Matrix<float> storedT = stored.transpose();
  const Matrix<float> wide = randomFloats(k, 2 * n, rng);  // B = every other column of it
  const Matrix<float> tall = randomFloats(2 * k, n, rng);  // B = every other row of it
  std::vector<int> rowOffset(k), colOffset(n);
  for (Index i = 0; i < k; ++i) rowOffset[i] = int(((i * 7) % k) * n);
  for (Index j = 0; j < n; ++j) colOffset[j] = int((j * 5 + 3) % n);
  std::vector<float> table(k * n);
  for (float& v : table) v = static_cast<float>(rng.uniform(-1, 1));
  const IndexedMatrix indexed{table.data(), rowOffset.data(), colOffset.data(), k, n};
  auto bothWays = [&](const auto& B, const char* what) {
    GemmScratch scratch;
    Matrix<float> whole(m, n), slices(m, n);
    scratch.multiply(stridedView(A), B, whole.data(), m, false);
    for (Index i = 0; i < m; i += GemmScratch::kMr)
      scratch.multiply(stridedView(A.middleRows(i, GemmScratch::kMr)), B, slices.data() + i, m,
                       false);
    EXPECT_EQ(0, std::memcmp(whole.data(), slices.data(), whole.size() * sizeof(float))) << what;
    EXPECT_NE(whole.squaredNorm(), 0.f) << what;
  };
  bothWays(stridedView(stored), "column-major B");
  bothWays(stridedView(storedT.transpose()), "row-major B");
  bothWays(StridedMatrix{wide.data(), k, n, 1, 2 * k}, "B with a column stride of 2k");
  bothWays(StridedMatrix{tall.data(), k, n, 2, 2 * k}, "B with strides 2 and 2k");
  bothWays(indexed, "B by offsets");
}

// A k x n matrix of random values given by offsets into a column-major table: (p, j) is
// values[p + j k].
struct RandomTable {
  std::vector<float> values;
  std::vector<int> rowOffset, colOffset;
  RandomTable(Index k, Index n, Rng& rng) : values(k * n), rowOffset(k), colOffset(n) {
    for (float& v : values) v = static_cast<float>(rng.uniform(-1, 1));
    for (Index p = 0; p < k; ++p) rowOffset[p] = int(p);
    for (Index j = 0; j < n; ++j) colOffset[j] = int(j * k);
  }
  float& operator()(Index p, Index j) { return values[rowOffset[p] + colOffset[j]]; }
  IndexedMatrix matrix() const {
    return {values.data(), rowOffset.data(), colOffset.data(), Index(rowOffset.size()),
            Index(colOffset.size())};
  }
};

// Whether step i is one to make all zero: in the i-th group of four steps, those whose bit is
// clear in i % 16, so that every pattern of zero and non-zero steps in a group comes up.
bool zeroInPattern(Index i) { return !((i / 4 % 16) >> (i % 4) & 1); }

// With A tall enough to pack B, the steps where a slice of 4 columns of B is all zero are skipped.
// The sums keep their bits: the product equals its 8-row slices (which read B in place and add
// every step) bit for bit, for B with zero columns and rows, scattered zeros, -0 and a NaN; C
// accumulated onto -0 values; and an A holding an infinity and a NaN, whose products with the
// zeros are NaN and must not be skipped. On 2 threads the 5 row panels split by rows, and each
// thread packs B and lists its steps itself, anew for every product: one scratch multiplies B
// and then B with its columns in reverse order, over and over.
TEST(Gemm, skipping_the_zeros_of_b_keeps_the_bits) {
  constexpr Index m = 40, n = 23, k = 600;  // three blocks of k, the last one 88 steps
  static_assert(k > 2 * GemmScratch::kKc && m >= GemmScratch::kPackB);
  Rng rng(41);
  Matrix<float> B = randomFloats(k, n, rng);
  for (Index i = 0; i < k; ++i)
    for (Index j = 0; j < n; ++j) {
      const bool zeroRow = zeroInPattern(i);
      const bool zeroColumns = j >= 8 && j < 12;  // one slice: zero everywhere
      const bool scattered = rng.uniform(0, 1) < 0.3;
      if (zeroRow || zeroColumns || scattered) B(i, j) = (i + j) % 3 ? 0.f : -0.f;
    }
  B(7, 2) = std::nanf("");  // a NaN in a step that is otherwise zero
  const Matrix<float> denseA = randomFloats(m, k, rng);
  Matrix<float> oddA = denseA;
  oddA(3, 11) = INFINITY;  // row 3 and row 21 meet zero steps of B: NaN
  oddA(21, 400) = std::nanf("");
  const Matrix<float> reversed = B.rowwise().reverse();
  const Matrix<float> minusZero = Matrix<float>::Constant(m, n, -0.f);
  GemmScratch scratch;
  for (const int threads : {1, 2}) {
    ASSERT_EQ(setThreads(threads), threads);
    for (const bool accumulate : {false, true}) {
      for (const Matrix<float>* A : std::array<const Matrix<float>*, 2>{&denseA, &oddA}) {
        for (const Matrix<float>* Bi : std::array<const Matrix<float>*, 2>{&B, &reversed}) {
          Matrix<float> whole = minusZero, slices = minusZero;
          scratch.multiply(stridedView(*A), stridedView(*Bi), whole.data(), m, accumulate);
          for (Index i = 0; i < m; i += GemmScratch::kMr)
            scratch.multiply(stridedView(A->middleRows(i, GemmScratch::kMr)), stridedView(*Bi),
                             slices.data() + i, m, accumulate);
          const std::string what = std::string(A == &denseA ? "finite A" : "A with inf and NaN") +
                                   (Bi == &B ? ", B" : ", B reversed") + ", " +
                                   std::to_string(threads) + " threads";
          expectSameBits(whole.data(), slices.data(), whole.size(), what);
          // The all-zero slice (columns 8-11, or 11-14 reversed) gives +0: its sums of nothing
          // start at +0, and -0 + +0 is +0.
          const Index zero = Bi == &B ? 9 : n - 1 - 9;
          if (A == &denseA) {
            EXPECT_EQ(whole(0, zero), 0.f) << what;
            EXPECT_FALSE(std::signbit(whole(0, zero))) << what;
          } else {
            EXPECT_TRUE(std::isnan(whole(3, zero))) << what;  // inf x 0 in the zero slice
            EXPECT_TRUE(std::isnan(whole(21, zero))) << what;
            EXPECT_FALSE(std::isnan(whole(4, zero))) << what;
          }
        }
      }
    }
  }
  ASSERT_EQ(setThreads(1), 1);
}

// B packed ahead (packAhead, then multiplyPacked) gives the bits of B packed in the product, zero
// steps listed: B by offsets over two blocks of k with every pattern of zero steps, m over two
// panels of kPackB. The product reads that copy: values changed after packAhead are not seen.
// It is good for the next product only: after another product on the scratch, or for another
// B, multiplyPacked packs B as multiply does.
TEST(Gemm, b_packed_ahead_gives_the_bits_of_b_packed_in_the_product) {
  constexpr Index m = 2 * GemmScratch::kPackB, n = 22, k = GemmScratch::kKc + 70;
  Rng rng(7);
  const Matrix<float> A = randomFloats(m, k, rng), other = randomFloats(m, 9, rng);
  RandomTable table(k, n, rng);
  for (Index p = 0; p < k; ++p)
    if (zeroInPattern(p))
      for (Index j = 0; j < n; ++j) table(p, j) = 0.f;
  const IndexedMatrix B = table.matrix();
  auto product = [&](auto&& run) {
    Matrix<float> C(m, n);
    run(C.data());
    return C;
  };
  GemmScratch scratch, reference;
  const Matrix<float> want =
      product([&](float* C) { reference.multiply(stridedView(A), B, C, m, false); });
  scratch.packAhead(B);
  expectSameBits(product([&](float* C) { scratch.multiplyPacked(stridedView(A), B, C, m, false); })
                     .data(), want.data(), m * n, "packed ahead");
  // Packed ahead, then changed: the product is that of the values packed.
  scratch.packAhead(B);
  table(k - 1, n - 1) += 1.f;
  expectSameBits(product([&](float* C) { scratch.multiplyPacked(stridedView(A), B, C, m, false); })
                     .data(), want.data(), m * n, "changed after packing ahead");
  const Matrix<float> changed =
      product([&](float* C) { reference.multiply(stridedView(A), B, C, m, false); });
  ASSERT_NE(0, std::memcmp(changed.data(), want.data(), m * n * sizeof(float)));
  // Another product in between: B is packed again, with the values it has now.
  scratch.packAhead(B);
  Matrix<float> small(m, m);
  scratch.multiply(stridedView(A.leftCols(9)), stridedView(other.transpose()), small.data(), m,
                   false);
  expectSameBits(product([&](float* C) { scratch.multiplyPacked(stridedView(A), B, C, m, false); })
                     .data(), changed.data(), m * n, "after another product");
  // Another B (its columns in reverse order): packed in the product.
  std::vector<int> reversed(table.colOffset.rbegin(), table.colOffset.rend());
  const IndexedMatrix backwards{B.data, B.rowOffset, reversed.data(), k, n};
  scratch.packAhead(B);
  expectSameBits(
      product([&](float* C) { scratch.multiplyPacked(stridedView(A), backwards, C, m, false); })
          .data(),
      product([&](float* C) { reference.multiply(stridedView(A), backwards, C, m, false); }).data(),
      m * n, "another B");
}

// A product split over its inner dimension (multiplyChained: training by rows splits layer 1's
// product that way, between the part of the first units and the rest of the network) holds the
// bits of the whole product with its bias, as multiply gives it: A of 10 rows (multiply reads B
// in place) and of 37 (it packs B and skips the steps where a tile's four columns are all zero);
// n with a last tile of 3 columns; k = kKc split after 1, 64 and k - 1 columns, and in three
// pieces; B a ReLU's outputs, four-fifths zeros, some of them -0; and with an infinity in A,
// where nothing may be skipped (infinity x 0 is NaN).
TEST(Gemm, a_product_chained_over_pieces_of_k_keeps_the_bits) {
  constexpr Index n = 23, k = GemmScratch::kKc;
  Rng rng(29);
  Matrix<float> B = randomFloats(k, n, rng);
  for (Index i = 0; i < B.size(); ++i)
    if (B.data()[i] < 0.6f) B.data()[i] = i % 5 ? 0.f : -0.f;
  for (const Index m : {Index(10), Index(37)}) {
    Matrix<float> A = randomFloats(m, k, rng);
    const Matrix<float> bias = randomFloats(m, 1, rng);
    for (const bool infinite : {false, true}) {
      if (infinite) A(3, 100) = INFINITY;
      Matrix<float> want(m, n);
      GemmScratch scratch;
      scratch.multiply(stridedView(A), stridedView(B), want.data(), m, false,
                       {bias.data(), nullptr});
      if (!infinite) {  // and the sums themselves, from a double-precision product
        const Matrix<double> expected =
            (A.cast<double>() * B.cast<double>()).colwise() + bias.col(0).cast<double>();
        for (Index i = 0; i < want.size(); ++i)
          ASSERT_NEAR(want.data()[i], expected.data()[i], 1e-4) << "m " << m << ", element " << i;
      }
      for (const std::vector<Index>& cuts :
           {std::vector<Index>{1}, {64}, {k - 1}, {40, 130}}) {
        Matrix<float> got = Matrix<float>::Constant(m, n, 7.f);
        Index from = 0;
        for (size_t c = 0; c <= cuts.size(); ++c) {
          const Index to = c < cuts.size() ? cuts[c] : k;
          GemmScratch::multiplyChained(stridedView(A.middleCols(from, to - from)),
                                       stridedView(B.middleRows(from, to - from)), got.data(), m,
                                       from > 0, to == k ? bias.data() : nullptr);
          from = to;
        }
        std::string what = "m " + std::to_string(m) + (infinite ? " with infinity" : "") + ", cut";
        for (const Index cut : cuts) what += " " + std::to_string(cut);
        expectSameBits(got.data(), want.data(), want.size(), what);
      }
    }
  }
}

// A dense layer's kernel gradient from the packing of its forward product (multiplyTransposed:
// dZ (m x n) times X^T, X the K x n input as the forward product packed it) holds the bits of
// multiply(dZ, X^T by offsets), the product it replaces: X with every pattern of zero steps in
// a slice (whole groups of four features zero for some of four samples), scattered zeros, -0
// and dense groups; n over two blocks of k with a last slice of 1 sample, K with a last group
// of 2 features; m not a multiple of 8. dZ finite (zero steps skipped, in listed groups) and
// with an infinity and a NaN (none skipped: inf x 0 is NaN); X packed ahead and packed by a
// forward product of kPackB rows; and the bits again for a second batch on the same scratch.
TEST(Gemm, kernel_gradient_from_the_forward_packing_keeps_the_bits) {
  constexpr Index K = 50, n = GemmScratch::kKc + 45, m = 37;
  static_assert(n % 4 == 1 && K % 4 == 2 && n > GemmScratch::kKc);
  Rng rng(17);
  RandomTable table(K, n, rng);  // X: features by samples, each sample's K values together
  for (Index f = 0; f < K; ++f)
    for (Index j = 0; j < n; ++j) {
      const Index group = f / 4, slice = j / 4;
      const bool dense = group % 3 == 0;  // whole groups with every step listed
      const bool zeroStep = (group + slice) % 16 != 15 && !((slice % 16) >> (j % 4) & 1);
      const bool scattered = rng.uniform(0, 1) < 0.3;
      if (!dense && (zeroStep || scattered)) table(f, j) = (f + j) % 3 ? 0.f : -0.f;
    }
  const IndexedMatrix X = [&] {
    IndexedMatrix x = table.matrix();
    x.adjacentRows = true;  // each sample's features in order, as the MLP's input
    return x;
  }();
  const IndexedMatrix XT{table.values.data(), table.colOffset.data(), table.rowOffset.data(), n, K};
  Matrix<float> finite = randomFloats(m, n, rng);
  for (Index i = 0; i < finite.size(); ++i)
    if (rng.uniform(0, 1) < 0.2) finite.data()[i] = 0.f;
  Matrix<float> odd = finite;
  odd(3, 1) = INFINITY;
  odd(30, 290) = std::nanf("");
  const Matrix<float> W = randomFloats(GemmScratch::kPackB, K, rng);
  for (const bool ahead : {true, false}) {
    GemmScratch forward, reference;
    forward.listGroupsOfB();
    for (int batch = 0; batch < 2; ++batch) {
      if (batch == 1) table(4, 7) = 0.5f;  // the second batch differs
      if (ahead) {
        forward.packAhead(X);
      } else {
        Matrix<float> Z(GemmScratch::kPackB, n);
        forward.multiply(stridedView(W), X, Z.data(), Z.rows(), false);
      }
      // The batch in double precision, for the sums themselves.
      Matrix<double> x(K, n);
      for (Index f = 0; f < K; ++f)
        for (Index j = 0; j < n; ++j) x(f, j) = table(f, j);
      for (const Matrix<float>* dZ : {&finite, &odd}) {
        Matrix<float> want(m, K), got(m, K);
        reference.multiply(stridedView(*dZ), XT, want.data(), m, false);
        GemmScratch::multiplyTransposed(stridedView(*dZ), forward.packedB(), K, got.data(), m);
        const std::string what = std::string(ahead ? "packed ahead" : "packed by the forward") +
                                 ", batch " + std::to_string(batch) +
                                 (dZ == &odd ? ", dZ with inf and NaN" : "");
        expectSameBits(got.data(), want.data(), want.size(), what);
        // And the sums themselves, from a double-precision product.
        const Matrix<double> expected = dZ->cast<double>() * x.transpose();
        Index nans = 0;
        for (Index i = 0; i < want.size(); ++i) {
          nans += std::isnan(expected.data()[i]);
          EXPECT_EQ(std::isnan(got.data()[i]), std::isnan(expected.data()[i])) << what << ", " << i;
          if (std::isfinite(expected.data()[i]))
            EXPECT_NEAR(got.data()[i], expected.data()[i], 1e-4) << what << ", element " << i;
        }
        EXPECT_EQ(nans > 0, dZ == &odd) << what;
      }
    }
  }
}

// A given by offsets, as a conv's kernel gradient computed as its transpose reads its patches:
// dW^T (K x F) = cols (K x k, by offsets) dZ^T (k x F) must hold the bits of dW (F x K) = dZ
// cols^T, the product the layer computed before, transposed. Two tables of offsets: rows in
// runs of 8 consecutive values (a kernel row of 8 channels: each panel is one read per step)
// and rows in runs of 5 (one channel: gathered one by one), K not a multiple of 8 in the
// second. dZ has the zeros max pooling leaves, so zero steps are skipped; with an infinity in
// the patches they must not be (inf x 0 is NaN).
TEST(Gemm, a_by_offsets_gives_the_transposed_product_bit_for_bit) {
  constexpr Index F = 16, k = 600, width = 40;  // k positions over three blocks
  Rng rng(77);
  std::vector<float> image(k * 8 + 25 * width);  // past the last offset of both tables
  for (float& v : image) v = static_cast<float>(rng.uniform(-1, 1));
  std::vector<int> positionOffset(k);
  for (Index p = 0; p < k; ++p) positionOffset[p] = int(p * 8);
  Matrix<float> dZ = randomFloats(F, k, rng);
  for (Index i = 0; i < dZ.size(); ++i)
    if (rng.uniform(0, 1) < 0.85) dZ.data()[i] = 0.f;  // whole steps of 4 filters are zero
  dZ.col(100).setZero();  // where the infinity below is
  for (const Index runLength : {Index(8), Index(5)}) {
    const Index K = runLength == 8 ? 200 : 37;
    std::vector<int> patchOffset(K);
    for (Index r = 0; r < K; ++r) patchOffset[r] = int(r / runLength * width + r % runLength);
    for (const bool infinite : {false, true}) {
      std::vector<float> values = image;
      if (infinite) values[patchOffset[3] + positionOffset[100]] = INFINITY;
      const IndexedMatrix cols{values.data(), patchOffset.data(), positionOffset.data(), K, k};
      const IndexedMatrix colsT{values.data(), positionOffset.data(), patchOffset.data(), k, K};
      GemmScratch scratch;
      const Matrix<float> start = randomFloats(F, K, rng);
      Matrix<float> dW = start, dWT = start.transpose();
      scratch.multiply(stridedView(dZ), colsT, dW.data(), F, true);
      scratch.multiply(cols, stridedView(dZ.transpose()), dWT.data(), K, true);
      const Matrix<float> back = dWT.transpose();
      const std::string what = "runs of " + std::to_string(runLength) + (infinite ? ", inf" : "");
      // The sums, from a double-precision product of the stored patches: as close as float
      // allows, and NaN exactly where an infinity met a zero of dZ.
      Matrix<double> stored(K, k);
      for (Index r = 0; r < K; ++r)
        for (Index p = 0; p < k; ++p) stored(r, p) = values[patchOffset[r] + positionOffset[p]];
      const Matrix<double> expected =
          start.cast<double>() + dZ.cast<double>() * stored.transpose();
      expectSameBits(back.data(), dW.data(), dW.size(), what);
      Index nans = 0;
      for (Index i = 0; i < dW.size(); ++i) {
        const float b = back.data()[i];
        const double e = expected.data()[i];
        nans += std::isnan(e);
        EXPECT_EQ(std::isnan(b), std::isnan(e)) << what << ", element " << i;
        if (std::isfinite(e)) EXPECT_NEAR(b, e, 1e-4) << what << ", element " << i;
      }
      EXPECT_EQ(nans > 0, infinite) << what;
    }
  }
}

// An A of one panel stored column-major (8 rows, leading dimension 8) is read in place; the same
// rows inside a taller matrix are packed first. Both give the same bits, over several blocks of k.
TEST(Gemm, one_panel_a_read_in_place_gives_the_bits_of_packing_it) {
  constexpr Index n = 13, k = 600;
  Rng rng(8);
  const Matrix<float> tall = randomFloats(24, k, rng), B = randomFloats(k, n, rng);
  const Matrix<float> own = tall.middleRows(8, GemmScratch::kMr);  // leading dimension 8
  GemmScratch scratch;
  Matrix<float> inPlace(8, n), packed(8, n);
  scratch.multiply(stridedView(own), stridedView(B), inPlace.data(), 8, false);
  scratch.multiply(stridedView(tall.middleRows(8, GemmScratch::kMr)), stridedView(B),
                   packed.data(), 8, false);
  EXPECT_EQ(0, std::memcmp(inPlace.data(), packed.data(), inPlace.size() * sizeof(float)));
  EXPECT_TRUE(inPlace.isApprox(own * B, 1e-5f));
}

// An A of one panel read in place (a one-channel conv's kernel gradient: dZ, 8 filters x k
// positions, times the patches by offsets) skips its steps whose 8 values are all zero when B is
// known finite: the same bits as without skipping, on 1 and 2 threads.
TEST(Gemm, skipping_the_zero_steps_of_a_one_panel_a_keeps_the_bits) {
  constexpr Index n = 25, k = 600;  // 6 tiles and one of a single column; three blocks of k
  Rng rng(43);
  Matrix<float> A = randomFloats(GemmScratch::kMr, k, rng);
  for (Index p = 0; p < k; ++p) {
    const bool zeroStep = zeroInPattern(p);
    for (Index i = 0; i < GemmScratch::kMr; ++i)
      if (zeroStep || rng.uniform(0, 1) < 0.3) A(i, p) = (i + p) % 3 ? 0.f : -0.f;
  }
  A.col(13) << 0.f, 0.f, 0.f, -0.f, 0.5f, 0.f, 0.f, -0.25f;  // only the last four not zero
  A.col(14) << 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.75f;
  A.col(15) << 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, std::nanf(""), 0.f;  // a NaN alone: the step runs
  RandomTable table(k, n, rng);
  Matrix<double> stored(k, n);
  for (Index p = 0; p < k; ++p)
    for (Index j = 0; j < n; ++j) stored(p, j) = table(p, j);
  const Matrix<float> start = randomFloats(GemmScratch::kMr, n, rng);
  for (const bool accumulate : {false, true}) {
    GemmScratch scratch;
    IndexedMatrix B = table.matrix();
    Matrix<float> dense = start;
    ASSERT_EQ(setThreads(1), 1);
    scratch.multiply(stridedView(A), B, dense.data(), GemmScratch::kMr, accumulate);
    B.finite = true;
    for (int threads : {1, 2}) {
      ASSERT_EQ(setThreads(threads), threads);
      Matrix<float> skipping = start;
      scratch.multiply(stridedView(A), B, skipping.data(), GemmScratch::kMr, accumulate);
      const std::string what = std::to_string(threads) + (accumulate ? " threads, +=" : " threads");
      expectSameBits(skipping.data(), dense.data(), dense.size(), what);
    }
    // And the sums themselves, against a double-precision product: row 6 holds the NaN.
    Matrix<double> expected = A.cast<double>() * stored;
    if (accumulate) expected += start.cast<double>();
    for (Index j = 0; j < n; ++j)
      for (Index i = 0; i < GemmScratch::kMr; ++i) {
        if (i == 6) {
          EXPECT_TRUE(std::isnan(dense(i, j)));
        } else {
          EXPECT_NEAR(dense(i, j), expected(i, j), 1e-4) << i << ", " << j;
        }
      }
  }
  ASSERT_EQ(setThreads(1), 1);
}

// B by offsets may flag its columns that are all zero (the first conv's patches over a digit's
// background): where A is finite, a tile of four such columns gets +0 sums without running a
// step. The same bits as without the flags, over three blocks of k, with a bias and a ReLU in
// the last store, accumulated onto -0, for an A of one panel (read in place) and a taller one;
// tiles with only three flagged columns and the last, partial tile are covered. An A holding a
// NaN makes every sum NaN, flagged or not.
TEST(Gemm, tiles_of_columns_flagged_zero_keep_the_bits) {
  constexpr Index n = 23, k = 600;
  Rng rng(44);
  RandomTable table(k, n, rng);
  std::vector<uint8_t> zeroColumn(n, 0);
  for (const Index j : {4, 5, 6, 7, 9, 10, 11, 20, 21, 22}) {  // tiles 1 and 5; 3 of tile 2
    zeroColumn[j] = 1;
    for (Index p = 0; p < k; ++p) table(p, j) = p % 3 ? 0.f : -0.f;
  }
  std::vector<float> bias(13);
  for (float& b : bias) b = static_cast<float>(rng.uniform(-1, 1));
  for (const Index m : {Index(8), Index(13)}) {
    for (const bool nan : {false, true}) {
      Matrix<float> A = randomFloats(m, k, rng);
      if (nan) A(m - 1, 300) = std::nanf("");
      const std::string what = std::to_string(m) + " rows" + (nan ? ", a NaN" : "");
      for (const bool accumulate : {false, true}) {
        GemmScratch scratch;
        IndexedMatrix B = table.matrix();
        B.finite = true;
        const Matrix<float> minusZero = Matrix<float>::Constant(m, n, -0.f);
        Matrix<float> plain = minusZero, flagged = minusZero, plainRelu(m, n), flaggedRelu(m, n);
        const GemmEpilogue last{accumulate ? nullptr : bias.data(), nullptr};
        scratch.multiply(stridedView(A), B, plain.data(), m, accumulate,
                         {last.rowBias, plainRelu.data()});
        B.zeroColumn = zeroColumn.data();
        scratch.multiply(stridedView(A), B, flagged.data(), m, accumulate,
                         {last.rowBias, flaggedRelu.data()});
        expectSameBits(flagged.data(), plain.data(), plain.size(), what);
        expectSameBits(flaggedRelu.data(), plainRelu.data(), plain.size(), what + ", ReLU");
        EXPECT_EQ(flagged(0, 5), accumulate ? 0.f : bias[0]) << what;
        EXPECT_FALSE(std::signbit(flagged(0, 5))) << what;
        EXPECT_NE(flagged(0, 8), accumulate ? 0.f : bias[0]) << what;  // the tile's other column
        EXPECT_EQ(std::isnan(flagged(m - 1, 5)), nan) << what;
      }
    }
  }
}

// A one-panel A that skips its zero steps (the first conv's kernel gradient, A = dZ) also skips
// the steps where B by offsets flags its row as all zero (a patch of background), given that
// A's values there are finite: the same bits as without the flags, on 1 and 2 threads. A NaN
// in A at a flagged step must still reach every sum of its row (NaN x 0); finite values whose
// two halves OR-ed look infinite are kept, and add only zeros.
TEST(Gemm, steps_whose_row_of_b_is_flagged_zero_keep_the_bits) {
  constexpr Index n = 25, k = 602;  // the last block: 22 groups of four steps and 2 single ones
  Rng rng(45);
  Matrix<float> A = randomFloats(GemmScratch::kMr, k, rng);
  for (Index p = 0; p < k; ++p)
    for (Index i = 0; i < GemmScratch::kMr; ++i)
      if (rng.uniform(0, 1) < 0.4) A(i, p) = 0.f;
  RandomTable table(k, n, rng);
  std::vector<uint8_t> zeroRow(k, 0);
  for (Index p = 0; p < k; ++p) {
    zeroRow[p] = zeroInPattern(p + 64) || p == 4 || p == 601;  // every pattern in a group
    if (zeroRow[p])
      for (Index j = 0; j < n; ++j) table(p, j) = (p + j) % 3 ? 0.f : -0.f;
  }
  A(2, 4) = 3.f;
  A(6, 4) = 1.25f;  // exponents 0x80 | 0x7f: the OR of the panel's halves looks infinite
  A(5, 601) = 1.5f;
  const Matrix<float> start = randomFloats(GemmScratch::kMr, n, rng);
  for (const bool nan : {false, true}) {
    Matrix<float> a = A;
    if (nan) a(1, 4) = a(3, 601) = std::nanf("");  // in a group, and a single step at the end
    GemmScratch scratch;
    IndexedMatrix B = table.matrix();
    B.finite = true;
    Matrix<float> plain = start;
    ASSERT_EQ(setThreads(1), 1);
    scratch.multiply(stridedView(a), B, plain.data(), GemmScratch::kMr, true);
    B.zeroRow = zeroRow.data();
    for (int threads : {1, 2}) {
      ASSERT_EQ(setThreads(threads), threads);
      Matrix<float> flagged = start;
      scratch.multiply(stridedView(a), B, flagged.data(), GemmScratch::kMr, true);
      const std::string what = std::to_string(threads) + " threads" + (nan ? ", a NaN" : "");
      expectSameBits(flagged.data(), plain.data(), plain.size(), what);
      EXPECT_EQ(std::isnan(flagged(1, 0)), nan) << what;
      EXPECT_EQ(std::isnan(flagged(3, 0)), nan) << what;
      EXPECT_FALSE(std::isnan(flagged(2, 0))) << what;
    }
  }
  ASSERT_EQ(setThreads(1), 1);
}

// B by offsets with channel masks (a conv's framed output gradient: pixels of c channels, the
// rows of a patch in groups of one pixel's channels) lists each tile's steps that are not zero
// in all four of its positions, and the micro-kernel runs only those where few enough are
// left. The same bits as without the masks, for 4 to 32 channels, positions that cross rows, a
// partial last tile, two blocks of k; and an infinite A, whose products with zeros are NaN, is
// never skipped.
TEST(Gemm, steps_listed_from_channel_masks_keep_the_bits) {
  constexpr int kernel = 5, width = 11, height = 9;  // positions: (height - 4) x (width - 4)
  for (const int c : {4, 16, 32}) {
    Rng rng(46 + c);
    const int shift = __builtin_ctz(unsigned(c));
    std::vector<float> values(Index(height) * width * c);
    for (Index i = 0; i < Index(values.size()); ++i) {
      const Index pixel = i / c;
      // Whole pixels zero, scattered zero channels, and a few rows all non-zero.
      const bool zero = pixel % 3 != 0 ? rng.uniform(0, 1) < 0.8 : rng.uniform(0, 1) < 0.3;
      values[i] = zero ? (i % 5 ? 0.f : -0.f) : static_cast<float>(rng.uniform(-1, 1));
    }
    std::vector<uint32_t> mask(Index(height) * width, 0);
    for (Index i = 0; i < Index(values.size()); ++i)
      if (values[i] != 0.f) mask[i / c] |= 1u << (i % c);
    std::vector<int> rowOffset, colOffset;
    for (int i = 0; i < kernel; ++i)
      for (int v = 0; v < kernel * c; ++v) rowOffset.push_back(i * width * c + v);
    for (int y = 0; y + kernel <= height; ++y)
      for (int x = 0; x + kernel <= width; ++x) colOffset.push_back((y * width + x) * c);
    const Index k = Index(rowOffset.size()), n = Index(colOffset.size());
    for (const bool infinite : {false, true}) {
      Matrix<float> A = randomFloats(GemmScratch::kMr, k, rng);
      if (infinite) A(2, 7) = INFINITY;
      IndexedMatrix B{values.data(), rowOffset.data(), colOffset.data(), k, n, true};
      GemmScratch scratch;
      Matrix<float> plain(GemmScratch::kMr, n), masked(GemmScratch::kMr, n);
      scratch.multiply(stridedView(A), B, plain.data(), GemmScratch::kMr, false);
      B.channelMask = mask.data();
      B.channelShift = shift;
      for (int threads : {1, 2}) {
        ASSERT_EQ(setThreads(threads), threads);
        scratch.multiply(stridedView(A), B, masked.data(), GemmScratch::kMr, false);
        const std::string what = std::to_string(c) + " channels, " + std::to_string(threads) +
                                 " threads" + (infinite ? ", inf" : "");
        expectSameBits(masked.data(), plain.data(), plain.size(), what);
        Index nans = 0;
        for (Index j = 0; j < n; ++j) nans += std::isnan(masked(2, j));
        EXPECT_EQ(nans > 0, infinite) << what;
      }
      Matrix<double> stored(k, n);
      for (Index p = 0; p < k; ++p)
        for (Index j = 0; j < n; ++j) stored(p, j) = values[rowOffset[p] + colOffset[j]];
      if (!infinite) EXPECT_TRUE(masked.cast<double>().isApprox(A.cast<double>() * stored, 1e-5));
    }
  }
  ASSERT_EQ(setThreads(1), 1);
}

// A long sum into a small C (a conv's kernel gradient: k is every position of the batch) goes
// by blocks of k on more than one thread, each block's sum added to C afterwards in order: the
// bits of one thread, which adds block after block into C. Over 13 blocks (the last partial),
// with and without accumulating (onto values that include -0), for a strided A and B with
// partial panels and tiles, an A tall enough to pack B, a one-panel A whose zero steps are
// skipped, and an A by offsets (the transposed kernel gradient); against a double-precision
// product too.
TEST(Gemm, a_long_sum_split_by_blocks_of_k_keeps_the_bits) {
  constexpr Index k = 3300;
  Rng rng(91);
  auto check = [&](const std::string& what, Index m, Index n, auto&& multiply,
                   const Matrix<double>& product) {
    Matrix<float> start = randomFloats(m, n, rng);
    start(0, 0) = -0.f;
    for (const bool accumulate : {false, true}) {
      ASSERT_EQ(setThreads(1), 1);
      Matrix<float> one = start;
      multiply(one.data(), accumulate);
      Matrix<double> expected = product;
      if (accumulate) expected += start.cast<double>();
      for (Index i = 0; i < one.size(); ++i)
        ASSERT_NEAR(one.data()[i], expected.data()[i], 1e-3) << what << ", element " << i;
      for (int threads : {2, 3}) {
        ASSERT_EQ(setThreads(threads), threads);
        Matrix<float> many = start;
        multiply(many.data(), accumulate);
        expectSameBits(many.data(), one.data(), one.size(),
                       what + ", " + std::to_string(threads) + " threads" +
                           (accumulate ? ", +=" : ""));
      }
    }
    ASSERT_EQ(setThreads(1), 1);
  };
  GemmScratch scratch;
  for (const Index m : {Index(20), Index(40)}) {  // B read in place; B packed
    const Matrix<float> A = randomFloats(m, k, rng), B = randomFloats(k, 7, rng);
    check("strided, " + std::to_string(m) + " rows", m, 7,
          [&](float* C, bool accumulate) {
            scratch.multiply(stridedView(A), stridedView(B), C, m, accumulate);
          },
          A.cast<double>() * B.cast<double>());
  }
  Matrix<float> panel = randomFloats(GemmScratch::kMr, k, rng);
  for (Index p = 0; p < k; ++p)
    if (zeroInPattern(p)) panel.col(p).setZero();
  RandomTable table(k, 25, rng);
  IndexedMatrix patches = table.matrix();
  patches.finite = true;
  Matrix<double> stored(k, 25);
  for (Index p = 0; p < k; ++p)
    for (Index j = 0; j < 25; ++j) stored(p, j) = table(p, j);
  check("one panel skipping zero steps", GemmScratch::kMr, 25,
        [&](float* C, bool accumulate) {
          scratch.multiply(stridedView(panel), patches, C, GemmScratch::kMr, accumulate);
        },
        panel.cast<double>() * stored);
  RandomTable rows(k, 200, rng);  // the patches' 200 rows, as the transposed gradient's A
  const IndexedMatrix byOffsets{rows.values.data(), rows.colOffset.data(), rows.rowOffset.data(),
                                200, k};
  Matrix<double> storedA(200, k);
  for (Index r = 0; r < 200; ++r)
    for (Index p = 0; p < k; ++p) storedA(r, p) = rows(p, r);
  const Matrix<float> dZT = randomFloats(k, 16, rng);
  check("A by offsets", 200, 16,
        [&](float* C, bool accumulate) {
          scratch.multiply(byOffsets, stridedView(dZT), C, 200, accumulate);
        },
        storedA * dZT.cast<double>());
}

TEST(Gemm, same_bits_for_any_number_of_threads) {
  // The rows or columns of C are split over the threads, each thread or each piece packing the
  // part of B it reads; every element keeps its one order of sums. 37 x 301 goes by rows on 2
  // and 5 threads and by columns on 3; 128 x 301 over 64 (the MLP's kernel gradient, with a
  // last tile of one column) by columns, as its A is small and its B larger.
  Rng rng(12);
  for (const auto& [m, n, k] : {std::array<Index, 3>{37, 301, 700}, {128, 301, 64}}) {
    const Matrix<float> A = randomFloats(m, k, rng), B = randomFloats(k, n, rng);
    GemmScratch scratch;
    Matrix<float> one(m, n);
    ASSERT_EQ(setThreads(1), 1);
    scratch.multiply(stridedView(A), stridedView(B), one.data(), m, false);
    for (int threads : {2, 3, 5}) {
      ASSERT_EQ(setThreads(threads), threads);
      EXPECT_EQ(threadCount(), threads);
      Matrix<float> many = Matrix<float>::Constant(m, n, 9.f);
      scratch.multiply(stridedView(A), stridedView(B), many.data(), m, false);
      EXPECT_EQ(0, std::memcmp(many.data(), one.data(), one.size() * sizeof(float)))
          << m << " x " << n << " on " << threads << " threads";
    }
  }
  EXPECT_EQ(setThreads(0), 1);  // clamped to [1, kMaxThreads]
  EXPECT_EQ(setThreads(99), kMaxThreads);
  EXPECT_EQ(setThreads(1), 1);
}

}  // namespace
}  // namespace nnplay
