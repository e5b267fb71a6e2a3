// Digit augmentation: each transform does what it says on small images, and random
// augmentation is deterministic for a seed.
#include "augment.h"

#include <gtest/gtest.h>

#include <vector>

namespace nnplay {
namespace {

constexpr int kSize = 9;  // 9x9 test images, centre (4, 4)

using Image = std::vector<float>;

Image blank() { return Image(kSize * kSize, 0.0f); }

float& at(Image& image, int x, int y) { return image[y * kSize + x]; }

Image transformed(const DigitTransform& t, const Image& in) {
  Image out(in.size());
  std::vector<float> scratch;
  applyDigitTransform(t, in.data(), out.data(), kSize, kSize, scratch);
  return out;
}

double ink(const Image& image) {
  double sum = 0;
  for (float v : image) sum += v;
  return sum;
}

// An asymmetric "L": a vertical bar at x = 3, y = 2..6, and a foot at y = 6, x = 4..5.
Image letterL() {
  Image image = blank();
  for (int y = 2; y <= 6; ++y) at(image, 3, y) = 1;
  at(image, 4, 6) = 0.5f;
  at(image, 5, 6) = 0.25f;
  return image;
}

TEST(Augment, identity_transform_leaves_image_unchanged) {
  const Image l = letterL();
  EXPECT_EQ(transformed(DigitTransform{}, l), l);
}

TEST(Augment, whole_pixel_shift_moves_every_pixel) {
  DigitTransform t;
  t.shiftX = 2;
  t.shiftY = -1;
  const Image l = letterL(), out = transformed(t, l);
  Image expected = blank();
  for (int y = 1; y < kSize; ++y)
    for (int x = 0; x + 2 < kSize; ++x) at(expected, x + 2, y - 1) = l[y * kSize + x];
  EXPECT_EQ(out, expected);
}

TEST(Augment, half_pixel_shift_interpolates_bilinearly) {
  Image dot = blank();
  at(dot, 4, 4) = 1;
  DigitTransform t;
  t.shiftX = 0.5;
  Image out = transformed(t, dot);
  EXPECT_FLOAT_EQ(at(out, 4, 4), 0.5f);
  EXPECT_FLOAT_EQ(at(out, 5, 4), 0.5f);
  EXPECT_FLOAT_EQ(ink(out), 1.0f);
}

TEST(Augment, rotation_by_90_degrees_turns_clockwise_about_the_centre) {
  // Clockwise on screen (y down): the offset (dx, dy) from the centre goes to (-dy, dx).
  DigitTransform t;
  t.rotation = 90;
  Image l = letterL(), out = transformed(t, l);
  for (int y = 0; y < kSize; ++y)
    for (int x = 0; x < kSize; ++x) {
      const int dx = x - 4, dy = y - 4;
      EXPECT_NEAR(out[(4 + dx) * kSize + (4 - dy)], l[y * kSize + x], 1e-6) << x << "," << y;
    }
}

TEST(Augment, scale_grows_the_digit_about_the_centre) {
  DigitTransform t;
  t.scale = 2;
  Image l = letterL(), out = transformed(t, l);
  // Offsets from the centre double: the bar at x = 3 (offset -1), y = 2..6 now runs along
  // x = 2 from y = 0 to 8, with half of it sampled into x = 1 and 3; the foot's end (5, 6)
  // lands at (6, 8).
  EXPECT_FLOAT_EQ(at(out, 2, 0), 1.0f);
  EXPECT_FLOAT_EQ(at(out, 2, 8), 1.0f);
  EXPECT_FLOAT_EQ(at(out, 1, 4), 0.5f);
  EXPECT_FLOAT_EQ(at(out, 6, 8), 0.25f);
  EXPECT_FLOAT_EQ(at(out, 5, 8), 0.375f);  // halfway between the foot's 0.5 and 0.25
}

TEST(Augment, positive_shear_leans_the_top_left) {
  DigitTransform t;
  t.shear = 1;  // x' = x + (y - 4)
  Image bar = blank();
  for (int y = 2; y <= 6; ++y) at(bar, 4, y) = 1;
  Image out = transformed(t, bar);
  for (int y = 2; y <= 6; ++y) EXPECT_FLOAT_EQ(at(out, y, y), 1.0f) << y;
}

TEST(Augment, stroke_dilates_and_erodes) {
  Image l = letterL();
  DigitTransform thick;
  thick.stroke = 1;
  Image out = transformed(thick, l);
  EXPECT_FLOAT_EQ(at(out, 2, 4), 1.0f);  // one pixel left of the bar
  EXPECT_FLOAT_EQ(at(out, 4, 4), 1.0f);  // and right of it
  EXPECT_FLOAT_EQ(at(out, 3, 1), 1.0f);  // one above the top
  EXPECT_FLOAT_EQ(at(out, 2, 1), 0.0f);  // the plus-shaped element leaves diagonals out

  thick.stroke = 2.5;  // two dilations and half of a third
  out = transformed(thick, l);
  EXPECT_FLOAT_EQ(at(out, 1, 4), 1.0f);
  EXPECT_FLOAT_EQ(at(out, 0, 4), 0.5f);

  // A 3-pixel-wide bar eroded by half: the core keeps its value, the sides lose half.
  Image bar = blank();
  for (int y = 0; y < kSize; ++y)
    for (int x = 3; x <= 5; ++x) at(bar, x, y) = 1;
  DigitTransform thin;
  thin.stroke = -0.5;
  out = transformed(thin, bar);
  EXPECT_FLOAT_EQ(at(out, 4, 4), 1.0f);
  EXPECT_FLOAT_EQ(at(out, 3, 4), 0.5f);
  EXPECT_FLOAT_EQ(at(out, 4, 0), 1.0f);  // the border does not erode
}

TEST(Augment, random_augmentation_is_deterministic_per_seed_and_stays_in_range) {
  Matrix<float> x(kSize * kSize, 20);
  Rng data(3);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = data.uniformFloat();
  Matrix<float> a, b, c;
  Rng r1(42), r2(42), r3(43);
  augmentImages(x, a, kSize, kSize, AugmentOptions{}, r1);
  augmentImages(x, b, kSize, kSize, AugmentOptions{}, r2);
  augmentImages(x, c, kSize, kSize, AugmentOptions{}, r3);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_GE(a.minCoeff(), 0.0f);
  EXPECT_LE(a.maxCoeff(), 1.0f);
  for (Index j = 0; j < 20; ++j) EXPECT_NE(a.col(j), x.col(j));
}

TEST(Augment, augment_rejects_images_of_the_wrong_size) {
  Matrix<float> x(10, 2), out;
  Rng rng(1);
  EXPECT_THROW(augmentImages(x, out, kSize, kSize, AugmentOptions{}, rng), std::invalid_argument);
}

}  // namespace
}  // namespace nnplay
