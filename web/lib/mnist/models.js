// The networks the digits page trains (nnplay configs). No DOM.

const dense = (units, activation) => ({ type: "dense", units, activation });
const conv = (filters, activation = "relu") =>
  ({ type: "conv2d", filters, kernel: 5, stride: 1, padding: "same", activation });
const batchnorm = (activation) => ({ type: "batchnorm", activation });

/**
 * Per kind: a label for people, the config with its default training settings, and decay: what
 * the learning rate is multiplied by after each epoch (1 when absent).
 */
export const MODELS = {
  mlp: {
    label: "MLP 784-128-10, ReLU + softmax",
    config: {
      input: [784],
      layers: [dense(128, "relu"), dense(10, "softmax")],
      loss: "cross_entropy", optimizer: { type: "adam", lr: 0.002 },
      init: "xavier", seed: 1, batchSize: 32,
    },
  },
  mlp30: {
    label: "MLP 784-30-10, sigmoid (tutorial 004)",
    config: {
      input: [784],
      layers: [dense(30, "sigmoid"), dense(10, "sigmoid")],
      loss: "quadratic", optimizer: { type: "sgd", lr: 3, momentum: 0 },
      init: "xavier", seed: 1, batchSize: 10,
    },
  },
  cnn: {
    label: "CNN conv 5×5×8, pool, conv 5×5×16, pool, dense 10",
    config: {
      input: [28, 28, 1],
      layers: [conv(8), { type: "maxpool2d", size: 2 }, conv(16), { type: "maxpool2d", size: 2 },
        { type: "flatten" }, dense(10, "softmax")],
      loss: "cross_entropy", optimizer: { type: "adam", lr: 0.004 },
      init: "xavier", seed: 1, batchSize: 32,
    },
    // The learning rate shrinks to 0.4 of itself after every epoch: 99 % in three epochs.
    decay: 0.4,
  },
  cnnbn: {
    label: "CNN with batch norm: conv 5×5×8, batch norm, pool, conv 5×5×16, batch norm, pool, dense 10",
    config: {
      input: [28, 28, 1],
      // Each convolution linear, then batch norm per channel, then ReLU (Conv -> BN -> ReLU).
      layers: [conv(8, "linear"), batchnorm("relu"), { type: "maxpool2d", size: 2 },
        conv(16, "linear"), batchnorm("relu"), { type: "maxpool2d", size: 2 },
        { type: "flatten" }, dense(10, "softmax")],
      loss: "cross_entropy", optimizer: { type: "adam", lr: 0.004 },
      init: "xavier", seed: 1, batchSize: 32,
    },
    decay: 0.4,
  },
};

/**
 * The config for `kind` with optional overrides: { optimizer: "adam"|"sgd", lr, batchSize, seed }.
 * Throws an Error naming the field at fault.
 */
export function modelConfig(kind, { optimizer, lr, batchSize, seed } = {}) {
  const model = Object.hasOwn(MODELS, kind) ? MODELS[kind] : null;  // not "toString" and the like
  if (!model) throw new Error(`model: expected one of ${Object.keys(MODELS).join(", ")}, got ${String(kind).slice(0, 40)}`);
  const config = structuredClone(model.config);
  if (optimizer !== undefined && optimizer !== config.optimizer.type) {
    if (optimizer !== "adam" && optimizer !== "sgd") throw new Error(`optimizer: expected adam or sgd, got ${String(optimizer).slice(0, 40)}`);
    config.optimizer = optimizer === "sgd" ? { type: "sgd", lr: 0.1, momentum: 0.9 } : { type: "adam", lr: 0.001 };
  }
  if (lr !== undefined) config.optimizer.lr = lr;
  if (batchSize !== undefined) config.batchSize = batchSize;
  if (seed !== undefined) config.seed = seed;
  return config;
}
