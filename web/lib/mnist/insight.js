// What a digit network does with one 28 × 28 input, from the core: every layer's output
// (net.activations), the saliency of a class (net.inspect's input gradient) and occlusion (a
// gray patch slid over the input, net.predict on every position at once). No DOM; the digits
// page's session runs these on its one network, Node tests on theirs.
//
// The probability of class c is what the pad shows: p(c) = a_c / Σ_k a_k of the last layer's
// output a (a softmax sums to 1 already; sigmoid outputs need not).

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;
/** The occlusion patch: its side and step (px), and its gray — MNIST's mean pixel value. */
export const OCCLUSION = Object.freeze({ size: 6, stride: 2, fill: 0.1307 });

/** Every layer's output for one input: [{ layer, type, shape, data }] (net.activations). */
export function layerOutputs(net, input28) {
  return net.activations(input28, 1);
}

/**
 * d log p(label) / d input, a Float32Array(784), for a network `net` with the config `config`.
 *
 * inspect's dX is J^T · dL/d(output), and every loss nnplay has makes dL/d(output) an affine
 * function of the target y; so a target chosen to make dL/d(output) = −d log p/d(output) gives
 * −dX = the saliency, whatever the loss (g = d log p(c)/da, g_k = [k = c]/a_c − 1/S, m outputs):
 *   softmax + cross_entropy (fused, dL/dz = a − y):    y = one-hot c (then −dX is exact)
 *   quadratic (dL/da = a − y):                         y = a + g
 *   mse (dL/da = 2 (a − y) / m):                       y = a + g m / 2
 *   sigmoid + bce (fused, dL/dz = (a − y) / m):        y = a + m g ⊙ a (1 − a)
 */
export function saliency(net, config, input28, label) {
  const outputs = net.outputs;
  if (!Number.isInteger(label) || label < 0 || label >= outputs) {
    throw new Error(`label: expected an integer from 0 to ${outputs - 1}, got ${String(label).slice(0, 40)}`);
  }
  const last = config.layers.at(-1)?.activation;
  const y = new Float32Array(outputs);
  if (config.loss === "cross_entropy") {
    y[label] = 1;
  } else {
    const a = net.predict(input28, 1);
    const sum = a.reduce((s, v) => s + v, 0);
    const clamped = Math.max(a[label], 1e-7);
    for (let k = 0; k < outputs; k++) {
      const g = (k === label ? 1 / clamped : 0) - 1 / sum;
      if (config.loss === "quadratic") y[k] = a[k] + g;
      else if (config.loss === "mse") y[k] = a[k] + g * outputs / 2;
      else if (config.loss === "bce" && last === "sigmoid") y[k] = a[k] + outputs * g * a[k] * (1 - a[k]);
      else throw new Error(`saliency: a ${last} output with the ${config.loss} loss is not supported`);
    }
  }
  const { dX } = net.inspect(input28, y, 1, { inputGradient: true });
  const map = new Float32Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) map[i] = -dX[i];
  return map;
}

/** The probabilities p(0..9) for n inputs: Float32Array(n × outputs), rows summing to 1. */
export function probabilities(net, x, n) {
  const out = net.predict(x, n);
  const k = net.outputs;
  for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += out[j * k + c];
    for (let c = 0; c < k; c++) out[j * k + c] = sum > 0 ? out[j * k + c] / sum : 0;
  }
  return out;
}

/**
 * The gray patch at every position: { side (positions per row), size, stride, fill,
 * probabilities: Float32Array(side × side × outputs) } — row-major positions, for each the
 * probabilities of every class with the patch there. One predict call over all positions.
 */
export function occlusion(net, input28, { size, stride, fill } = OCCLUSION) {
  const side = Math.floor((SIDE - size) / stride) + 1;
  const n = side * side;
  const x = new Float32Array(n * PIXELS);
  for (let py = 0; py < side; py++) {
    for (let px = 0; px < side; px++) {
      const sample = x.subarray((py * side + px) * PIXELS, (py * side + px + 1) * PIXELS);
      sample.set(input28);
      occlude(sample, py * stride, px * stride, size, fill);
    }
  }
  return { side, size, stride, fill, probabilities: probabilities(net, x, n) };
}

/** Paints the size × size patch at (top, left) of a 28 × 28 picture with `fill`. */
export function occlude(picture, top, left, size, fill) {
  for (let y = top; y < top + size; y++) picture.fill(fill, y * SIDE + left, y * SIDE + left + size);
  return picture;
}
