// The digits page's training settings (docs/API.md: its state in the URL hash, versioned), as
// one table of typed fields. The same rules read a link, a form edit and window.nnplay.train's
// options: a value is the field's type, or text as a link or a form field holds it. No DOM.
import { MODELS, modelConfig } from "../lib/mnist/models.js";

const VERSION = "1";
const QUOTED = 40;  // characters of a refused value quoted back

const integer = (low, high) => ({
  parse: (text) => (text.trim() ? Number(text) : NaN),
  valid: (v) => Number.isInteger(v) && v >= low && v <= high,
  expected: `an integer from ${low} to ${high}`,
});
const number = (low, high) => ({
  parse: (text) => (/^[0-9.e+-]+$/i.test(text) ? Number(text) : NaN),  // no "0x10", no "Infinity"
  valid: (v) => Number.isFinite(v) && v >= low && v <= high,
  expected: `a number from ${low} to ${high}`,
});
const choice = (values) => ({
  parse: (text) => text,
  valid: (v) => values.includes(v),
  expected: `one of ${values.join(", ")}`,
});

/** The fields in hash order: label (for people), parse(text), valid(value), expected. */
const FIELDS = {
  model: { label: "Network", ...choice(Object.keys(MODELS)) },
  epochs: { label: "Epochs", ...integer(1, 50) },
  optimizer: { label: "Optimizer", ...choice(["adam", "sgd"]) },
  lr: { label: "Learning rate", ...number(0.000001, 10) },
  decay: { label: "Learning-rate decay per epoch", ...number(0.01, 1) },
  batch: { label: "Batch", ...integer(1, 1024) },
  augment: { label: "Distort the training digits", parse: (text) => ({ 1: true, 0: false })[text],
    valid: (v) => typeof v === "boolean", expected: "1 or 0 (on or off)" },
};

const quote = (value) => (value === "" ? "nothing" : JSON.stringify(String(value).slice(0, QUOTED)));

/** The default settings, or those of `model` when given. */
export function defaultSettings(model = "mlp") {
  const config = modelConfig(model);
  return { model, epochs: 1, optimizer: config.optimizer.type, lr: config.optimizer.lr,
    decay: MODELS[model].decay ?? 1, batch: config.batchSize, augment: false };
}

/**
 * `settings` with `patch` applied, or an Error naming the first field at fault. A new network
 * (model) brings its own optimizer, learning rate, decay and batch size, unless the patch gives
 * them.
 */
export function editedSettings(settings, patch) {
  const values = {};
  for (const [key, raw] of Object.entries(patch ?? {})) {
    if (!Object.hasOwn(FIELDS, key)) throw new Error(`unknown setting ${quote(key)}`);
    const field = FIELDS[key];
    const value = typeof raw === "string" ? field.parse(raw) : raw;
    if (!field.valid(value)) throw new Error(`${field.label} (${key}): expected ${field.expected}, got ${quote(raw)}`);
    values[key] = value;
  }
  const model = values.model ?? settings.model;
  const base = model === settings.model ? settings :
    { ...defaultSettings(model), epochs: settings.epochs, augment: settings.augment };
  return { ...base, ...values };
}

/**
 * Settings from a location hash: { settings, error } where error (a sentence, or null) says
 * why the hash was not used and settings are then the defaults.
 */
export function parseHash(hash) {
  const text = String(hash).replace(/^#/, "");
  if (!text) return { settings: defaultSettings(), error: null };
  const params = new URLSearchParams(text);
  const fail = (why) => ({ settings: defaultSettings(), error: `The link's settings were not used (${why}); showing the defaults.` });
  if (params.get("v") !== VERSION) return fail(`unknown version ${quote(params.get("v") ?? "none")}`);
  params.delete("v");
  try {
    return { settings: editedSettings(defaultSettings(), Object.fromEntries(params)), error: null };
  } catch (error) {
    return fail(error.message);
  }
}

/** The hash for these settings: "#v=1&model=...". */
export function formatHash(settings) {
  const params = new URLSearchParams({ v: VERSION });
  for (const key of Object.keys(FIELDS)) {
    const value = settings[key];
    params.set(key, typeof value === "boolean" ? (value ? "1" : "0") : String(value));
  }
  return `#${params}`;
}
