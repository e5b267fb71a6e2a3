// A loss-landscape slice (after Li et al., "Visualizing the Loss Landscape of Neural Nets",
// 2018): the plane θ + α·d1 + β·d2 through a network's weights θ, the loss over a grid on it,
// and optimizer paths kept on it. Parameters are flat arrays in getWeights() order. No DOM.
import { gaussian, makeRandom } from "../random.js";
import { flatWeights, withFlatWeights } from "../flat-weights.js";

const dot = (a, b) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
};

/**
 * A random direction with each unit's part as long as that unit's weights (a dense kernel
 * [in, out] has one column per unit; a bias vector counts as one part), so a step of 1 moves
 * every unit by about its own size: "filter normalization".
 */
export function randomDirection(weights, seed) {
  const random = makeRandom(seed);
  const direction = [];
  for (const { shape, data } of weights) {
    const d = Float64Array.from(data, () => gaussian(random));
    const [rows, columns] = shape.length === 2 ? shape : [data.length, 1];
    for (let j = 0; j < columns; j++) {
      let dd = 0, ww = 0;
      for (let i = 0; i < rows; i++) {
        dd += d[i * columns + j] ** 2;
        ww += data[i * columns + j] ** 2;
      }
      const scale = Math.sqrt(ww / dd) || 0;
      for (let i = 0; i < rows; i++) d[i * columns + j] *= scale;
    }
    direction.push(...d);
  }
  return Float64Array.from(direction);
}

/** The direction of the single parameter at flat index k. */
export function unitDirection(size, k) {
  const d = new Float64Array(size);
  d[k] = 1;
  return d;
}

export class Slice {
  /** template: getWeights() of the network at the centre; d1, d2: flat directions. */
  constructor(template, d1, d2) {
    this.template = template;
    this.centre = Float64Array.from(flatWeights(template));
    this.d1 = d1;
    this.d2 = d2;
    // The Gram matrix of the directions, for projecting onto their plane.
    this.gram = [dot(d1, d1), dot(d1, d2), dot(d2, d2)];
  }

  /** The weights (a setWeights() list) at (α, β). */
  weightsAt(alpha, beta) {
    const { centre, d1, d2 } = this;
    const flat = new Float32Array(centre.length);
    for (let i = 0; i < flat.length; i++) flat[i] = centre[i] + alpha * d1[i] + beta * d2[i];
    return withFlatWeights(this.template, flat);
  }

  /**
   * [α, β] of the point of the plane nearest to these weights (getWeights() list): the
   * orthogonal projection, solving the 2 x 2 normal equations.
   */
  project(weights) {
    const { centre, d1, d2 } = this;
    let r1 = 0, r2 = 0, i = 0;
    for (const { data } of weights) {
      for (let k = 0; k < data.length; k++, i++) {
        const u = data[k] - centre[i];
        r1 += d1[i] * u;
        r2 += d2[i] * u;
      }
    }
    const [g11, g12, g22] = this.gram;
    const det = g11 * g22 - g12 * g12;
    return [(g22 * r1 - g12 * r2) / det, (g11 * r2 - g12 * r1) / det];
  }
}

/**
 * The grid's α (and β) values: size points over [-span, span], the centre among them when
 * size is odd.
 */
export const gridValues = (size, span) => Array.from({ length: size }, (_, k) => -span + (2 * span * k) / (size - 1));

/**
 * Two directions for a slice through the end of a training path (flat weights, oldest first):
 * the path's first two principal components around its last point (Li et al., section 7: a
 * random plane shows nothing of a path in many dimensions; this one holds as much of it as a
 * plane can). Returns null when the path does not span a plane.
 */
export function pathDirections(path) {
  const end = path.at(-1);
  const rows = path.slice(0, -1).map((point) => Float64Array.from(point, (v, i) => v - end[i]));
  const k = rows.length;
  if (k < 2) return null;
  // The k x k Gram matrix of the offsets; its top eigenvectors v give the components M^T v.
  const gram = rows.map((a) => rows.map((b) => dot(a, b)));
  const components = [];
  for (let c = 0; c < 2; c++) {
    let v = Float64Array.from({ length: k }, (_, i) => 1 + ((i * 7919) % 13) / 13);
    let value = 0;
    for (let iteration = 0; iteration < 300; iteration++) {
      const next = gram.map((row) => dot(row, v));
      // Deflation: remove what the components found so far explain.
      for (const { u, lambda } of components) {
        const along = dot(u, v);
        for (let i = 0; i < k; i++) next[i] -= lambda * along * u[i];
      }
      value = Math.sqrt(dot(next, next));
      if (value === 0) break;
      v = next.map((x) => x / value);
    }
    if (!(value > 1e-12 * (gram[0][0] + 1e-30))) return null;
    components.push({ u: v, lambda: value });
  }
  return components.map(({ u }) => {
    const d = new Float64Array(end.length);
    rows.forEach((row, r) => { for (let i = 0; i < d.length; i++) d[i] += u[r] * row[i]; });
    const norm = Math.sqrt(dot(d, d));
    return d.map((x) => x / norm);
  });
}
