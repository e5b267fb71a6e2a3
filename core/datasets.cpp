#include "datasets.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>

#include "config.h"
#include "portable_math.h"
#include "rng.h"

namespace nnplay {
namespace {

using pmath::kPi;

struct Builder {
  Dataset data;
  void add(double x1, double x2, double label) {
    data.x.push_back(static_cast<float>(x1));
    data.x.push_back(static_cast<float>(x2));
    data.y.push_back(static_cast<float>(label));
  }
};

double distance(double x1, double x2) { return std::sqrt(x1 * x1 + x2 * x2); }

// A disc of label 1 inside a ring of label 0; noise moves the point the label is read from.
void circle(Builder& b, int n, double noise, Rng& rng) {
  const double radius = 5;
  for (int i = 0; i < n; ++i) {
    const bool inner = i < n / 2;
    const double r = inner ? rng.uniform(0, radius * 0.5) : rng.uniform(radius * 0.7, radius);
    const double angle = rng.uniform(0, 2 * kPi);
    const double x1 = r * pmath::sin(angle), x2 = r * pmath::cos(angle);
    const double n1 = rng.uniform(-radius, radius) * noise, n2 = rng.uniform(-radius, radius) * noise;
    b.add(x1, x2, distance(x1 + n1, x2 + n2) < radius * 0.5 ? 1 : 0);
  }
}

// Label 1 in the quadrants where x1 x2 >= 0.
void xorQuadrants(Builder& b, int n, double noise, Rng& rng) {
  const double padding = 0.3;
  for (int i = 0; i < n; ++i) {
    double x1 = rng.uniform(-5, 5), x2 = rng.uniform(-5, 5);
    x1 += x1 > 0 ? padding : -padding;
    x2 += x2 > 0 ? padding : -padding;
    const double n1 = rng.uniform(-5, 5) * noise, n2 = rng.uniform(-5, 5) * noise;
    b.add(x1, x2, (x1 + n1) * (x2 + n2) >= 0 ? 1 : 0);
  }
}

// Two Gaussian blobs at (2, 2) (label 1) and (-2, -2); noise widens them.
void gauss(Builder& b, int n, double noise, Rng& rng) {
  const double variance = 0.5 + 7.0 * noise;  // 0.5 .. 4 over the Playground's noise 0 .. 0.5
  const double sd = std::sqrt(variance);
  for (int i = 0; i < n; ++i) {
    const bool positive = i < n / 2;
    const double c = positive ? 2 : -2;
    const double x1 = c + sd * rng.normal();
    const double x2 = c + sd * rng.normal();
    b.add(x1, x2, positive ? 1 : 0);
  }
}

// Two interleaved spiral arms.
void spiral(Builder& b, int n, double noise, Rng& rng) {
  const int half = std::max(n / 2, 1);
  for (int i = 0; i < n; ++i) {
    const bool positive = i < n / 2;
    const int k = positive ? i : i - n / 2;
    const double r = 5.0 * k / half;
    const double t = 1.75 * k / half * 2 * kPi + (positive ? 0 : kPi);
    const double x1 = r * pmath::sin(t) + rng.uniform(-1, 1) * noise;
    const double x2 = r * pmath::cos(t) + rng.uniform(-1, 1) * noise;
    b.add(x1, x2, positive ? 1 : 0);
  }
}

// Two interleaving half circles (scikit-learn's make_moons), scaled by 3 and centred; noise is
// the standard deviation in make_moons units (0.2 in tutorial 000).
void moons(Builder& b, int n, double noise, Rng& rng) {
  const double scale = 3;
  for (int i = 0; i < n; ++i) {
    const bool inner = i >= n / 2;
    const double t = rng.uniform(0, kPi);
    double x1 = inner ? 1 - pmath::cos(t) : pmath::cos(t);
    double x2 = inner ? 0.5 - pmath::sin(t) : pmath::sin(t);
    x1 += noise * rng.normal();
    x2 += noise * rng.normal();
    b.add(scale * (x1 - 0.5), scale * (x2 - 0.25), inner ? 1 : 0);
  }
}

// y = (x1 + x2) / 10, read at a noisy point, clamped to [-1, 1].
void regressionPlane(Builder& b, int n, double noise, Rng& rng) {
  for (int i = 0; i < n; ++i) {
    const double x1 = rng.uniform(-6, 6), x2 = rng.uniform(-6, 6);
    const double n1 = rng.uniform(-6, 6) * noise, n2 = rng.uniform(-6, 6) * noise;
    b.add(x1, x2, std::clamp((x1 + n1 + x2 + n2) / 10.0, -1.0, 1.0));
  }
}

// Six bumps of alternating sign; the value is the strongest bump's, falling linearly to 0 at
// distance 2 from its centre.
void regressionGauss(Builder& b, int n, double noise, Rng& rng) {
  const double bumps[6][3] = {{-4, 2.5, 1}, {0, 2.5, -1}, {4, 2.5, 1},
                              {-4, -2.5, -1}, {0, -2.5, 1}, {4, -2.5, -1}};
  for (int i = 0; i < n; ++i) {
    const double x1 = rng.uniform(-6, 6), x2 = rng.uniform(-6, 6);
    const double p1 = x1 + rng.uniform(-6, 6) * noise, p2 = x2 + rng.uniform(-6, 6) * noise;
    double value = 0;
    for (const auto& bump : bumps) {
      const double v = bump[2] * std::clamp(1 - distance(p1 - bump[0], p2 - bump[1]) / 2, 0.0, 1.0);
      if (std::abs(v) > std::abs(value)) value = v;
    }
    b.add(x1, x2, value);
  }
}

using Generator = void (*)(Builder&, int, double, Rng&);

const std::vector<std::pair<std::string, Generator>>& generators() {
  static const std::vector<std::pair<std::string, Generator>> table = {
      {"circle", circle},           {"xor", xorQuadrants},
      {"gauss", gauss},             {"spiral", spiral},
      {"moons", moons},             {"reg-plane", regressionPlane},
      {"reg-gauss", regressionGauss}};
  return table;
}

}  // namespace

const std::vector<std::string>& datasetNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list;
    for (const auto& [name, generator] : generators()) list.push_back(name);
    return list;
  }();
  return names;
}

Dataset makeDataset(const std::string& name, int n, double noise, uint64_t seed) {
  Generator generator = nullptr;
  std::string known;
  for (const auto& [candidate, g] : generators()) {
    if (candidate == name) generator = g;
    known += (known.empty() ? "" : "|") + candidate;
  }
  if (!generator)
    throw ConfigError("dataset: expected one of " + known + ", got \"" + name.substr(0, 40) + "\"");
  if (n < 1 || n > 1000000)
    throw ConfigError("n: expected an integer in [1, 1000000], got " + std::to_string(n));
  if (!(noise >= 0 && noise <= 1))
    throw ConfigError("noise: expected a number in [0, 1], got " + std::to_string(noise));

  Rng rng(seed);
  Builder b;
  b.data.x.reserve(2 * static_cast<size_t>(n));
  b.data.y.reserve(n);
  generator(b, n, noise, rng);
  // Shuffle points (pairs of x values with their label) so the classes are interleaved.
  for (int i = n - 1; i > 0; --i) {
    const int j = static_cast<int>(rng.below(static_cast<uint32_t>(i + 1)));
    std::swap(b.data.x[2 * i], b.data.x[2 * j]);
    std::swap(b.data.x[2 * i + 1], b.data.x[2 * j + 1]);
    std::swap(b.data.y[i], b.data.y[j]);
  }
  b.data.n = n;
  b.data.inputs = 2;
  b.data.outputs = 1;
  return std::move(b.data);
}

}  // namespace nnplay
