// Live MNIST training curves (the digits page and lesson 004): loss on a log scale and
// accuracy against epochs, the training set's running numbers as a line, the test set's per
// epoch as dots. Two of lib/chart.js's line charts in one element.
import { LineChart } from "../chart.js";
import { element } from "../dom.js";

const SERIES = [{ label: "training set", stroke: "#3b82f6" },
  { label: "test set, per epoch", stroke: "#f97316", dots: true }];

export class TrainingCurves {
  #container;
  #loss;
  #accuracy;

  /** container: shown once there is something to draw (empty charts would be blank boxes). */
  constructor(container) {
    this.#container = container;
    container.hidden = true;
    const loss = element("div", "chart");
    const accuracy = element("div", "chart");
    container.replaceChildren(loss, accuracy);
    this.#loss = new LineChart(loss, { series: SERIES, log: true, height: 120 });
    this.#accuracy = new LineChart(accuracy, { series: SERIES, height: 120 });
  }

  reset() {
    this.#container.hidden = true;
    for (const chart of [this.#loss, this.#accuracy]) {
      chart.clear();
      chart.draw();
    }
  }

  /** The training set's running loss and accuracy after `epochs` (fractional) epochs. */
  addTrain(epochs, loss, accuracy) { this.#add(epochs, [loss, null], [accuracy, null]); }

  /** The test set's loss and accuracy after a whole epoch. */
  addTest(epochs, loss, accuracy) { this.#add(epochs, [null, loss], [null, accuracy]); }

  #add(epochs, losses, accuracies) {
    this.#container.hidden = false;
    this.#loss.push(epochs, losses);
    this.#accuracy.push(epochs, accuracies);
    this.#loss.draw();
    this.#accuracy.draw();
  }
}
