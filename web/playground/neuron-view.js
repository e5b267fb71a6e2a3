// The neuron view: one unit of the network on screen, for the picked point, with the numbers
// the core computed in the snapshot (picture.probe: forward and backward, no update): its
// inputs, z, a, dL/dz, and per incoming weight its value, dL/dw and the change the optimizer's
// next step on this point would make — lesson 004's equations with these numbers in them. The
// weights are fields: typing one sets it in the network. Renders session snapshots; sends
// pickPoint, pickNeuron and setWeight.
import { $, element } from "../lib/dom.js";
import { float32Literal } from "../lib/export-code.js";
import { FEATURES } from "../lib/plane/features.js";

// f'(z) from a = f(z), as lesson 004 writes it.
const DERIVATIVE = {
  sigmoid: { text: "a(1 − a)", value: (a) => a * (1 - a) },
  tanh: { text: "1 − a²", value: (a) => 1 - a * a },
  relu: { text: "1 if z > 0, else 0", value: (a, z) => (z > 0 ? 1 : 0) },
  linear: { text: "1", value: () => 1 },
};
const NAME = { sigmoid: "σ", tanh: "tanh", relu: "relu", linear: "", softmax: "softmax" };

/** A number as the view shows it: 4 significant digits, an exponent when tiny or huge. */
export const number = (v) => (v === 0 ? "0" : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ?
  v.toExponential(3) : String(Number(v.toPrecision(4))));
const signed = (v) => (v < 0 ? `(${number(v)})` : number(v));

export class NeuronView {
  #session;
  #key = "";  // what the table's rows are for: rebuilt when it changes
  #listKey = "";  // the layer sizes the neuron list was built for

  constructor(session) {
    this.#session = session;
    const pick = () => {
      const point = { x1: Number($("probe-x1").value), x2: Number($("probe-x2").value),
        label: Number($("probe-label").value) };
      if ([point.x1, point.x2, point.label].every(Number.isFinite) && $("probe-x1").value !== "" &&
        $("probe-x2").value !== "") {
        session.pickPoint(point);
      }
    };
    for (const id of ["probe-x1", "probe-x2", "probe-label"]) $(id).addEventListener("change", pick);
    $("probe-neuron").addEventListener("change", () => {
      const [layer, unit] = $("probe-neuron").value.split(":").map(Number);
      session.pickNeuron({ layer, unit });
    });
  }

  render(snapshot) {
    const { state, table, point, neuron, picture } = snapshot;
    if (!state || !picture) return;
    const units = picture.weights.filter((_, i) => i % 2 === 1).map((b) => b.data.length);
    this.#renderNeuronList(units, neuron);
    for (const [id, value] of [["probe-x1", point?.x1], ["probe-x2", point?.x2], ["probe-label", point?.label]]) {
      if (document.activeElement !== $(id)) $(id).value = value === undefined ? "" : float32Literal(Math.fround(value));
    }
    for (const id of ["probe-x1", "probe-x2", "probe-label"]) $(id).disabled = Boolean(table);
    const details = $("neuron-details");
    const probe = picture.probe;
    if (table) return this.#say(details, "Looking inside works on the generated data sets, whose points are on the plane.");
    if (!neuron) return this.#say(details, "No neuron picked yet: click one in the diagram, or choose it above.");
    if (!probe) return this.#say(details, "No point picked yet.");
    const layer = neuron.layer, j = neuron.unit;
    const inputNames = layer === 0 ? state.features.map((key) => FEATURES.find((f) => f.key === key).label) :
      Array.from({ length: units[layer - 1] }, (_, i) => `layer ${layer}, unit ${i + 1}`);
    const activation = layer < state.hidden.length ? state.hidden[layer].activation : state.output;
    const key = `${layer}:${j}:${inputNames.join(",")}:${activation}`;
    if (key !== this.#key) this.#build(details, layer, j, inputNames);
    this.#key = key;
    this.#fill(snapshot, layer, j, activation);
  }

  #say(details, text) {
    this.#key = "";
    if (details.textContent !== text) details.replaceChildren(element("p", "hint", text));
  }

  #renderNeuronList(units, neuron) {
    const select = $("probe-neuron");
    // Rebuilt only when the layer sizes change: this runs every frame while training.
    if (units.join() !== this.#listKey) {
      this.#listKey = units.join();
      const values = units.flatMap((count, layer) => Array.from({ length: count }, (_, unit) => `${layer}:${unit}`));
      const last = units.length - 1;
      select.replaceChildren(Object.assign(element("option", "", "—"), { value: "" }), ...values.map((value) => {
        const [layer, unit] = value.split(":").map(Number);
        const text = layer === last ? `output${units[last] > 1 ? ` ${unit + 1}` : ""}` : `layer ${layer + 1}, unit ${unit + 1}`;
        return Object.assign(element("option", "", text), { value });
      }));
    }
    const value = neuron ? `${neuron.layer}:${neuron.unit}` : "";
    if (select.value !== value) select.value = value;
  }

  // The structure for one unit: equations, then a row per incoming weight and the bias.
  #build(details, layer, j, inputNames) {
    const table = element("table");
    table.id = "neuron-table";
    const head = element("tr");
    for (const text of ["input", "aᵢ (value in)", "wᵢ (weight)", "∂L/∂wᵢ = aᵢ·∂L/∂z", "Δwᵢ (next step)"]) {
      const th = element("th", "", text);
      th.scope = "col";
      head.append(th);
    }
    const thead = element("thead");
    thead.append(head);
    const body = element("tbody");
    const rows = [...inputNames.map((name, i) => ({ name, from: i })), { name: "bias b", from: -1 }];
    for (const { name, from } of rows) {
      const row = element("tr");
      const weight = element("input");
      Object.assign(weight, { type: "number", step: "any", id: `neuron-w-${from}` });
      weight.setAttribute("aria-label", `weight from ${name} (${from < 0 ? "bias" : `input ${from + 1}`}) into this neuron`);
      weight.addEventListener("change", () => {
        if (weight.value !== "" && Number.isFinite(Number(weight.value))) {
          this.#session.setWeight({ layer, from, to: j, value: Number(weight.value) });
        }
      });
      const cells = [element("td", "name", name), element("td", "", from < 0 ? "1" : ""), element("td"),
        element("td"), element("td")];
      cells[2].append(weight);
      cells[1].id = `neuron-a-${from}`;
      cells[3].id = `neuron-dw-${from}`;
      cells[4].id = `neuron-update-${from}`;
      row.append(...cells);
      body.append(row);
    }
    table.append(thead, body);
    const equations = element("ul", "equations");
    equations.id = "neuron-equations";
    details.replaceChildren(element("p", "", ""), equations, table, element("p", "hint",
      "Δw is the change the optimizer's next step would make if it trained on this point alone (SGD: −η·∂L/∂w; " +
      "momentum and Adam add what they remember). Type a weight to set it: the boundary redraws at once."));
    details.firstChild.id = "neuron-title-line";
  }

  #fill({ state, point, picture }, layer, j, activation) {
    const { probe, weights } = picture;
    const inspected = probe.layers[layer];
    const kernel = weights[2 * layer], bias = weights[2 * layer + 1].data[j];
    const outputs = kernel.shape[1];
    const inputs = layer === 0 ? probe.inputs : probe.layers[layer - 1].a;
    const values = Array.from({ length: kernel.shape[0] }, (_, i) => inputs[i]);
    const z = inspected.z[j], a = inspected.a[j], dz = inspected.dz[j];
    const last = layer === probe.layers.length - 1;
    const where = last ? "the output" : `layer ${layer + 1}, unit ${j + 1}`;
    $("neuron-title-line").textContent = `${where} at (${number(point.x1)}, ${number(point.x2)}), label ${point.label}: ` +
      `loss L = ${number(probe.loss)}`;
    const terms = values.map((v, i) => `${signed(kernel.data[i * outputs + j])}·${signed(v)}`);
    const f = NAME[activation];
    // With batch norm the activation takes ẑ, the normalized z (moving statistics: inference).
    const norm = inspected.norm;
    const v = norm ? "ẑ" : "z", zIn = norm ? norm.z[j] : z, dzIn = norm ? norm.dz[j] : dz;
    const lines = [
      `z = Σ wᵢ·aᵢ + b = ${terms.join(" + ")} + ${signed(bias)} = ${number(z)}`,
      ...(norm ? [`ẑ = γ·(z − μ) / √(σ² + ε) + β (batch norm, with its moving mean μ and variance σ²) = ${number(zIn)}`] : []),
      `a = ${f || v}${f ? `(${v})` : ""} = ${number(a)}`,
    ];
    const derivative = DERIVATIVE[activation];
    if (last && activation === "sigmoid" && state.loss === "bce") {
      lines.push(`∂L/∂z = a − y = ${number(a)} − ${number(point.label)} = ${number(dz)}   (sigmoid with cross-entropy)`);
    } else if (derivative) {
      const fPrime = derivative.value(a, zIn);
      const dA = fPrime === 0 ? NaN : dzIn / fPrime;
      lines.push(`∂L/∂${v} = ∂L/∂a · f′(${v}), f′(${v}) = ${derivative.text.replaceAll("z", v)} = ${number(fPrime)}` +
        (Number.isFinite(dA) ? `, so ∂L/∂${v} = ${number(dA)} · ${number(fPrime)} = ${number(dzIn)}` :
          `, so ∂L/∂${v} = ${number(dzIn)}`));
    } else {
      lines.push(`∂L/∂${v} = ${number(dzIn)}`);
    }
    if (norm) lines.push(`∂L/∂z = ∂L/∂ẑ · γ / √(σ² + ε) = ${number(dz)}`);
    lines.push(`∂L/∂b = ∂L/∂z = ${number(inspected.db[j])}`);
    const list = $("neuron-equations");
    lines.forEach((line, i) => {
      const item = list.children[i] ?? list.appendChild(element("li"));
      if (item.textContent !== line) item.textContent = line;
    });
    while (list.children.length > lines.length) list.lastChild.remove();
    const show = (id, text) => { const cell = $(id); if (cell.textContent !== text) cell.textContent = text; };
    const setField = (id, value) => {
      const field = $(id);
      if (document.activeElement !== field) field.value = float32Literal(value);
    };
    values.forEach((v, i) => {
      const k = i * outputs + j;
      show(`neuron-a-${i}`, number(v));
      setField(`neuron-w-${i}`, kernel.data[k]);
      show(`neuron-dw-${i}`, number(inspected.dW[k]));
      show(`neuron-update-${i}`, number(inspected.updateW[k]));
    });
    setField("neuron-w--1", bias);
    show("neuron-dw--1", number(inspected.db[j]));
    show("neuron-update--1", number(inspected.updateB[j]));
  }
}
