// A small live line chart for the lessons (loss or accuracy against epochs or steps), drawn
// with uPlot (vendored from npm) and as wide as its element.
import uPlot from "../build/vendor/uPlot.esm.js";

const MAX_POINTS = 1200;  // past this, every other point is dropped: the curve keeps its shape

export class LineChart {
  #plot;
  #data;
  #changed = false;

  /**
   * series: [{ label, stroke, dash? }]; range: [low, high] for a fixed y axis; log: a log
   * scale for the y axis (losses); x: the label of the x axis.
   */
  constructor(element, { series, range, log = false, height = 150, x = "epoch" }) {
    this.#data = [[], ...series.map(() => [])];
    const y = log ? { distr: 3 } : range ? { range } : { auto: true };
    this.#plot = new uPlot({
      width: Math.max(200, element.clientWidth), height,
      scales: { x: { time: false }, y },
      axes: [{ size: 30, label: x, labelSize: 16 }, { size: 50 }],
      legend: { live: false },
      cursor: { show: false },
      series: [{ label: x }, ...series.map(({ label, stroke, dash }) => ({ label, stroke, width: 1.6, dash }))],
    }, this.#data, element);
    new ResizeObserver(() => {
      if (element.clientWidth > 0) this.#plot.setSize({ width: element.clientWidth, height });
    }).observe(element);
  }

  clear() {
    for (const list of this.#data) list.length = 0;
    this.#changed = true;
  }

  /** Adds one point per series at x (null or a non-finite value leaves a gap). */
  push(x, values) {
    this.#data[0].push(x);
    values.forEach((v, i) => this.#data[i + 1].push(Number.isFinite(v) ? v : null));
    if (this.#data[0].length > MAX_POINTS) {
      this.#data = this.#data.map((list) => list.filter((_, i) => i % 2 === 0 || i === list.length - 1));
    }
    this.#changed = true;
  }

  /** Redraws when something was pushed since the last call. */
  draw() {
    if (!this.#changed) return;
    this.#changed = false;
    this.#plot.setData(this.#data);
  }
}
