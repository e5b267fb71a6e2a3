// Loss and accuracy over epochs, train and test: two of lib/chart.js's line charts, fed from
// session snapshots.
import { LineChart } from "../lib/chart.js";
import { NEGATIVE, POSITIVE } from "../lib/plane/colors.js";

export class Charts {
  #loss;
  #accuracy;
  #run = 0;

  constructor(lossElement, accuracyElement) {
    const series = (what) => [{ label: `train ${what}`, stroke: POSITIVE },
      { label: `test ${what}`, stroke: NEGATIVE, dash: [4, 3] }];
    this.#loss = new LineChart(lossElement, { series: series("loss") });
    this.#accuracy = new LineChart(accuracyElement, { series: series("accuracy"), range: [0, 1] });
  }

  /** Adds a session snapshot's metrics (once per epoch count); a new network starts over. */
  render({ run, metrics }) {
    if (run !== this.#run) {
      this.#run = run;
      this.#loss.clear();
      this.#accuracy.clear();
    }
    if (metrics.epoch > this.#loss.lastX) {
      this.#loss.push(metrics.epoch, [metrics.trainLoss, metrics.testLoss]);
      this.#accuracy.push(metrics.epoch, [metrics.trainAccuracy, metrics.testAccuracy]);
    }
    this.#loss.draw();
    this.#accuracy.draw();
  }
}
