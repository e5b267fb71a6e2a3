// The page state in the URL hash (CONTRACT §4): the training settings, versioned, as one table
// of typed properties. No DOM.
import { MODELS, modelConfig } from "../lib/mnist/models.js";

const VERSION = "1";

const PROPERTIES = {
  model: { parse: (v) => v in MODELS ? v : undefined },
  epochs: { parse: (v) => integerIn(v, 1, 50) },
  optimizer: { parse: (v) => (v === "adam" || v === "sgd" ? v : undefined) },
  lr: { parse: (v) => numberIn(v, 1e-6, 10) },
  batch: { parse: (v) => integerIn(v, 1, 1024) },
  augment: { parse: (v) => (v === "1" ? true : v === "0" ? false : undefined) },
};

function integerIn(text, low, high) {
  const v = Number(text);
  return Number.isInteger(v) && v >= low && v <= high ? v : undefined;
}

function numberIn(text, low, high) {
  const v = Number(text);
  return /^[0-9.e+-]+$/i.test(text) && v >= low && v <= high ? v : undefined;
}

/** The default settings, or those of `model` when given. */
export function defaultSettings(model = "mlp") {
  const config = modelConfig(model);
  return { model, epochs: 1, optimizer: config.optimizer.type, lr: config.optimizer.lr,
    batch: config.batchSize, augment: false };
}

/**
 * Settings from a location hash: { settings, error } where error (a sentence, or null) says
 * why the hash was not used and settings are then the defaults.
 */
export function parseHash(hash) {
  const text = hash.replace(/^#/, "");
  if (!text) return { settings: defaultSettings(), error: null };
  const params = new URLSearchParams(text);
  const fail = (why) => ({ settings: defaultSettings(), error: `The link's settings were not used (${why}); showing the defaults.` });
  if (params.get("v") !== VERSION) return fail(`unknown version ${JSON.stringify(params.get("v") ?? "none")}`);
  const settings = defaultSettings(PROPERTIES.model.parse(params.get("model") ?? "mlp") ?? "mlp");
  for (const [key, value] of params) {
    if (key === "v") continue;
    const property = PROPERTIES[key];
    if (!property) return fail(`unknown setting ${JSON.stringify(key.slice(0, 20))}`);
    const parsed = property.parse(value);
    if (parsed === undefined) return fail(`bad value for ${key}: ${JSON.stringify(value.slice(0, 20))}`);
    settings[key] = parsed;
  }
  return { settings, error: null };
}

/** The hash for these settings. */
export function formatHash(settings) {
  const params = new URLSearchParams({ v: VERSION });
  for (const key of Object.keys(PROPERTIES)) {
    const value = settings[key];
    params.set(key, typeof value === "boolean" ? (value ? "1" : "0") : String(value));
  }
  return `#${params}`;
}
