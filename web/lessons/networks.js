// How the lessons describe their networks: as the tutorials do, a list of layers; as the call
// that builds one, shown on the page; and as a playground state, the settings of the
// playground link a lesson offers. The playground's own rules (lib/plane/state.js, from what
// the core allows) check those settings, so a link never opens something the playground
// refuses. No DOM.
import { FieldError } from "./fields.js";
import { PlaygroundRules, defaultState } from "../lib/plane/state.js";

/** Dense layers from [units, activation] pairs (the tutorials' lists of layers). */
export const denseLayers = (pairs) => pairs.map(([units, activation]) => ({ type: "dense", units, activation }));

/** A network config as the call that builds it, one field (and one layer) a line. */
export function configText(config) {
  const value = (v) => (Array.isArray(v) && v.some((item) => typeof item === "object") ?
    `[\n${v.map((item) => `    ${JSON.stringify(item)},`).join("\n")}\n  ]` : JSON.stringify(v));
  return `nn.createNetwork({\n${Object.entries(config).map(([key, v]) => `  ${key}: ${value(v)},`).join("\n")}\n});`;
}

/** The playground's rules, from what this core offers. */
export const playgroundRules = (nn) => new PlaygroundRules({ schema: nn.schema, datasets: nn.datasets.names() });

/**
 * The complete playground state of a lesson's settings: `settings` over the defaults of its
 * dataset (a preset's own, for a preset). Throws an Error naming a field the playground refuses.
 */
export const playgroundState = (rules, settings) => rules.validate({ ...defaultState(settings.dataset), ...settings });

/**
 * A lesson field that is a playground field (prop: its state property, e.g. "lr" or "hidden"),
 * read from its text by the playground's own rule (the URL's format: hidden layers are
 * "25:relu,50:relu"). A FieldError names the lesson's field.
 */
export function readPlaygroundField(rules, prop, text, field) {
  const { parse, check } = rules.fields.find((f) => f.prop === prop);
  try {
    return check(parse(String(text).trim()));
  } catch (error) {
    throw new FieldError(field, error.message);
  }
}
