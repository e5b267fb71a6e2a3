// The one random number generator of a network: PCG32 (O'Neill, pcg-random.org) with its own
// float, double, integer and normal conversions. std:: distributions are implementation-defined
// and differ between standard libraries; these are the same bits natively and in WASM.
#pragma once

#include <cmath>
#include <cstdint>

#include "portable_math.h"

namespace nnplay {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0, uint64_t stream = 0x853c49e6748fea9bULL) { reseed(seed, stream); }

  void reseed(uint64_t seed, uint64_t stream = 0x853c49e6748fea9bULL) {
    state_ = 0;
    increment_ = (stream << 1u) | 1u;
    nextU32();
    state_ += seed;
    nextU32();
  }

  uint32_t nextU32() {
    const uint64_t old = state_;
    state_ = old * 6364136223846793005ULL + increment_;
    const auto xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
    const auto rot = static_cast<uint32_t>(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((~rot + 1u) & 31u));
  }

  // Uniform in [0, 1) with 24 random bits: every value is exactly representable as float.
  float uniformFloat() { return static_cast<float>(nextU32() >> 8) * (1.0f / 16777216.0f); }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() {
    const uint64_t high = nextU32() >> 5;  // 27 bits
    const uint64_t low = nextU32() >> 6;   // 26 bits
    return static_cast<double>((high << 26) | low) * (1.0 / 9007199254740992.0);
  }

  double uniform(double low, double high) { return low + (high - low) * uniform(); }

  // Uniform integer in [0, bound), without modulo bias.
  uint32_t below(uint32_t bound) {
    const uint32_t threshold = (~bound + 1u) % bound;  // 2^32 mod bound
    for (;;) {
      const uint32_t r = nextU32();
      if (r >= threshold) return r % bound;
    }
  }

  // Standard normal by Marsaglia's polar method (portable log; sqrt is exact in IEEE 754).
  double normal() {
    for (;;) {
      const double u = 2.0 * uniform() - 1.0;
      const double v = 2.0 * uniform() - 1.0;
      const double s = u * u + v * v;
      if (s >= 1.0 || s == 0.0) continue;
      return u * std::sqrt(-2.0 * pmath::log(s) / s);
    }
  }

 private:
  uint64_t state_ = 0;
  uint64_t increment_ = 1;
};

}  // namespace nnplay
