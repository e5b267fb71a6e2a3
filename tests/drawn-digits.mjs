// Digits "drawn by hand" for tests and measurements, without a person: the strokes the browser
// tests draw on the pad with the mouse (pad coordinates, 280 × 280), varied the way one hand
// varies — a seeded rotation, slant, size, shift, wobble and pen width — and rasterized here
// as round-capped lines (as the pad draws them) into a 280 × 280 grayscale picture, white ink
// on black. No DOM: Node tests and browser tests (through page.evaluate) both use them.
import { makeRandom } from "../web/lib/random.js";

export const SIDE = 280;
export const STROKE = 26;  // the pad's pen (web/digits/pad.js)

const arc = (cx, cy, rx, ry, from, to, steps = 10) => Array.from({ length: steps + 1 }, (_, i) => {
  const t = (from + (to - from) * i / steps) * Math.PI / 180;
  return [cx + rx * Math.cos(t), cy + ry * Math.sin(t)];
});

/** Per digit, its strokes: lists of [x, y] points in pad coordinates. */
export const DRAWN = {
  0: [arc(140, 140, 55, 85, -90, 275, 18)],
  1: [[[150, 50], [145, 140], [138, 230]]],
  2: [[...arc(140, 100, 52, 48, 200, 360), [180, 140], [90, 228], [205, 228]]],
  3: [[...arc(138, 92, 45, 45, 210, 450), ...arc(138, 182, 50, 48, 270, 500)]],
  4: [[[110, 50], [90, 160], [205, 160]], [[175, 75], [172, 235]]],
  5: [[[195, 55], [105, 55], [95, 130]], [[95, 130], ...arc(140, 175, 55, 55, 240, 500)]],
  6: [[[185, 50], [130, 85], ...arc(140, 180, 50, 50, 180, 540)]],
  7: [[[80, 60], [200, 60], [125, 235]]],
  8: [[...arc(140, 92, 42, 42, 90, 450), ...arc(140, 182, 50, 48, 270, -90)]],
  9: [[...arc(140, 95, 45, 42, 0, 360), [184, 100], [172, 235]]],
};

/**
 * A hand that writes digits boxy, in straight segments like a seven-segment display, with a
 * flag and a base on the 1 and a bar through the 7 — rare in MNIST, so a model trained there
 * misreads some of them: what fine-tuning on one's own handwriting is for.
 */
export const BOXY = {
  0: [[[100, 50], [180, 50], [180, 230], [100, 230], [100, 50]]],
  1: [[[105, 85], [150, 50], [148, 230]], [[105, 230], [190, 230]]],
  2: [[[90, 50], [190, 50], [190, 140], [90, 140], [90, 230], [195, 230]]],
  3: [[[90, 50], [190, 50], [190, 140], [110, 140]], [[190, 140], [190, 230], [90, 230]]],
  4: [[[170, 235], [170, 50], [85, 165], [210, 165]]],
  5: [[[190, 50], [100, 50], [100, 140], [190, 140], [190, 230], [90, 230]]],
  6: [[[180, 50], [100, 50], [100, 230], [190, 230], [190, 140], [100, 140]]],
  7: [[[80, 60], [200, 60], [125, 235]], [[105, 150], [185, 150]]],
  8: [[[100, 50], [180, 50], [180, 140], [100, 140], [100, 50]], [[95, 140], [185, 140], [185, 230], [95, 230], [95, 140]]],
  9: [[[190, 140], [100, 140], [100, 50], [190, 50], [190, 235]]],
};

/**
 * The strokes of `digit` as drawn once more by a hand with a habit: `style` { slant, rotate }
 * (a hand's own lean), glyphs (DRAWN or BOXY), plus seeded variation from `random`. Returns
 * { strokes, width }.
 */
export function variant(digit, random, { slant = 0, rotate = 0, wobble = 7, glyphs = DRAWN } = {}) {
  const angle = (rotate + (random() - 0.5) * 16) * Math.PI / 180;
  const shear = slant + (random() - 0.5) * 0.3;
  const scale = 0.75 + random() * 0.35, dx = (random() - 0.5) * 40, dy = (random() - 0.5) * 30;
  const cos = Math.cos(angle), sin = Math.sin(angle);
  const strokes = glyphs[digit].map((stroke) => stroke.map(([x, y]) => {
    const u = (x - 140) + shear * (140 - y) + (random() - 0.5) * wobble, v = (y - 140) + (random() - 0.5) * wobble;
    return [140 + dx + scale * (cos * u - sin * v), 140 + dy + scale * (sin * u + cos * v)];
  }));
  return { strokes, width: STROKE * (0.7 + random() * 0.6) };
}

/** The strokes as a SIDE × SIDE picture: Uint8Array, 255 ink on 0, round caps and joins. */
export function rasterize(strokes, width = STROKE) {
  const gray = new Uint8Array(SIDE * SIDE);
  const r = width / 2;
  for (const stroke of strokes) {
    const segments = stroke.length > 1 ? stroke.slice(1).map((p, i) => [stroke[i], p]) : [[stroke[0], stroke[0]]];
    for (const [[x0, y0], [x1, y1]] of segments) {
      const dx = x1 - x0, dy = y1 - y0, length2 = dx * dx + dy * dy || 1e-9;
      for (let y = Math.max(0, Math.floor(Math.min(y0, y1) - r)); y <= Math.min(SIDE - 1, Math.ceil(Math.max(y0, y1) + r)); y++) {
        for (let x = Math.max(0, Math.floor(Math.min(x0, x1) - r)); x <= Math.min(SIDE - 1, Math.ceil(Math.max(x0, x1) + r)); x++) {
          const t = Math.max(0, Math.min(1, ((x + 0.5 - x0) * dx + (y + 0.5 - y0) * dy) / length2));
          const d = Math.hypot(x + 0.5 - (x0 + t * dx), y + 0.5 - (y0 + t * dy));
          const ink = Math.round(255 * Math.max(0, Math.min(1, r + 0.5 - d)));  // one pixel of anti-aliasing
          if (ink > gray[y * SIDE + x]) gray[y * SIDE + x] = ink;
        }
      }
    }
  }
  return gray;
}

/** count drawn digits per class from a seed and a hand's style: [{ label, gray }] (SIDE × SIDE). */
export function handwriting(count, seed, style) {
  const random = makeRandom(seed);
  const out = [];
  for (let k = 0; k < count; k++) {
    for (let label = 0; label < 10; label++) {
      const { strokes, width } = variant(label, random, style);
      out.push({ label, gray: rasterize(strokes, width) });
    }
  }
  return out;
}
