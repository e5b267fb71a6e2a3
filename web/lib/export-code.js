// A playground network with its trained weights as source code for other frameworks: TF.js
// (an ES module whose default export build(tf) returns a tf.Sequential with the weights set),
// Keras and PyTorch (Python). Each file also has features(x1, x2), the network's inputs for a
// point of the plane (lib/plane/features.js: the playground computes them before the network),
// so predictions compare on raw points. Weights are written as the shortest decimals that read
// back as the same float32 values. No DOM.
//
// The optimizer and its learning-rate schedule go with the code as each framework's own: Keras
// has every one nnplay has (schedules as keras.optimizers.schedules); PyTorch's optimizer()
// returns the torch.optim one and a LambdaLR with nnplay's schedule formula, stepped per batch
// (RMSprop, Adagrad and Adam add epsilon outside the square root there, nnplay and Keras inside
// or before the bias correction: the same rule up to that epsilon); TF.js has no AdamW and no
// schedules, so its file says what it leaves out.
import { FEATURES, canonicalFeatures } from "./plane/features.js";

export const CODE_FORMATS = ["tfjs", "keras", "pytorch"];

// Each feature in each language; x1, x2 are numbers (JS) or float64 arrays (numpy).
const FEATURE_CODE = {
  x1: ["x1", "x1"], x2: ["x2", "x2"], x1sq: ["x1 * x1", "x1 * x1"], x2sq: ["x2 * x2", "x2 * x2"],
  x1x2: ["x1 * x2", "x1 * x2"], sinx1: ["Math.sin(x1)", "np.sin(x1)"], sinx2: ["Math.sin(x2)", "np.sin(x2)"],
};

const KERAS = {
  loss: { bce: "binary_crossentropy", mse: "mse", quadratic: "mse", cross_entropy: "categorical_crossentropy" },
};

// leaky_relu's slope; the layers of one exported network share it (the playground's do: 0.2).
function leakySlope(config) {
  const slopes = new Set(config.layers.filter((l) => l.activation === "leaky_relu").map((l) => l.alpha ?? 0.2));
  if (slopes.size > 1) throw new Error("exportCode: leaky_relu layers with different slopes are not supported");
  return [...slopes][0] ?? 0.2;
}

// The learning rate at optimizer step t (0, 1, ...) over the optimizer's rate, as a Python
// expression of t (the formulas of core/config.h).
function pythonSchedule(schedule) {
  switch (schedule?.type ?? "constant") {
    case "step": return `${schedule.factor} ** (t // ${schedule.every})`;
    case "exponential": return `${schedule.decayRate} ** (t ${schedule.staircase ? "//" : "/"} ${schedule.decaySteps})`;
    case "cosine": return `(1 - ${schedule.alpha}) * 0.5 * (1 + math.cos(math.pi * min(t, ${schedule.decaySteps}) / ` +
      `${schedule.decaySteps})) + ${schedule.alpha}`;
    default: return "1.0";
  }
}

/** The shortest decimal that is this float32 value again when read and rounded to float32. */
export function float32Literal(value) {
  for (let digits = 1; digits < 9; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(Number(value.toPrecision(9)));
}

// A list of numbers, wrapped to lines of about 100 characters after `indent`.
function numberList(values, indent) {
  const lines = [];
  let line = "";
  for (const v of values) {
    const item = `${float32Literal(v)}, `;
    if (line.length + item.length > 96 - indent.length && line) {
      lines.push(line.trimEnd());
      line = "";
    }
    line += item;
  }
  if (line) lines.push(line.trimEnd());
  return `[\n${lines.map((l) => `${indent}  ${l}`).join("\n")}\n${indent}]`;
}

/**
 * The source text. network: { config (the playground's config: dense layers, each maybe followed
 * by a batchnorm), weights (getWeights() order: kernel [in, out], bias [out] per dense layer;
 * gamma, beta, moving_mean, moving_variance per batchnorm), features (the input feature keys,
 * generated data) or columns (a table's input column names) }. A batchnorm is folded into the
 * dense layer before it: with its moving statistics it is z' = s·(z − μ) + β, s = γ / √(σ² + ε),
 * so W' = W·s and b' = s·(b − μ) + β give the same outputs (inference; the exported model trains
 * without batch norm).
 */
export function exportCode(format, { config, weights, features = null, columns = null }) {
  if (!CODE_FORMATS.includes(format)) {
    throw new Error(`exportCode: format must be one of ${CODE_FORMATS.join("|")}, got ${JSON.stringify(format)}`);
  }
  const inputs = config.input[0];
  const layers = denseLayers(config, weights);
  const keys = features && canonicalFeatures(features);
  const shape = [inputs, ...layers.map((l) => l.units)].join("-");
  const described = keys ?
    `Inputs: features(x1, x2) gives the ${inputs} input values for a point (x1, x2) of the plane: ` +
      keys.map((k) => FEATURES.find((f) => f.key === k).label).join(", ") :
    `Inputs: the columns ${columns.join(", ")}, in this order, standardized as the playground did`;
  const about = [`A ${shape} network exported from nnplay with its trained weights.`, `${described}.`];
  const make = { tfjs, keras, pytorch }[format];
  return make({ about, inputs, layers, keys, config });
}

// { units, activation, inputs, kernel, bias } per dense layer, batch norms folded in.
function denseLayers(config, weights) {
  const layers = [];
  let next = 0;
  for (const layer of config.layers) {
    if (layer.type === "batchnorm") {
      const [gamma, beta, mean, variance] = weights.slice(next, next + 4).map((w) => w.data);
      next += 4;
      const dense = layers.at(-1);
      const scale = gamma.map((g, j) => g / Math.sqrt(variance[j] + (layer.epsilon ?? 0.001)));
      dense.kernel = dense.kernel.map((w, k) => scale[k % dense.units] * w);
      dense.bias = dense.bias.map((b, j) => scale[j] * (b - mean[j]) + beta[j]);
      dense.activation = layer.activation ?? "linear";
      continue;
    }
    const [kernel, bias] = weights.slice(next, next + 2);
    next += 2;
    // Float32Array: map keeps folded values float32, as the literals need.
    layers.push({ units: layer.units, activation: layer.activation, inputs: kernel.shape[0],
      kernel: Float32Array.from(kernel.data), bias: Float32Array.from(bias.data) });
  }
  return layers;
}

function tfjs({ about, inputs, layers, keys, config }) {
  const { optimizer: o } = config;
  const train = {
    adam: `tf.train.adam(${o.lr})`,
    adamw: `tf.train.adam(${o.lr})`,
    rmsprop: `tf.train.rmsprop(${o.lr}, ${o.rho}, 0, ${o.epsilon})`,
    adagrad: `tf.train.adagrad(${o.lr}, 0.1)`,
  }[o.type] ?? (o.momentum ? `tf.train.momentum(${o.lr}, ${o.momentum}${o.nesterov ? ", true" : ""})` :
    `tf.train.sgd(${o.lr})`);
  const leaky = layers.some((l) => l.activation === "leaky_relu");
  const unsaid = [o.type === "adamw" && `AdamW's weight decay (${o.weightDecay}): TF.js has no AdamW, this is Adam`,
    config.schedule && `the ${config.schedule.type} learning-rate schedule: TF.js optimizers take a fixed rate`]
    .filter(Boolean);
  const loss = { bce: "binaryCrossentropy", mse: "meanSquaredError", quadratic: "meanSquaredError",
    cross_entropy: "categoricalCrossentropy" }[config.loss];
  return [
    ...about.map((line) => `// ${line}`),
    "// Use: import build, { features } from \"./model.js\"; const model = build(tf);",
    "//      model.predict(tf.tensor2d([features(x1, x2)]))",
    "",
    ...(keys ? [
      "export function features(x1, x2) {",
      `  return [${keys.map((k) => FEATURE_CODE[k][0]).join(", ")}];`,
      "}",
      "",
    ] : []),
    "// Dense layers: units, activation, kernel [inputs, units] row-major, bias [units].",
    "const LAYERS = [",
    ...layers.map((l) => [
      `  { units: ${l.units}, activation: "${l.activation}",`,
      `    kernel: ${numberList(l.kernel, "    ")},`,
      `    bias: ${numberList(l.bias, "    ")} },`,
    ].join("\n")),
    "];",
    "",
    "/** A tf.Sequential with the trained weights, compiled as nnplay trained it. */",
    "export default function build(tf) {",
    "  const model = tf.sequential();",
    `  let inputs = ${inputs};`,
    "  const weights = [];",
    "  for (const { units, activation, kernel, bias } of LAYERS) {",
    ...(leaky ? [
      "    // TF.js has leaky ReLU as a layer of its own, after a linear dense layer.",
      "    const leaky = activation === \"leaky_relu\";",
      "    model.add(tf.layers.dense({ units, activation: leaky ? \"linear\" : activation, inputShape: [inputs] }));",
      `    if (leaky) model.add(tf.layers.leakyReLU({ alpha: ${leakySlope(config)} }));`,
    ] : ["    model.add(tf.layers.dense({ units, activation, inputShape: [inputs] }));"]),
    "    weights.push(tf.tensor2d(kernel, [inputs, units]), tf.tensor1d(bias));",
    "    inputs = units;",
    "  }",
    "  model.setWeights(weights);",
    "  tf.dispose(weights);",
    ...unsaid.map((line) => `  // Not here: ${line}.`),
    `  model.compile({ loss: "${loss}", optimizer: ${train} });`,
    "  return model;",
    "}",
    "",
  ].join("\n");
}

function pythonLayers(layers) {
  return [
    "# Dense layers: (units, activation, kernel [inputs, units] row-major, bias [units]).",
    "LAYERS = [",
    ...layers.map((l) => `    (${l.units}, "${l.activation}",\n     ${numberList(l.kernel, "     ")},\n` +
      `     ${numberList(l.bias, "     ")}),`),
    "]",
  ];
}

// The start of a Python file: what it is, how to use it, its imports, the layers' numbers.
function pythonHead({ about, use, imports, layers }) {
  return [
    ...about.map((line) => `# ${line}`),
    `# Use: ${use}`,
    "import numpy as np",
    ...imports,
    "",
    ...pythonLayers(layers),
    "",
  ];
}

function pythonFeatures(keys) {
  if (!keys) return [];
  return [
    "def features(x1, x2):",
    "    \"\"\"The network's inputs for points (x1, x2) of the plane: an array of shape (..., " +
      `${keys.length}).\"\"\"`,
    "    x1 = np.asarray(x1, dtype=np.float64)",
    "    x2 = np.asarray(x2, dtype=np.float64)",
    `    return np.stack([${keys.map((k) => FEATURE_CODE[k][1]).join(", ")}], axis=-1).astype(np.float32)`,
    "",
    "",
  ];
}

// The Keras learning_rate argument: the rate, or a schedule of keras.optimizers.schedules (a step
// schedule is an exponential staircase: lr factor^floor(t / every)).
function kerasRate(lr, schedule) {
  const s = "keras.optimizers.schedules";
  switch (schedule?.type ?? "constant") {
    case "step": return `${s}.ExponentialDecay(${lr}, ${schedule.every}, ${schedule.factor}, staircase=True)`;
    case "exponential": return `${s}.ExponentialDecay(${lr}, ${schedule.decaySteps}, ${schedule.decayRate}, ` +
      `staircase=${schedule.staircase ? "True" : "False"})`;
    case "cosine": return `${s}.CosineDecay(${lr}, ${schedule.decaySteps}, alpha=${schedule.alpha})`;
    default: return String(lr);
  }
}

function keras({ about, inputs, layers, keys, config }) {
  const { optimizer: o } = config;
  const rate = `learning_rate=${kerasRate(o.lr, config.schedule)}`;
  const train = {
    adam: `keras.optimizers.Adam(${rate})`,
    adamw: `keras.optimizers.AdamW(${rate}, weight_decay=${o.weightDecay}, beta_1=${o.beta1}, ` +
      `beta_2=${o.beta2}, epsilon=${o.epsilon})`,
    rmsprop: `keras.optimizers.RMSprop(${rate}, rho=${o.rho}, epsilon=${o.epsilon})`,
    adagrad: `keras.optimizers.Adagrad(${rate})`,
  }[o.type] ?? `keras.optimizers.SGD(${rate}, momentum=${o.momentum ?? 0}${o.nesterov ? ", nesterov=True" : ""})`;
  const leaky = layers.some((l) => l.activation === "leaky_relu");
  return [
    ...pythonHead({ about, use: "model = build(); model.predict(features(x1, x2))",
      imports: ["from tensorflow import keras"], layers }),
    "",
    ...pythonFeatures(keys),
    ...(leaky ? [
      "def dense(units, activation):",
      "    \"\"\"Dense, or for leaky_relu a linear Dense and a LeakyReLU layer (Keras 3's slope argument).\"\"\"",
      "    if activation != \"leaky_relu\":",
      "        return [keras.layers.Dense(units, activation=activation)]",
      `    return [keras.layers.Dense(units), keras.layers.LeakyReLU(negative_slope=${leakySlope(config)})]`,
      "",
      "",
    ] : []),
    "def build():",
    "    \"\"\"A keras.Sequential with the trained weights, compiled as nnplay trained it.\"\"\"",
    `    model = keras.Sequential([keras.Input(shape=(${inputs},))] +`,
    ...(leaky ? [
      "                             [layer for units, activation, _, _ in LAYERS",
      "                              for layer in dense(units, activation)])",
    ] : [
      "                             [keras.layers.Dense(units, activation=activation)",
      "                              for units, activation, _, _ in LAYERS])",
    ]),
    "    weights = []",
    `    inputs = ${inputs}`,
    "    for units, _, kernel, bias in LAYERS:",
    "        weights.append(np.array(kernel, dtype=np.float32).reshape(inputs, units))",
    "        weights.append(np.array(bias, dtype=np.float32))",
    "        inputs = units",
    "    model.set_weights(weights)",
    `    model.compile(loss="${KERAS.loss[config.loss]}", optimizer=${train})`,
    "    return model",
    "",
  ].join("\n");
}

// torch.optim's optimizer for nnplay's; the notes say where the two rules differ.
function torchOptimizer(o) {
  const betas = `betas=(${o.beta1}, ${o.beta2}), eps=${o.epsilon}`;
  switch (o.type) {
    case "adam": return [`torch.optim.Adam(params, lr=${o.lr}, ${betas})`,
      "eps is added to sqrt(v) after the bias correction (nnplay, Keras: before it)"];
    case "adamw": return [`torch.optim.AdamW(params, lr=${o.lr}, weight_decay=${o.weightDecay}, ${betas})`,
      "decoupled decay w -= lr * weight_decay * w as in Keras; eps after the bias correction (Keras: before it)"];
    case "rmsprop": return [`torch.optim.RMSprop(params, lr=${o.lr}, alpha=${o.rho}, eps=${o.epsilon})`,
      "alpha is Keras's rho; w -= lr g / (sqrt(v) + eps) (nnplay, Keras: lr g / sqrt(v + eps))"];
    case "adagrad": return [`torch.optim.Adagrad(params, lr=${o.lr}, initial_accumulator_value=0.1, eps=1e-7)`,
      "w -= lr g / (sqrt(v) + eps) (nnplay, Keras: lr g / sqrt(v + eps))"];
    default: return [`torch.optim.SGD(params, lr=${o.lr}, momentum=${o.momentum ?? 0}` +
      `${o.nesterov ? ", nesterov=True" : ""})`,
    "PyTorch's velocity is nnplay's divided by -lr: the same steps at a fixed rate"];
  }
}

function pytorch({ about, inputs, layers, keys, config }) {
  const [optimizer, note] = torchOptimizer(config.optimizer);
  const schedule = pythonSchedule(config.schedule);
  return [
    ...pythonHead({ about, use: "model = build(); model(torch.from_numpy(features(x1, x2)))",
      imports: [...(schedule.includes("math.") ? ["import math"] : []), "import torch", "from torch import nn"], layers }),
    "ACTIVATIONS = {\"linear\": nn.Identity, \"sigmoid\": nn.Sigmoid, \"tanh\": nn.Tanh, \"relu\": nn.ReLU,",
    "               \"softmax\": lambda: nn.Softmax(dim=-1),",
    `               "leaky_relu": lambda: nn.LeakyReLU(${leakySlope(config)}), "elu": nn.ELU,`,
    "               \"gelu\": nn.GELU, \"softplus\": nn.Softplus, \"swish\": nn.SiLU}  # GELU: the exact erf form",
    "",
    "",
    "def optimizer(params):",
    "    \"\"\"nnplay's optimizer and its learning-rate schedule: call scheduler.step() after each",
    "    optimizer.step().\"\"\"",
    `    # ${note}`,
    `    opt = ${optimizer}`,
    `    return opt, torch.optim.lr_scheduler.LambdaLR(opt, lambda t: ${schedule})`,
    "",
    "",
    ...pythonFeatures(keys),
    "def build():",
    "    \"\"\"An nn.Sequential with the trained weights.\"\"\"",
    "    modules = []",
    `    inputs = ${inputs}`,
    "    for units, activation, kernel, bias in LAYERS:",
    "        linear = nn.Linear(inputs, units)",
    "        with torch.no_grad():",
    "            # nnplay (like Keras) keeps a kernel as [inputs, units]; nn.Linear's weight is [units, inputs].",
    "            linear.weight.copy_(torch.tensor(kernel, dtype=torch.float32).reshape(inputs, units).T)",
    "            linear.bias.copy_(torch.tensor(bias, dtype=torch.float32))",
    "        modules += [linear, ACTIVATIONS[activation]()]",
    "        inputs = units",
    "    return nn.Sequential(*modules)",
    "",
  ].join("\n");
}
