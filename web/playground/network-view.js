// The network diagram: one column per layer (the input features first), each unit drawn as a
// small image of what it outputs over the input plane, connections coloured by the sign of
// their weight (blue +, orange -) and as thick as it is large. Hovering shows the value.
import { NEGATIVE, POSITIVE, paintGrid } from "./colors.js";

const LABEL_WIDTH = 52;  // room for the feature names left of the input column

export class NetworkView {
  #canvas;
  #tip;
  #thumb = document.createElement("canvas");  // one unit's grid, before scaling
  #layout = null;
  #frame = null;

  constructor(canvas, tip) {
    this.#canvas = canvas;
    this.#tip = tip;
    canvas.addEventListener("pointermove", (event) => this.#hover(event));
    canvas.addEventListener("pointerleave", () => { tip.hidden = true; });
  }

  /**
   * columns: [{ title, units, labels?, toUnit }] from inputs to output; units: per column a
   * row-major cells x units array over a gridSize^2 grid; weights: getWeights() order
   * (kernel [in, out], bias [out] per layer).
   */
  draw({ columns, units, gridSize, weights }) {
    const canvas = this.#canvas;
    const scale = window.devicePixelRatio || 1;
    const width = canvas.clientWidth, height = canvas.clientHeight;
    if (width === 0) return;
    if (canvas.width !== Math.round(width * scale)) canvas.width = Math.round(width * scale);
    if (canvas.height !== Math.round(height * scale)) canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.clearRect(0, 0, width, height);

    const layout = this.#layout = nodeLayout(columns, width, height);
    this.#frame = { columns, weights };
    const { node, positions } = layout;

    // Connections under the nodes.
    for (let c = 0; c + 1 < columns.length; c++) {
      const kernel = weights[2 * c].data, outputs = columns[c + 1].units;
      for (let i = 0; i < columns[c].units; i++) {
        for (let j = 0; j < outputs; j++) {
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
    ctx.font = "12px system-ui, sans-serif";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    columns.forEach((column, c) => {
      for (let j = 0; j < column.units; j++) {
        const [x, y] = positions[c][j];
        paintGrid(image, units[c], column.units, j, column.toUnit(j));
        thumbCtx.putImageData(image, 0, 0);
        ctx.drawImage(this.#thumb, x - node / 2, y - node / 2, node, node);
        ctx.strokeStyle = "#999";
        ctx.lineWidth = 1;
        ctx.strokeRect(x - node / 2, y - node / 2, node, node);
        if (column.labels) {
          ctx.fillStyle = "#333";
          ctx.fillText(column.labels[j], x - node / 2 - 4, y);
        }
      }
    });
  }

  #hover(event) {
    const tip = this.#tip;
    if (!this.#layout) return;
    const box = this.#canvas.getBoundingClientRect();
    const px = event.clientX - box.left, py = event.clientY - box.top;
    const text = describeAt(this.#layout, this.#frame, px, py);
    tip.hidden = !text;
    if (!text) return;
    tip.textContent = text;
    tip.style.left = `${Math.min(px + 12, box.width - tip.offsetWidth)}px`;
    tip.style.top = `${py + 14}px`;
  }
}

// Node size and centre of every unit; columns spread across the width, units centred.
function nodeLayout(columns, width, height) {
  const most = Math.max(...columns.map((c) => c.units));
  const pitch = Math.min(46, (height - 8) / most);
  const node = Math.max(3, Math.min(34, Math.floor(pitch * 0.78)));
  const left = LABEL_WIDTH + node / 2, right = width - node / 2 - 4;
  const step = columns.length > 1 ? (right - left) / (columns.length - 1) : 0;
  const positions = columns.map((column, c) => Array.from({ length: column.units }, (_, i) =>
    [left + c * step, height / 2 + (i - (column.units - 1) / 2) * pitch]));
  return { node, positions };
}

function curve(ctx, [x1, y1], [x2, y2], node) {
  const from = x1 + node / 2, to = x2 - node / 2, mid = (from + to) / 2;
  ctx.beginPath();
  ctx.moveTo(from, y1);
  ctx.bezierCurveTo(mid, y1, mid, y2, to, y2);
}

const format = (v) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(3));

// The unit or connection under the pointer, as text for the tooltip (null: nothing there).
function describeAt({ node, positions }, { columns, weights }, px, py) {
  for (let c = 0; c < columns.length; c++) {
    for (let j = 0; j < columns[c].units; j++) {
      const [x, y] = positions[c][j];
      if (Math.abs(px - x) <= node / 2 + 1 && Math.abs(py - y) <= node / 2 + 1) {
        const name = columns[c].labels ? columns[c].labels[j] : `${columns[c].title}, unit ${j + 1}`;
        return c === 0 ? `input ${name}` : `${name} · bias ${format(weights[2 * c - 1].data[j])}`;
      }
    }
  }
  // Nearest connection within a few pixels, sampled along each curve.
  let best = null, bestDistance = 5;
  for (let c = 0; c + 1 < columns.length; c++) {
    const [from] = positions[c][0], [to] = positions[c + 1][0];
    if (px < from || px > to) continue;
    const outputs = columns[c + 1].units;
    for (let i = 0; i < columns[c].units; i++) {
      for (let j = 0; j < outputs; j++) {
        const d = distanceToCurve(positions[c][i], positions[c + 1][j], node, px, py);
        if (d < bestDistance) {
          bestDistance = d;
          best = { c, i, j, w: weights[2 * c].data[i * outputs + j] };
        }
      }
    }
  }
  if (!best) return null;
  const unit = (c, k) => (columns[c].labels ? columns[c].labels[k] : `${columns[c].title} unit ${k + 1}`);
  return `weight ${format(best.w)} · ${unit(best.c, best.i)} → ${unit(best.c + 1, best.j)}`;
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
