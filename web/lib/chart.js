// The pages' one chart: live line charts (loss, accuracy, error against epochs or steps) drawn
// with uPlot (vendored from npm), as wide as their element. A series is a line, or dots only
// (a test set measured once per epoch beside a training curve measured more often).
import uPlot from "../build/vendor/uPlot.esm.js";

// Past two points per pixel of the chart's width (400 at least), every other point is dropped:
// the curve keeps its shape, and a playing playground's four charts stay cheap to redraw.
const maxPoints = (width) => Math.max(400, 2 * Math.round(width));

// A log axis's tick labels: plain decimals from 0.001 up, powers of ten below (uPlot's own
// labels round 1e-5 to "0").
const logTicks = (_, splits) => splits.map((v) => (v == null ? "" : v >= 1e-3 && v < 1e5 ? String(+v.toPrecision(3)) :
  v.toExponential(0)));

export class LineChart {
  #plot;
  #data;
  #height;
  #changed = false;
  #resize;
  #maxPoints;

  /**
   * series: [{ label, stroke, dash?, dots? }]; range: [low, high] for a fixed y axis; log: a
   * log scale for the y axis (losses); x: the label of the x axis.
   */
  constructor(element, { series, range, log = false, height = 130, x = "epoch" }) {
    this.#height = height;
    this.#maxPoints = maxPoints(Math.max(200, element.clientWidth));
    this.#data = [[], ...series.map(() => [])];
    const y = log ? { distr: 3 } : range ? { range } : { auto: true };
    this.#plot = new uPlot({
      width: Math.max(200, element.clientWidth), height,
      scales: { x: { time: false }, y },
      axes: [{ size: 30, label: x, labelSize: 16 }, log ? { size: 50, values: logTicks } : { size: 50 }],
      legend: { live: false },
      cursor: { show: false },
      series: [{ label: x }, ...series.map(({ label, stroke, dash, dots = false }) => (dots ?
        { label, stroke, fill: stroke, paths: () => null, points: { show: true, size: 6, fill: stroke } } :
        { label, stroke, width: 1.6, dash, spanGaps: true, points: { show: false } }))],
    }, this.#data, element);
    this.#resize = new ResizeObserver(() => {
      if (element.clientWidth === 0) return;
      this.#plot.setSize({ width: element.clientWidth, height });
      this.#maxPoints = Math.max(this.#maxPoints, maxPoints(element.clientWidth));
    });
    this.#resize.observe(element);
  }

  /** Removes the chart from its element (a chart with other series takes its place). */
  destroy() {
    this.#resize.disconnect();
    this.#plot.destroy();
  }

  clear() {
    for (const list of this.#data) list.length = 0;
    this.#changed = true;
  }

  /**
   * Adds one value per series at x (null or a non-finite value: none). x never decreases; at
   * the same x as the last point, the values join that point.
   */
  push(x, values) {
    const [xs, ...columns] = this.#data;
    const clean = values.map((v) => (Number.isFinite(v) ? v : null));
    if (xs.length && xs.at(-1) === x) {
      clean.forEach((v, i) => { if (v !== null) columns[i][columns[i].length - 1] = v; });
    } else {
      xs.push(x);
      clean.forEach((v, i) => columns[i].push(v));
    }
    if (xs.length > this.#maxPoints) {
      this.#data = this.#data.map((list) => list.filter((_, i) => i % 2 === 0 || i === list.length - 1));
    }
    this.#changed = true;
  }

  /** The last x pushed, or -Infinity. */
  get lastX() {
    return this.#data[0].at(-1) ?? -Infinity;
  }

  /** Redraws when something was pushed since the last call. */
  draw() {
    if (!this.#changed) return;
    this.#changed = false;
    this.#plot.setData(this.#data);
  }
}
