// Page state <-> the contract's view of it (CONTRACT §3 config, §4 state()): which network and
// data a playground state means. No DOM; shared by the page and the training worker.
import { FEATURE_KEYS } from "./features.js";
import { isRegression, validateState } from "./url-state.js";

/** The network config (CONTRACT §3) of a state: inputs are the selected features. */
export function toConfig(state) {
  const optimizer = state.optimizer === "adam" ? { type: "adam", lr: state.lr } :
    { type: "sgd", lr: state.lr, momentum: state.optimizer === "momentum" ? state.momentum : 0 };
  return {
    input: [state.features.length],
    layers: [
      ...state.hidden.map(({ units, activation }) => ({ type: "dense", units, activation })),
      { type: "dense", units: 1, activation: state.output },
    ],
    loss: state.loss,
    optimizer,
    regularization: { type: state.regularization, rate: state.regRate },
    init: state.init,
    seed: state.seed,
    batchSize: state.batchSize,
  };
}

/** What window.nnplay.state() returns: { config, data, features, showTest }. */
export function toContract(state) {
  return {
    config: toConfig(state),
    data: { name: state.dataset, n: state.points, noise: state.noise, trainRatio: state.trainRatio,
      seed: state.dataSeed },
    features: [...state.features],
    showTest: state.showTest,
  };
}

/**
 * Keeps an edit sensible: bce needs a sigmoid output, so choosing another output brings mse and
 * choosing bce brings a sigmoid. When the dataset changes, clicked points (they belong to the
 * old data) go, and a switch between classification and regression brings a suitable output
 * and loss.
 */
export function adaptToTask(previous, next) {
  if (next.loss === "bce" && next.output !== "sigmoid") {
    if (next.output !== previous.output) next = { ...next, loss: "mse" };
    else if (next.loss !== previous.loss) next = { ...next, output: "sigmoid" };
  }
  if (previous.dataset === next.dataset) return next;
  const adapted = { ...next, added: [] };
  if (isRegression(previous.dataset) !== isRegression(next.dataset)) {
    Object.assign(adapted, isRegression(next.dataset) ? { output: "linear", loss: "mse" } :
      { output: "sigmoid", loss: "bce" });
  }
  return adapted;
}

const DATA_FIELDS = { name: "dataset", n: "points", noise: "noise", trainRatio: "trainRatio",
  seed: "dataSeed" };

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
 */
export function mergeContract(state, partial) {
  known(partial, ["config", "data", "features", "showTest"], "state");
  let next = { ...state, weights: null };
  if (partial.data !== undefined) {
    known(partial.data, Object.keys(DATA_FIELDS), "data");
    for (const [key, prop] of Object.entries(DATA_FIELDS)) {
      if (key in partial.data) next[prop] = partial.data[key];
    }
    next = adaptToTask(state, next);
  }
  if (partial.features !== undefined) next.features = partial.features;
  if (partial.showTest !== undefined) next.showTest = partial.showTest;
  if (partial.config !== undefined) next = mergeConfig(next, partial.config, partial.features);
  return validateState(next);
}

function mergeConfig(state, config, features) {
  known(config, ["input", "layers", "loss", "optimizer", "regularization", "init", "seed",
    "batchSize"], "config");
  const next = { ...state };
  if (config.layers !== undefined) {
    if (!Array.isArray(config.layers) || config.layers.length < 1) {
      throw new Error("config.layers: expected a list of dense layers ending in a 1-unit output");
    }
    config.layers.forEach((layer, i) => {
      if (layer?.type !== "dense") throw new Error(`config.layers[${i}].type: the playground has only dense layers`);
    });
    const output = config.layers.at(-1);
    if (output.units !== 1) {
      throw new Error(`config.layers[${config.layers.length - 1}].units: the output has 1 unit, got ${output.units}`);
    }
    next.hidden = config.layers.slice(0, -1).map(({ units, activation }) => ({ units, activation }));
    next.output = output.activation;
  }
  if (config.loss !== undefined) next.loss = config.loss;
  if (config.optimizer !== undefined) {
    const { type, lr = next.lr, momentum = 0 } = known(config.optimizer,
      ["type", "lr", "momentum", "beta1", "beta2", "epsilon"], "config.optimizer");
    next.optimizer = type === "sgd" && momentum > 0 ? "momentum" : type;
    next.lr = lr;
    if (type === "sgd" && momentum > 0) next.momentum = momentum;
  }
  if (config.regularization !== undefined) {
    const { type, rate = 0 } = known(config.regularization, ["type", "rate"], "config.regularization");
    next.regularization = type;
    next.regRate = rate;
  }
  for (const key of ["init", "seed", "batchSize"]) {
    if (config[key] !== undefined) next[key] = config[key];
  }
  if (config.input !== undefined) {
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
