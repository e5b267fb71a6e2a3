// From map to formula: the chosen map enlarged with its chosen unit marked (click a unit, or
// move with the arrow keys), and how that unit is computed (snapshot.drawing.explanation,
// lib/mnist/formula.js): for a conv2d unit, its kernel and the input patch it sees per input
// channel, the multiply-add written out with the numbers, the bias and the activation, ending
// in the value recomputed next to the one the layer view shows.
import { element } from "../lib/dom.js";
import { gridOf, largest, num, paintChannel } from "./maps.js";

export class UnitView {
  #map;
  #title;
  #formula;
  #chooseUnit;
  #shown = null;

  /** elements: { map (canvas), title, formula }; chooseUnit is session.chooseUnit. */
  constructor({ map, title, formula }, { chooseUnit }) {
    this.#map = map;
    this.#title = title;
    this.#formula = formula;
    this.#chooseUnit = chooseUnit;
    map.addEventListener("click", (event) => {
      const at = this.#at();
      if (!at) return;
      const box = map.getBoundingClientRect();
      const x = Math.floor((event.clientX - box.left) / box.width * at.grid.width);
      const y = Math.floor((event.clientY - box.top) / box.height * at.grid.height);
      if (x >= 0 && y >= 0 && x < at.grid.width && y < at.grid.height) this.#move(at, y, x);
    });
    map.addEventListener("keydown", (event) => {
      const at = this.#at();
      const step = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[event.key];
      if (!at || !step) return;
      event.preventDefault();
      this.#move(at, Math.min(at.grid.height - 1, Math.max(0, at.y + step[0])),
        Math.min(at.grid.width - 1, Math.max(0, at.x + step[1])));
    });
  }

  // The chosen unit as { layer, grid, y, x, c } of the drawing shown, or null.
  #at() {
    const { drawing, unit } = this.#shown ?? {};
    if (!drawing || !unit) return null;
    const grid = gridOf(drawing.layers[unit.layer].shape);
    const cell = Math.floor(unit.unit / grid.channels);
    return { layer: unit.layer, grid, y: Math.floor(cell / grid.width), x: cell % grid.width, c: unit.unit % grid.channels,
      units: drawing.layers[unit.layer].data.length };
  }

  #move(at, y, x) {
    const unit = (y * at.grid.width + x) * at.grid.channels + at.c;
    if (unit < at.units) this.#chooseUnit({ layer: at.layer, unit });
  }

  render({ drawing, choice }) {
    const unit = drawing && choice.unit;
    if (this.#shown?.drawing === drawing && this.#shown?.unit === unit) return;
    this.#shown = { drawing, unit };
    const explanation = drawing?.explanation;
    if (!unit || !explanation) {
      this.#map.hidden = true;
      this.#title.textContent = "Click a map or a unit above (or focus one with Tab and press Enter).";
      this.#formula.replaceChildren();
      return;
    }
    const layer = drawing.layers[unit.layer];
    const at = this.#at();
    this.#map.hidden = false;
    paintChannel(this.#map, layer.data, layer.shape, at.c, largest(layer.data));
    this.#map.style.aspectRatio = `${at.grid.width} / ${at.grid.height}`;
    this.#map.style.setProperty("--unit-x", `${(at.x + 0.5) / at.grid.width * 100}%`);
    this.#map.style.setProperty("--unit-y", `${(at.y + 0.5) / at.grid.height * 100}%`);
    const where = layer.shape.length === 3 ? `map ${at.c + 1}, row ${at.y + 1}, column ${at.x + 1}` : `unit ${unit.unit + 1}`;
    this.#title.textContent = `Layer ${unit.layer + 1} (${layer.type}), ${where}: ${num(layer.data[unit.unit])}`;
    this.#map.setAttribute("aria-label", `${this.#title.textContent}. Arrow keys move to the next unit.`);
    this.#marker(at);
    this.#formula.replaceChildren(...(explanation.error ? [element("p", "note", explanation.error)] : formula(explanation)));
  }

  // A frame around the chosen unit: the map's own pixel, brightened in a copy of the picture.
  #marker(at) {
    const context = this.#map.getContext("2d");
    context.strokeStyle = "#f59e0b";
    context.lineWidth = Math.max(0.15, at.grid.width / 120);
    context.strokeRect(at.x + 0.05, at.y + 0.05, 0.9, 0.9);
  }
}

const ACTIVATION_TEXT = {
  relu: (z, a) => `ReLU: max(0, ${num(z)}) = ${num(a)}`,
  sigmoid: (z, a) => `sigmoid: 1 / (1 + e^(−(${num(z)}))) = ${num(a)}`,
  tanh: (z, a) => `tanh(${num(z)}) = ${num(a)}`,
  linear: (z, a) => `no activation (linear): ${num(a)}`,
};

// The explanation as elements: the steps, one paragraph each.
function formula(e) {
  const parts = [];
  const check = () => element("p", "formula-check", `Recomputed: ${num(e.value, 4)} · on screen: ${num(e.shown, 4)} ` +
    (Math.abs(e.value - e.shown) <= 1e-4 * Math.max(1, Math.abs(e.shown)) ? "✓ the same" : "✗ differs"));
  if (e.type === "conv2d") {
    const [kh, kw] = e.kernelSize;
    parts.push(element("p", null, `Its ${kh}×${kw} kernel slides over ${e.channels.length} input ` +
      `channel${e.channels.length > 1 ? "s" : ""}; each weight multiplies the input value under it (0 outside the picture: padding).`));
    e.channels.forEach((ch, i) => {
      const block = element("details", "channel");
      block.open = i === 0;
      block.append(element("summary", null, `input channel ${ch.channel + 1}: Σ weight × input = ${num(ch.sum)}`));
      const grids = element("div", "grids");
      grids.append(numberGrid(ch.weights, kw, "kernel weights", "weights"), numberGrid(ch.patch, kw, "input patch", "patch",
        ch.inside));
      block.append(grids, element("p", "terms", `${sumText(Array.from(ch.weights, (w, k) => [w, ch.patch[k]]))} = ${num(ch.sum)}`));
      parts.push(block);
    });
    const sums = e.channels.map((ch) => ch.sum);
    const shownSums = sums.length > 8 ? `${sumText(sums.slice(0, 8))} + … (${sums.length} channels)` : sumText(sums);
    parts.push(element("p", "step", `z = ${shownSums} + bias ${num(e.bias)} = ${num(e.z)}`));
    parts.push(element("p", "step", ACTIVATION_TEXT[e.activation ?? "linear"]?.(e.z, e.value) ?? `${e.activation}(${num(e.z)})`));
    parts.push(check());
  } else if (e.type === "maxpool2d" || e.type === "avgpool2d") {
    const values = e.window.map((w) => num(w.value)).join(", ");
    parts.push(element("p", null, `A ${e.size}×${e.size} window of map ${e.channel + 1} of the layer before:`));
    parts.push(element("p", "step", e.type === "maxpool2d" ? `max(${values}) = ${num(e.value)}` :
      `mean(${values}) = ${num(e.value)}`));
    parts.push(check());
  } else if (e.type === "dense") {
    parts.push(element("p", null, `Each of its ${e.terms.length + e.restCount} inputs times its weight, the largest ` +
      "products first:"));
    const terms = sumText(e.terms.map((t) => [t.weight, t.x]));
    const rest = e.restCount ? ` + ${num(e.rest)} (the other ${e.restCount} products)` : "";
    parts.push(element("p", "terms", `${terms}${rest} + bias ${num(e.bias)} = z = ${num(e.z)}`));
    if (e.activation === "softmax") {
      parts.push(element("p", "step", `softmax: e^z / Σ e^z over the ${e.zs.length} units (z = ` +
        `${e.zs.map((z) => num(z, 2)).join(", ")}) = ${num(e.value)}`));
    } else {
      parts.push(element("p", "step", ACTIVATION_TEXT[e.activation ?? "linear"]?.(e.z, e.value) ?? `${e.activation}(${num(e.z)})`));
    }
    parts.push(check());
  } else if (e.type === "batchnorm") {
    parts.push(element("p", null, `Batch norm of channel ${e.channel + 1}: the value below it, less the channel's moving ` +
      "mean, over its moving standard deviation, then scaled by γ and shifted by β (all learnt in training):"));
    parts.push(element("p", "step", `z = ${num(e.gamma)} × (${num(e.x)} − ${num(e.mean)}) / √(${num(e.variance)} + ` +
      `${e.epsilon}) + ${num(e.beta)} = ${num(e.z)}`));
    parts.push(element("p", "step", ACTIVATION_TEXT[e.activation ?? "linear"]?.(e.z, e.value) ?? `${e.activation}(${num(e.z)})`));
    parts.push(check());
  } else {
    parts.push(element("p", null, `${e.type} passes unit ${e.unit + 1} of layer ${e.from + 1} through unchanged: ` +
      `${num(e.value)}.`));
    parts.push(check());
  }
  return parts;
}

// "a×b − c×d + …" for [[a, b], [c, d], …] (weights signed, inputs as they are), or "a − c + …" for numbers.
function sumText(terms) {
  return terms.map((t, i) => {
    const [w, x] = Array.isArray(t) ? t : [t, null];
    const sign = w < 0 ? (i ? " − " : "−") : (i ? " + " : "");
    return `${sign}${num(Math.abs(w))}${x === null ? "" : `×${num(x, 2)}`}`;
  }).join("");
}

// A k × k table of numbers, shaded by value; cells outside the picture (padding) are marked.
function numberGrid(values, width, caption, className, inside) {
  const table = element("table", `grid ${className}`);
  table.append(element("caption", null, caption));
  const max = largest(values);
  for (let r = 0; r < values.length / width; r++) {
    const row = element("tr");
    for (let c = 0; c < width; c++) {
      const k = r * width + c;
      const cell = element("td", inside && !inside[k] ? "pad" : null, num(values[k], 2));
      const t = values[k] / max;
      cell.style.background = t >= 0 ? `rgb(37 99 235 / ${(Math.abs(t) * 0.45).toFixed(2)})` :
        `rgb(220 38 38 / ${(Math.abs(t) * 0.45).toFixed(2)})`;
      row.append(cell);
    }
    table.append(row);
  }
  return table;
}
