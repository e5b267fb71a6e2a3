// One unit of one layer, recomputed from the model's numbers: the multiply-add that makes it,
// written out. For a conv2d unit, its k × k kernel for each input channel, the input patch it
// sees (zeros where the patch is padding), each channel's sum, the bias and the activation; for
// a pooling unit, its window; for a dense unit, its largest terms, the rest summed, the bias and
// the activation. The value recomputed here is what the layer view shows (net.activations): the
// digits page sets them side by side. No DOM; Node tests check it against the core.
//
// Layouts are the API's: images NHWC without the batch, conv kernels [kh, kw, inC, outC] and
// dense kernels [in, out] (Keras order), padding as TensorFlow's (core/conv2d_layer.h).

const DENSE_TERMS = 12;  // a dense unit's terms written out; the others are summed

const ACTIVATIONS = {
  linear: (z) => z,
  relu: (z) => Math.max(0, z),
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: (z) => Math.tanh(z),
};

/** The weights of layer `index` from getWeights()'s list: { kernel, bias } ({ shape, data } each). */
export function layerWeights(weights, index) {
  const own = weights.filter((w) => w.name.endsWith(`_${index}/kernel`) || w.name.endsWith(`_${index}/bias`));
  return { kernel: own.find((w) => w.name.endsWith("/kernel")), bias: own.find((w) => w.name.endsWith("/bias")) };
}

// TensorFlow's "same" padding before the image: pad_total = max((out − 1) s + k − in, 0), half
// of it (rounded down) before.
function padBefore(padding, size, out, kernel, stride) {
  return padding === "same" ? Math.floor(Math.max((out - 1) * stride + kernel - size, 0) / 2) : 0;
}

/** Row-major index of (y, x, c) in an NHWC picture of `shape`. */
export const nhwc = (shape, y, x, c) => (y * shape[1] + x) * shape[2] + c;

/**
 * How unit `unit` of layer `index` is computed. config: the model's config; weights:
 * getWeights(); input28: the network's input; outputs: net.activations' list for it. unit: the
 * output index (row-major NHWC for pictures). Returns { type, layer, unit, position ([y, x, c]
 * or [u]), shown (the core's value), value (recomputed), ... } with per type:
 *   conv2d: kernelSize, channels: [{ channel, weights, patch, inside (false: padding), sum }],
 *     bias, z, activation;
 *   maxpool2d / avgpool2d: channel, window ([{ y, x, value }]), value;
 *   dense: terms ([{ input, weight, x }], the largest |weight·x| first), rest (their sum), restCount,
 *     bias, z, activation (for softmax also zs, all units' z);
 *   batchnorm: channel, x (its input), mean, variance (the moving ones), epsilon, gamma, beta,
 *     z = gamma (x − mean) / √(variance + epsilon) + beta, activation;
 *   flatten / dropout: from (the previous layer's index of the same value).
 */
export function explainUnit({ config, weights, input28, outputs }, index, unit) {
  const spec = config.layers[index];
  const output = outputs[index];
  if (!spec || !output) throw new Error(`layer: expected 0 to ${config.layers.length - 1}, got ${index}`);
  if (!Number.isInteger(unit) || unit < 0 || unit >= output.data.length) {
    throw new Error(`unit: expected 0 to ${output.data.length - 1}, got ${unit}`);
  }
  const input = index === 0 ? { shape: config.input.length === 3 ? config.input : [input28.length], data: input28 } :
    outputs[index - 1];
  const shape = output.shape;
  const position = shape.length === 3 ?
    [Math.floor(unit / (shape[1] * shape[2])), Math.floor(unit / shape[2]) % shape[1], unit % shape[2]] : [unit];
  const base = { type: spec.type, layer: index, unit, position, shown: output.data[unit] };

  if (spec.type === "conv2d") {
    const { kernel, bias } = layerWeights(weights, index);
    const [kh, kw, inC, outC] = kernel.shape;
    const [inH, inW] = input.shape;
    const stride = spec.stride ?? 1;
    const top = padBefore(spec.padding, inH, shape[0], kh, stride);
    const left = padBefore(spec.padding, inW, shape[1], kw, stride);
    const [oy, ox, co] = position;
    const channels = [];
    let z = bias.data[co];
    for (let ci = 0; ci < inC; ci++) {
      const w = new Float32Array(kh * kw), patch = new Float32Array(kh * kw), inside = [];
      let sum = 0;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const iy = oy * stride - top + i, ix = ox * stride - left + j;
          const isIn = iy >= 0 && iy < inH && ix >= 0 && ix < inW;
          w[i * kw + j] = kernel.data[((i * kw + j) * inC + ci) * outC + co];
          patch[i * kw + j] = isIn ? input.data[nhwc(input.shape, iy, ix, ci)] : 0;
          inside.push(isIn);
          sum += w[i * kw + j] * patch[i * kw + j];
        }
      }
      channels.push({ channel: ci, weights: w, patch, inside, sum, origin: [oy * stride - top, ox * stride - left] });
      z += sum;
    }
    return { ...base, kernelSize: [kh, kw], channels, bias: bias.data[co], z, activation: spec.activation,
      value: activate(spec.activation, z) };
  }

  if (spec.type === "maxpool2d" || spec.type === "avgpool2d") {
    const size = spec.size;
    const [oy, ox, c] = position;
    const window = [];
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        const y = oy * size + i, x = ox * size + j;
        if (y < input.shape[0] && x < input.shape[1]) window.push({ y, x, value: input.data[nhwc(input.shape, y, x, c)] });
      }
    }
    const values = window.map((w) => w.value);
    const value = spec.type === "maxpool2d" ? Math.max(...values) : values.reduce((a, b) => a + b, 0) / values.length;
    return { ...base, channel: c, size, window, value };
  }

  if (spec.type === "batchnorm") {
    // Inference, as net.activations computes it: the moving statistics of the unit's channel.
    const c = position.at(-1);
    const own = (part) => weights.find((w) => w.name === `batchnorm_${index}/${part}`).data[c];
    const [gamma, beta, mean, variance] = ["gamma", "beta", "moving_mean", "moving_variance"].map(own);
    const epsilon = spec.epsilon ?? 0.001, x = input.data[unit];
    const z = gamma * (x - mean) / Math.sqrt(variance + epsilon) + beta;
    return { ...base, channel: c, x, mean, variance, epsilon, gamma, beta, z, activation: spec.activation,
      value: activate(spec.activation, z) };
  }

  if (spec.type === "dense") {
    const { kernel, bias } = layerWeights(weights, index);
    const [inputs, units] = kernel.shape;
    const zOf = (u) => {
      let z = bias.data[u];
      for (let i = 0; i < inputs; i++) z += kernel.data[i * units + u] * input.data[i];
      return z;
    };
    const terms = [];
    for (let i = 0; i < inputs; i++) terms.push({ input: i, weight: kernel.data[i * units + unit], x: input.data[i] });
    terms.sort((a, b) => Math.abs(b.weight * b.x) - Math.abs(a.weight * a.x));
    const shownTerms = terms.slice(0, DENSE_TERMS);
    const rest = terms.slice(DENSE_TERMS).reduce((s, t) => s + t.weight * t.x, 0);
    const z = shownTerms.reduce((s, t) => s + t.weight * t.x, rest + bias.data[unit]);
    let value;
    let zs = null;
    if (spec.activation === "softmax") {
      zs = Array.from({ length: units }, (_, u) => (u === unit ? z : zOf(u)));
      const max = Math.max(...zs);
      value = Math.exp(z - max) / zs.reduce((s, v) => s + Math.exp(v - max), 0);
    } else {
      value = activate(spec.activation, z);
    }
    return { ...base, inputShape: input.shape, terms: shownTerms, rest, restCount: terms.length - shownTerms.length,
      bias: bias.data[unit], z, activation: spec.activation, zs, value };
  }

  // flatten (NHWC order is already the flat order) and dropout (off in inference) copy their input
  return { ...base, from: index - 1, inputShape: input.shape, value: input.data[unit] };
}

function activate(name, z) {
  const f = ACTIVATIONS[name ?? "linear"];
  if (!f) throw new Error(`activation: ${name} cannot be written out here`);
  return f(z);
}
