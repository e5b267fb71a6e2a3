// The training curves (lib/mnist/curves.js: loss and accuracy against epochs) fed from session
// snapshots: a new training starts them over, and each snapshot adds the points not drawn yet.
import { TrainingCurves } from "../lib/mnist/curves.js";

export class CurvesView {
  #curves;
  #run = 0;
  #drawn = { train: 0, test: 0 };

  constructor(container) {
    this.#curves = new TrainingCurves(container);
  }

  render({ training: { run, curve } }) {
    if (run !== this.#run) {
      this.#run = run;
      this.#drawn = { train: 0, test: 0 };
      this.#curves.reset();
    }
    for (const [epochs, loss, accuracy] of curve.train.slice(this.#drawn.train)) {
      this.#curves.addTrain(epochs, loss, accuracy);
    }
    for (const [epochs, loss, accuracy] of curve.test.slice(this.#drawn.test)) {
      this.#curves.addTest(epochs, loss, accuracy);
    }
    this.#drawn = { train: curve.train.length, test: curve.test.length };
  }
}
