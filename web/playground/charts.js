// Loss and accuracy over epochs, train and test, drawn with uPlot (vendored from npm).
import uPlot from "../build/vendor/uPlot.esm.js";

import { NEGATIVE, POSITIVE } from "./colors.js";

const MAX_POINTS = 1500;  // past this, every other point is dropped: the curve keeps its shape
const HEIGHT = 110;

export class Charts {
  #plots;
  #series = { epoch: [], trainLoss: [], testLoss: [], trainAccuracy: [], testAccuracy: [] };
  #changed = false;

  constructor(lossElement, accuracyElement) {
    const make = (element, title, range) => new uPlot({
      width: Math.max(200, element.clientWidth), height: HEIGHT,
      scales: { x: { time: false }, y: range ? { range } : { auto: true } },
      axes: [{ size: 28 }, { size: 44 }],
      legend: { live: false },
      series: [
        { label: "epoch" },
        { label: `train ${title}`, stroke: POSITIVE, width: 1.5 },
        { label: `test ${title}`, stroke: NEGATIVE, width: 1.5, dash: [4, 3] },
      ],
    }, [[], [], []], element);
    this.#plots = [
      { plot: make(lossElement, "loss"), keys: ["trainLoss", "testLoss"] },
      { plot: make(accuracyElement, "accuracy", [0, 1]), keys: ["trainAccuracy", "testAccuracy"] },
    ];
    // Both charts are as wide as the loss chart (the accuracy one is hidden for regression).
    new ResizeObserver(() => {
      const width = lossElement.clientWidth;
      if (width > 0) for (const { plot } of this.#plots) plot.setSize({ width, height: HEIGHT });
    }).observe(lossElement);
  }

  clear() {
    for (const list of Object.values(this.#series)) list.length = 0;
    this.#changed = true;
  }

  /** Adds the metrics of a snapshot (once per epoch count). */
  push(metrics) {
    const s = this.#series;
    if (s.epoch.length && s.epoch.at(-1) >= metrics.epoch) return;
    for (const key of Object.keys(s)) {
      const v = metrics[key];
      s[key].push(Number.isFinite(v) ? v : null);
    }
    if (s.epoch.length > MAX_POINTS) {
      for (const key of Object.keys(s)) s[key] = s[key].filter((_, i) => i % 2 === 0 || i === s[key].length - 1);
    }
    this.#changed = true;
  }

  /** Redraws when something was pushed since the last call. */
  draw() {
    if (!this.#changed) return;
    this.#changed = false;
    for (const { plot, keys } of this.#plots) {
      plot.setData([this.#series.epoch, ...keys.map((key) => this.#series[key])]);
    }
  }
}
