#include "augment.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "portable_math.h"

namespace nnplay {
namespace {

// Bilinear sample of image at (x, y) in pixel coordinates (pixel centres at integers); points
// outside the image read as zero background.
float sampleBilinear(const float* image, int height, int width, double x, double y) {
  const double fx = std::floor(x), fy = std::floor(y);
  const int x0 = static_cast<int>(fx), y0 = static_cast<int>(fy);
  const double ax = x - fx, ay = y - fy;
  const auto pixel = [&](int px, int py) -> double {
    return px < 0 || py < 0 || px >= width || py >= height ? 0.0 : image[py * width + px];
  };
  const double top = pixel(x0, y0) * (1 - ax) + pixel(x0 + 1, y0) * ax;
  const double bottom = pixel(x0, y0 + 1) * (1 - ax) + pixel(x0 + 1, y0 + 1) * ax;
  return static_cast<float>(top * (1 - ay) + bottom * ay);
}

// out = (1 - amount) in + amount * (max or min over each pixel and its 4 neighbours); grey
// morphology with a plus-shaped element, which thickens or thins strokes by about a pixel per
// side. Neighbours outside the image are skipped: for dilation the zero background would not
// change the max, and erosion then leaves digits that touch the border alone.
void morph(const float* in, float* out, int height, int width, bool dilate, float amount) {
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const float centre = in[y * width + x];
      float v = centre;
      const auto visit = [&](int px, int py) {
        if (px < 0 || py < 0 || px >= width || py >= height) return;
        const float n = in[py * width + px];
        v = dilate ? std::max(v, n) : std::min(v, n);
      };
      visit(x - 1, y);
      visit(x + 1, y);
      visit(x, y - 1);
      visit(x, y + 1);
      out[y * width + x] = centre + amount * (v - centre);
    }
}

}  // namespace

DigitTransform randomDigitTransform(const AugmentOptions& o, Rng& rng) {
  DigitTransform t;
  t.shiftX = rng.uniform(-o.maxShift, o.maxShift);
  t.shiftY = rng.uniform(-o.maxShift, o.maxShift);
  t.rotation = rng.uniform(-o.maxRotation, o.maxRotation);
  t.scale = rng.uniform(o.minScale, o.maxScale);
  t.shear = rng.uniform(-o.maxShear, o.maxShear);
  t.stroke = rng.uniform(o.minStroke, o.maxStroke);
  return t;
}

void applyDigitTransform(const DigitTransform& t, const float* in, float* out, int height,
                         int width, std::vector<float>& scratch) {
  // A = R(theta) H(shear) s with R = [c -s; s c] (clockwise on screen, as y points down) and
  // H = [1 shear; 0 1]; its inverse maps output offsets back to source offsets.
  const double theta = t.rotation * pmath::kPi / 180.0;
  const double c = pmath::cos(theta), s = pmath::sin(theta);
  const double a00 = t.scale * c, a01 = t.scale * (c * t.shear - s);
  const double a10 = t.scale * s, a11 = t.scale * (s * t.shear + c);
  const double det = a00 * a11 - a01 * a10;
  const double i00 = a11 / det, i01 = -a01 / det, i10 = -a10 / det, i11 = a00 / det;
  const double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;

  const bool stroke = t.stroke != 0;
  scratch.resize(size_t(height) * width);
  float* warped = stroke ? scratch.data() : out;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const double dx = x - cx - t.shiftX, dy = y - cy - t.shiftY;
      warped[y * width + x] =
          sampleBilinear(in, height, width, i00 * dx + i01 * dy + cx, i10 * dx + i11 * dy + cy);
    }
  if (!stroke) return;

  // Whole dilations alternate between out and scratch; the last (partial) one lands in out.
  const bool dilate = t.stroke > 0;
  const double size = std::abs(t.stroke);
  int whole = dilate ? static_cast<int>(std::floor(size)) : 0;
  float* from = warped;
  float* to = out;
  for (; whole > 0; --whole) {
    morph(from, to, height, width, true, 1.0f);
    std::swap(from, to);
  }
  const float fraction = static_cast<float>(dilate ? size - std::floor(size) : size);
  morph(from, to, height, width, dilate, fraction);
  if (to != out) std::copy(to, to + size_t(height) * width, out);
}

void augmentImages(const ConstMatrixRef<float>& x, Matrix<float>& out, int height, int width,
                   const AugmentOptions& options, Rng& rng) {
  if (x.rows() != Index(height) * width)
    throw std::invalid_argument("augment: expected " + std::to_string(height) + "x" +
                                std::to_string(width) + " one-channel images, got " +
                                std::to_string(x.rows()) + " values per sample");
  out.resize(x.rows(), x.cols());
  std::vector<float> scratch;
  for (Index j = 0; j < x.cols(); ++j)
    applyDigitTransform(randomDigitTransform(options, rng), x.col(j).data(), out.col(j).data(),
                        height, width, scratch);
}

}  // namespace nnplay
