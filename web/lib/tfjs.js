// Conversion between nnplay models and TensorFlow.js Layers artifacts (tf.io.ModelArtifacts:
// modelTopology, weightSpecs, weightData), for dense, conv2d, maxpool2d, flatten, dropout,
// batchnorm and avgpool2d. Both sides use Keras weight order (dense [in, out], conv [kh, kw, inC,
// outC], batch norm gamma, beta, moving_mean, moving_variance) and NHWC, so weights copy across
// unchanged. A batchnorm with an activation is a BatchNormalization followed by an Activation
// layer in TF.js (whose BatchNormalization has none), and such a pair imports as one batchnorm.
// TF.js 4.22 has the activations elu, gelu (the exact erf form, as nnplay's), softplus and swish
// by these names; it has no leaky_relu activation, so a layer with leaky_relu goes out as the
// layer with a linear activation followed by a LeakyReLU layer (its alpha the slope; a
// batchnorm's slope is always 0.2) and comes back as one layer.

const tfjsClass = { dense: "Dense", conv2d: "Conv2D", maxpool2d: "MaxPooling2D", flatten: "Flatten",
  dropout: "Dropout", batchnorm: "BatchNormalization", avgpool2d: "AveragePooling2D" };
const activations = new Set(["linear", "sigmoid", "tanh", "relu", "softmax", "elu", "gelu", "softplus",
  "swish"]);
// The slope of a batchnorm's leaky_relu (it has no alpha field): the core's default.
const BATCHNORM_LEAKY_ALPHA = 0.2;

/** TF.js Layers artifacts for an nnplay config and its getWeights() list. */
export function toTFJS(config, weights) {
  const layers = config.layers.flatMap((layer, i) => {
    const name = `${layer.type}_${i}`;
    const c = { name, trainable: true };
    if (i === 0) Object.assign(c, { batch_input_shape: [null, ...config.input], dtype: "float32" });
    if (layer.type === "dense") {
      Object.assign(c, { units: layer.units, activation: layer.activation, use_bias: true });
    } else if (layer.type === "conv2d") {
      Object.assign(c, { filters: layer.filters, kernel_size: [layer.kernel, layer.kernel],
        strides: [layer.stride, layer.stride], padding: layer.padding,
        data_format: "channels_last", dilation_rate: [1, 1], activation: layer.activation,
        use_bias: true });
    } else if (layer.type === "maxpool2d" || layer.type === "avgpool2d") {
      Object.assign(c, { pool_size: [layer.size, layer.size], strides: [layer.size, layer.size],
        padding: "valid", data_format: "channels_last" });
    } else if (layer.type === "dropout") {
      Object.assign(c, { rate: layer.rate, noise_shape: null, seed: null });
    } else if (layer.type === "batchnorm") {
      Object.assign(c, { axis: -1, momentum: layer.momentum, epsilon: layer.epsilon, center: true,
        scale: true });
      const activation = layer.activation ?? "linear";
      if (activation === "leaky_relu") {
        return [{ class_name: "BatchNormalization", config: c }, { class_name: "LeakyReLU",
          config: { name: `leaky_relu_${i}`, alpha: BATCHNORM_LEAKY_ALPHA, trainable: true } }];
      }
      if (activation !== "linear") {
        return [{ class_name: "BatchNormalization", config: c },
          { class_name: "Activation", config: { name: `${name}_activation`, trainable: true, activation } }];
      }
    }
    if (layer.activation === "leaky_relu") {
      c.activation = "linear";
      return [{ class_name: tfjsClass[layer.type], config: c },
        { class_name: "LeakyReLU", config: { name: `leaky_relu_${i}`, alpha: layer.alpha, trainable: true } }];
    }
    return [{ class_name: tfjsClass[layer.type], config: c }];
  });
  const total = weights.reduce((sum, w) => sum + w.data.length, 0);
  const weightData = new Float32Array(total);
  let offset = 0;
  for (const w of weights) {
    weightData.set(w.data, offset);
    offset += w.data.length;
  }
  return {
    modelTopology: {
      class_name: "Sequential",
      config: { name: "nnplay", layers },
      keras_version: "tfjs-layers 4.22.0",
      backend: "tensor_flow.js",
    },
    format: "layers-model",
    generatedBy: "nnplay",
    convertedBy: null,
    weightSpecs: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: "float32" })),
    weightData: weightData.buffer,
  };
}

const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
const show = (value) => (value === undefined ? "nothing" : String(JSON.stringify(value)).slice(0, 60));

function pair(value, field) {
  const [a, b] = Array.isArray(value) ? value : [value, value];
  if (!Number.isInteger(a) || a !== b) {
    throw new Error(`${field}: nnplay supports square sizes only, got ${show(value)}`);
  }
  return a;
}

function lossFor(trainingConfig, outputActivation) {
  const loss = trainingConfig?.loss;
  const known = { binary_crossentropy: "bce", categorical_crossentropy: "cross_entropy",
    mse: "mse", mean_squared_error: "mse", meanSquaredError: "mse",
    binaryCrossentropy: "bce", categoricalCrossentropy: "cross_entropy" };
  if (typeof loss === "string" && known[loss]) return known[loss];
  if (outputActivation === "softmax") return "cross_entropy";
  if (outputActivation === "sigmoid") return "bce";
  return "mse";
}

/**
 * { config, weights } for nn.fromJSON-style loading, from TF.js Layers artifacts of a
 * Sequential model. Throws an Error naming the unsupported layer or field.
 */
export function fromTFJS(artifacts) {
  const topology = artifacts?.modelTopology?.model_config ?? artifacts?.modelTopology;
  if (!topology || typeof topology !== "object") throw new Error("modelTopology: missing");
  if (topology.class_name !== "Sequential") {
    throw new Error(`modelTopology.class_name: nnplay imports Sequential models, got ${
      JSON.stringify(topology.class_name)}`);
  }
  const source = Array.isArray(topology.config) ? topology.config : topology.config?.layers;
  if (!Array.isArray(source) || source.length === 0) {
    throw new Error("modelTopology.config.layers: expected a list of layers");
  }
  let input = null;
  const layers = [];
  const names = [];  // TF.js layer name of each nnplay layer
  let rank = 0;  // of the current layer's input, without the batch axis
  source.forEach((layer, i) => {
    const field = `modelTopology.config.layers[${i}]`;
    if (!isObject(layer) || !isObject(layer.config ?? {})) {
      throw new Error(`${field}: expected { class_name, config }`);
    }
    const kind = layer.class_name;
    const c = layer.config ?? {};
    const shape = c.batch_input_shape ?? c.batchInputShape;
    if (shape !== undefined && !input) {
      if (!Array.isArray(shape) || shape.length < 2) {
        throw new Error(`${field}.config.batch_input_shape: expected [null, ...sizes], got ${show(shape)}`);
      }
      input = shape.slice(1);
      rank = input.length;
    }
    if (kind === "InputLayer") return;
    if (kind === "LeakyReLU") {
      // The slope of the layer before it (TF.js's default alpha is 0.3).
      const before = layers.at(-1);
      if (!before || before.activation !== "linear") {
        throw new Error(`${field}: nnplay reads LeakyReLU only right after a Dense, Conv2D or BatchNormalization layer ` +
          "with a linear activation");
      }
      const alpha = c.alpha ?? 0.3;
      if (typeof alpha !== "number" || !(alpha >= 0 && alpha <= 1)) {
        throw new Error(`${field}.alpha: expected a number in [0, 1], got ${show(alpha)}`);
      }
      if (before.type === "batchnorm") {
        if (Math.fround(alpha) !== Math.fround(BATCHNORM_LEAKY_ALPHA)) {
          throw new Error(`${field}.alpha: after BatchNormalization nnplay's leaky_relu has the slope ` +
            `${BATCHNORM_LEAKY_ALPHA}, got ${show(alpha)}`);
        }
        before.activation = "leaky_relu";
        return;
      }
      Object.assign(before, { activation: "leaky_relu", alpha });
      return;
    }
    const activation = c.activation ?? "linear";
    if ((kind === "Dense" || kind === "Conv2D" || kind === "Activation") && !activations.has(activation)) {
      throw new Error(`${field}.activation: nnplay supports ${[...activations].join("|")}, got ${
        JSON.stringify(activation)}`);
    }
    if (kind === "Dense") {
      layers.push({ type: "dense", units: c.units, activation });
    } else if (kind === "Conv2D") {
      if ((c.data_format ?? "channels_last") !== "channels_last") {
        throw new Error(`${field}.data_format: nnplay supports channels_last only`);
      }
      if (pair(c.dilation_rate ?? 1, `${field}.dilation_rate`) !== 1) {
        throw new Error(`${field}.dilation_rate: nnplay supports 1 only`);
      }
      layers.push({ type: "conv2d", filters: c.filters, kernel: pair(c.kernel_size, `${field}.kernel_size`),
        stride: pair(c.strides ?? 1, `${field}.strides`), padding: c.padding ?? "valid", activation });
    } else if (kind === "MaxPooling2D" || kind === "AveragePooling2D") {
      const size = pair(c.pool_size ?? 2, `${field}.pool_size`);
      if (pair(c.strides ?? size, `${field}.strides`) !== size || (c.padding ?? "valid") !== "valid") {
        throw new Error(`${field}: nnplay supports pooling with strides equal to the pool size and valid padding`);
      }
      layers.push({ type: kind === "MaxPooling2D" ? "maxpool2d" : "avgpool2d", size });
    } else if (kind === "Flatten") {
      layers.push({ type: "flatten" });
    } else if (kind === "Dropout") {
      layers.push({ type: "dropout", rate: c.rate });
    } else if (kind === "BatchNormalization") {
      const axis = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : c.axis ?? -1;
      if (axis !== -1 && axis !== rank) {
        throw new Error(`${field}.axis: nnplay normalizes the last axis (-1), got ${show(c.axis)}`);
      }
      if (c.center === false || c.scale === false) {
        throw new Error(`${field}: nnplay's batch norm has both center and scale (beta and gamma)`);
      }
      layers.push({ type: "batchnorm", momentum: c.momentum ?? 0.99, epsilon: c.epsilon ?? 0.001,
        activation: "linear" });
    } else if (kind === "Activation" && layers.at(-1)?.type === "batchnorm" &&
        layers.at(-1).activation === "linear") {
      layers.at(-1).activation = activation;  // the second half of a batchnorm with an activation
      return;
    } else {
      throw new Error(`${field}: layer class ${JSON.stringify(kind)} is not supported ` +
        "(nnplay supports Dense, Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Dropout, " +
        "BatchNormalization, Activation after BatchNormalization, and LeakyReLU)");
    }
    if (kind === "Flatten" || kind === "Dense") rank = 1;
    if ((kind === "Dense" || kind === "Conv2D") && c.use_bias === false) {
      throw new Error(`${field}.use_bias: nnplay layers always have a bias`);
    }
    if (typeof c.name !== "string") throw new Error(`${field}.config.name: expected a string, got ${show(c.name)}`);
    names.push(c.name);
  });
  if (!input) throw new Error("modelTopology: the first layer has no batch_input_shape");

  const specs = artifacts.weightSpecs;
  if (!Array.isArray(specs)) throw new Error("weightSpecs: expected a list");
  for (const [i, spec] of specs.entries()) {
    if (!isObject(spec) || typeof spec.name !== "string" || !Array.isArray(spec.shape) ||
        !spec.shape.every((d) => Number.isInteger(d) && d >= 1 && d <= 1 << 24)) {
      throw new Error(`weightSpecs[${i}]: expected { name, shape: positive integers, dtype }, got ${show(spec)}`);
    }
  }
  const buffers = Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData];
  if (!buffers.every((b) => b instanceof ArrayBuffer || ArrayBuffer.isView(b))) {
    throw new Error("weightData: expected an ArrayBuffer");
  }
  const bytes = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of buffers) {
    bytes.set(ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b), at);
    at += b.byteLength;
  }
  const byName = new Map();
  let offset = 0;
  for (const [i, spec] of specs.entries()) {
    if ((spec.dtype ?? "float32") !== "float32" || spec.quantization) {
      throw new Error(`weightSpecs[${i}]: nnplay reads unquantized float32 weights, got ${show(spec.dtype)}`);
    }
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (offset + 4 * count > bytes.length) {
      throw new Error(`weightData: ${bytes.length} bytes is too short for weightSpecs[${i}] (${spec.name})`);
    }
    byName.set(spec.name, { shape: spec.shape,
      data: new Float32Array(bytes.slice(offset, offset + 4 * count).buffer) });
    offset += 4 * count;
  }

  const weights = [];
  const parts = { dense: ["kernel", "bias"], conv2d: ["kernel", "bias"],
    batchnorm: ["gamma", "beta", "moving_mean", "moving_variance"] };
  layers.forEach((layer, i) => {
    for (const part of parts[layer.type] ?? []) {
      const w = byName.get(`${names[i]}/${part}`);
      if (!w) throw new Error(`weightSpecs: no weights named ${JSON.stringify(`${names[i]}/${part}`)}`);
      weights.push({ name: `${layer.type}_${i}/${part}`, shape: w.shape, data: w.data });
    }
  });
  const output = layers.at(-1).activation;
  const config = { input, layers, loss: lossFor(artifacts.trainingConfig, output),
    optimizer: { type: "adam", lr: 0.001 } };
  return { config, weights };
}
