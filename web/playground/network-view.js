// The network diagram: one column per layer (the input features first), each unit drawn as a
// small image of what it outputs over the input plane, connections coloured by the sign of
// their weight (blue +, orange -) and as thick as it is large. Hovering shows the value and
// the loss gradient over the training set (and for the picked point, if there is one);
// clicking a unit picks it for the neuron view, clicking a connection asks for a new weight.
// Dead ReLUs (zero on every training point) are crossed out, the picked unit is ringed. A
// column may draw only some of its units (30 input columns would not be readable) and says
// how many it leaves out. Renders a session snapshot.
import { NEGATIVE, POSITIVE, paintClassProbability, paintGrid, unitScale } from "../lib/plane/colors.js";
import { FEATURES } from "../lib/plane/features.js";
import { outputToUnit, taskOf } from "./output-view.js";

const DRAWN_INPUTS = { all: 8, some: 6 };  // more inputs than `all`: the diagram draws `some` of them
const LABEL_WIDTH = { min: 52, max: 130 };  // room for unit names left of the inputs, right of the outputs
const FONT = "12px system-ui, sans-serif";

export class NetworkView {
  #canvas;
  #tip;
  #thumb = document.createElement("canvas");  // one unit's grid, before scaling
  #layout = null;
  #frame = null;

  #lastPointer = null;

  /**
   * onPickNeuron({ layer, unit }): a click on a unit of a dense layer (layer 0: the first
   * hidden one); onPickLink({ layer, from, to, value, what }): a click on a connection.
   */
  constructor(canvas, tip, { onPickNeuron = () => {}, onPickLink = () => {} } = {}) {
    this.#canvas = canvas;
    this.#tip = tip;
    canvas.addEventListener("pointermove", (event) => this.#hover(event));
    canvas.addEventListener("pointerleave", () => {
      tip.hidden = true;
      this.#lastPointer = null;
    });
    canvas.addEventListener("click", (event) => {
      const hit = this.#hit(event);
      if (hit?.unit && hit.c > 0) onPickNeuron({ layer: hit.c - 1, unit: hit.j });
      if (hit?.link) {
        onPickLink({ layer: hit.c, from: hit.i, to: hit.j, value: hit.w,
          what: `${unitName(this.#frame.columns, hit.c, hit.i)} → ${unitName(this.#frame.columns, hit.c + 1, hit.j)}` });
      }
    });
  }

  /** Draws a session snapshot's network. */
  render(snapshot) {
    const { picture, neuron } = snapshot;
    if (!picture) return;
    this.draw({ columns: diagramColumns(snapshot, picture.units[0]), units: picture.units,
      gridSize: picture.unitGridSize, weights: picture.weights, gradients: picture.gradients,
      probe: picture.probe, dead: picture.dead, neuron });
    if (this.#lastPointer) this.#showTip(...this.#lastPointer);  // live values under a still pointer
  }

  /**
   * columns: [{ title, units, labels?, toUnit, paint?, shown? }] from inputs to output, where
   * shown lists the unit indices to draw (default: all) and paint(image, values, units, j)
   * replaces the diverging colours; units: per column a row-major cells x units array over a
   * gridSize^2 grid; weights: getWeights() order (kernel [in, out], bias [out] per layer).
   */
  draw({ columns, units, gridSize, weights, gradients = [], probe = null, dead = [], neuron = null }) {
    const canvas = this.#canvas;
    const scale = window.devicePixelRatio || 1;
    const width = canvas.clientWidth, height = canvas.clientHeight;
    if (width === 0) return;
    if (canvas.width !== Math.round(width * scale)) canvas.width = Math.round(width * scale);
    if (canvas.height !== Math.round(height * scale)) canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.clearRect(0, 0, width, height);

    ctx.font = FONT;
    const layout = this.#layout = nodeLayout(columns, width, height, labelWidths(ctx, columns));
    this.#frame = { columns, weights, gradients, probe, dead };
    const { node, positions, drawn } = layout;

    // Connections under the nodes.
    for (let c = 0; c + 1 < columns.length; c++) {
      const kernel = weights[2 * c].data, outputs = columns[c + 1].units;
      for (const i of drawn[c]) {
        for (const j of drawn[c + 1]) {
          const w = kernel[i * outputs + j];
          ctx.strokeStyle = w >= 0 ? POSITIVE : NEGATIVE;
          ctx.globalAlpha = Math.min(0.9, 0.2 + Math.abs(w) / 3);
          ctx.lineWidth = Math.min(4, 0.3 + Math.abs(w));
          curve(ctx, positions[c][i], positions[c + 1][j], node);
          ctx.stroke();
        }
      }
    }
    ctx.globalAlpha = 1;

    // Units: what each one outputs over the plane.
    if (this.#thumb.width !== gridSize) this.#thumb.width = this.#thumb.height = gridSize;
    const thumbCtx = this.#thumb.getContext("2d");
    const image = thumbCtx.createImageData(gridSize, gridSize);
    ctx.imageSmoothingEnabled = true;
    ctx.textBaseline = "middle";
    ctx.fillStyle = "#333";
    columns.forEach((column, c) => {
      // Names left of the first column, right of the others.
      const right = c > 0;
      ctx.textAlign = right ? "left" : "right";
      for (const j of drawn[c]) {
        const [x, y] = positions[c][j];
        if (column.paint) column.paint(image, units[c], column.units, j);
        else paintGrid(image, units[c], column.units, j, column.toUnit(j));
        thumbCtx.putImageData(image, 0, 0);
        ctx.drawImage(this.#thumb, x - node / 2, y - node / 2, node, node);
        ctx.strokeStyle = "#999";
        ctx.lineWidth = 1;
        ctx.strokeRect(x - node / 2, y - node / 2, node, node);
        if (column.labels) {
          const room = layout.labelWidth[right ? 1 : 0] - 4;
          ctx.fillText(fit(ctx, column.labels[j], room), right ? x + node / 2 + 4 : x - node / 2 - 4, y);
        }
      }
      for (const j of c > 0 ? dead[c - 1] ?? [] : []) {
        if (!positions[c][j]) continue;
        const [x, y] = positions[c][j];
        ctx.strokeStyle = "#c00";
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(x - node / 2, y - node / 2);
        ctx.lineTo(x + node / 2, y + node / 2);
        ctx.moveTo(x + node / 2, y - node / 2);
        ctx.lineTo(x - node / 2, y + node / 2);
        ctx.stroke();
      }
      if (neuron && neuron.layer === c - 1 && positions[c][neuron.unit]) {
        const [x, y] = positions[c][neuron.unit];
        ctx.strokeStyle = "#111";
        ctx.lineWidth = 2.5;
        ctx.strokeRect(x - node / 2 - 3, y - node / 2 - 3, node + 6, node + 6);
      }
      const more = column.units - drawn[c].length;
      if (more > 0) {
        const [x, y] = layout.moreAt[c];
        ctx.textAlign = "center";
        ctx.fillStyle = "#666";
        ctx.fillText(`+ ${more} more`, x, y);
        ctx.fillStyle = "#333";
      }
    });
  }

  #hit(event) {
    if (!this.#layout) return null;
    const box = this.#canvas.getBoundingClientRect();
    return hitAt(this.#layout, this.#frame, event.clientX - box.left, event.clientY - box.top);
  }

  #hover(event) {
    const box = this.#canvas.getBoundingClientRect();
    this.#lastPointer = [event.clientX - box.left, event.clientY - box.top];
    this.#showTip(...this.#lastPointer);
  }

  #showTip(px, py) {
    const tip = this.#tip;
    if (!this.#layout) return;
    const box = this.#canvas.getBoundingClientRect();
    const text = describe(this.#frame, hitAt(this.#layout, this.#frame, px, py));
    tip.hidden = !text;
    if (!text) return;
    tip.textContent = text;
    tip.style.left = `${Math.min(px + 12, box.width - tip.offsetWidth)}px`;
    tip.style.top = `${py + 14}px`;
  }
}

// Which units of a column the diagram draws: all, or for many a few and "+ N more" (inputs:
// the plotted columns first).
function shownUnits(units, first = []) {
  if (units <= DRAWN_INPUTS.all) return undefined;
  const rest = Array.from({ length: units }, (_, i) => i).filter((i) => !first.includes(i));
  return [...first, ...rest].slice(0, DRAWN_INPUTS.some);
}

// The diagram's columns: inputs (each stretched over its range on the grid), hidden, output.
function diagramColumns(snapshot, inputValues) {
  const { state, table } = snapshot;
  const k = table ? table.inputs : state.features.length;
  const ranges = Array.from({ length: k }, (_, j) => {
    let low = Infinity, high = -Infinity;
    for (let i = j; i < inputValues.length; i += k) {
      low = Math.min(low, inputValues[i]);
      high = Math.max(high, inputValues[i]);
    }
    return [(low + high) / 2, (high - low) / 2 || 1];
  });
  const labels = table ? table.features : state.features.map((key) => FEATURES.find((f) => f.key === key).label);
  const output = taskOf(snapshot) === "multiclass" ?
    { title: "output", units: table.outputs, labels: table.classes, paint: paintClassProbability,
      shown: shownUnits(table.outputs) } :
    { title: "output", units: 1, toUnit: () => outputToUnit(snapshot) };
  return [
    { title: "input", units: k, labels, toUnit: (j) => (v) => (v - ranges[j][0]) / ranges[j][1],
      shown: shownUnits(k, table ? table.plot.columns.filter((c) => c >= 0) : []) },
    ...state.hidden.map((layer, i) => ({ title: `layer ${i + 1}`, units: layer.units,
      toUnit: () => unitScale(layer.activation) })),
    output,
  ];
}

// Room for the names left of the first column and right of the last one.
function labelWidths(ctx, columns) {
  const widest = (column) => Math.max(0, ...(column?.labels ?? []).map((l) => ctx.measureText(l).width + 8));
  const clamp = (w, min) => Math.min(LABEL_WIDTH.max, Math.max(min, w));
  const last = columns.length > 1 ? columns.at(-1) : null;
  return [clamp(widest(columns[0]), LABEL_WIDTH.min), last?.labels ? clamp(widest(last), 0) : 0];
}

// The text, cut with an ellipsis to fit `room` pixels.
function fit(ctx, text, room) {
  if (ctx.measureText(text).width <= room) return text;
  let end = text.length;
  while (end > 1 && ctx.measureText(`${text.slice(0, end)}…`).width > room) end--;
  return `${text.slice(0, end)}…`;
}

// Node size and centre of every drawn unit (positions[c][unit]); columns spread across the
// width, drawn units centred, with a slot below them for "+ N more".
function nodeLayout(columns, width, height, labelWidth) {
  const drawn = columns.map((c) => c.shown ?? Array.from({ length: c.units }, (_, i) => i));
  const slots = columns.map((c, i) => drawn[i].length + (drawn[i].length < c.units ? 1 : 0));
  const most = Math.max(...slots);
  const pitch = Math.min(46, (height - 8) / most);
  const node = Math.max(3, Math.min(34, Math.floor(pitch * 0.78)));
  const left = labelWidth[0] + node / 2, right = width - labelWidth[1] - node / 2 - 4;
  const step = columns.length > 1 ? (right - left) / (columns.length - 1) : 0;
  const slotY = (c, i) => height / 2 + (i - (slots[c] - 1) / 2) * pitch;
  const positions = columns.map((_, c) => {
    const at = [];
    drawn[c].forEach((unit, i) => { at[unit] = [left + c * step, slotY(c, i)]; });
    return at;
  });
  const moreAt = columns.map((_, c) => [left + c * step, slotY(c, slots[c] - 1)]);
  return { node, positions, drawn, moreAt, labelWidth };
}

function curve(ctx, [x1, y1], [x2, y2], node) {
  const from = x1 + node / 2, to = x2 - node / 2, mid = (from + to) / 2;
  ctx.beginPath();
  ctx.moveTo(from, y1);
  ctx.bezierCurveTo(mid, y1, mid, y2, to, y2);
}

const format = (v) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(3));

const unitName = (columns, c, k) => (columns[c].labels ? columns[c].labels[k] : `${columns[c].title} unit ${k + 1}`);

// The unit ({ unit: true, c, j }) or connection ({ link: true, c, i, j, w }: from unit i of
// column c to unit j of column c + 1) under the pointer, or null.
function hitAt({ node, positions, drawn }, { columns, weights }, px, py) {
  for (let c = 0; c < columns.length; c++) {
    for (const j of drawn[c]) {
      const [x, y] = positions[c][j];
      if (Math.abs(px - x) <= node / 2 + 1 && Math.abs(py - y) <= node / 2 + 1) return { unit: true, c, j };
    }
  }
  // Nearest connection within a few pixels, sampled along each curve.
  let best = null, bestDistance = 5;
  for (let c = 0; c + 1 < columns.length; c++) {
    const [from] = positions[c][drawn[c][0]], [to] = positions[c + 1][drawn[c + 1][0]];
    if (px < from || px > to) continue;
    const outputs = columns[c + 1].units;
    for (const i of drawn[c]) {
      for (const j of drawn[c + 1]) {
        const d = distanceToCurve(positions[c][i], positions[c + 1][j], node, px, py);
        if (d < bestDistance) {
          bestDistance = d;
          best = { link: true, c, i, j, w: weights[2 * c].data[i * outputs + j] };
        }
      }
    }
  }
  return best;
}

// The tooltip's text for a hit: a unit's bias (and whether it is dead), a connection's weight
// and the loss gradient of it over the training set and for the picked point.
function describe({ columns, weights, gradients, probe, dead }, hit) {
  if (!hit) return null;
  const { c, j } = hit;
  if (hit.unit) {
    const name = unitName(columns, c, j);
    if (c === 0) return `input ${name}`;
    const isDead = dead[c - 1]?.includes(j) ? " · dead: 0 on every training point" : "";
    return `${name} · bias ${format(weights[2 * c - 1].data[j])}${isDead} · click to look inside`;
  }
  const k = hit.i * columns[c + 1].units + j;
  const gradient = gradients[c] ? ` · ∂L/∂w ${format(gradients[c].dW[k])} (training set)` : "";
  const atPoint = probe ? ` · ${format(probe.layers[c].dW[k])} (picked point)` : "";
  return `weight ${format(hit.w)}${gradient}${atPoint} · ${unitName(columns, c, hit.i)} → ` +
    `${unitName(columns, c + 1, j)} · click to set`;
}

function distanceToCurve([x1, y1], [x2, y2], node, px, py) {
  const from = x1 + node / 2, to = x2 - node / 2, mid = (from + to) / 2;
  let best = Infinity;
  for (let k = 0; k <= 24; k++) {
    const t = k / 24, u = 1 - t;
    // Cubic Bezier with control points (mid, y1) and (mid, y2).
    const x = u * u * u * from + 3 * u * t * (u + t) * mid + t * t * t * to;
    const y = (u * u * u + 3 * u * u * t) * y1 + (3 * u * t * t + t * t * t) * y2;
    best = Math.min(best, Math.hypot(px - x, py - y));
  }
  return best;
}
