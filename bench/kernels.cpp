// Google Benchmark of the native kernels behind the bench rows (build/native/nnplay_kernels):
// the MLP's matrix products with Eigen and with core/gemm.h's packed kernel (the one WASM builds
// use; items/s are FLOP/s), and the dense and conv2d layers' forward and backward passes on a
// batch of 64 (items/s are samples/s). Native builds compile with -O3 and no -march (SSE2).
#include <benchmark/benchmark.h>

#include "conv2d_layer.h"
#include "dense_layer.h"
#include "gemm.h"

namespace nnplay {
namespace {

constexpr Index kBatch = 64;

Matrix<float> randomFloats(Index rows, Index cols, Rng& rng) {
  Matrix<float> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.uniform(-1, 1));
  return m;
}

// The MLP's products: forward W x (128 x 784 times 784 x 64), dW = dz x^T (128 x 64 times
// 64 x 784) and dIn = W^T dz (784 x 128 times 128 x 64).
enum class Product { Forward, KernelGradient, InputGradient };

struct ProductOperands {
  Matrix<float> W, x, dz, out;
  explicit ProductOperands(Product p) {
    Rng rng(1);
    W = randomFloats(128, 784, rng);
    x = randomFloats(784, kBatch, rng);
    dz = randomFloats(128, kBatch, rng);
    out = p == Product::Forward ? Matrix<float>(128, kBatch)
          : p == Product::KernelGradient ? Matrix<float>(128, 784)
                                         : Matrix<float>(784, kBatch);
  }
};

void setFlops(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * 2 * 128 * 784 * kBatch);
}

void BM_MlpProductEigen(benchmark::State& state) {
  const auto p = static_cast<Product>(state.range(0));
  ProductOperands m(p);
  for (auto _ : state) {
    if (p == Product::Forward) m.out.noalias() = m.W * m.x;
    if (p == Product::KernelGradient) m.out.noalias() = m.dz * m.x.transpose();
    if (p == Product::InputGradient) m.out.noalias() = m.W.transpose() * m.dz;
    benchmark::DoNotOptimize(m.out.data());
  }
  setFlops(state);
}

void BM_MlpProductPacked(benchmark::State& state) {
  const auto p = static_cast<Product>(state.range(0));
  ProductOperands m(p);
  GemmScratch scratch;
  for (auto _ : state) {
    float* out = m.out.data();
    const Index ld = m.out.rows();
    if (p == Product::Forward) scratch.multiply(stridedView(m.W), stridedView(m.x), out, ld, false);
    if (p == Product::KernelGradient)
      scratch.multiply(stridedView(m.dz), stridedView(m.x.transpose()), out, ld, false);
    if (p == Product::InputGradient)
      scratch.multiply(stridedView(m.W.transpose()), stridedView(m.dz), out, ld, false);
    benchmark::DoNotOptimize(out);
  }
  setFlops(state);
}

// A layer over its own parameter buffers, with a batch of inputs and output gradients.
template <typename LayerType>
struct LayerFixture {
  LayerType layer;
  Vector<float> values, gradients;
  Matrix<float> in, dOut, dIn;
  Rng rng{3};
  template <typename... Args>
  explicit LayerFixture(Args... args) : layer(args...) {
    Index size = 0;
    for (const ParamInfo& p : layer.parameters()) size += shapeSize(p.shape);
    values.setZero(size);
    gradients.setZero(size);
    layer.bind(values.data(), gradients.data());
    layer.initialize(InitType::He, rng);
    in = randomFloats(layer.inputSize(), kBatch, rng);
    dOut = randomFloats(layer.outputSize(), kBatch, rng);
  }
  void forward(benchmark::State& state) {
    for (auto _ : state) {
      layer.forward(in, true, rng);
      benchmark::DoNotOptimize(layer.output().data());
    }
    state.SetItemsProcessed(state.iterations() * kBatch);
  }
  void backward(benchmark::State& state) {
    layer.forward(in, true, rng);
    for (auto _ : state) {
      layer.backward(in, dOut, &dIn);
      benchmark::DoNotOptimize(dIn.data());
    }
    state.SetItemsProcessed(state.iterations() * kBatch);
  }
};

void BM_DenseForward(benchmark::State& state) {
  LayerFixture<DenseLayer<float>>(Shape{784}, 128, Activation::Relu).forward(state);
}
void BM_DenseBackward(benchmark::State& state) {
  LayerFixture<DenseLayer<float>>(Shape{784}, 128, Activation::Relu).backward(state);
}

// The benchmark CNN's convolutions: 28x28x1 -> 8 filters and 14x14x8 -> 16, 5x5, same.
Shape convInput(int layer) { return layer == 0 ? Shape{28, 28, 1} : Shape{14, 14, 8}; }
int convFilters(int layer) { return layer == 0 ? 8 : 16; }

void BM_ConvForward(benchmark::State& state) {
  const int l = static_cast<int>(state.range(0));
  LayerFixture<Conv2dLayer<float>>(convInput(l), convFilters(l), 5, 1, Padding::Same,
                                   Activation::Relu)
      .forward(state);
}
void BM_ConvBackward(benchmark::State& state) {
  const int l = static_cast<int>(state.range(0));
  LayerFixture<Conv2dLayer<float>>(convInput(l), convFilters(l), 5, 1, Padding::Same,
                                   Activation::Relu)
      .backward(state);
}

BENCHMARK(BM_MlpProductEigen)->DenseRange(0, 2)->ArgName("fwd|dW|dIn");
BENCHMARK(BM_MlpProductPacked)->DenseRange(0, 2)->ArgName("fwd|dW|dIn");
BENCHMARK(BM_DenseForward);
BENCHMARK(BM_DenseBackward);
BENCHMARK(BM_ConvForward)->DenseRange(0, 1)->ArgName("layer");
BENCHMARK(BM_ConvBackward)->DenseRange(0, 1)->ArgName("layer");

}  // namespace
}  // namespace nnplay

BENCHMARK_MAIN();
