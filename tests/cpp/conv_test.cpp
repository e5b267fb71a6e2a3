// conv2d and maxpool2d: gradients against central differences in double precision, forward
// values computed by hand and by TensorFlow.js, and Keras-order weights through setWeights.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "conv2d_layer.h"
#include "maxpool2d_layer.h"
#include "network.h"
#include "test_util.h"

namespace nnplay {
namespace {

using Mat = Matrix<double>;
using Vec = Vector<double>;
using testing::maxGradientError;

const auto randomMatrix = testing::uniformMatrix;

// A layer's parameters in their own buffers, filled with random values.
struct BoundParameters {
  Vec values, gradients;
  BoundParameters(Layer<double>& layer, Rng& rng) {
    Index total = 0;
    for (const ParamInfo& p : layer.parameters()) total += shapeSize(p.shape);
    values = randomMatrix(total, 1, rng);
    gradients.setZero(total);
    layer.bind(values.data(), gradients.data());
  }
};

// With L = sum(R .* layer(x)) for a random R, checks dL/dparameters and dL/dx (dOut = R).
void expectLayerGradientsMatchNumeric(Layer<double>& layer, Index n) {
  Rng rng(7);
  BoundParameters params(layer, rng);
  Mat x = randomMatrix(layer.inputSize(), n, rng);
  const Mat r = randomMatrix(layer.outputSize(), n, rng);
  const auto loss = [&] {
    layer.forward(x, true, rng);
    return (layer.output().array() * r.array()).sum();
  };
  loss();
  Mat dIn;
  layer.backward(x, r, &dIn);
  const Vec dParams = params.gradients;
  ASSERT_EQ(dIn.rows(), x.rows());
  ASSERT_EQ(dIn.cols(), n);
  EXPECT_LT(maxGradientError(params.values.data(), params.values.size(), dParams.data(), loss),
            1e-7)
      << "dL/dW, dL/db";
  EXPECT_LT(maxGradientError(x.data(), x.size(), dIn.data(), loss), 1e-7) << "dL/dIn";
}

void expectConvGradientsMatchNumeric(const Shape& in, int filters, int kernel, int stride,
                                     Padding padding) {
  for (Activation f :
       {Activation::Linear, Activation::Sigmoid, Activation::Tanh, Activation::Relu}) {
    SCOPED_TRACE(toString(f));
    Conv2dLayer<double> layer(in, filters, kernel, stride, padding, f);
    expectLayerGradientsMatchNumeric(layer, 2);
  }
}

TEST(Conv2d, conv2d_valid_stride1_gradient_matches_numeric) {
  expectConvGradientsMatchNumeric({6, 7, 3}, 4, 3, 1, Padding::Valid);
}

TEST(Conv2d, conv2d_valid_stride2_gradient_matches_numeric) {
  // 7x6 with k3 stride 2: 3x2 outputs, the last input column is never read.
  expectConvGradientsMatchNumeric({7, 6, 2}, 3, 3, 2, Padding::Valid);
}

TEST(Conv2d, conv2d_same_stride1_gradient_matches_numeric) {
  expectConvGradientsMatchNumeric({6, 7, 3}, 4, 3, 1, Padding::Same);
}

TEST(Conv2d, conv2d_same_stride2_gradient_matches_numeric) {
  // 6x7 with k3 stride 2: pad_total 1 on the height (0 before, 1 after), 2 on the width.
  expectConvGradientsMatchNumeric({6, 7, 3}, 4, 3, 2, Padding::Same);
}

TEST(Conv2d, conv2d_same_even_kernel_gradient_matches_numeric) {
  // k4 stride 1: pad_total 3 split 1 before, 2 after.
  expectConvGradientsMatchNumeric({5, 5, 2}, 2, 4, 1, Padding::Same);
}

TEST(MaxPool2d, maxpool2d_gradient_matches_numeric) {
  // 5x7 with size 2: the last row and column do not fill a window and get no gradient.
  MaxPool2dLayer<double> layer({5, 7, 3}, 2);
  expectLayerGradientsMatchNumeric(layer, 2);
}

TEST(MaxPool2d, maxpool2d_size3_gradient_matches_numeric) {
  MaxPool2dLayer<double> layer({6, 6, 2}, 3);
  expectLayerGradientsMatchNumeric(layer, 3);
}

// Runs a linear conv over x with the given Keras-order kernel and bias; returns z.
Mat convForward(const Shape& in, int filters, int kernel, int stride, Padding padding,
                const std::vector<double>& kerasKernel, const std::vector<double>& bias,
                const Mat& x) {
  Conv2dLayer<double> layer(in, filters, kernel, stride, padding, Activation::Linear);
  std::vector<double> values(kerasKernel), gradients(kerasKernel.size() + bias.size());
  values.insert(values.end(), bias.begin(), bias.end());
  layer.bind(values.data(), gradients.data());
  Rng rng(1);
  layer.forward(x, false, rng);
  return layer.output();
}

TEST(Conv2d, conv2d_same_stride2_forward_matches_hand_computed_values) {
  // 4x4 image 1..16, 3x3 kernel of ones, bias 0.5. Same with stride 2 gives 2x2 outputs and
  // pad_total = (2 - 1)*2 + 3 - 4 = 1, all of it after the image (TensorFlow), so output (0,0)
  // sums rows 0-2 x cols 0-2, and output (1,1) sums rows 2-3 x cols 2-3 only.
  Mat x(16, 1);
  for (int i = 0; i < 16; ++i) x(i) = i + 1;
  const Mat z =
      convForward({4, 4, 1}, 1, 3, 2, Padding::Same, std::vector<double>(9, 1.0), {0.5}, x);
  ASSERT_EQ(z.rows(), 4);
  EXPECT_DOUBLE_EQ(z(0), 54.5);  // 1+2+3 + 5+6+7 + 9+10+11
  EXPECT_DOUBLE_EQ(z(1), 45.5);  // 3+4 + 7+8 + 11+12
  EXPECT_DOUBLE_EQ(z(2), 72.5);  // 9+10+11 + 13+14+15
  EXPECT_DOUBLE_EQ(z(3), 54.5);  // 11+12 + 15+16
}

TEST(Conv2d, conv2d_valid_two_channels_forward_matches_hand_computed_values) {
  // 2x2 image with channels (r, g) = (1, 10), (2, 20), (3, 30), (4, 40); a 2x2 kernel with two
  // filters: filter 0 takes the red channel's top-left minus bottom-right, filter 1 sums green.
  Mat x(8, 1);
  x << 1, 10, 2, 20, 3, 30, 4, 40;
  // Keras order [kh, kw, inC, outC]: value (i, j, c, f) at ((i*2 + j)*2 + c)*2 + f.
  std::vector<double> kernel(16, 0.0);
  const auto at = [](int i, int j, int c, int f) { return ((i * 2 + j) * 2 + c) * 2 + f; };
  kernel[at(0, 0, 0, 0)] = 1;
  kernel[at(1, 1, 0, 0)] = -1;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) kernel[at(i, j, 1, 1)] = 1;
  const Mat z = convForward({2, 2, 2}, 2, 2, 1, Padding::Valid, kernel, {0.25, -1}, x);
  ASSERT_EQ(z.rows(), 2);
  EXPECT_DOUBLE_EQ(z(0), 1 - 4 + 0.25);
  EXPECT_DOUBLE_EQ(z(1), 10 + 20 + 30 + 40 - 1);
}

// The 5x6x2 image, 3x3x2x3 and 2x2x2x3 kernels and bias used for the TensorFlow.js values.
struct TfjsCase {
  Mat x{60, 1};
  std::vector<double> kernel3x3, kernel2x2, bias{0.1, -0.2, 0.3};
  TfjsCase() {
    for (int i = 0; i < 60; ++i) x(i) = ((i * 7) % 11 - 5) / 5.0;
    for (int i = 0; i < 54; ++i) kernel3x3.push_back(((i * 5) % 13 - 6) / 10.0);
    for (int i = 0; i < 24; ++i) kernel2x2.push_back(((i * 3) % 7 - 3) / 4.0);
  }
};

void expectValues(const Mat& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), static_cast<Index>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(actual(i), expected[i], 1e-6) << i;
}

// Expected values from TensorFlow.js 4.22 (cpu backend): tf.conv2d(x, k, stride, padding) + b
// and tf.maxPool(x, 2, 2, "valid") on the TfjsCase tensors (x as [1, 5, 6, 2]).
TEST(Conv2d, conv2d_same_stride2_matches_tensorflow) {
  // Height: pad_total 2 (1 before); width: pad_total 1 (0 before, 1 after).
  const TfjsCase t;
  expectValues(
      convForward({5, 6, 2}, 3, 3, 2, Padding::Same, t.kernel3x3, t.bias, t.x),
      {-0.68, 0.04,  0.52, -0.28, -0.58, 0.18, 0.22, -0.62, 0.12, -0.34, 0.86, -0.26, 0.88, -1.1,
       1.62,  -0.46, 0.1,  -0.62, -0.5,  -0.4, 0.24, -0.44, 0.4,  0.22,  0.74, 0.52,  -0.72});
}

TEST(Conv2d, conv2d_same_even_kernel_matches_tensorflow) {
  // k2 stride 1: pad_total 1, all after the image.
  const TfjsCase t;
  expectValues(
      convForward({5, 6, 2}, 3, 2, 1, Padding::Same, t.kernel2x2, t.bias, t.x),
      {1.55,  -0.65, 0.05,  -1.65, 1,     -1.15, 1.2,   -0.65, 0.4,   0.2,   -0.65, 1.4,  -1.35,
       1,     -1.45, 1,     -0.65, 1.3,   1.05,  -0.65, 0.55,  0.05,  -0.65, 1.55,  -1.5, 1,
       -1.3,  1.35,  -0.65, 0.25,  0.35,  -0.65, 1.25,  0.55,  -0.2,  -0.85, -1.65, 1,    -1.15,
       1.2,   -0.65, 0.4,   0.2,   -0.65, 1.4,   -1.35, 1,     -1.45, -0.15, -0.65, 1.75, 0.1,
       0.25,  0.85,  0.05,  -0.65, 1.55,  -1.5,  1,     -1.3,  1.35,  -0.65, 0.25,  0.35, -0.65,
       1.25,  1.55,  -0.65, 0.05,  -0.35, 0.7,   -1.3,  0.3,   -1.1,  0.75,  -0.25, 0.25, 1.2,
       -0.25, 0.5,   -1.1,  0.3,   -0.9,  0.45,  0.3,   -1.2,  0.9,   -0.7,  -0.1,  0.95});
}

TEST(Conv2d, conv2d_valid_even_kernel_matches_tensorflow) {
  const TfjsCase t;
  expectValues(convForward({5, 6, 2}, 3, 2, 1, Padding::Valid, t.kernel2x2, t.bias, t.x),
               {1.55,  -0.65, 0.05,  -1.65, 1,     -1.15, 1.2,   -0.65, 0.4,   0.2,  -0.65, 1.4,
                -1.35, 1,     -1.45, 1.05,  -0.65, 0.55,  0.05,  -0.65, 1.55,  -1.5, 1,     -1.3,
                1.35,  -0.65, 0.25,  0.35,  -0.65, 1.25,  -1.65, 1,     -1.15, 1.2,  -0.65, 0.4,
                0.2,   -0.65, 1.4,   -1.35, 1,     -1.45, -0.15, -0.65, 1.75,  0.05, -0.65, 1.55,
                -1.5,  1,     -1.3,  1.35,  -0.65, 0.25,  0.35,  -0.65, 1.25,  1.55, -0.65, 0.05});
}

TEST(MaxPool2d, maxpool2d_matches_tensorflow_and_drops_the_partial_row) {
  const TfjsCase t;
  MaxPool2dLayer<double> layer({5, 6, 2}, 2);
  ASSERT_EQ(layer.outputShape(), (Shape{2, 3, 2}));
  Rng rng(1);
  layer.forward(t.x, false, rng);
  expectValues(layer.output(), {1, 1, 0.8, 0.8, 0.6, 0.6, 1, 1, 0.8, 0.6, 0.4, 1});
}

TEST(MaxPool2d, maxpool2d_routes_gradient_to_the_window_maximum) {
  // One 2x2 window per channel; channel 0's max is at (1, 0), channel 1's at (0, 1).
  Mat x(8, 1);
  x << 1, -5, 2, 7, 9, 0, 3, 6;  // (y, x, c): (0,0)=(1,-5) (0,1)=(2,7) (1,0)=(9,0) (1,1)=(3,6)
  MaxPool2dLayer<double> layer({2, 2, 2}, 2);
  Rng rng(1);
  layer.forward(x, true, rng);
  EXPECT_EQ(layer.output()(0), 9);
  EXPECT_EQ(layer.output()(1), 7);
  Mat dOut(2, 1), dIn;
  dOut << 0.5, -2;
  layer.backward(x, dOut, &dIn);
  Mat expected(8, 1);
  expected << 0, 0, 0, -2, 0.5, 0, 0, 0;
  EXPECT_EQ(dIn, expected);
}

TEST(MaxPool2d, maxpool2d_float_vector_path_matches_the_scalar_one) {
  // float with channels % 4 == 0 takes the 4-channel vector path; double the scalar loop. Values
  // are multiples of 1/4 in [-1, 1], so windows have ties (the first pixel must win them).
  Rng rng(9);
  const Mat x = (randomMatrix(7 * 9 * 8, 3, rng) * 4).array().round() / 4;
  MaxPool2dLayer<double> scalar({7, 9, 8}, 2);
  MaxPool2dLayer<float> vector({7, 9, 8}, 2);
  const Mat dOut = randomMatrix(scalar.outputSize(), 3, rng);
  scalar.forward(x, true, rng);
  vector.forward(x.cast<float>(), true, rng);
  EXPECT_EQ(Mat(vector.output().cast<double>()), scalar.output());
  Mat dInScalar;
  Matrix<float> dInVector;
  scalar.backward(x, dOut, &dInScalar);
  vector.backward(x.cast<float>(), dOut.cast<float>(), &dInVector);
  EXPECT_EQ(Mat(dInVector.cast<double>()), Mat(dInScalar.cast<float>().cast<double>()));
}

// Max-pooling's backward with the ReLU before it folded in (what training uses) against the two
// passes it replaces, on the float vector path (8 channels), the scalar path (3 channels) and in
// double. The input is a ReLU's output: a quarter of it 0, the rest multiples of 1/4 (ties).
template <typename T>
void expectBackwardThroughReluMatchesTwoPasses(int channels) {
  Rng rng(11);
  const Mat z = (randomMatrix(7 * 9 * channels, 3, rng) * 4).array().round() / 4 - 0.25;
  Matrix<T> a;
  activationForward(Activation::Relu, Matrix<T>(z.template cast<T>()), a);
  ASSERT_GT((a.array() == T(0)).count(), a.size() / 5);
  MaxPool2dLayer<T> layer({7, 9, channels}, 2);
  layer.forward(a, true, rng);
  const Matrix<T> dOut = randomMatrix(layer.outputSize(), 3, rng).template cast<T>();
  Matrix<T> dA, twoPasses, fused;
  layer.backward(a, dOut, &dA);
  activationBackward(Activation::Relu, Matrix<T>(z.template cast<T>()), a, dA, twoPasses);
  layer.backwardThroughRelu(dOut, fused);
  EXPECT_GT((fused.array() != T(0)).count(), 0);
  ASSERT_EQ(fused.rows(), twoPasses.rows());
  for (Index i = 0; i < fused.size(); ++i)  // same bits, zeros' signs included
    ASSERT_EQ(std::signbit(fused.data()[i]), std::signbit(twoPasses.data()[i])) << i;
  EXPECT_EQ(fused, twoPasses);
}

TEST(MaxPool2d, backward_through_relu_matches_maxpool_then_relu_backward) {
  expectBackwardThroughReluMatchesTwoPasses<float>(8);
  expectBackwardThroughReluMatchesTwoPasses<float>(3);
  expectBackwardThroughReluMatchesTwoPasses<double>(8);
}

// Training folds the ReLU's backward into the max-pooling after it; inspect does not (it shows
// dL/da). A step of plain SGD with lr 1 moves every parameter by exactly its gradient, so the
// step must equal previewUpdate's gradient to the bit.
TEST(Conv2d, training_step_uses_the_gradient_inspect_computes) {
  Network<float> net(parseConfig(std::string(R"({"input": [8, 8, 1], "layers": [
      {"type": "conv2d", "filters": 4, "kernel": 3, "padding": "same", "activation": "relu"},
      {"type": "maxpool2d", "size": 2},
      {"type": "conv2d", "filters": 8, "kernel": 3, "padding": "same", "activation": "relu"},
      {"type": "maxpool2d", "size": 2},
      {"type": "flatten"}, {"type": "dense", "units": 3, "activation": "softmax"}],
    "loss": "cross_entropy", "optimizer": {"type": "sgd", "lr": 1}, "seed": 4})")));
  Rng rng(2);
  const Matrix<float> x = randomMatrix(64, 6, rng).cast<float>();
  Matrix<float> y = Matrix<float>::Zero(3, 6);
  for (Index j = 0; j < 6; ++j) y(j % 3, j) = 1;
  const Vector<float> before = net.parameters();
  const UpdatePreview<float> preview = net.previewUpdate(x, y);
  net.trainBatch(x, y);
  Index offset = 0, moved = 0;
  for (const NamedTensor<float>& g : preview.gradients)
    for (float gk : g.data) {
      EXPECT_EQ(net.parameters()[offset], before[offset] - gk) << g.name << " at " << offset;
      moved += gk != 0.f;
      ++offset;
    }
  EXPECT_EQ(offset, net.parameters().size());
  EXPECT_GT(moved, offset / 2);
}

TEST(Conv2d, conv2d_large_batch_in_chunks_matches_small_batches) {
  // 28x28x1 with k5 same: 19600 im2col values per sample, so 600 samples need two chunks and
  // backward recomputes the columns; 300 samples fit in one and reuse them.
  const Shape in{28, 28, 1};
  Conv2dLayer<double> big(in, 2, 5, 1, Padding::Same, Activation::Tanh);
  ASSERT_GT(600, Conv2dLayer<double>::kMaxColumnValues / (25 * 784));
  ASSERT_LE(300, Conv2dLayer<double>::kMaxColumnValues / (25 * 784));
  Rng rng(3);
  BoundParameters params(big, rng);
  const Mat x = randomMatrix(784, 600, rng);
  const Mat dOut = randomMatrix(big.outputSize(), 600, rng);
  big.forward(x, true, rng);
  Mat dIn;
  big.backward(x, dOut, &dIn);
  const Mat out = big.output();
  const Vec gradients = params.gradients;

  Conv2dLayer<double> small(in, 2, 5, 1, Padding::Same, Activation::Tanh);
  Vec summed = Vec::Zero(gradients.size()), smallGradients(gradients.size());
  small.bind(params.values.data(), smallGradients.data());
  for (Index start : {0, 300}) {
    const Mat half = x.middleCols(start, 300);
    small.forward(half, true, rng);
    Mat halfDIn;
    small.backward(half, dOut.middleCols(start, 300), &halfDIn);
    summed += smallGradients;
    EXPECT_TRUE(small.output().isApprox(out.middleCols(start, 300), 1e-14));
    EXPECT_TRUE(halfDIn.isApprox(dIn.middleCols(start, 300), 1e-14));
  }
  EXPECT_TRUE(summed.isApprox(gradients, 1e-12));
}

// The same float conv twice over one set of random parameters: by implicit GEMM (WebAssembly's
// path) and by im2col + Eigen, each with a gradient buffer of its own.
struct ImplicitAndIm2col {
  Conv2dLayer<float> implicit, explicit_;
  Vector<float> values, g1, g2;  // the parameters; the gradients of implicit, of explicit_
  ImplicitAndIm2col(const Shape& in, int filters, int kernel, int stride, Padding padding,
                    Activation f, Rng& rng)
      : implicit(in, filters, kernel, stride, padding, f),
        explicit_(in, filters, kernel, stride, padding, f) {
    implicit.setImplicitGemm(true);
    explicit_.setImplicitGemm(false);
    Index total = 0;
    for (const ParamInfo& p : implicit.parameters()) total += shapeSize(p.shape);
    values = randomMatrix(total, 1, rng).cast<float>();
    g1.resize(total);
    g2.resize(total);
    implicit.bind(values.data(), g1.data());
    explicit_.bind(values.data(), g2.data());
  }
};

TEST(Conv2d, implicit_gemm_agrees_with_im2col_forward_and_backward) {
  // The implicit-GEMM path (WebAssembly's default for float) against im2col + Eigen, natively:
  // same outputs, kernel gradients and input gradients to float precision, for "same" and
  // "valid" padding, stride 1 (dIn by convolution of dZ) and stride 2 (dIn by col2im).
  struct Case { Shape in; int filters, kernel, stride; Padding padding; };
  for (const Case& c : {Case{{9, 8, 3}, 5, 3, 1, Padding::Same}, Case{{7, 9, 2}, 4, 4, 1, Padding::Valid},
                        Case{{10, 9, 3}, 6, 3, 2, Padding::Same}, Case{{28, 28, 1}, 8, 5, 1, Padding::Same}}) {
    Rng rng(3);
    ImplicitAndIm2col pair(c.in, c.filters, c.kernel, c.stride, c.padding, Activation::Tanh, rng);
    auto& [implicit, explicit_, values, g1, g2] = pair;
    const Index n = 3;
    const Matrix<float> x = randomMatrix(implicit.inputSize(), n, rng).cast<float>();
    const Matrix<float> dOut = randomMatrix(implicit.outputSize(), n, rng).cast<float>();
    implicit.forward(x, true, rng);
    explicit_.forward(x, true, rng);
    EXPECT_TRUE(implicit.output().isApprox(explicit_.output(), 1e-5f));
    Matrix<float> dIn1, dIn2;
    implicit.backward(x, dOut, &dIn1);
    explicit_.backward(x, dOut, &dIn2);
    EXPECT_TRUE(g1.isApprox(g2, 1e-5f)) << "kernel " << c.kernel << " stride " << c.stride;
    EXPECT_TRUE(dIn1.isApprox(dIn2, 1e-5f)) << "kernel " << c.kernel << " stride " << c.stride;
    EXPECT_GT(dIn1.cwiseAbs().maxCoeff(), 1e-3f);
  }
}

TEST(Conv2d, implicit_kernel_gradient_skips_zero_gradients_only_over_finite_images) {
  // A one-channel conv's kernel gradient (implicit GEMM) skips the positions where all 8
  // filters' dZ is zero, as max pooling leaves most of them, only while the images are finite:
  // an infinite pixel times a zero gradient is NaN, as im2col + Eigen's plain sum gives it.
  Rng rng(5);
  ImplicitAndIm2col pair({28, 28, 1}, 8, 5, 1, Padding::Same, Activation::Linear, rng);
  auto& [implicit, explicit_, values, g1, g2] = pair;
  const Index n = 3;
  Matrix<float> dOut = randomMatrix(implicit.outputSize(), n, rng).cast<float>();
  for (Index s = 0; s < n; ++s)
    for (Index p = 0; p < 28 * 28; ++p) {
      const Index y = p / 28, x = p % 28;
      const bool nearPixel = s == 1 && std::abs(y - 10) <= 2 && std::abs(x - 10) <= 2;
      if (nearPixel || rng.uniform(0, 1) < 0.7) dOut.col(s).segment(p * 8, 8).setZero();
    }
  for (const bool infinite : {false, true}) {
    Matrix<float> x = randomMatrix(implicit.inputSize(), n, rng).cast<float>();
    if (infinite) x(10 * 28 + 10, 1) = INFINITY;  // every kernel value meets it, at a zero dZ
    implicit.forward(x, true, rng);
    explicit_.forward(x, true, rng);
    Matrix<float> dIn;
    implicit.backward(x, dOut, &dIn);
    explicit_.backward(x, dOut, &dIn);
    for (Index i = 0; i < 208; ++i) {
      const bool kernelValue = i < 200;
      EXPECT_EQ(std::isnan(g1[i]), infinite && kernelValue) << "gradient " << i;
      EXPECT_EQ(std::isnan(g2[i]), infinite && kernelValue) << "gradient " << i;
      if (!std::isnan(g2[i])) EXPECT_NEAR(g1[i], g2[i], 1e-4f * (1 + std::abs(g2[i]))) << i;
    }
  }
}

TEST(Conv2d, implicit_gemm_over_a_zero_background_agrees_with_im2col) {
  // One-channel images that are zero but for a few strokes, as digits are: the implicit GEMM
  // flags the positions whose patch is all zero and skips them, in the forward (tiles of four)
  // and in the kernel gradient (steps). Against im2col + Eigen, for odd and even sizes, strides
  // 1 and 2, both paddings, and strokes at the images' edges and corners; a frame wider than 64
  // pixels gets no flags. A position flagged wrongly would give the bias alone.
  struct Case { Shape in; int kernel, stride; Padding padding; };
  for (const Case& c : {Case{{28, 28, 1}, 5, 1, Padding::Same}, Case{{13, 11, 1}, 3, 1, Padding::Same},
                        Case{{12, 15, 1}, 4, 2, Padding::Same}, Case{{9, 17, 1}, 3, 1, Padding::Valid},
                        Case{{7, 70, 1}, 3, 1, Padding::Same}}) {
    Rng rng(6);
    ImplicitAndIm2col pair(c.in, 8, c.kernel, c.stride, c.padding, Activation::Linear, rng);
    auto& [implicit, explicit_, values, g1, g2] = pair;
    const Index total = values.size();
    const Index n = 3, h = c.in[0], w = c.in[1];
    Matrix<float> x = Matrix<float>::Zero(h * w, n);
    auto stroke = [&](Index s, Index y, Index x0) { x(y * w + x0, s) = 0.5f + float(s); };
    stroke(0, 0, 0);
    stroke(0, h - 1, w - 1);
    stroke(1, h / 2, 0);
    stroke(1, h / 2, 1);
    stroke(1, 0, w - 1);
    for (Index y = 2; y < h - 2; ++y) stroke(2, y, y % w);  // a diagonal
    x(w + 2, 1) = -0.f;
    const Matrix<float> dOut = randomMatrix(implicit.outputSize(), n, rng).cast<float>();
    implicit.forward(x, true, rng);
    explicit_.forward(x, true, rng);
    const std::string what = std::to_string(h) + "x" + std::to_string(w) + ", kernel " +
                             std::to_string(c.kernel) + ", stride " + std::to_string(c.stride);
    for (Index i = 0; i < implicit.output().size(); ++i)
      ASSERT_NEAR(implicit.output().data()[i], explicit_.output().data()[i], 1e-5f)
          << what << ", output " << i;
    Matrix<float> dIn;
    implicit.backward(x, dOut, &dIn);
    explicit_.backward(x, dOut, &dIn);
    for (Index i = 0; i < total; ++i)
      EXPECT_NEAR(g1[i], g2[i], 1e-4f * (1 + std::abs(g2[i]))) << what << ", gradient " << i;
  }
}

TEST(Conv2d, implicit_input_gradient_over_sparse_output_gradients_agrees_with_im2col) {
  // The digits CNN's second conv (8 -> 16 channels, 14 x 14, kernel 5) gets dZ with the zeros
  // max pooling leaves (3 positions in 4) and those of a ReLU; its input gradient skips the
  // steps where dZ is zero at all four positions of a tile. Against im2col + Eigen, and with an
  // infinite kernel value, NaN at least wherever im2col gives NaN (inf x 0: not skipped).
  Rng rng(7);
  ImplicitAndIm2col pair({14, 14, 8}, 16, 5, 1, Padding::Same, Activation::Linear, rng);
  auto& [implicit, explicit_, values, g1, g2] = pair;
  const Index n = 3;
  const Matrix<float> x = randomMatrix(implicit.inputSize(), n, rng).cast<float>();
  Matrix<float> dOut = randomMatrix(implicit.outputSize(), n, rng).cast<float>();
  for (Index s = 0; s < n; ++s)
    for (Index p = 0; p < 14 * 14; ++p)
      for (Index f = 0; f < 16; ++f)
        if ((p / 14 % 2) + (p % 2) > 0 || rng.uniform(0, 1) < 0.4) dOut(p * 16 + f, s) = 0.f;
  for (const bool infinite : {false, true}) {
    if (infinite) values[3 * 16 + 5] = INFINITY;  // kernel (0, 0, channel 3), filter 5
    implicit.forward(x, true, rng);
    explicit_.forward(x, true, rng);
    Matrix<float> dIn1, dIn2;
    implicit.backward(x, dOut, &dIn1);
    explicit_.backward(x, dOut, &dIn2);
    Index nans = 0;
    for (Index i = 0; i < dIn1.size(); ++i) {
      const float a = dIn1.data()[i], b = dIn2.data()[i];
      nans += std::isnan(b);
      // (With the infinity, the implicit product also meets the zeros of dZ's frame, where
      // col2im adds nothing: NaN in more places, never in fewer.)
      if (std::isnan(b) || (infinite && std::isnan(a))) {
        ASSERT_TRUE(std::isnan(a)) << "value " << i;
      } else if (std::isfinite(b)) {
        ASSERT_NEAR(a, b, 1e-5f) << "value " << i;
      } else if (!std::isnan(b)) {
        ASSERT_EQ(a, b) << "value " << i;  // an infinity times a gradient that is not zero
      }
    }
    EXPECT_EQ(nans > 0, infinite);
    EXPECT_GT(dIn1.cwiseAbs().maxCoeff(), 1e-2f);
  }
}

TEST(Conv2d, implicit_gemm_relu_from_the_last_store_is_max_of_z_and_0) {
  // With implicit GEMM a ReLU layer's output comes from the GEMM's last store: it must be
  // max(z, 0) bit for bit (and z the same as with the ReLU applied in a pass of its own).
  Conv2dLayer<float> fused({9, 8, 3}, 5, 3, 1, Padding::Same, Activation::Relu);
  Conv2dLayer<float> plain({9, 8, 3}, 5, 3, 1, Padding::Same, Activation::Linear);
  fused.setImplicitGemm(true);
  plain.setImplicitGemm(true);
  Rng rng(8);
  Index total = 0;
  for (const ParamInfo& p : fused.parameters()) total += shapeSize(p.shape);
  Vector<float> values = randomMatrix(total, 1, rng).cast<float>(), g(total);
  fused.bind(values.data(), g.data());
  plain.bind(values.data(), g.data());
  const Matrix<float> x = randomMatrix(fused.inputSize(), 4, rng).cast<float>();
  fused.forward(x, true, rng);
  plain.forward(x, true, rng);
  EXPECT_EQ(fused.z(), plain.output());
  Index zeros = 0;
  for (Index i = 0; i < fused.z().size(); ++i) {
    const float z = fused.z().data()[i], a = fused.output().data()[i];
    ASSERT_EQ(a, z < 0.f ? 0.f : z) << i;
    zeros += a == 0.f;
  }
  EXPECT_GT(zeros, fused.z().size() / 5);
}

Config cnnConfig(LossType loss) {
  return parseConfig(std::string(R"({
    "input": [6, 6, 2],
    "layers": [
      {"type": "conv2d", "filters": 3, "kernel": 3, "stride": 1, "padding": "same",
       "activation": "tanh"},
      {"type": "maxpool2d", "size": 2},
      {"type": "conv2d", "filters": 4, "kernel": 2, "stride": 1, "padding": "valid",
       "activation": "relu"},
      {"type": "flatten"},
      {"type": "dense", "units": 3, "activation": "softmax"}],
    "loss": ")") + toString(loss) +
                     R"(", "seed": 5})");
}

TEST(Conv2d, cnn_network_gradient_matches_numeric) {
  // Through the whole network: conv -> maxpool -> conv -> flatten -> dense, cross_entropy.
  Network<double> net(cnnConfig(LossType::CrossEntropy));
  Rng rng(11);
  const Mat x = randomMatrix(72, 4, rng);
  Mat y = Mat::Zero(3, 4);
  for (Index j = 0; j < 4; ++j) y(j % 3, j) = 1;
  const Inspection<double> inspection = net.inspect(x, y);
  Vec analytic(net.parameters().size());
  Index offset = 0;
  for (const LayerInspection<double>& layer : inspection.layers)
    for (const Mat* g : {&layer.dW, &layer.db}) {
      analytic.segment(offset, g->size()) = g->reshaped();
      offset += g->size();
    }
  ASSERT_EQ(offset, analytic.size());
  EXPECT_LT(maxGradientError(net.parameters().data(), net.parameters().size(), analytic.data(),
                             [&] { return net.evaluate(x, y).loss; }),
            1e-7);
}

TEST(Conv2d, conv2d_keras_order_weights_give_expected_output) {
  // setWeights takes the kernel as [kh, kw, inC, outC]; the network must then compute the
  // convolution written out directly from that index order, with NHWC images.
  Network<double> net(cnnConfig(LossType::CrossEntropy));
  std::vector<NamedTensor<double>> weights = net.weights();
  ASSERT_EQ(weights[0].name, "conv2d_0/kernel");
  ASSERT_EQ(weights[0].shape, (Shape{3, 3, 2, 3}));
  for (size_t i = 0; i < weights[0].data.size(); ++i) weights[0].data[i] = std::sin(1.0 + i);
  weights[1].data = {0.1, -0.2, 0.3};
  net.setWeights(weights);
  Rng rng(2);
  const Mat x = randomMatrix(72, 1, rng);

  // Reference: same padding with stride 1 and k3 pads one pixel on every side.
  const auto kernel = [&](int i, int j, int c, int f) {
    return weights[0].data[((i * 3 + j) * 2 + c) * 3 + f];
  };
  Mat expected(6 * 6 * 3, 1);
  for (int oy = 0; oy < 6; ++oy)
    for (int ox = 0; ox < 6; ++ox)
      for (int f = 0; f < 3; ++f) {
        double sum = weights[1].data[f];
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j)
            for (int c = 0; c < 2; ++c) {
              const int iy = oy + i - 1, ix = ox + j - 1;
              if (iy >= 0 && iy < 6 && ix >= 0 && ix < 6)
                sum += kernel(i, j, c, f) * x((iy * 6 + ix) * 2 + c);
            }
        expected((oy * 6 + ox) * 3 + f) = sum;
      }
  Mat y = Mat::Zero(3, 1);
  y(0) = 1;
  const Inspection<double> inspection = net.inspect(x, y);
  EXPECT_TRUE(inspection.layers[0].z.isApprox(expected, 1e-14));
}

TEST(Conv2d, cnn_training_reduces_loss_and_is_deterministic) {
  Rng rng(4);
  const Mat x = randomMatrix(72, 30, rng);
  Mat y = Mat::Zero(3, 30);
  for (Index j = 0; j < 30; ++j) y(x.col(j).sum() > 0 ? 0 : (j % 2 ? 1 : 2), j) = 1;
  Config config = cnnConfig(LossType::CrossEntropy);
  config.optimizer = {OptimizerType::Adam, 0.01};
  Network<double> a(config), b(config);
  const double before = a.evaluate(x, y).loss;
  a.fit(x, y, 20, true);
  b.fit(x, y, 20, true);
  EXPECT_LT(a.evaluate(x, y).loss, 0.5 * before);
  EXPECT_EQ(a.parameters(), b.parameters());
}

}  // namespace
}  // namespace nnplay
