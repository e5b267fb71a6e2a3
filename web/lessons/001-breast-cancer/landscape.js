// A loss-landscape slice (after Li et al., "Visualizing the Loss Landscape of Neural Nets",
// 2018): the plane θ + α·d1 + β·d2 through a network's weights θ, the loss over a grid on it,
// and optimizer paths kept on it. Parameters are flat arrays in getWeights() order. No DOM.
import { gaussian, makeRandom } from "../../lib/random.js";
import { flatWeights, withFlatWeights } from "../../lib/flat-weights.js";

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
