// Lesson 002's session: tutorial 002's XOR network (2-3-1 tanh, MSE, batch 1, lr 0.1, uniform
// init) trained on the four XOR samples in order, with the tutorial's epoch log; and one
// sample's pass through it from net.inspect: every layer's output going forward and the
// error's slope coming back, after any epoch or any training step taken by hand. The network
// and the playground link come from one playground state. No DOM.
import { LIMITS } from "../../lib/plane/state.js";
import { namedFields, readInteger } from "../fields.js";
import { readPlaygroundField } from "../networks.js";
import { TrainingSession } from "../training-session.js";

/** The four samples: inputs (row-major 4 x 2) and their XOR. */
export const X = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
export const Y = new Float32Array([0, 1, 1, 0]);
const EPOCHS_PER_FRAME = 10;
const LOG_EVERY = 100;  // and the first three epochs and the last, like the tutorial's printout
const FIELDS = namedFields({ hidden: "Hidden layer", lr: "Learning rate", epochs: "Epochs", sample: "Sample" });

/**
 * The snapshot, besides TrainingSession's: epoch, target, error (the last epoch's mean error);
 * curve: [[epoch, error], ...]; log: the tutorial's printout; outputs: the network's output for
 * each sample; sample: the one chosen (0 to 3); inspection: { sample, loss, layers }, net.inspect
 * of the sample last inspected; steps: training steps taken by hand since the last epoch.
 */
export class XorSession extends TrainingSession {
  constructor(nn, options) {
    super(nn, { epoch: 0, target: 0, error: NaN, curve: [], log: "", outputs: null, sample: 1, inspection: null,
      steps: 0 }, options);
  }

  /** fields: the texts of hidden (its units, "0": none), lr and epochs. */
  settingsOf({ hidden, lr, epochs }) {
    const units = readInteger(hidden, FIELDS.hidden, 0, LIMITS.units);
    return {
      target: readInteger(epochs, FIELDS.epochs, 1, 10000),
      state: { dataset: "xor", hidden: units > 0 ? [{ units, activation: "tanh" }] : [], output: "tanh",
        loss: "mse", optimizer: "sgd", lr: readPlaygroundField(this.rules, "lr", lr, FIELDS.lr), batchSize: 1,
        init: "uniform" },
    };
  }

  begin(net) {
    return { epoch: 0, error: NaN, curve: [], log: "", steps: 0, ...this.#look(net, this.snapshot.sample) };
  }

  // A few epochs over the four samples, in order, one at a time (the tutorial's loop).
  trainFrame(net) {
    const { target } = this.snapshot;
    let { epoch, log } = this.snapshot;
    const history = net.fit({ x: X, y: Y, n: 4, epochs: Math.min(EPOCHS_PER_FRAME, target - epoch), shuffle: false });
    const points = [];
    for (const { loss } of history) {
      epoch++;
      points.push([epoch, loss]);
      if (epoch <= 3 || epoch % LOG_EVERY === 0 || epoch === target) {
        log += `epoch ${epoch}/${target}   error=${loss.toFixed(6)}\n`;
      }
    }
    this.publish({ epoch, log, error: history.at(-1).loss, curve: [...this.snapshot.curve, ...points], steps: 0,
      ...this.#look(net, this.snapshot.sample) });
    return epoch < target;
  }

  /** Inspects sample i (0 to 3) instead. */
  chooseSample(i) {
    return this.command(() => {
      const sample = readInteger(i, FIELDS.sample, 0, Y.length - 1);
      this.publish({ sample });
      if (this.hasNetwork) return this.withNetwork((net) => this.publish(this.#look(net, sample)));
    });
  }

  /** Pauses, and takes one training step on the inspected sample alone. */
  stepOnSample() {
    return this.command(() => this.withNetwork((net) => {
      const { sample } = this.snapshot;
      net.trainBatch(X.subarray(2 * sample, 2 * sample + 2), Y.subarray(sample, sample + 1), 1);
      this.publish({ steps: this.snapshot.steps + 1, ...this.#look(net, sample) });
    }, { pause: true }));
  }

  // The outputs for the four samples, and one sample's pass.
  #look(net, sample) {
    const x = X.subarray(2 * sample, 2 * sample + 2), y = Y.subarray(sample, sample + 1);
    return { outputs: net.predict(X, 4), inspection: { sample, ...net.inspect(x, y, 1) } };
  }
}
