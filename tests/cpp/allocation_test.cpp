// Training allocates nothing once warm: every buffer (activations, gradients, im2col columns,
// GEMM packing) reaches its size in the first batch and is reused after it, as long as the batch
// size stays the same (a short last batch resizes the activations, and the next epoch's first
// batch resizes them back). Counted with a malloc that this test binary interposes (glibc); not
// under AddressSanitizer, which owns malloc.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>

#include "network.h"

#if !defined(__SANITIZE_ADDRESS__) && defined(__GLIBC__)
#define NNPLAY_COUNT_MALLOC 1
extern "C" void* __libc_malloc(size_t);
extern "C" void* __libc_calloc(size_t, size_t);
extern "C" void* __libc_realloc(void*, size_t);
extern "C" void* __libc_memalign(size_t, size_t);

namespace {
std::atomic<long> allocations{0};
}

extern "C" void* malloc(size_t size) {
  ++allocations;
  return __libc_malloc(size);
}
extern "C" void* calloc(size_t count, size_t size) {
  ++allocations;
  return __libc_calloc(count, size);
}
extern "C" void* realloc(void* p, size_t size) {
  ++allocations;
  return __libc_realloc(p, size);
}
extern "C" void* aligned_alloc(size_t alignment, size_t size) {
  ++allocations;
  return __libc_memalign(alignment, size);
}
#endif

namespace nnplay {
namespace {

// Allocations during the second epoch of training on 48 samples in batches of 16.
long allocationsInSecondEpoch(const std::string& config, Index inputs, Index outputs) {
  Network<float> net(parseConfig(config));
  Rng rng(5);
  const Index n = 48;
  Matrix<float> x(inputs, n), y = Matrix<float>::Zero(outputs, n);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.uniform());
  for (Index j = 0; j < n; ++j) y(j % outputs, j) = 1;
  net.trainEpoch(x, y, true, 16);
#ifdef NNPLAY_COUNT_MALLOC
  const long before = allocations.load();
  net.trainEpoch(x, y, true, 16);
  return allocations.load() - before;
#else
  return 0;
#endif
}

TEST(Allocation, training_allocates_nothing_after_the_first_epoch) {
#ifndef NNPLAY_COUNT_MALLOC
  GTEST_SKIP() << "malloc is not interposable in this build";
#endif
  EXPECT_EQ(0, allocationsInSecondEpoch(R"({"input": [12], "loss": "cross_entropy",
      "optimizer": {"type": "adam", "lr": 0.01},
      "layers": [{"type": "dense", "units": 9, "activation": "relu"},
                 {"type": "dense", "units": 5, "activation": "tanh"},
                 {"type": "dense", "units": 3, "activation": "softmax"}]})",
                                        12, 3));
  EXPECT_EQ(0, allocationsInSecondEpoch(R"({"input": [12, 12, 1], "loss": "cross_entropy",
      "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9},
      "layers": [{"type": "conv2d", "filters": 4, "kernel": 3, "padding": "same", "activation": "relu"},
                 {"type": "maxpool2d", "size": 2},
                 {"type": "conv2d", "filters": 6, "kernel": 3, "activation": "relu"},
                 {"type": "flatten"},
                 {"type": "dropout", "rate": 0.2},
                 {"type": "dense", "units": 4, "activation": "softmax"}]})",
                                        144, 4));
  EXPECT_EQ(0, allocationsInSecondEpoch(R"({"input": [3], "loss": "bce",
      "layers": [{"type": "dense", "units": 8, "activation": "sigmoid"},
                 {"type": "dense", "units": 1, "activation": "sigmoid"}]})",
                                        3, 1));
  // Batch norm after dense and conv layers, and average pooling.
  EXPECT_EQ(0, allocationsInSecondEpoch(R"({"input": [12], "loss": "cross_entropy",
      "layers": [{"type": "dense", "units": 9}, {"type": "batchnorm", "activation": "relu"},
                 {"type": "dense", "units": 3, "activation": "softmax"}]})",
                                        12, 3));
  EXPECT_EQ(0, allocationsInSecondEpoch(R"({"input": [12, 12, 1], "loss": "cross_entropy",
      "layers": [{"type": "conv2d", "filters": 4, "kernel": 3, "padding": "same"},
                 {"type": "batchnorm", "activation": "relu"}, {"type": "avgpool2d", "size": 2},
                 {"type": "flatten"}, {"type": "dense", "units": 4, "activation": "softmax"}]})",
                                        144, 4));
}

}  // namespace
}  // namespace nnplay
