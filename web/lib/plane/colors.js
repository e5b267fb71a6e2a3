// The playground's diverging colour scale (TensorFlow Playground's): orange for -1 (class 0),
// near-white for 0, blue for +1 (class 1). Values outside [-1, 1] are clamped. Data with more
// than 2 classes takes a categorical palette instead.

export const NEGATIVE = "#f59322";
export const POSITIVE = "#0877bd";
const STOPS = [[0xf5, 0x93, 0x22], [0xe8, 0xea, 0xeb], [0x08, 0x77, 0xbd]];
const STEPS = 256;

// 256 RGB entries over [-1, 1], so a frame of heatmaps costs one lookup per cell.
const TABLE = (() => {
  const table = new Uint8ClampedArray(STEPS * 3);
  for (let i = 0; i < STEPS; i++) {
    const t = (i / (STEPS - 1)) * 2;  // 0..2 across the two segments
    const [from, to] = t < 1 ? [STOPS[0], STOPS[1]] : [STOPS[1], STOPS[2]];
    const f = t < 1 ? t : t - 1;
    for (let c = 0; c < 3; c++) table[3 * i + c] = from[c] + (to[c] - from[c]) * f;
  }
  return table;
})();

const index = (v) => (Number.isNaN(v) ? (STEPS - 1) >> 1 :
  Math.round((Math.min(1, Math.max(-1, v)) + 1) * 0.5 * (STEPS - 1)));

/** "rgb(...)" of a value in [-1, 1]. */
export function cssColor(v) {
  const i = 3 * index(v);
  return `rgb(${TABLE[i]}, ${TABLE[i + 1]}, ${TABLE[i + 2]})`;
}

/**
 * Fills an ImageData (width x height = the grid) with column `column` of a row-major
 * cells x columns array, each value mapped to [-1, 1] by toUnit.
 */
export function paintGrid(image, values, columns, column, toUnit) {
  const pixels = image.data;
  const cells = image.width * image.height;
  for (let i = 0; i < cells; i++) {
    const t = 3 * index(toUnit(values[i * columns + column]));
    pixels[4 * i] = TABLE[t];
    pixels[4 * i + 1] = TABLE[t + 1];
    pixels[4 * i + 2] = TABLE[t + 2];
    pixels[4 * i + 3] = 255;
  }
}

/** Maps an activation's range onto [-1, 1] for colouring: sigmoid's [0, 1] is stretched. */
export function unitScale(activation) {
  return activation === "sigmoid" ? (a) => 2 * a - 1 : (a) => a;
}

/** One colour per class for more than 2 classes (Tableau 10); class k takes k modulo 10. */
export const CLASS_COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
  "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
const CLASS_RGB = CLASS_COLORS.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
const NEUTRAL = STOPS[1];

/** Class k's colour with intensity t in [0, 1]: the neutral colour at 0, the class's at 1. */
function classPixel(pixels, at, k, t) {
  const rgb = CLASS_RGB[k % CLASS_RGB.length];
  for (let c = 0; c < 3; c++) pixels[at + c] = NEUTRAL[c] + (rgb[c] - NEUTRAL[c]) * t;
  pixels[at + 3] = 255;
}

/**
 * Fills an ImageData from a row-major cells x classes array of class probabilities: each cell
 * takes the colour of its most probable class, with the confidence as intensity (a lead of
 * 1/classes — a tie — is neutral, probability 1 the full colour).
 */
export function paintClasses(image, values, classes) {
  const pixels = image.data;
  const cells = image.width * image.height;
  for (let i = 0; i < cells; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (values[i * classes + k] > values[i * classes + best]) best = k;
    const confidence = (values[i * classes + best] - 1 / classes) / (1 - 1 / classes);
    classPixel(pixels, 4 * i, best, Math.min(1, Math.max(0, confidence)) || 0);
  }
}

/** Like paintGrid for one class's probability (column k of a cells x classes array). */
export function paintClassProbability(image, values, classes, k) {
  const cells = image.width * image.height;
  for (let i = 0; i < cells; i++) classPixel(image.data, 4 * i, k, Math.min(1, Math.max(0, values[i * classes + k])) || 0);
}

/**
 * How a view colours outputs and labels: for more than 2 classes by class (labels are class
 * indices); otherwise on the diverging scale, toUnit mapping an output or label to [-1, 1].
 * Returns { paint(image, values), point(label) -> css colour }.
 */
export function outputColors({ classes = 0, toUnit }) {
  if (classes > 2) {
    return { paint: (image, values) => paintClasses(image, values, classes),
      point: (k) => CLASS_COLORS[k % CLASS_COLORS.length] };
  }
  return { paint: (image, values) => paintGrid(image, values, 1, 0, toUnit), point: (v) => cssColor(toUnit(v)) };
}
