// Turns any grayscale picture of a digit into the 28 x 28 input MNIST networks expect, the way
// MNIST itself was made (LeCun et al.): bounding box of the ink, longest side scaled to 20 px
// with area averaging (which also anti-aliases), then placed so the centre of mass of the ink
// lands on pixel (14, 14). No DOM here: the pad, window.nnplay.classify, the training worker
// and Node tests all use these functions.

export const SIZE = 28;      // output side, px
export const BOX = 20;       // the longest side of the ink's bounding box, px
export const CENTRE = 14.5;  // (14, 14) as a pixel index is 14.5 in continuous coordinates
const INK = 0.3;             // normalized ink level that counts for the bounding box
const FLOOR = 0.1;           // normalized levels below this are background noise
const MIN_CONTRAST = 32;     // of 255: less than this between ink and background is an empty pad

function median(values) {
  const sorted = Float64Array.from(values).sort();
  return sorted.length ? sorted[sorted.length >> 1] : 0;
}

function borderValues(gray, width, height) {
  const values = [];
  for (let x = 0; x < width; x++) values.push(gray[x], gray[(height - 1) * width + x]);
  for (let y = 1; y < height - 1; y++) values.push(gray[y * width], gray[y * width + width - 1]);
  return values;
}

/**
 * True when the picture is dark ink on a light background (like paper), false for light ink on
 * dark (like MNIST). The background is what the border shows, so it decides.
 */
export function isDarkOnLight(gray, width, height) {
  return median(borderValues(gray, width, height)) > 127.5;
}

function checkInput(gray, width, height) {
  for (const [name, value] of [["width", width], ["height", height]]) {
    if (!Number.isInteger(value) || value < 1 || value > 8192) {
      throw new Error(`${name}: expected an integer in [1, 8192], got ${String(value).slice(0, 40)}`);
    }
  }
  if (gray == null || typeof gray.length !== "number") {
    throw new Error("gray: expected an array of width * height values in 0..255");
  }
  if (gray.length !== width * height) {
    throw new Error(`gray: expected width * height = ${width * height} values, got ${gray.length}`);
  }
}

/**
 * Ink in [0, 1] (1 = full ink) with the background at 0: inverts dark-on-light pictures and
 * stretches the contrast between the background level and the darkest ink. Returns null when
 * there is no ink to speak of.
 */
export function normalizeInk(gray, width, height) {
  checkInput(gray, width, height);
  const inverted = isDarkOnLight(gray, width, height);
  const ink = new Float32Array(width * height);
  let peak = 0;
  for (let i = 0; i < ink.length; i++) {
    const v = Number(gray[i]);
    ink[i] = Number.isFinite(v) ? (inverted ? 255 - v : v) : 0;
    if (ink[i] > peak) peak = ink[i];
  }
  const background = median(borderValues(ink, width, height));
  if (peak - background < MIN_CONTRAST) return { ink: null, inverted };
  const scale = 1 / (peak - background);
  for (let i = 0; i < ink.length; i++) {
    const v = (ink[i] - background) * scale;
    ink[i] = v < FLOOR ? 0 : Math.min(v, 1);
  }
  return { ink, inverted };
}

/** Bounding box {x0, y0, x1, y1} (exclusive ends, pixels) of the ink above `level`, or null. */
export function inkBox(ink, width, height, level = INK) {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] <= level) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** Centre of mass {x, y} in continuous coordinates (pixel i spans [i, i + 1]). */
export function centreOfMass(ink, width, height) {
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = ink[y * width + x];
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  return mass > 0 ? { x: mx / mass, y: my / mass } : { x: width / 2, y: height / 2 };
}

/**
 * Resampling weights along one axis for target pixels u = 0..SIZE-1, where target coordinate
 * X maps to source coordinate (X - CENTRE) / scale + origin. Shrinking (scale <= 1) averages
 * the source over the footprint [a, b] of each target pixel (exact area averaging); enlarging
 * interpolates linearly at the footprint's centre. Each entry: { start, weights }.
 */
export function axisWeights(scale, origin, sourceLength) {
  const rows = [];
  for (let u = 0; u < SIZE; u++) {
    const a = (u - CENTRE) / scale + origin;
    const b = (u + 1 - CENTRE) / scale + origin;
    const weights = [];
    let start;
    if (scale <= 1) {
      // weight of source pixel x = |[x, x+1] ∩ [a, b]| / (b - a): the mean over the footprint
      start = Math.max(0, Math.floor(a));
      const end = Math.min(sourceLength, Math.ceil(b));
      for (let x = start; x < end; x++) {
        weights.push(Math.max(0, Math.min(x + 1, b) - Math.max(x, a)) * scale);
      }
    } else {
      const c = (a + b) / 2 - 0.5;  // in pixel-centre units
      const left = Math.floor(c), t = c - left;
      const taps = [[left, 1 - t], [left + 1, t]].filter(([x]) => x >= 0 && x < sourceLength);
      start = taps.length ? taps[0][0] : 0;
      for (const [, w] of taps) weights.push(w);
    }
    rows.push({ start: Math.min(start, sourceLength), weights });
  }
  return rows;
}

/**
 * The MNIST-style 28 x 28 input for a picture: gray is width * height values in 0..255, either
 * polarity. Returns { input28: Float32Array(784) in [0, 1] (row-major, 1 = ink), inverted,
 * empty, box } where box is the ink's bounding box in the picture (null when empty).
 */
export function preprocess(gray, width, height) {
  const { ink, inverted } = normalizeInk(gray, width, height);
  const input28 = new Float32Array(SIZE * SIZE);
  const box = ink && inkBox(ink, width, height);
  if (!box) return { input28, inverted, empty: true, box: null };

  const scale = BOX / Math.max(box.x1 - box.x0, box.y1 - box.y0);
  const centre = centreOfMass(ink, width, height);
  const wx = axisWeights(scale, centre.x, width);
  const wy = axisWeights(scale, centre.y, height);
  // Separable: rows first (height x 28), then columns (28 x 28).
  const rows = new Float32Array(height * SIZE);
  for (let y = 0; y < height; y++) {
    const line = y * width;
    for (let u = 0; u < SIZE; u++) {
      const { start, weights } = wx[u];
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * ink[line + start + k];
      rows[y * SIZE + u] = sum;
    }
  }
  for (let v = 0; v < SIZE; v++) {
    const { start, weights } = wy[v];
    for (let u = 0; u < SIZE; u++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * rows[(start + k) * SIZE + u];
      input28[v * SIZE + u] = Math.min(1, sum);
    }
  }
  return { input28, inverted, empty: false, box };
}
