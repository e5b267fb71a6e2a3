// exp, log, sin and cos that give the same bits on every platform.
//
// libm implementations differ in the last bit between glibc (native) and musl (WASM), which
// would make datasets and initial weights differ between the CLI and the browser. These use
// only +, -, *, / and exact scaling (frexp/ldexp), which IEEE 754 rounds identically everywhere.
// Accuracy is a few ulp of double, more than enough for data generation and initialisation.
// Build with -ffp-contract=off so no compiler fuses a*b+c differently on different targets.
#pragma once

#include <cmath>
#include <limits>

namespace nnplay::pmath {

constexpr double kPi = 3.14159265358979311600;
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // high bits of ln 2, exact in k * kLn2Hi
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kTwoPiHi = 6.28318530717958623200;
constexpr double kTwoPiLo = 2.44929359829470635445e-16;

inline double exp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.78) return std::numeric_limits<double>::infinity();
  if (x < -745.2) return 0.0;
  // x = k ln2 + r, |r| <= ln2 / 2, exp(x) = 2^k exp(r); exp(r) by its Taylor series (Horner).
  const double k = std::floor(x / (kLn2Hi + kLn2Lo) + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double sum = 1.0;
  for (int i = 18; i >= 1; --i) sum = 1.0 + sum * r / i;
  return std::ldexp(sum, static_cast<int>(k));
}

inline double log(double x) {
  if (std::isnan(x) || x < 0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<double>::infinity();
  if (std::isinf(x)) return x;
  // x = m 2^e with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172.
  int e = 0;
  double m = std::frexp(x, &e);
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    e -= 1;
  }
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double series = 0.0;
  for (int i = 23; i >= 1; i -= 2) series = 1.0 / i + s2 * series;
  return (e * kLn2Lo + 2.0 * s * series) + e * kLn2Hi;
}

namespace detail {
// Reduces x to [-pi, pi]; exact enough for the moderate arguments data generation uses.
inline double reduceAngle(double x) {
  const double k = std::floor(x / (kTwoPiHi + kTwoPiLo) + 0.5);
  return (x - k * kTwoPiHi) - k * kTwoPiLo;
}
}  // namespace detail

inline double sin(double x) {
  if (!std::isfinite(x)) return std::numeric_limits<double>::quiet_NaN();
  const double r = detail::reduceAngle(x);
  const double r2 = r * r;
  // sin r = r (1 - r^2/(2*3) (1 - r^2/(4*5) (1 - ...)))
  double sum = 1.0;
  for (int i = 26; i >= 2; i -= 2) sum = 1.0 - sum * r2 / (i * (i + 1.0));
  return r * sum;
}

inline double cos(double x) {
  if (!std::isfinite(x)) return std::numeric_limits<double>::quiet_NaN();
  const double r = detail::reduceAngle(x);
  const double r2 = r * r;
  // cos r = 1 - r^2/(1*2) (1 - r^2/(3*4) (1 - ...))
  double sum = 1.0;
  for (int i = 26; i >= 2; i -= 2) sum = 1.0 - sum * r2 / ((i - 1.0) * i);
  return sum;
}

// b^n for a non-negative integer n by repeated squaring (Adam's bias correction).
inline double powInt(double b, long long n) {
  double result = 1.0;
  while (n > 0) {
    if (n & 1) result *= b;
    b *= b;
    n >>= 1;
  }
  return result;
}

}  // namespace nnplay::pmath
