// The output view: the network's output over the plane as a heatmap (decision boundary or
// regression surface) with the training points (white rim) and, optionally, test points (dark
// rim). Clicking reports the clicked point in data coordinates; with `keyboard`, so do Enter and
// Space on the focused plane at a cursor (a square) that the arrow keys move.
import { EXTENT } from "./features.js";

/** The plane of the generated data sets. */
export const SQUARE = { x: [-EXTENT, EXTENT], y: [-EXTENT, EXTENT] };

const KEY_STEP = 0.5, FINE_STEP = 0.1;  // plane units an arrow key moves the cursor (Shift: fine)
const MOVES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
const round = (v) => Math.round(Math.max(-EXTENT, Math.min(EXTENT, v)) * 100) / 100;

export class Heatmap {
  #canvas;
  #grid = document.createElement("canvas");  // one pixel per grid cell, scaled up smoothly
  #cursor = null;  // the keyboard cursor [x1, x2] once a key moved it, while the plane has the focus
  #drawn = null;   // the last draw's arguments: a cursor move draws them again

  /**
   * onClick(x1, x2) receives the clicked point of the generated data's plane, rounded to 0.01;
   * keyboard: the plane takes the focus and Enter or Space clicks at the arrow keys' cursor.
   */
  constructor(canvas, { onClick, keyboard = false }) {
    this.#canvas = canvas;
    canvas.addEventListener("click", (event) => {
      const box = canvas.getBoundingClientRect();
      onClick(round(((event.clientX - box.left) / box.width * 2 - 1) * EXTENT),
        round((1 - (event.clientY - box.top) / box.height * 2) * EXTENT));
    });
    if (!keyboard) return;
    canvas.tabIndex = 0;
    canvas.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const move = MOVES[event.key];
      if (move) {
        const step = event.shiftKey ? FINE_STEP : KEY_STEP;
        const [x1, x2] = this.#cursor ?? [0, 0];
        this.#cursor = [round(x1 + move[0] * step), round(x2 + move[1] * step)];
      } else if ((event.key === "Enter" || event.key === " ") && this.#cursor) {
        onClick(...this.#cursor);
      } else if (event.key === "Enter" || event.key === " ") {
        this.#cursor = [0, 0];
      } else {
        return;
      }
      event.preventDefault();
      if (this.#drawn) this.draw(this.#drawn);
    });
    canvas.addEventListener("blur", () => {
      this.#cursor = null;
      if (this.#drawn) this.draw(this.#drawn);
    });
  }

  /**
   * output: size x size cells (row 0 at the top) of the network's outputs; points:
   * { train: {x, y}, test: {x, y} } (x: row-major n x 2, y: labels); colors: outputColors();
   * extent: the plane shown, { x: [low, high], y: [low, high] }; marker: [x1, x2], a point
   * drawn as a ring (the playground's picked point), or null.
   */
  draw(picture) {
    const { output, size, colors, points, showTest, extent = SQUARE, marker = null } = picture;
    this.#drawn = picture;
    const canvas = this.#canvas;
    const scale = window.devicePixelRatio || 1;
    const width = Math.round(canvas.clientWidth * scale);
    if (width === 0) return;
    if (canvas.width !== width) canvas.width = canvas.height = width;
    const ctx = canvas.getContext("2d");

    if (this.#grid.width !== size) this.#grid.width = this.#grid.height = size;
    const gridCtx = this.#grid.getContext("2d");
    const image = gridCtx.createImageData(size, size);
    colors.paint(image, output);
    gridCtx.putImageData(image, 0, 0);
    // Lighter than the points, so they stand out on their own colour.
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, width, width);
    ctx.globalAlpha = 0.75;
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(this.#grid, 0, 0, width, width);
    ctx.globalAlpha = 1;

    const radius = Math.max(2.5, width / 130);
    const toPixel = ([low, high], v) => (v - low) / (high - low) * width;
    const drawSet = ({ x, y }, rim) => {
      ctx.lineWidth = Math.max(1, radius / 3);
      ctx.strokeStyle = rim;
      for (let i = 0; i < y.length; i++) {
        ctx.beginPath();
        ctx.arc(toPixel(extent.x, x[2 * i]), width - toPixel(extent.y, x[2 * i + 1]), radius, 0, 2 * Math.PI);
        ctx.fillStyle = colors.point(y[i]);
        ctx.fill();
        ctx.stroke();
      }
    };
    drawSet(points.train, "#fff");
    if (showTest) drawSet(points.test, "#222");
    if (marker) {
      const [mx, my] = [toPixel(extent.x, marker[0]), width - toPixel(extent.y, marker[1])];
      for (const [color, lineWidth] of [["#fff", 4], ["#111", 2]]) {
        ctx.strokeStyle = color;
        ctx.lineWidth = lineWidth * scale;
        ctx.beginPath();
        ctx.arc(mx, my, 3 * radius, 0, 2 * Math.PI);
        ctx.moveTo(mx - 5 * radius, my);
        ctx.lineTo(mx - 2 * radius, my);
        ctx.moveTo(mx + 2 * radius, my);
        ctx.lineTo(mx + 5 * radius, my);
        ctx.stroke();
      }
    }
    if (this.#cursor) {  // the keyboard cursor: a square on the plane of the generated data
      const [cx, cy] = [toPixel(SQUARE.x, this.#cursor[0]), width - toPixel(SQUARE.y, this.#cursor[1])];
      for (const [color, lineWidth] of [["#fff", 4], ["#111", 2]]) {
        ctx.strokeStyle = color;
        ctx.lineWidth = lineWidth * scale;
        ctx.strokeRect(cx - 3 * radius, cy - 3 * radius, 6 * radius, 6 * radius);
      }
    }
  }
}
