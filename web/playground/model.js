// How the playground's state changes: edits kept consistent (adaptToTask), a state fitted to a
// loaded table (fitToTable), and window.nnplay's view of a state (its config and
// state()) both ways. Pure functions of a state; `rules` is the page's PlaygroundRules
// (lib/plane/state.js), which knows what the core allows. No DOM.
//
// For table data the network's size comes from the table: `table` is the worker's description
// of the loaded file ({ inputs, outputs, kind, features, label, ... }).
import { FEATURE_KEYS } from "../lib/plane/features.js";
import { PRESETS } from "../lib/plane/tables.js";
import { hiddenFromConfig, isRegression, isTable, toConfig } from "../lib/plane/state.js";

/**
 * What window.nnplay.state() returns: { config, data, features, showTest }. Table data adds
 * data.label, data.plot ([horizontal, vertical] column), data.standardize and, for a CSV
 * file, data.file.
 */
export function toContract(state, table = null) {
  const data = { name: state.dataset, n: state.points, noise: state.noise, trainRatio: state.trainRatio,
    seed: state.dataSeed };
  if (isTable(state.dataset)) {
    Object.assign(data, { label: state.label, plot: [state.plotX, state.plotY], standardize: state.standardize });
    if (state.dataset === "csv") data.file = state.file;
  }
  return {
    config: toConfig(state, table),
    data,
    features: [...state.features],
    showTest: state.showTest,
  };
}

// A loss that needs an output activation (the core's rule: bce a sigmoid) has it, and a softmax
// output goes with the loss made for it (the playground's rule: one output per class).
const compatible = (rules, output, loss) => (rules.outputFor(loss) ?? output) === output &&
  (output === "softmax") === (rules.outputFor(loss) === "softmax");

/**
 * Keeps an edit sensible: bce needs a sigmoid output and cross_entropy a softmax, so choosing
 * another output brings a loss that fits it and choosing such a loss brings its output. When
 * the dataset changes, clicked points (they belong to the old data) go; a preset brings its
 * own network; a switch between classification and regression brings a suitable output and
 * loss (for a CSV file, fitToTable does that once the file is read).
 */
export function adaptToTask(rules, previous, next) {
  if (!compatible(rules, next.output, next.loss)) {
    if (next.output !== previous.output) next = { ...next, loss: rules.lossFor(next.output) ?? "mse" };
    else if (next.loss !== previous.loss) next = { ...next, output: rules.outputFor(next.loss) ?? "linear" };
  }
  if (previous.dataset === next.dataset) return next;
  // What this edit did not set itself belongs to the old data.
  const kept = (prop, fallback) => (next[prop] !== previous[prop] ? next[prop] : fallback);
  const adapted = { ...next, added: [], label: kept("label", ""), plotX: kept("plotX", ""),
    plotY: kept("plotY", "") };
  if (next.dataset !== "csv") adapted.file = "";
  if (PRESETS[next.dataset]) {
    for (const [prop, value] of Object.entries(PRESETS[next.dataset].state)) adapted[prop] = kept(prop, value);
    return adapted;
  }
  if (!isTable(next.dataset) && (isTable(previous.dataset) ||
      isRegression(previous.dataset) !== isRegression(next.dataset))) {
    Object.assign(adapted, isRegression(next.dataset) ? { output: "linear", loss: "mse" } :
      { output: "sigmoid", loss: "bce" });
  }
  return adapted;
}

/**
 * A table-data state fitted to its loaded table: the label column and plotted columns it
 * really has (the first feature columns by default) and an output and loss for its task —
 * softmax with cross_entropy for more than 2 classes, never a classifier's for regression.
 */
export function fitToTable(rules, state, table) {
  const names = table.features;
  const pick = (name, other) => (names.includes(name) && name !== other ? name :
    names.find((n) => n !== other) ?? "");
  const plotX = pick(state.plotX, "");
  const plotY = names.length > 1 ? pick(state.plotY, plotX) : "";
  let { output, loss } = state;
  if (table.kind === "multiclass") {
    [output, loss] = ["softmax", rules.lossFor("softmax")];
  } else if (output === "softmax" || (table.kind === "regression" && loss !== "mse")) {
    [output, loss] = table.kind === "regression" ? ["linear", "mse"] : ["sigmoid", rules.lossFor("sigmoid")];
  }
  return rules.validate({ ...state, label: table.label, plotX, plotY, output, loss });
}

const DATA_FIELDS = { name: "dataset", n: "points", noise: "noise", trainRatio: "trainRatio",
  seed: "dataSeed", label: "label", standardize: "standardize", file: "file" };

function known(object, keys, what) {
  if (typeof object !== "object" || object === null || Array.isArray(object)) {
    throw new Error(`${what}: expected an object`);
  }
  for (const key of Object.keys(object)) {
    if (!keys.includes(key)) throw new Error(`${what}.${key}: unknown field`);
  }
  return object;
}

/**
 * state merged with a partial contract state ({ config?, data?, features?, showTest? }, what
 * setState receives); throws an Error naming the field when the result is not a playground.
 * Trained weights do not survive: the result is a fresh network, like opening a URL.
 * table: the loaded table of state's dataset, if any, to check the config's size against.
 */
export function mergeContract(rules, state, partial, table = null) {
  known(partial, ["config", "data", "features", "showTest"], "state");
  let next = { ...state, weights: null };
  if (partial.data !== undefined) {
    known(partial.data, [...Object.keys(DATA_FIELDS), "plot"], "data");
    for (const [key, prop] of Object.entries(DATA_FIELDS)) {
      if (key in partial.data) next[prop] = partial.data[key];
    }
    next = adaptToTask(rules, state, next);
    if (partial.data.plot !== undefined) {
      if (!Array.isArray(partial.data.plot) || partial.data.plot.length !== 2) {
        throw new Error("data.plot: expected [horizontal column, vertical column]");
      }
      [next.plotX, next.plotY] = partial.data.plot;
    }
  }
  if (partial.features !== undefined) next.features = partial.features;
  if (partial.showTest !== undefined) next.showTest = partial.showTest;
  if (partial.config !== undefined) {
    const sameData = next.dataset === state.dataset && next.label === state.label;
    next = mergeConfig(rules, next, partial.config, partial.features, sameData ? table : null);
  }
  return rules.validate(next);
}

function mergeConfig(rules, state, config, features, table) {
  known(config, ["input", "layers", "loss", "optimizer", "schedule", "regularization", "init", "seed",
    "batchSize"], "config");
  const next = { ...state };
  if (config.layers !== undefined) {
    if (!Array.isArray(config.layers) || config.layers.length < 1) {
      throw new Error("config.layers: expected a list of dense layers ending in a 1-unit output");
    }
    config.layers.forEach((layer, i) => {
      if (layer?.alpha !== undefined && layer.alpha !== rules.schema.layers.dense.alpha.default) {
        throw new Error(`config.layers[${i}].alpha: the playground's leaky_relu has the slope ` +
          `${rules.schema.layers.dense.alpha.default}, got ${layer.alpha}`);
      }
    });
    const output = config.layers.at(-1);
    if (output?.type !== "dense") {
      throw new Error(`config.layers[${config.layers.length - 1}].type: the playground's output is a dense layer`);
    }
    next.hidden = hiddenFromConfig(config.layers.slice(0, -1));
    const at = `config.layers[${config.layers.length - 1}].units`;
    if (output.activation !== "softmax" && output.units !== 1) {
      throw new Error(`${at}: the output has 1 unit (one per class with softmax), got ${output.units}`);
    }
    if (table && output.units !== table.outputs) {
      throw new Error(`${at}: ${table.name} needs ${table.outputs} output unit${table.outputs > 1 ? "s" : ""}, got ${output.units}`);
    }
    next.output = output.activation;
  }
  if (config.loss !== undefined) next.loss = config.loss;
  if (config.optimizer !== undefined) {
    const fields = Object.keys(rules.schema.optimizers[config.optimizer?.type] ?? {});
    const { type, lr = next.lr, momentum = 0, nesterov = false, rho, weightDecay } =
      known(config.optimizer, ["type", ...fields], "config.optimizer");
    next.optimizer = type === "sgd" && momentum > 0 ? (nesterov ? "nesterov" : "momentum") : type;
    next.lr = lr;
    if (type === "sgd" && momentum > 0) next.momentum = momentum;
    if (rho !== undefined) next.rho = rho;
    if (weightDecay !== undefined) next.weightDecay = weightDecay;
  }
  if (config.schedule !== undefined) next.schedule = config.schedule;
  if (config.regularization !== undefined) {
    const { type, rate = 0 } = known(config.regularization, ["type", "rate"], "config.regularization");
    next.regularization = type;
    next.regRate = rate;
  }
  for (const key of ["init", "seed", "batchSize"]) {
    if (config[key] !== undefined) next[key] = config[key];
  }
  if (config.input !== undefined && isTable(next.dataset)) {
    // A table's inputs are its feature columns.
    if (table && !(Array.isArray(config.input) && config.input.length === 1 && config.input[0] === table.inputs)) {
      throw new Error(`config.input: ${table.name} has ${table.inputs} input columns, got ${JSON.stringify(config.input)}`);
    }
  } else if (config.input !== undefined) {
    const count = Array.isArray(config.input) && config.input.length === 1 ? config.input[0] : NaN;
    if (!Number.isInteger(count) || count < 1 || count > FEATURE_KEYS.length) {
      throw new Error(`config.input: expected [k] with k in [1, ${FEATURE_KEYS.length}] features`);
    }
    // The config counts inputs but does not name them: keep the selected features when the
    // count matches, otherwise take the first k in the page's order (X1, X2, X1², ...).
    if (count !== next.features.length) {
      if (features !== undefined) {
        throw new Error(`config.input: [${count}] does not match the ${next.features.length} features given`);
      }
      next.features = FEATURE_KEYS.slice(0, count);
    }
  }
  return next;
}
