// The form controls: data, input features or table columns, hidden layers and training
// settings. They show a session snapshot (render) and report edits as partial states
// (onChange(patch, effect)); a patch that depends on the state is a function of it, applied to
// the state current when the edit runs. effect says what the edit needs: "rebuild" (new data
// and network), "points" (new data, same network: the plotted columns), "live" (applies to the
// running network: learning rate, batch size) or "view" (drawing only). The choices offered
// are the core's (rules.lists); only their names for people are here.
import { $, element } from "../lib/dom.js";
import { FEATURES } from "../lib/plane/features.js";
import { LIMITS } from "../lib/plane/state.js";
import { PRESETS } from "../lib/plane/tables.js";

const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
// Names for people; a choice without one shows its own name.
const NAMES = {
  "reg-plane": "plane (regression)", "reg-gauss": "bumps (regression)", csv: "your CSV file (load one)",
  bce: "binary cross-entropy", mse: "mean squared error", quadratic: "quadratic (½‖a − y‖²)",
  cross_entropy: "cross-entropy", sgd: "SGD", momentum: "SGD + momentum", adam: "Adam", l1: "L1", l2: "L2",
  nesterov: "SGD + Nesterov momentum", rmsprop: "RMSprop", adagrad: "Adagrad", adamw: "AdamW",
  leaky_relu: "leaky ReLU", elu: "ELU", gelu: "GELU", softplus: "softplus", swish: "swish (SiLU)",
  constant: "constant", step: "step decay", exponential: "exponential decay", cosine: "cosine decay",
  xavier: "Xavier", he: "He", uniform: "uniform ±0.5",
  ...Object.fromEntries(Object.entries(PRESETS).map(([key, { title }]) => [key, title])),
};
const nameOf = (value) => NAMES[value] ?? value;
// The schedule fields' names for people, in the order they are shown (their keys are the core's,
// nn.schema.schedules, which come sorted by name).
const SCHEDULE_LABELS = { every: "Every (steps)", factor: "Factor", decaySteps: "Decay steps",
  decayRate: "Decay rate", staircase: "Staircase", alpha: "Final fraction (alpha)" };
// The controls of each group a challenge can lock (lib/plane/state.js LOCKABLE).
const LOCK_IDS = {
  data: ["dataset", "label-column", "plot-x", "plot-y", "standardize", "noise", "points", "train-ratio", "data-seed",
    "new-data", "clear-points", "csv-file"],
  features: ["features"],
  layers: ["add-layer", "remove-layer", "layers-set"],
  output: ["output", "loss"],
  optimizer: ["optimizer", "momentum", "lr", "batch-size", "rho", "weight-decay", "schedule"],
  regularization: ["regularization", "reg-rate"],
  init: ["init", "seed", "new-seed"],
};
// Controls the render above may have disabled for reasons of their own.
const ALSO_DISABLED = new Set(["reg-rate", "add-layer", "remove-layer", "plot-y"]);
const REGULARIZATION_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];

// id, state property, how to read the element, what an edit needs, how to show the value.
const FIELDS = [
  { id: "dataset", prop: "dataset" },
  { id: "label-column", prop: "label" },
  { id: "plot-x", prop: "plotX", effect: "points" },
  { id: "plot-y", prop: "plotY", effect: "points" },
  { id: "standardize", prop: "standardize", checkbox: true },
  { id: "noise", prop: "noise", number: true, show: (v) => v.toFixed(2) },
  { id: "points", prop: "points", number: true, show: String },
  { id: "train-ratio", prop: "trainRatio", number: true, show: (v) => `${Math.round(v * 100)}%` },
  { id: "data-seed", prop: "dataSeed", number: true },
  { id: "show-test", prop: "showTest", checkbox: true, effect: "view" },
  { id: "output", prop: "output" },
  { id: "loss", prop: "loss" },
  { id: "optimizer", prop: "optimizer" },
  { id: "momentum", prop: "momentum", number: true },
  { id: "rho", prop: "rho", number: true },
  { id: "weight-decay", prop: "weightDecay", number: true },
  { id: "lr", prop: "lr", number: true, effect: "live" },
  { id: "batch-size", prop: "batchSize", number: true, effect: "live" },
  { id: "regularization", prop: "regularization" },
  { id: "reg-rate", prop: "regRate", number: true },
  { id: "init", prop: "init" },
  { id: "seed", prop: "seed", number: true },
];

// An element with properties and children.
function build(tag, properties = {}, children = []) {
  const node = Object.assign(element(tag), properties);
  node.append(...children);
  return node;
}

const option = (value) => build("option", { value: String(value), textContent: nameOf(value) });

export class Controls {
  #onChange;
  #lists;
  #softmaxLoss;
  #csvFile = "";  // the name of the CSV file the worker has, "" before one is loaded
  #schedules;  // nn.schema.schedules: each schedule type's fields

  /** rules: the session's PlaygroundRules, what the core offers. */
  constructor(rules, onChange) {
    const lists = rules.lists;
    this.#onChange = onChange;
    this.#lists = lists;
    this.#softmaxLoss = rules.lossFor("softmax");
    this.#schedules = rules.schema.schedules;
    const generated = lists.datasets.filter((d) => d !== "csv" && !PRESETS[d]);
    const tables = lists.datasets.filter((d) => d === "csv" || PRESETS[d]);
    $("dataset").replaceChildren(build("optgroup", { label: "Generated" }, generated.map(option)),
      build("optgroup", { label: "Tables" }, tables.map(option)));
    $("dataset").querySelector('option[value="csv"]').disabled = true;
    for (const [id, list] of [["output", lists.outputActivations], ["loss", lists.losses],
      ["optimizer", lists.optimizers], ["regularization", lists.regularizations], ["init", lists.inits],
      ["schedule", lists.schedules]]) {
      $(id).replaceChildren(...list.map(option));
    }
    fillOptions($("lr"), LEARNING_RATES);
    fillOptions($("reg-rate"), REGULARIZATION_RATES);
    for (const field of FIELDS) {
      const input = $(field.id);
      const read = () => (field.checkbox ? input.checked : field.number ? Number(input.value) : input.value);
      input.addEventListener("change", () => this.#emit(patchOf(field.prop, read(), this.#csvFile), field.effect));
      if (field.show) input.addEventListener("input", () => { $(`${field.id}-value`).textContent = field.show(read()); });
    }
    const features = $("features");
    for (const { key, label } of FEATURES) {
      const box = build("input", { type: "checkbox", id: `feature-${key}`, value: key });
      box.addEventListener("change", () => {
        const selected = FEATURES.map((f) => f.key).filter((k) => $(`feature-${k}`).checked);
        this.#emit({ features: selected });
      });
      features.append(build("label", {}, [box, ` ${label}`]));
    }
    $("add-layer").addEventListener("click", () => this.#emit(({ hidden }) => ({
      hidden: [...hidden, { units: 4, activation: hidden.at(-1)?.activation ?? "tanh" }],
    })));
    $("remove-layer").addEventListener("click", () => this.#emit(({ hidden }) => ({ hidden: hidden.slice(0, -1) })));
    // A new schedule type starts from the core's defaults for its fields.
    $("schedule").addEventListener("change", () => this.#emit({ schedule: { type: $("schedule").value } }));
  }

  #emit(patch, effect = "rebuild") {
    this.#onChange(patch, effect);
  }

  // Enables "your CSV file" in the dataset list: the worker has this file now.
  #setCsvFile(name) {
    this.#csvFile = name;
    const option = $("dataset").querySelector('option[value="csv"]');
    option.disabled = false;
    option.textContent = `your CSV: ${name}`;
  }

  /** Marks a preset whose file could not be read. */
  setUnavailable(dataset) {
    const option = $("dataset").querySelector(`option[value="${dataset}"]`);
    if (option && !option.textContent.endsWith("(unavailable)")) option.textContent += " (unavailable)";
  }

  /** Shows a snapshot's state in every control. */
  render({ state, table, csvFile }) {
    if (!state) return;
    if (csvFile && csvFile !== this.#csvFile) this.#setCsvFile(csvFile);
    if (table) this.#renderColumns(table);
    for (const field of FIELDS) {
      const input = $(field.id), value = state[field.prop];
      if (input.tagName === "SELECT" && field.number && ![...input.options].some((o) => Number(o.value) === value)) {
        fillOptions(input, [...[...input.options].map((o) => Number(o.value)), value].sort((a, b) => a - b));
      }
      if (field.checkbox) input.checked = value;
      else input.value = String(value);
      if (field.show) $(`${field.id}-value`).textContent = field.show(value);
    }
    for (const { key } of FEATURES) $(`feature-${key}`).checked = state.features.includes(key);
    // softmax and its loss only for more than 2 classes.
    const multiclass = table?.kind === "multiclass";
    $("output").querySelector('option[value="softmax"]').disabled = !multiclass;
    $("loss").querySelector(`option[value="${this.#softmaxLoss}"]`).disabled = !multiclass;
    $("new-data").textContent = table ? "New split" : "New data";
    $("momentum-label").hidden = state.optimizer !== "momentum" && state.optimizer !== "nesterov";
    $("rho-label").hidden = state.optimizer !== "rmsprop";
    $("weight-decay-label").hidden = state.optimizer !== "adamw";
    $("schedule").value = state.schedule.type;
    this.#renderSchedule(state.schedule, state.locked.includes("optimizer"));
    $("reg-rate").disabled = state.regularization === "none";
    $("layer-count").textContent = String(state.hidden.length);
    $("add-layer").disabled = state.hidden.length >= LIMITS.hiddenLayers;
    $("remove-layer").disabled = state.hidden.length === 0;
    this.#renderLayers(state.hidden);
    // A challenge's locked groups: their controls off (the session refuses such edits anyway).
    for (const [group, ids] of Object.entries(LOCK_IDS)) {
      const locked = state.locked.includes(group);
      for (const id of ids) {
        const control = id === "layers-set" ? null : $(id);
        if (control) control.disabled = locked || (control.disabled && ALSO_DISABLED.has(id));
      }
      if (group === "layers") {
        for (const control of $("layers").querySelectorAll("input, select")) control.disabled = locked;
      }
    }
  }

  // One labelled input per field of the schedule's type (a checkbox for a boolean).
  #renderSchedule(schedule, locked) {
    const box = $("schedule-fields");
    const order = Object.keys(SCHEDULE_LABELS);
    const rank = (key) => (order.includes(key) ? order.indexOf(key) : order.length);
    const fields = Object.entries(this.#schedules[schedule.type] ?? {}).sort(([a], [b]) => rank(a) - rank(b));
    if (box.dataset.type !== schedule.type) {
      box.dataset.type = schedule.type;
      box.replaceChildren(...fields.map(([key, field]) => {
        const boolean = field.type === "boolean";
        const input = build("input", boolean ? { type: "checkbox" } :
          { type: "number", min: field.min, max: field.max, step: field.type === "integer" ? 1 : "any" });
        input.id = `schedule-${key}`;
        input.addEventListener("change", () => this.#emit(({ schedule: current }) => ({
          schedule: { ...current, [key]: boolean ? input.checked : Number(input.value) } })));
        return build("label", {}, [`${SCHEDULE_LABELS[key] ?? key} `, input]);
      }));
    }
    box.hidden = fields.length === 0;
    for (const [key, field] of fields) {
      const input = $(`schedule-${key}`);
      if (field.type === "boolean") input.checked = schedule[key];
      else input.value = String(schedule[key]);
      input.disabled = locked;
    }
  }

  // The label and plotted column choices of a table, with the columns in file order.
  #renderColumns(table) {
    const fill = (select, names) => {
      if ([...select.options].map((o) => o.value).join("\n") === names.join("\n")) return;
      select.replaceChildren(...names.map((name) => build("option", { value: name, textContent: name })));
    };
    fill($("label-column"), table.columns);
    fill($("plot-x"), table.features);
    fill($("plot-y"), table.features.length > 1 ? table.features : [""]);
    $("plot-y").disabled = table.features.length < 2;
  }

  #renderLayers(hidden) {
    const box = $("layers");
    if (box.children.length !== hidden.length) {
      box.replaceChildren(...hidden.map((_, i) => this.#layerEditor(i)));
    }
    hidden.forEach((layer, i) => {
      const [units, activation, batchnorm] = box.children[i].querySelectorAll("input, select");
      units.value = String(layer.units);
      activation.value = layer.activation;
      batchnorm.checked = Boolean(layer.batchnorm);
    });
  }

  #layerEditor(index) {
    const change = (key, value) => this.#emit(({ hidden }) => ({
      hidden: hidden.map((layer, i) => (i === index ? { ...layer, [key]: value } : layer)),
    }));
    const units = build("input", { type: "number", min: 1, max: LIMITS.units, step: 1,
      ariaLabel: `units in hidden layer ${index + 1}` });
    units.addEventListener("change", () => change("units", Number(units.value)));
    const activation = build("select", { ariaLabel: `activation of hidden layer ${index + 1}` },
      this.#lists.hiddenActivations.map(option));
    activation.addEventListener("change", () => change("activation", activation.value));
    // Batch norm between the layer's sum and its activation (Dense -> BatchNormalization -> f).
    const batchnorm = build("input", { type: "checkbox",
      title: "Batch normalization: each unit's z normalized over the batch, then scaled and shifted (γ, β), before the activation" });
    batchnorm.setAttribute("aria-label", `batch norm in hidden layer ${index + 1}`);
    batchnorm.addEventListener("change", () => change("batchnorm", batchnorm.checked));
    return build("div", { className: "layer" }, [
      build("span", { textContent: `Layer ${index + 1}` }),
      build("label", {}, [units, " units"]),
      activation,
      build("label", { className: "batchnorm" }, [batchnorm, " batch norm"]),
    ]);
  }
}

// The edit of one control: choosing "your CSV file" again brings back its name; plotting a
// column on the axis that has the other one swaps them.
function patchOf(prop, value, csvFile) {
  if (prop === "dataset" && value === "csv") return { dataset: value, file: csvFile };
  const other = { plotX: "plotY", plotY: "plotX" }[prop];
  if (other) return (state) => ({ [prop]: value, [other]: value === state[other] ? state[prop] : state[other] });
  return { [prop]: value };
}

function fillOptions(select, values) {
  select.replaceChildren(...values.map((v) => build("option", { value: String(v), textContent: String(v) })));
}
