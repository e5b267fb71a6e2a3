// Helpers shared by the C++ tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "config.h"
#include "network.h"

namespace nnplay::testing {

// A dense network config from a compact description, e.g. denseConfig(2, {{3, "tanh"}, {1, "tanh"}}, "mse").
inline Json denseJson(int inputs, const std::vector<std::pair<int, std::string>>& layers,
                      const std::string& loss, double lr = 0.1, const std::string& init = "xavier",
                      int batchSize = 1, uint64_t seed = 1) {
  Json list = Json::array();
  for (const auto& [units, activation] : layers)
    list.push_back({{"type", "dense"}, {"units", units}, {"activation", activation}});
  return {{"input", {inputs}},
          {"layers", list},
          {"loss", loss},
          {"optimizer", {{"type", "sgd"}, {"lr", lr}, {"momentum", 0}}},
          {"init", init},
          {"seed", seed},
          {"batchSize", batchSize}};
}

// parseConfig's error message for a config, or "no error".
inline std::string errorFor(const Json& config) {
  try {
    parseConfig(config);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

// Expects `got` to match a reference number of a seed tutorial, rounded to 7 decimals:
// half a unit of the 7th decimal for the rounding plus float32's relative error.
inline void expectReference(double got, double expected, const char* what) {
  EXPECT_NEAR(got, expected, 0.5e-7 + 2e-7 * std::abs(expected)) << what;
}

// FNV-1a over the bits of float values: a short fingerprint of data or weights.
inline std::string fingerprint(const float* values, size_t count) {
  uint64_t hash = 14695981039346656037ULL;  // FNV-1a 64 offset basis
  for (size_t i = 0; i < count; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &values[i], 4);
    for (int k = 0; k < 4; ++k) {
      hash ^= (bits >> (8 * k)) & 0xff;
      hash *= 1099511628211ULL;
    }
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

// A matrix of values drawn uniformly from [-1, 1).
inline Matrix<double> uniformMatrix(Index rows, Index cols, Rng& rng) {
  Matrix<double> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(-1, 1);
  return m;
}

// Largest |analytic - numeric| relative to max(1, |numeric|) over all entries of `point`, where
// numeric is the central difference (f(p + h) - f(p - h)) / 2h.
inline double maxGradientError(double* point, Index size, const double* analytic,
                        const std::function<double()>& f) {
  constexpr double h = 1e-5;
  double worst = 0;
  for (Index i = 0; i < size; ++i) {
    const double saved = point[i];
    point[i] = saved + h;
    const double plus = f();
    point[i] = saved - h;
    const double minus = f();
    point[i] = saved;
    const double numeric = (plus - minus) / (2 * h);
    worst = std::max(worst, std::abs(analytic[i] - numeric) / std::max(1.0, std::abs(numeric)));
  }
  return worst;
}

}  // namespace nnplay::testing
