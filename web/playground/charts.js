// Loss and accuracy over epochs, train and test: two of lib/chart.js's line charts.
import { LineChart } from "../lib/chart.js";
import { NEGATIVE, POSITIVE } from "../lib/plane/colors.js";

export class Charts {
  #loss;
  #accuracy;

  constructor(lossElement, accuracyElement) {
    const series = (what) => [{ label: `train ${what}`, stroke: POSITIVE },
      { label: `test ${what}`, stroke: NEGATIVE, dash: [4, 3] }];
    this.#loss = new LineChart(lossElement, { series: series("loss") });
    this.#accuracy = new LineChart(accuracyElement, { series: series("accuracy"), range: [0, 1] });
  }

  clear() {
    this.#loss.clear();
    this.#accuracy.clear();
  }

  /** Adds the metrics of a snapshot (once per epoch count). */
  push(metrics) {
    if (metrics.epoch <= this.#loss.lastX) return;
    this.#loss.push(metrics.epoch, [metrics.trainLoss, metrics.testLoss]);
    this.#accuracy.push(metrics.epoch, [metrics.trainAccuracy, metrics.testAccuracy]);
  }

  /** Redraws what was pushed since the last call. */
  draw() {
    this.#loss.draw();
    this.#accuracy.draw();
  }
}
