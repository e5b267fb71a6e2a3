// Lesson 002's views: the training's numbers, log and outputs, the sample picker, and the
// diagram of one sample's pass (a box per layer: its outputs forward, the error's slope at
// them backward, a fully connected layer's ∂E/∂W). Render XorSession snapshots.
import { $, element } from "../../lib/dom.js";
import { float32Text } from "../format.js";
import { setText } from "../lesson.js";
import { X, Y } from "./session.js";

const inputText = (i) => `(${X[2 * i]}, ${X[2 * i + 1]})`;

export function renderTraining({ epoch, error, log, outputs }, shown) {
  setText($("epoch"), String(epoch));
  setText($("error"), Number.isFinite(error) ? error.toFixed(6) : "–");
  setText($("log"), log);
  if (!outputs || outputs === shown?.outputs) return;
  $("outputs").replaceChildren(...Array.from(outputs, (v, i) => {
    const row = element("tr");
    row.append(element("td", "num", inputText(i)), element("td", "num", String(Y[i])),
      element("td", "num", float32Text(v)), element("td", "num", String(Math.abs(Math.round(v)))));
    return row;
  }));
}

/** The radio buttons that choose the sample; onChoose(i). */
export class SampleChoice {
  #radios;

  constructor(container, onChoose) {
    this.#radios = Array.from(Y, (_, i) => {
      const radio = element("input");
      radio.type = "radio";
      radio.name = "sample";
      radio.value = String(i);
      radio.addEventListener("change", () => onChoose(i));
      return radio;
    });
    container.replaceChildren(...this.#radios.map((radio, i) => {
      const label = element("label", "check");
      label.append(radio, ` ${inputText(i)}`);
      return label;
    }));
  }

  render({ sample }) {
    this.#radios[sample].checked = true;
  }
}

/** The one-sample diagram and the note under it. */
export function renderDiagram({ inspection, epoch, steps }, shown) {
  if (!inspection || inspection === shown?.inspection) return;
  const { sample, loss, layers } = inspection;
  const x = X.subarray(2 * sample, 2 * sample + 2);
  const boxes = [valueBox("Input X", `sample ${inputText(sample)}`, x, null)];
  let inputs = 2;
  layers.forEach((layer, i) => {
    const units = layer.z.length;
    boxes.push(valueBox(`Fully connected ${inputs}→${units}`, "Y = XW + B", layer.z, layer.dz,
      { gradient: layer.dW, rows: inputs, columns: units }));
    boxes.push(valueBox("tanh", i === layers.length - 1 ? "prediction" : "Y = tanh(X)", layer.a, layer.dA));
    inputs = units;
  });
  boxes.push(lossBox(loss, Y[sample]));
  $("diagram").replaceChildren(...boxes.flatMap((box, i) => (i ? [arrow(), box] : [box])));
  const when = `epoch ${epoch}${steps ? ` and ${steps} step${steps > 1 ? "s" : ""} by hand` : ""}`;
  $("diagram-note").textContent = `Sample ${sample + 1} of 4 after ${when}: the error ` +
    `${float32Text(loss)} flows back through ${2 * layers.length} layers; the fully connected ` +
    "layers' ∂E/∂W is what the next step subtracts, times the learning rate.";
}

function arrow() {
  const a = element("div", "arrow");
  a.setAttribute("aria-hidden", "true");
  a.append(element("span", "forward", "→"), element("span", "backward", "←"));
  return a;
}

// A layer's box: its outputs (forward) and the error's slope at them (backward).
function valueBox(title, subtitle, forward, backward, weights) {
  const box = element("section", "layer-box");
  box.setAttribute("aria-label", title);
  box.append(element("h4", "", title), element("p", "box-sub", subtitle));
  box.append(valueList("forward", "output", forward));
  if (backward) box.append(valueList("backward", "∂E/∂Y", backward));
  if (weights) {
    const { gradient, rows, columns } = weights;
    const grid = element("div", "matrix");
    grid.style.gridTemplateColumns = `repeat(${columns}, auto)`;
    for (let k = 0; k < rows * columns; k++) grid.append(element("span", "", gradient[k].toPrecision(3)));
    const wrap = element("div", "weights");
    wrap.append(element("span", "list-title", `∂E/∂W (${rows}×${columns})`), grid);
    box.append(wrap);
  }
  return box;
}

function lossBox(loss, target) {
  const box = element("section", "layer-box loss");
  box.setAttribute("aria-label", "Mean squared error");
  box.append(element("h4", "", "MSE"), element("p", "box-sub", `target y* = ${target}`));
  box.append(valueList("forward", "E", [loss]));
  return box;
}

function valueList(kind, title, values) {
  const list = element("div", `values-list ${kind}`);
  list.append(element("span", "list-title", title));
  const largest = Math.max(1e-9, ...Array.from(values, Math.abs));
  for (const v of values) {
    const row = element("div", "value-row");
    const bar = element("span", `bar ${v < 0 ? "negative" : "positive"}`);
    // bars: forward values on their own scale (|tanh| <= 1), backward ones relative to the largest
    bar.style.width = `${Math.round(100 * Math.min(1, Math.abs(v) / (kind === "forward" ? Math.max(1, largest) : largest)))}%`;
    const track = element("span", "track");
    track.append(bar);
    row.append(element("output", "", float32Text(v)), track);
    list.append(row);
  }
  return list;
}
