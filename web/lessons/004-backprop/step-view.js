// Lesson 004's step inspector: the value fields, and the tables of one backpropagation step:
// the forward pass, the partial derivatives, the updated parameters and the forward pass
// again on them. Each row's symbol and formula is written once here; the pass after the step
// reuses the forward rows. Renders BackpropSession snapshots.
import { $, element } from "../../lib/dom.js";
import { float32Text } from "../format.js";
import { setText } from "../lesson.js";

// [key (passValues' name), symbol, formula]
const FORWARD = [
  ["z1", "z₁", "w₁·x + b₁"], ["a1", "a₁", "σ(z₁)"], ["z2", "z₂", "w₂·a₁ + b₂"], ["a2", "a₂", "σ(z₂)"],
  ["cost", "C", "½(a₂ − y)²"],
];
const BACKWARD = [
  ["da2", "∂C/∂a₂", "a₂ − y"], ["db2", "∂C/∂b₂", "σ′(z₂)·∂C/∂a₂"], ["dw2", "∂C/∂w₂", "a₁·∂C/∂b₂"],
  ["da1", "∂C/∂a₁", "w₂·∂C/∂b₂"], ["db1", "∂C/∂b₁", "σ′(z₁)·∂C/∂a₁"], ["dw1", "∂C/∂w₁", "x·∂C/∂b₁"],
];
const UPDATE = [
  ["b2", "b₂", "b₂ − η·∂C/∂b₂"], ["w2", "w₂", "w₂ − η·∂C/∂w₂"], ["b1", "b₁", "b₁ − η·∂C/∂b₁"],
  ["w1", "w₁", "w₁ − η·∂C/∂w₁"],
];

// Table rows with an <output id="v-{key}{suffix}"> each.
function rows(tbody, list, suffix = "") {
  tbody.append(...list.map(([key, symbol, formula]) => {
    const row = element("tr");
    const head = element("th", "", symbol);
    head.scope = "row";
    const value = element("td", "num");
    value.append(Object.assign(element("output"), { id: `v-${key}${suffix}` }));
    row.append(head, element("td", "formula", formula), value);
    return row;
  }));
}

const show = (id, value) => setText($(id), value === undefined ? "–" : float32Text(value));

export class StepView {
  #inputs;

  /** inputs: { x, y, w1, b1, w2, b2, lr } -> input element; onEdit(name, text). */
  constructor(inputs, onEdit) {
    this.#inputs = inputs;
    rows($("forward-pass"), FORWARD);
    rows($("backward-pass"), BACKWARD);
    rows($("after-step"), UPDATE, "-new");
    rows($("after-step"), FORWARD, "-new");
    for (const [name, input] of Object.entries(inputs)) input.addEventListener("input", () => onEdit(name, input.value));
  }

  render({ values, steps, step }) {
    // Only values the session changed (a step taken, the tutorial's back): typing stays as typed.
    for (const [name, input] of Object.entries(this.#inputs)) if (input.value !== values[name]) input.value = values[name];
    const { before, after, updated } = step ?? {};
    for (const [key] of [...FORWARD, ...BACKWARD]) show(`v-${key}`, before?.[key]);
    for (const [key] of UPDATE) show(`v-${key}-new`, updated?.[key]);
    for (const [key] of FORWARD) show(`v-${key}-new`, after?.[key]);
    show("cost-before", before?.cost);
    show("cost-after", after?.cost);
    $("take-step").disabled = !step;
    setText($("step-count"), steps === 0 ? "" : `${steps} step${steps > 1 ? "s" : ""} taken from the values you set.`);
  }
}
