// Random transforms of digit images for training, so a network trained on MNIST also
// recognises digits people draw: off-centre, larger or smaller, tilted, slanted, with thicker or
// thinner strokes than MNIST's. Images are one channel, row-major height x width, ink bright
// on a zero background (MNIST scaled to [0, 1]).
//
// Everything is deterministic given the Rng (a fixed number of draws per image) and uses the
// portable sin/cos, so the same seed gives the same images natively and in WASM.
#pragma once

#include <cstdint>
#include <vector>

#include "rng.h"
#include "tensor.h"

namespace nnplay {

// The Rng stream augmentation draws from, Rng(seed, kAugmentStream): a stream of its own, so
// augmenting leaves what a network draws from the same seed (initial weights, shuffling,
// dropout) unchanged. The CLI's --augment and nn.datasets.digitAugmenter both use it.
constexpr uint64_t kAugmentStream = 0x61756730;  // "aug0"

// The ranges random transforms are drawn from, uniformly.
struct AugmentOptions {
  double maxShift = 2.5;    // pixels along each axis
  double maxRotation = 12;  // degrees either way
  double minScale = 0.85, maxScale = 1.15;
  double maxShear = 0.25;   // slant: horizontal displacement per pixel of height
  double minStroke = -0.6;  // stroke thickness change, see DigitTransform::stroke
  double maxStroke = 1.6;
};

// One transform: the affine part maps an output pixel p' to the source point
//   p = A^-1 (p' - centre - shift) + centre,   A = rotation(rotation) * shear(shear) * scale,
// sampled with bilinear interpolation (zero outside the image). Then the stroke changes:
// stroke > 0 dilates (max over the pixel and its 4 neighbours) floor(stroke) times and blends
// in the fraction of one more dilation; stroke < 0 blends in |stroke| of one erosion (min).
struct DigitTransform {
  double shiftX = 0, shiftY = 0;  // pixels, +x right, +y down
  double rotation = 0;            // degrees, positive turns the digit clockwise on screen
  double scale = 1;
  double shear = 0;  // x' = x + shear (y - centre): positive leans the top left
  double stroke = 0;
};

DigitTransform randomDigitTransform(const AugmentOptions& options, Rng& rng);

// in and out are height*width values and must not overlap; scratch is resized as needed.
void applyDigitTransform(const DigitTransform& t, const float* in, float* out, int height,
                         int width, std::vector<float>& scratch);

// out = a fresh random transform of every column of x, an image (height, width, 1) per column.
void augmentImages(const ConstMatrixRef<float>& x, Matrix<float>& out, int height, int width,
                   const AugmentOptions& options, Rng& rng);

}  // namespace nnplay
