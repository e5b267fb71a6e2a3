// Lesson 000's session: tutorial 000's network from a list of layers (2-25-50-50-25-1, ReLU,
// sigmoid output, binary cross-entropy) learning the two moons. The data and the network both
// come from one playground state, the one its playground link carries. Every epoch is measured
// on the training and the test points; the network's output over the plane (the decision
// boundary) is drawn every frame and kept at a few epochs for the filmstrip. No DOM.
import { gridPoints } from "../../lib/plane/features.js";
import { trainCount } from "../../lib/plane/tables.js";
import { namedFields, readInteger } from "../fields.js";
import { readPlaygroundField } from "../networks.js";
import { TrainingSession } from "../training-session.js";

// The tutorial's data, as playground settings: 1000 points, noise 0.2, a tenth kept for testing.
const DATA = { dataset: "moons", points: 1000, noise: 0.2, trainRatio: 0.9, dataSeed: 1 };
export const GRID = 64;               // the boundary's resolution
const FILMSTRIP = [0, 1, 5, 20, 50];  // epochs whose boundary is kept, and the last epoch
const FRAME_MS = 12;                  // training per animation frame at most
const FIELDS = namedFields({ hidden: "Hidden layers", lr: "Learning rate", batch: "Batch size", epochs: "Epochs" });

/**
 * The snapshot, besides TrainingSession's: epoch and its trainLoss, testLoss, testAccuracy;
 * curve: [[epoch, trainLoss, testLoss, trainAccuracy, testAccuracy], ...] of this run;
 * boundary: the output over a GRID x GRID grid of the plane; filmstrip: [{ epoch, output }];
 * points: { train, test } as the heatmap draws them.
 */
export class MoonsSession extends TrainingSession {
  #train;
  #test;
  #grid = gridPoints(GRID);

  constructor(nn, options) {
    super(nn, { epoch: 0, trainLoss: NaN, testLoss: NaN, testAccuracy: NaN, curve: [], boundary: null,
      filmstrip: [], points: null }, options);
    const all = nn.datasets.make(DATA.dataset, { n: DATA.points, noise: DATA.noise, seed: DATA.dataSeed });
    const nTrain = trainCount(all.n, DATA.trainRatio);  // the generator already shuffled the points
    this.#train = { x: all.x.subarray(0, 2 * nTrain), y: all.y.subarray(0, nTrain), n: nTrain };
    this.#test = { x: all.x.subarray(2 * nTrain), y: all.y.subarray(nTrain), n: all.n - nTrain };
    this.publish({ points: { train: { x: this.#train.x, y: this.#train.y }, test: { x: this.#test.x, y: this.#test.y } } });
  }

  /** fields: the texts of hidden ("25:relu,50:relu"; "" none), lr, batch and epochs. */
  settingsOf({ hidden, lr, batch, epochs }) {
    const read = (prop, text, field) => readPlaygroundField(this.rules, prop, text, field);
    return {
      target: readInteger(epochs, FIELDS.epochs, 1, 10000),
      state: { ...DATA, hidden: read("hidden", hidden, FIELDS.hidden), output: "sigmoid", loss: "bce",
        optimizer: "sgd", lr: read("lr", lr, FIELDS.lr), batchSize: read("batchSize", batch, FIELDS.batch),
        init: "xavier", seed: 1, showTest: true },
    };
  }

  begin(net) {
    const boundary = this.#boundary(net);
    const { numbers, point } = this.#measure(net, 0);
    return { ...numbers, curve: [point], boundary, filmstrip: [{ epoch: 0, output: boundary }] };
  }

  // Slow enough to watch a short run; a long one trains as many epochs as fit in a frame.
  trainFrame(net) {
    const { target, curve, filmstrip } = this.snapshot;
    const perFrame = Math.max(1, Math.ceil(target / 200));
    const began = performance.now();
    const points = [], pictures = [];
    let { epoch } = this.snapshot, numbers = {}, diverged = false;
    for (let k = 0; k < perFrame && epoch < target && performance.now() - began < FRAME_MS; k++) {
      const [entry] = net.fit({ ...this.#train, epochs: 1 });
      if (entry.diverged) {
        diverged = true;
        break;
      }
      epoch++;
      const measured = this.#measure(net, epoch);
      numbers = measured.numbers;
      points.push(measured.point);
      if (FILMSTRIP.includes(epoch) && epoch < target) pictures.push({ epoch, output: this.#boundary(net) });
    }
    const changes = { ...numbers, curve: [...curve, ...points], filmstrip: [...filmstrip, ...pictures] };
    if (diverged) {
      this.publish(changes);
      throw new Error(`Training diverged at epoch ${epoch + 1} (the loss became NaN): lower the learning rate ` +
        "and start over.");
    }
    const boundary = this.#boundary(net);
    if (epoch === target) changes.filmstrip.push({ epoch, output: boundary });
    this.publish({ ...changes, boundary });
    return epoch < target;
  }

  // This epoch's numbers, and its point of the curve.
  #measure(net, epoch) {
    const train = net.evaluate(this.#train.x, this.#train.y, this.#train.n);
    const test = net.evaluate(this.#test.x, this.#test.y, this.#test.n);
    return { numbers: { epoch, trainLoss: train.loss, testLoss: test.loss, testAccuracy: test.accuracy },
      point: [epoch, train.loss, test.loss, train.accuracy, test.accuracy] };
  }

  #boundary(net) {
    return net.predict(this.#grid, GRID * GRID);
  }
}
