// The playground's diverging colour scale (TensorFlow Playground's): orange for -1 (class 0),
// near-white for 0, blue for +1 (class 1). Values outside [-1, 1] are clamped.

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
