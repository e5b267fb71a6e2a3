// The playground's state and its URL hash (#v=1&data=spiral&...): one table of typed fields,
// each validated both when decoded from a URL and when set from code (TensorFlow Playground's
// state table, with validation), and the network config a state means. Shared by the
// playground and the lessons that link to it. No DOM, so Node tests use it directly.
//
// What the core decides comes from the core (nn.schema and nn.datasets.names()): the
// activations, losses, optimizers, regularizations and inits there are, the ranges of the
// numbers a config holds, and which output a loss needs. What is the playground's own is here:
// its defaults, at most 8 hidden layers of at most 64 units, added points, table fields.
import { floatsFromBase64, floatsToBase64 } from "../base64.js";
import { EXTENT, FEATURE_KEYS, canonicalFeatures } from "./features.js";
import { PRESETS, TABLE_DATASETS, isTable } from "./tables.js";

export const VERSION = 1;
export const LIMITS = { hiddenLayers: 8, units: 64, addedPoints: 500, hashLength: 65536, name: 200, epoch: 100000 };
// SGD with momentum is its own choice in the playground: opt=momentum in a link; with Nesterov
// momentum opt=nesterov.
const MOMENTUM = "momentum";
const NESTEROV = "nesterov";

/** The groups of controls a challenge can lock, and the state properties each one sets. */
export const LOCKABLE = Object.freeze({
  data: ["dataset", "points", "noise", "trainRatio", "dataSeed", "added", "file", "label", "plotX", "plotY", "standardize"],
  features: ["features"],
  layers: ["hidden"],
  output: ["output", "loss"],
  optimizer: ["optimizer", "lr", "momentum", "batchSize", "rho", "weightDecay", "schedule"],
  regularization: ["regularization", "regRate"],
  init: ["init", "seed"],
});
/** The inputs a challenge without feature crosses allows. */
export const PLAIN_FEATURES = ["x1", "x2"];

/** Hidden units of a state's network. */
export const neuronCount = (state) => state.hidden.reduce((sum, l) => sum + l.units, 0);

/** A generated regression set (a CSV's task is known only once the file is read). */
export const isRegression = (dataset) => dataset.startsWith("reg-");
export { isTable };

/**
 * The defaults of v=1 (frozen: links made with v=1 rely on them). TF Playground's start; a
 * preset's own settings when `dataset` is one.
 */
export function defaultState(dataset = "circle") {
  return {
    dataset: "circle", points: 500, noise: 0, trainRatio: 0.5, dataSeed: 1,
    // Table data: the CSV file's name (data=csv), label column, plotted columns ("": the
    // defaults, the first two feature columns) and whether columns are standardized.
    file: "", label: "", plotX: "", plotY: "", standardize: true,
    features: ["x1", "x2"],
    hidden: [{ units: 4, activation: "tanh" }, { units: 2, activation: "tanh" }],
    output: "sigmoid", loss: "bce",
    optimizer: "sgd", lr: 0.03, momentum: 0.9, batchSize: 10,
    // RMSprop's rho and AdamW's weight decay (Keras's defaults), the learning-rate schedule: the
    // core's config.schedule, its steps counted in optimizer steps (batches).
    rho: 0.9, weightDecay: 0.004, schedule: { type: "constant" },
    regularization: "none", regRate: 0, init: "xavier", seed: 1,
    showTest: false,
    added: [],       // points added by clicking: [x1, x2, label]
    weights: null,   // Float32Array of every parameter (getWeights order), or null: init by seed
    // A link only: train to this epoch on opening, then pause.
    epoch: 0,
    // A challenge (a teacher's link): the goal { metric: "testLoss" | "testAccuracy", target }
    // or null, at most maxNeurons hidden units (0: any), only x1 and x2 as inputs (noCrosses),
    // and the groups of controls (LOCKABLE) the page does not let the learner change.
    goal: null, maxNeurons: 0, noCrosses: false, locked: [],
    ...(PRESETS[dataset] ? { dataset, ...PRESETS[dataset].state } : {}),
  };
}

/**
 * The network config of a state: inputs are the selected features, or a table's
 * feature columns; one output, or one per class of a table with more than 2. A hidden layer
 * with batch norm is a linear dense layer and a batchnorm with the layer's activation
 * (Dense -> BatchNormalization -> activation).
 */
export function toConfig(state, table = null) {
  const { lr } = state;
  const optimizer = state.optimizer === MOMENTUM ? { type: "sgd", lr, momentum: state.momentum } :
    state.optimizer === NESTEROV ? { type: "sgd", lr, momentum: state.momentum, nesterov: true } :
    state.optimizer === "sgd" ? { type: "sgd", lr, momentum: 0 } :
    state.optimizer === "rmsprop" ? { type: "rmsprop", lr, rho: state.rho } :
    state.optimizer === "adamw" ? { type: "adamw", lr, weightDecay: state.weightDecay } : { type: state.optimizer, lr };
  return {
    input: [table ? table.inputs : state.features.length],
    layers: [
      ...state.hidden.flatMap(({ units, activation, batchnorm }) => (batchnorm ?
        [{ type: "dense", units, activation: "linear" }, { type: "batchnorm", activation }] :
        [{ type: "dense", units, activation }])),
      { type: "dense", units: table ? table.outputs : 1, activation: state.output },
    ],
    loss: state.loss,
    optimizer,
    regularization: { type: state.regularization, rate: state.regRate },
    init: state.init,
    seed: state.seed,
    batchSize: state.batchSize,
    ...(state.schedule.type === "constant" ? {} : { schedule: { ...state.schedule } }),
  };
}

/**
 * The hidden layers of a config's layers but the output (toConfig's inverse): dense layers,
 * each a linear one followed by a batchnorm with the layer's activation when batch-normalized.
 * Throws an Error naming the layer that is neither.
 */
export function hiddenFromConfig(layers) {
  const hidden = [];
  layers.forEach((layer, i) => {
    if (layer?.type === "batchnorm") {
      const previous = layers[i - 1];
      if (previous?.type !== "dense" || (previous.activation ?? "linear") !== "linear" || hidden.at(-1)?.batchnorm) {
        throw new Error(`config.layers[${i}]: the playground's batch norm follows a linear dense layer`);
      }
      // Keras' defaults, which a saved model's config spells out.
      if ((layer.momentum ?? 0.99) !== 0.99 || (layer.epsilon ?? 0.001) !== 0.001) {
        throw new Error(`config.layers[${i}]: the playground's batch norm has Keras' momentum 0.99 and epsilon 0.001`);
      }
      Object.assign(hidden.at(-1), { activation: layer.activation ?? "linear", batchnorm: true });
    } else if (layer?.type === "dense") {
      hidden.push({ units: layer.units, activation: layer.activation ?? "linear" });
    } else {
      throw new Error(`config.layers[${i}].type: the playground has only dense layers (each with batch norm or not)`);
    }
  });
  return hidden;
}

/**
 * Index into a config's layers of each playground layer (hidden layers, then the output):
 * { dense, output }, the dense layer and the layer whose activation is the unit's output (its
 * batchnorm, if it has one).
 */
export function unitLayers(state) {
  const list = [];
  let i = 0;
  for (const { batchnorm } of [...state.hidden, {}]) {
    list.push({ dense: i, output: batchnorm ? i + 1 : i });
    i += batchnorm ? 2 : 1;
  }
  return list;
}

/**
 * Number of parameters of the network a state of generated data describes (kernels and biases,
 * and batch norm's gamma, beta, moving mean and variance).
 */
export function parameterCount(state) {
  let inputs = state.features.length, count = 0;
  for (const { units, batchnorm } of [...state.hidden, { units: 1 }]) {
    count += inputs * units + units + (batchnorm ? 4 * units : 0);
    inputs = units;
  }
  return count;
}

// ---- field types: parse(text) for URLs, check(value) for both; errors say what was expected.

const show = (value) => {
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};
const fail = (what, value) => { throw new TypeError(`expected ${what}, got ${show(value)}`); };
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const parseNumber = (text) => (NUMBER.test(text) ? Number(text) : fail("a number", text));

// A number or integer field of the core's schema ({ type, min, max }), or a range of our own.
const numeric = ({ type = "number", min, max }) => ({
  parse: parseNumber,
  check: (v) => ((type === "integer" ? Number.isInteger(v) : typeof v === "number") && v >= min && v <= max ? v :
    fail(`${type === "integer" ? "an integer" : "a number"} in [${min}, ${max}]`, v)),
  format: String,
});
const oneOf = (values) => ({
  parse: (text) => text,
  check: (v) => (values.includes(v) ? v : fail(`one of ${values.join("|")}`, v)),
  format: String,
});
const boolean = {
  parse: (text) => (text === "1" ? true : text === "0" ? false : fail("0 or 1", text)),
  check: (v) => (typeof v === "boolean" ? v : fail("true or false", v)),
  format: (v) => (v ? "1" : "0"),
};

// A file or column name: any text without control characters.
const name = (what) => ({
  parse: (text) => text,
  check: (v) => (typeof v === "string" && v.length <= LIMITS.name && !/[\u0000-\u001f\u007f]/.test(v) ? v :
    fail(`${what} of at most ${LIMITS.name} characters, without control characters`, v)),
  format: String,
});

const features = {
  parse: (text) => text.split(","),
  check: (v) => {
    if (!Array.isArray(v) || v.length === 0) fail(`a non-empty list of ${FEATURE_KEYS.join("|")}`, v);
    for (const key of v) if (!FEATURE_KEYS.includes(key)) fail(`one of ${FEATURE_KEYS.join("|")}`, key);
    if (new Set(v).size !== v.length) fail("each feature once", v.join(","));
    return canonicalFeatures(v);
  },
  format: (v) => v.join(","),
};

// "8:tanh,8:tanh:bn" (":bn": with batch norm); the empty string is no hidden layer.
const hiddenLayers = (activations) => ({
  parse: (text) => (text === "" ? [] : text.split(",").map((item) => {
    const match = /^(\d+):([a-z_]+)(:bn)?$/.exec(item);
    if (!match) fail("layers like 8:tanh,4:relu:bn", item);
    return { units: Number(match[1]), activation: match[2], ...(match[3] ? { batchnorm: true } : {}) };
  })),
  check: (v) => {
    if (!Array.isArray(v) || v.length > LIMITS.hiddenLayers) {
      fail(`a list of 0 to ${LIMITS.hiddenLayers} layers`, Array.isArray(v) ? `${v.length} layers` : v);
    }
    return v.map((layer, i) => {
      if (typeof layer !== "object" || layer === null) fail("{ units, activation }", layer);
      const at = (what) => `layer ${i + 1} ${what}`;
      if (!Number.isInteger(layer.units) || layer.units < 1 || layer.units > LIMITS.units) {
        fail(at(`units: an integer in [1, ${LIMITS.units}]`), layer.units);
      }
      if (!activations.includes(layer.activation)) {
        fail(at(`activation: one of ${activations.join("|")}`), layer.activation);
      }
      if (layer.batchnorm !== undefined && typeof layer.batchnorm !== "boolean") {
        fail(at("batchnorm: true or false"), layer.batchnorm);
      }
      // Without batch norm a layer is { units, activation }, as links before it made them.
      return { units: layer.units, activation: layer.activation, ...(layer.batchnorm ? { batchnorm: true } : {}) };
    });
  },
  format: (v) => v.map((l) => `${l.units}:${l.activation}${l.batchnorm ? ":bn" : ""}`).join(","),
});

// "x1,x2,label;..." with coordinates rounded to 0.01 when added, so the URL is exact.
const addedPoints = {
  parse: (text) => (text === "" ? [] : text.split(";").map((item) => {
    const parts = item.split(",");
    return parts.length === 3 ? parts.map(parseNumber) : fail("points like 1.5,-2,1", item);
  })),
  check: (v) => {
    if (!Array.isArray(v) || v.length > LIMITS.addedPoints) {
      fail(`a list of at most ${LIMITS.addedPoints} points`, Array.isArray(v) ? `${v.length} points` : v);
    }
    return v.map((p) => {
      const ok = Array.isArray(p) && p.length === 3 && p.every(Number.isFinite) &&
        Math.abs(p[0]) <= EXTENT && Math.abs(p[1]) <= EXTENT && Math.abs(p[2]) <= 1;
      return ok ? [p[0], p[1], p[2]] : fail(`[x1, x2, label] with |x| <= ${EXTENT}, |label| <= 1`, p);
    });
  },
  format: (v) => v.map((p) => p.join(",")).join(";"),
};

// Exact weights: little-endian float32 in base64url.
const weights = {
  parse: (text) => {
    try {
      return floatsFromBase64(text, { urlSafe: true });
    } catch {
      return fail("base64url float32 data", text);
    }
  },
  check: (v) => {
    if (v === null) return null;
    if (!(v instanceof Float32Array || Array.isArray(v))) fail("a Float32Array or null", v);
    if (!Array.prototype.every.call(v, Number.isFinite)) fail("finite numbers", "NaN or Infinity");
    return Float32Array.from(v);
  },
  format: (v) => floatsToBase64(v, { urlSafe: true }),
};

// A learning-rate schedule of the core's schema: "constant", "step,every:100,factor:0.5",
// "exponential,decaySteps:1000,decayRate:0.96,staircase:0"; missing fields take the core's
// defaults, and the checked value has every field of its type.
const schedule = (types, fieldsOf) => {
  const typesOf = Object.fromEntries(types.map((type) => [type, Object.entries(fieldsOf[type])
    .map(([key, field]) => [key, field.type === "boolean" ? boolean : numeric(field), field.default])]));
  return {
    parse: (text) => {
      const [type, ...parts] = text.split(",");
      const value = { type };
      for (const part of parts) {
        const match = /^([A-Za-z]+):(.*)$/.exec(part);
        if (!match) fail("a schedule like step,every:100,factor:0.5", text);
        const field = typesOf[type]?.find(([key]) => key === match[1]);
        value[match[1]] = field ? field[1].parse(match[2]) : match[2];
      }
      return value;
    },
    check: (v) => {
      if (typeof v !== "object" || v === null || !typesOf[v.type]) fail(`a schedule of type ${types.join("|")}`, v?.type ?? v);
      const clean = { type: v.type };
      for (const [key, type, fallback] of typesOf[v.type]) {
        try {
          clean[key] = v[key] === undefined ? fallback : type.check(v[key]);
        } catch (error) {
          throw new TypeError(`${key} ${error.message}`);
        }
      }
      const stray = Object.keys(v).find((key) => !(key in clean));
      if (stray) fail(`the fields of a ${v.type} schedule (${Object.keys(clean).slice(1).join(", ") || "none"})`, stray);
      return clean;
    },
    format: (v) => [v.type, ...typesOf[v.type].map(([key, type]) => `${key}:${type.format(v[key])}`)].join(","),
  };
};

// A challenge's goal: "loss:0.05" (test loss at most 0.05) or "acc:95" (test accuracy at least 95 %).
const GOALS = { loss: { metric: "testLoss", max: 100 }, acc: { metric: "testAccuracy", max: 100 } };
const goal = {
  parse: (text) => {
    const match = /^(loss|acc):(.*)$/.exec(text);
    if (!match) fail("loss:<test loss> or acc:<test accuracy in %>, e.g. acc:95", text);
    const target = parseNumber(match[2]);
    return { metric: GOALS[match[1]].metric, target: match[1] === "acc" ? target / 100 : target };
  },
  check: (v) => {
    if (v === null) return null;
    const ok = typeof v === "object" && ["testLoss", "testAccuracy"].includes(v.metric) && Number.isFinite(v.target);
    if (!ok) fail('{ metric: "testLoss" | "testAccuracy", target } or null', JSON.stringify(v));
    if (v.metric === "testLoss" && !(v.target > 0 && v.target <= 100)) fail("a test loss in (0, 100]", v.target);
    if (v.metric === "testAccuracy" && !(v.target > 0 && v.target <= 1)) {
      fail("a test accuracy in (0, 100] %", `${v.target * 100} %`);
    }
    return { metric: v.metric, target: v.target };
  },
  format: (v) => (v.metric === "testLoss" ? `loss:${v.target}` : `acc:${+(v.target * 100).toPrecision(12)}`),
};
const locks = {
  parse: (text) => (text === "" ? [] : text.split(",")),
  check: (v) => {
    const names = Object.keys(LOCKABLE);
    if (!Array.isArray(v)) fail(`a list of ${names.join("|")}`, v);
    for (const key of v) if (!names.includes(key)) fail(`one of ${names.join("|")}`, key);
    if (new Set(v).size !== v.length) fail("each group once", v.join(","));
    return names.filter((key) => v.includes(key));
  },
  format: (v) => v.join(","),
};

// Percent-encode a value, keeping the characters our formats use readable (legal in a fragment).
const encodeValue = (text) => encodeURIComponent(text).replace(/%2C/g, ",").replace(/%3A/g, ":")
  .replace(/%3B/g, ";");

/**
 * The playground's rules, made from what the core says (`core`: { schema: nn.schema, datasets:
 * nn.datasets.names() }): the field table, validation and the URL encoding.
 */
export class PlaygroundRules {
  /** nn.schema: what the core allows in a config. */
  schema;
  /** Every choice the playground offers, in the core's order. */
  lists;
  /** The table: URL key, state property, human name (for messages), type. URL order = this order. */
  fields;
  #lossOutput;

  constructor({ schema, datasets }) {
    const { activations, lastLayerOnly, losses, optimizerTypes, optimizers, regularizations, inits } = schema;
    this.schema = schema;
    this.#lossOutput = schema.lossOutput;
    this.lists = Object.freeze({
      datasets: [...datasets, ...TABLE_DATASETS],
      hiddenActivations: activations.filter((a) => !lastLayerOnly.includes(a)),
      outputActivations: [...activations],
      losses: [...losses],
      optimizers: optimizerTypes.flatMap((o) => (o === "sgd" ? [o, MOMENTUM, NESTEROV] : [o])),
      schedules: [...schema.scheduleTypes],
      regularizations: [...regularizations],
      inits: [...inits],
    });
    const { lists } = this;
    const seed = numeric(schema.seed);
    this.fields = Object.freeze([
      { key: "data", prop: "dataset", name: "dataset", ...oneOf(lists.datasets) },
      // Table data only; left out of the URL when they have their default value.
      { key: "file", prop: "file", name: "CSV file", optional: true, ...name("a file name") },
      { key: "label", prop: "label", name: "label column", optional: true, ...name("a column name") },
      { key: "px", prop: "plotX", name: "horizontal plot column", optional: true, ...name("a column name") },
      { key: "py", prop: "plotY", name: "vertical plot column", optional: true, ...name("a column name") },
      { key: "std", prop: "standardize", name: "standardize columns", optional: true, ...boolean },
      { key: "n", prop: "points", name: "number of points", ...numeric({ type: "integer", min: 10, max: 2000 }) },
      { key: "noise", prop: "noise", name: "noise", ...numeric({ min: 0, max: 1 }) },
      { key: "train", prop: "trainRatio", name: "training ratio", ...numeric({ min: 0.1, max: 0.9 }) },
      { key: "dseed", prop: "dataSeed", name: "data seed", ...seed },
      { key: "f", prop: "features", name: "input features", ...features },
      { key: "h", prop: "hidden", name: "hidden layers", ...hiddenLayers(lists.hiddenActivations) },
      { key: "out", prop: "output", name: "output activation", ...oneOf(lists.outputActivations) },
      { key: "loss", prop: "loss", name: "loss", ...oneOf(lists.losses) },
      { key: "opt", prop: "optimizer", name: "optimizer", ...oneOf(lists.optimizers) },
      { key: "lr", prop: "lr", name: "learning rate", ...numeric(optimizers.sgd.lr) },
      { key: "mom", prop: "momentum", name: "momentum", ...numeric(optimizers.sgd.momentum) },
      { key: "rho", prop: "rho", name: "RMSprop rho", optional: true, ...numeric(optimizers.rmsprop.rho) },
      { key: "wd", prop: "weightDecay", name: "weight decay", optional: true, ...numeric(optimizers.adamw.weightDecay) },
      { key: "sch", prop: "schedule", name: "learning-rate schedule", optional: true,
        ...schedule(schema.scheduleTypes, schema.schedules) },
      { key: "bs", prop: "batchSize", name: "batch size", ...numeric(schema.batchSize) },
      { key: "reg", prop: "regularization", name: "regularization", ...oneOf(lists.regularizations) },
      { key: "rr", prop: "regRate", name: "regularization rate", ...numeric(schema.regularizationRate) },
      { key: "init", prop: "init", name: "initialization", ...oneOf(lists.inits) },
      { key: "seed", prop: "seed", name: "network seed", ...seed },
      { key: "test", prop: "showTest", name: "show test data", ...boolean },
      { key: "pts", prop: "added", name: "added points", ...addedPoints },
      { key: "w", prop: "weights", name: "weights", optional: true, ...weights },
      { key: "ep", prop: "epoch", name: "epoch", optional: true, ...numeric({ type: "integer", min: 0, max: LIMITS.epoch }) },
      { key: "goal", prop: "goal", name: "challenge goal", optional: true, ...goal },
      { key: "maxn", prop: "maxNeurons", name: "challenge's most neurons", optional: true,
        ...numeric({ type: "integer", min: 0, max: LIMITS.hiddenLayers * LIMITS.units }) },
      { key: "nocross", prop: "noCrosses", name: "challenge without feature crosses", optional: true, ...boolean },
      { key: "lock", prop: "locked", name: "challenge's locked controls", optional: true, ...locks },
    ].map(Object.freeze));
  }

  /** The output activation a loss needs, if it needs one (the core's rule: bce -> sigmoid). */
  outputFor(loss) {
    return this.#lossOutput[loss];
  }

  /** The loss that needs this output activation, if one does. */
  lossFor(output) {
    return Object.keys(this.#lossOutput).find((loss) => this.#lossOutput[loss] === output);
  }

  /**
   * Checks every field of a complete state object and the rules between fields; returns a
   * clean copy or throws an Error like `learning rate (lr): expected a number in [0, 100], got -1`.
   */
  validate(state) {
    if (typeof state !== "object" || state === null) throw new Error("state: expected an object");
    const clean = {};
    for (const field of this.fields) {
      try {
        clean[field.prop] = field.check(state[field.prop]);
      } catch (error) {
        throw new Error(`${field.name} (${field.key}): ${error.message}`);
      }
    }
    const regression = isRegression(clean.dataset);
    const table = isTable(clean.dataset);
    this.#checkTableFields(clean);
    // A softmax output has one unit per class: only a CSV file can have more than 2 classes,
    // and each class needs the loss for that.
    const softmaxLoss = this.lossFor("softmax");
    if (clean.output === "softmax" && clean.dataset !== "csv") {
      throw new Error(`output activation (out): softmax is for CSV data with more than 2 classes; ${clean.dataset} has one output`);
    }
    if ((clean.output === "softmax") !== (clean.loss === softmaxLoss)) {
      throw new Error(`loss (loss): ${softmaxLoss} goes with a softmax output, got ${clean.loss} with ${clean.output}`);
    }
    const needed = this.outputFor(clean.loss);
    if (needed && clean.output !== needed) {
      throw new Error(`loss (loss): ${clean.loss} needs a ${needed} output, got ${clean.output}`);
    }
    if (regression && needed === "sigmoid") {
      throw new Error(`loss (loss): ${clean.dataset} is a regression set, use mse, not ${clean.loss}`);
    }
    if (table && clean.added.length > 0) {
      throw new Error(`added points (pts): points can be added to generated data only, not to ${clean.dataset}`);
    }
    for (const [x1, x2, label] of clean.added) {
      if (!regression && label !== 0 && label !== 1) {
        throw new Error(`added points (pts): labels of ${clean.dataset} are 0 or 1, got ${label} at ${x1},${x2}`);
      }
    }
    this.#checkChallenge(clean);
    // A table's network size is known once the file is read: the worker checks those weights.
    if (!table && clean.weights && clean.weights.length !== parameterCount(clean)) {
      throw new Error(`weights (w): this network has ${parameterCount(clean)} parameters, ` +
        `got ${clean.weights.length}`);
    }
    return clean;
  }

  // A challenge's rules hold for the network it is played with; its limits need a goal.
  #checkChallenge(state) {
    const { goal: aim, maxNeurons, noCrosses, locked } = state;
    if (!aim) {
      const stray = [maxNeurons && "maxn", noCrosses && "nocross", locked.length && "lock"].filter(Boolean);
      if (stray.length) throw new Error(`challenge goal (goal): ${stray.join(", ")} belong to a challenge, which needs a goal`);
      return;
    }
    if (aim.metric === "testAccuracy" && (isRegression(state.dataset) || state.output === "linear")) {
      throw new Error(`challenge goal (goal): ${state.dataset} is a regression task, it has no accuracy; use a loss goal`);
    }
    if (maxNeurons && neuronCount(state) > maxNeurons) {
      throw new Error(`challenge's most neurons (maxn): this challenge allows at most ${maxNeurons} hidden ` +
        `neurons, the network has ${neuronCount(state)}`);
    }
    if (noCrosses && state.features.some((f) => !PLAIN_FEATURES.includes(f))) {
      throw new Error(`challenge without feature crosses (nocross): only X₁ and X₂ as inputs, got ${state.features.join(",")}`);
    }
  }

  // file, label and plot columns belong to table data; file to CSV data only.
  #checkTableFields(state) {
    const table = isTable(state.dataset);
    for (const field of this.fields.filter((f) => ["file", "label", "px", "py"].includes(f.key))) {
      const value = state[field.prop];
      if (value === "") continue;
      if (!table || (field.key === "file" && state.dataset !== "csv")) {
        throw new Error(`${field.name} (${field.key}): only for ${field.key === "file" ? "CSV data" : "CSV data and presets"}, not ${state.dataset}`);
      }
    }
    if (state.plotX !== "" && state.plotX === state.plotY) {
      throw new Error(`vertical plot column (py): choose a column other than the horizontal one, ${show(state.plotX)}`);
    }
  }

  /** state -> "v=1&data=circle&..." (no leading #). Optional fields only when not their default. */
  encode(state) {
    const parts = [`v=${VERSION}`];
    const defaults = defaultState();
    for (const field of this.fields) {
      const value = state[field.prop];
      const fallback = defaults[field.prop];
      if (field.optional && (value === fallback ||
        (value !== null && fallback !== null && field.format(value) === field.format(fallback)))) continue;
      parts.push(`${field.key}=${encodeValue(field.format(value))}`);
    }
    return parts.join("&");
  }

  /**
   * "#v=1&..." -> { state, error }. Missing fields take their defaults; any bad, unknown,
   * repeated field or a foreign hash gives error (a message for the page) and the default state.
   * An empty hash is the default state without error.
   */
  decode(hash) {
    const text = String(hash ?? "").replace(/^#/, "");
    if (text === "") return { state: defaultState(), error: null };
    try {
      return { state: this.#parse(text), error: null };
    } catch (error) {
      return { state: defaultState(), error: `This link's settings could not be used: ${error.message}. ` +
        "Showing the default playground instead." };
    }
  }

  #parse(text) {
    if (text.length > LIMITS.hashLength) throw new Error(`the link is too long (${text.length} characters)`);
    const values = new Map();
    for (const part of text.split("&")) {
      const eq = part.indexOf("=");
      let key, value;
      try {
        [key, value] = eq < 0 ? [decodeURIComponent(part), ""] :
          [decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1))];
      } catch {
        throw new Error(`bad percent-encoding in ${show(part)}`);
      }
      if (values.has(key)) throw new Error(`${show(key)} appears twice`);
      values.set(key, value);
    }
    if (!values.has("v")) throw new Error("it is not an nnplay link (no v=1)");
    if (values.get("v") !== String(VERSION)) {
      throw new Error(`it was made by another version of nnplay (v=${values.get("v").slice(0, 20)}, this page reads v=${VERSION})`);
    }
    values.delete("v");
    // A preset's link takes the preset's settings for the fields it leaves out.
    const state = defaultState(this.lists.datasets.includes(values.get("data")) ? values.get("data") : undefined);
    for (const field of this.fields) {
      if (!values.has(field.key)) continue;
      try {
        state[field.prop] = field.parse(values.get(field.key));
      } catch (error) {
        throw new Error(`${field.name} (${field.key}): ${error.message}`);
      }
      values.delete(field.key);
    }
    if (values.size) throw new Error(`unknown setting ${show([...values.keys()][0])}`);
    return this.validate(state);
  }
}
