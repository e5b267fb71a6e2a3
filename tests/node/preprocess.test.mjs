// MNIST-style preprocessing (web/digits/preprocess.js): where a digit is and how big it is
// must not matter, nor whether it is light on dark or dark on light.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readMnist } from "../../scripts/mnist-data.mjs";
import { centreOfMass, inkBox, isDarkOnLight, preprocess } from "../../web/digits/preprocess.js";

const meanAbsDiff = (a, b) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;

/** A picture of a polyline of `thickness` px, light on dark, anti-aliased by 4x4 supersampling. */
function drawPolyline(width, height, points, thickness) {
  const gray = new Uint8ClampedArray(width * height);
  const r2 = (thickness / 2) ** 2;
  const near = (x, y) => points.slice(1).some(([bx, by], i) => {
    const [ax, ay] = points[i];
    const dx = bx - ax, dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= r2;
  });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let hits = 0;
      for (let s = 0; s < 16; s++) hits += near(x + (s % 4 + 0.5) / 4, y + ((s >> 2) + 0.5) / 4);
      gray[y * width + x] = Math.round(255 * hits / 16);
    }
  }
  return gray;
}

/** A "7" with its top-left corner at (x, y), `size` px tall, strokes size/10 thick. */
const seven = (width, height, x, y, size) => drawPolyline(width, height,
  [[x, y], [x + 0.6 * size, y], [x + 0.2 * size, y + size]], size / 10);

/** Bilinear enlargement of a 28 x 28 MNIST digit by `k`, placed at (ox, oy) in a bigger picture. */
function enlarge(pixels, k, width, height, ox, oy) {
  const out = new Uint8ClampedArray(width * height);
  const at = (x, y) => (x < 0 || y < 0 || x > 27 || y > 27 ? 0 : pixels[y * 28 + x]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = (x - ox + 0.5) / k - 0.5, sy = (y - oy + 0.5) / k - 0.5;
      const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
      out[y * width + x] = (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) +
        fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
    }
  }
  return out;
}

test("shifted_and_scaled_digit_gives_the_same_28x28_as_the_centred_one", () => {
  const centred = preprocess(seven(200, 200, 70, 50, 100), 200, 200).input28;
  for (const [x, y, size] of [[5, 5, 100], [110, 110, 80], [20, 90, 60], [40, 10, 180], [150, 150, 40]]) {
    const moved = preprocess(seven(240, 240, x, y, size), 240, 240).input28;
    const diff = meanAbsDiff(moved, centred);
    assert.ok(diff < 0.02, `7 at (${x}, ${y}) size ${size}: mean difference ${diff.toFixed(4)}`);
  }
});

test("output_fits_the_digit_in_20_px_with_its_centre_of_mass_at_14_14", () => {
  const { input28 } = preprocess(seven(300, 200, 30, 20, 150), 300, 200);
  const box = inkBox(input28, 28, 28, 0.3);
  const longest = Math.max(box.x1 - box.x0, box.y1 - box.y0);
  assert.ok(longest >= 19 && longest <= 21, `longest side ${longest}`);
  const centre = centreOfMass(input28, 28, 28);  // continuous: pixel index 14 is 14.5
  assert.ok(Math.abs(centre.x - 14.5) < 0.25 && Math.abs(centre.y - 14.5) < 0.25,
    `centre of mass (${centre.x.toFixed(2)}, ${centre.y.toFixed(2)})`);
  assert.ok(input28.every((v) => v >= 0 && v <= 1));
});

test("enlarged_and_moved_mnist_digits_come_back_as_the_mnist_digits", async () => {
  // MNIST placed its digits on whole pixels and measured their boxes on the binary originals,
  // so a few hundredths of difference per pixel remain.
  const { images } = await readMnist("test");
  let total = 0;
  for (let i = 0; i < 20; i++) {
    const pixels = images.subarray(i * 784, (i + 1) * 784);
    const original = Float32Array.from(pixels, (v) => v / 255);
    const k = 3 + (i % 5);  // 3x .. 7x
    const gray = enlarge(pixels, k, 28 * k + 60, 28 * k + 40, 10 + (i * 7) % 50, (i * 11) % 40);
    const { input28 } = preprocess(gray, 28 * k + 60, 28 * k + 40);
    const diff = meanAbsDiff(input28, original);
    assert.ok(diff < 0.07, `test digit ${i} at ${k}x: mean difference ${diff.toFixed(4)}`);
    total += diff;
  }
  assert.ok(total / 20 < 0.04, `mean difference over 20 digits ${(total / 20).toFixed(4)}`);
});

test("dark_on_light_pictures_are_detected_and_read_like_light_on_dark", () => {
  const light = seven(120, 90, 30, 10, 70);
  const dark = light.map((v) => 255 - v);
  assert.equal(isDarkOnLight(light, 120, 90), false);
  assert.equal(isDarkOnLight(dark, 120, 90), true);
  const a = preprocess(light, 120, 90), b = preprocess(dark, 120, 90);
  assert.equal(a.inverted, false);
  assert.equal(b.inverted, true);
  assert.ok(meanAbsDiff(a.input28, b.input28) < 1e-6);
  // grey paper and grey ink: only the contrast between them counts
  const pencil = light.map((v) => 220 - v * 0.5);
  assert.ok(meanAbsDiff(preprocess(pencil, 120, 90).input28, a.input28) < 0.02);
});

test("blank_pictures_are_empty_and_bad_arguments_name_the_field", () => {
  assert.equal(preprocess(new Uint8Array(50 * 40), 50, 40).empty, true);
  assert.equal(preprocess(new Uint8Array(50 * 40).fill(200), 50, 40).empty, true);
  assert.equal(preprocess(seven(50, 40, 10, 5, 30), 50, 40).empty, false);
  assert.throws(() => preprocess(new Uint8Array(10), 5, 3), /gray: expected width \* height = 15 values, got 10/);
  assert.throws(() => preprocess(new Uint8Array(10), 0, 10), /width: expected an integer/);
  assert.throws(() => preprocess(null, 2, 2), /gray: expected/);
});
