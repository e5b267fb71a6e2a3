// The output view: the network's output over the plane as a heatmap (decision boundary or
// regression surface) with the training points (white rim) and, optionally, test points (dark
// rim). Clicking reports the clicked point in data coordinates.
import { EXTENT } from "./features.js";

/** The plane of the generated data sets. */
export const SQUARE = { x: [-EXTENT, EXTENT], y: [-EXTENT, EXTENT] };

export class Heatmap {
  #canvas;
  #grid = document.createElement("canvas");  // one pixel per grid cell, scaled up smoothly

  /** onClick(x1, x2) receives the clicked point of the generated data's plane, rounded to 0.01. */
  constructor(canvas, { onClick }) {
    this.#canvas = canvas;
    canvas.addEventListener("click", (event) => {
      const box = canvas.getBoundingClientRect();
      const round = (v) => Math.round(Math.max(-EXTENT, Math.min(EXTENT, v)) * 100) / 100;
      onClick(round(((event.clientX - box.left) / box.width * 2 - 1) * EXTENT),
        round((1 - (event.clientY - box.top) / box.height * 2) * EXTENT));
    });
  }

  /**
   * output: size x size cells (row 0 at the top) of the network's outputs; points:
   * { train: {x, y}, test: {x, y} } (x: row-major n x 2, y: labels); colors: outputColors();
   * extent: the plane shown, { x: [low, high], y: [low, high] }; marker: [x1, x2], a point
   * drawn as a ring (the playground's picked point), or null.
   */
  draw({ output, size, colors, points, showTest, extent = SQUARE, marker = null }) {
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
  }
}
