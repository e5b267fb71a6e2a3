// Random distortions of 28 x 28 MNIST digits (rotation, slant, scale, shift, stroke thickness)
// so that networks trained on them also read digits drawn on the pad or set in a font, not only
// MNIST's own handwriting. No DOM: used by the training worker and scripts/train-digits-mlp.mjs.

const SIZE = 28;
const CENTRE = 14.5;  // the centre of mass of MNIST digits, in continuous coordinates

const between = (random, low, high) => low + (high - low) * random();

/**
 * Writes a distorted copy of the digit `pixels` (784 values in 0..255) into `out` (784 floats
 * in [0, 1]) starting at `offset`. The distortion is an affine map about the centre —
 * rotation ±15°, shear ±0.3 (slant), scale 0.85..1.1 per axis, shift ±2 px — sampled
 * bilinearly, then thicker strokes (grey dilation) or thinner ones (a steeper ink curve).
 */
export function augmentDigit(pixels, out, offset, random) {
  const angle = between(random, -15, 15) * Math.PI / 180;
  const shear = between(random, -0.3, 0.3);
  const scale = between(random, 0.85, 1.1);
  const sx = scale * between(random, 0.9, 1.1), sy = scale;
  const tx = between(random, -2, 2), ty = between(random, -2, 2);
  // Forward map: p' = R(angle) * [[1, shear], [0, 1]] * diag(sx, sy) * (p - c) + c + t.
  const cos = Math.cos(angle), sin = Math.sin(angle);
  const a = cos * sx, b = (cos * shear - sin) * sy;
  const c = sin * sx, d = (sin * shear + cos) * sy;
  const det = a * d - b * c;
  // Inverse: p = M^-1 (p' - c - t) + c.
  const ia = d / det, ib = -b / det, ic = -c / det, id = a / det;

  const image = new Float32Array(SIZE * SIZE);
  for (let v = 0; v < SIZE; v++) {
    for (let u = 0; u < SIZE; u++) {
      const px = u + 0.5 - CENTRE - tx, py = v + 0.5 - CENTRE - ty;
      const x = ia * px + ib * py + CENTRE - 0.5, y = ic * px + id * py + CENTRE - 0.5;
      const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
      const at = (xx, yy) => (xx < 0 || yy < 0 || xx >= SIZE || yy >= SIZE ? 0 : pixels[yy * SIZE + xx]);
      image[v * SIZE + u] = ((1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) +
        fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1))) / 255;
    }
  }

  const stroke = random();
  if (stroke < 0.3) {
    // thicker: each pixel takes a share of its brightest 4-neighbour
    const share = between(random, 0.4, 1);
    for (let i = 0; i < SIZE * SIZE; i++) {
      const x = i % SIZE, y = (i - x) / SIZE;
      const n = Math.max(x > 0 ? image[i - 1] : 0, x < SIZE - 1 ? image[i + 1] : 0,
        y > 0 ? image[i - SIZE] : 0, y < SIZE - 1 ? image[i + SIZE] : 0);
      out[offset + i] = Math.max(image[i], share * n);
    }
  } else if (stroke < 0.55) {
    // thinner: the grey fringe of each stroke fades
    const gamma = between(random, 1.5, 2.5);
    for (let i = 0; i < SIZE * SIZE; i++) out[offset + i] = image[i] ** gamma;
  } else {
    out.set(image, offset);
  }
}
