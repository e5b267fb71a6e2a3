// Lesson 000's views: the decision boundary over the plane with the data points (the
// playground's heatmap), the filmstrip of it at a few epochs, and the run's numbers. Render MoonsSession
// snapshots; they hold outputs, never the network.
import { $, element } from "../../lib/dom.js";
import { outputColors } from "../../lib/plane/colors.js";
import { Heatmap, SQUARE } from "../../lib/plane/heatmap.js";
import { fixed, percent } from "../format.js";
import { GRID } from "./session.js";

const COLORS = outputColors({ toUnit: (p) => 2 * p - 1 });
const NO_POINTS = { train: { x: [], y: [] }, test: { x: [], y: [] } };
const inert = () => {};  // the lesson's plane takes no clicks

export class BoundaryView {
  #heatmap;
  #drawn = null;  // the output drawn last

  constructor(canvas) {
    this.#heatmap = new Heatmap(canvas, { onClick: inert });
  }

  /** force: draw again though the output is the same (the canvas was resized). */
  render({ boundary, points }, { force = false } = {}) {
    if (!boundary || (boundary === this.#drawn && !force)) return;
    this.#drawn = boundary;
    this.#heatmap.draw({ output: boundary, size: GRID, colors: COLORS, points, showTest: true, extent: SQUARE });
  }
}

export class FilmstripView {
  #strip;
  #shown = [];

  constructor(strip) {
    this.#strip = strip;
  }

  render({ filmstrip }) {
    if (filmstrip === this.#shown) return;
    if (filmstrip[0] !== this.#shown[0]) {  // a new run
      this.#strip.replaceChildren();
      this.#shown = [];
    }
    for (const { epoch, output } of filmstrip.slice(this.#shown.length)) this.#add(epoch, output);
    this.#shown = filmstrip;
  }

  #add(epoch, output) {
    const canvas = element("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `The decision boundary after ${epoch} epochs`);
    const figure = element("figure");
    figure.append(canvas, element("figcaption", "", `epoch ${epoch}`));
    this.#strip.append(figure);  // first: the heatmap takes the size the canvas is laid out at
    new Heatmap(canvas, { onClick: inert }).draw({ output, size: GRID, colors: COLORS, points: NO_POINTS,
      showTest: false, extent: SQUARE });
  }
}

/** The numbers under the plane. */
export function renderNumbers({ epoch, trainLoss, testLoss, testAccuracy }) {
  $("epoch").textContent = String(epoch);
  $("train-loss").textContent = fixed(trainLoss, 4);
  $("test-loss").textContent = fixed(testLoss, 4);
  $("test-accuracy").textContent = percent(testAccuracy, 0);
}
