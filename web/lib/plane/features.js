// The input features (TensorFlow Playground's feature crosses), computed in JS before the data
// reaches the network. Pure functions of the point, so every page computes identical inputs.

/** key (URL and state), label (page), value(x1, x2). Order is the network's input order. */
export const FEATURES = [
  { key: "x1", label: "X₁", value: (x1) => x1 },
  { key: "x2", label: "X₂", value: (x1, x2) => x2 },
  { key: "x1sq", label: "X₁²", value: (x1) => x1 * x1 },
  { key: "x2sq", label: "X₂²", value: (x1, x2) => x2 * x2 },
  { key: "x1x2", label: "X₁X₂", value: (x1, x2) => x1 * x2 },
  { key: "sinx1", label: "sin(X₁)", value: (x1) => Math.sin(x1) },
  { key: "sinx2", label: "sin(X₂)", value: (x1, x2) => Math.sin(x2) },
];

export const FEATURE_KEYS = FEATURES.map((f) => f.key);

/** Puts the selected keys in the canonical order above, so equal sets give equal networks. */
export function canonicalFeatures(keys) {
  return FEATURE_KEYS.filter((key) => keys.includes(key));
}

/** points: row-major n x 2 coordinates -> row-major n x keys.length features (Float32Array). */
export function featureMatrix(points, n, keys) {
  const fns = canonicalFeatures(keys).map((key) => FEATURES[FEATURE_KEYS.indexOf(key)].value);
  const out = new Float32Array(n * fns.length);
  for (let i = 0; i < n; i++) {
    const x1 = points[2 * i], x2 = points[2 * i + 1];
    for (let j = 0; j < fns.length; j++) out[i * fns.length + j] = fns[j](x1, x2);
  }
  return out;
}

/** The half-width of the square the data lives in: points lie in [-EXTENT, EXTENT]^2. */
export const EXTENT = 6;

/**
 * Centres of a size x size grid over the plane, row-major with row 0 at the top (x2 = +EXTENT),
 * as n x 2 coordinates: what the heatmaps are evaluated on.
 */
export function gridPoints(size) {
  const points = new Float32Array(size * size * 2);
  const cell = (2 * EXTENT) / size;
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const i = row * size + col;
      points[2 * i] = -EXTENT + (col + 0.5) * cell;
      points[2 * i + 1] = EXTENT - (row + 0.5) * cell;
    }
  }
  return points;
}
