// Lesson 004's session: tutorial 004's 1-1-1 network as a step inspector (every z, a and
// partial derivative of one backpropagation step, recomputed as the values are edited), then
// its MNIST network 784-30-10 trained in the shared MNIST worker (lib/mnist), with what its
// hidden units look for and what it says about random noise. No DOM.
//
// The MNIST network the page shows lives here, on the main thread; the worker trains a copy of
// its own and answers with the trained model, which replaces the shown one in a command.
import { noiseThrough } from "../../lib/mnist/network-views.js";
import { modelConfig } from "../../lib/mnist/models.js";
import { namedFields, readInteger, readNumber } from "../fields.js";
import { float32Text, percent } from "../format.js";
import { denseLayers } from "../networks.js";
import { LessonSession } from "../session.js";

/** The tutorial's example: its inputs, not its results. */
export const TUTORIAL = Object.freeze({ x: "0.8", y: "1", w1: "1.58", b1: "-0.14", w2: "2.45", b2: "-0.11", lr: "0.1" });
const PARAMETERS = ["w1", "b1", "w2", "b2"];  // getWeights() order
const FIELDS = namedFields({ x: "x", y: "y (target)", w1: "w₁", b1: "b₁", w2: "w₂", b2: "b₂", lr: "rate η",
  mnistEpochs: "Epochs", mnistLr: "Rate η" });
const count = (n) => Math.round(n).toLocaleString("en-US");

// One pass of the 1-1-1 network: every value the page shows, by name.
const passValues = ({ loss, layers: [h, o] }) => ({
  z1: h.z[0], a1: h.a[0], z2: o.z[0], a2: o.a[0], cost: loss,
  da2: o.dA[0], db2: o.db[0], dw2: o.dW[0], da1: h.dA[0], db1: h.db[0], dw1: h.dW[0],
});

/**
 * The snapshot:
 *   values: the fields' texts, { x, y, w1, b1, w2, b2, lr }; steps: steps taken since they were
 *   set; step: { before, after, updated } or null (a bad value): the passes before and after
 *   one step (passValues) and the updated parameters { w1, b1, w2, b2 };
 *   mnist: { training, run, status, progress, log (null before the first training), result,
 *   accuracy, points: [["train" | "test", epochs, loss, accuracy], ...] of this run, trained,
 *   firstLayer: the hidden layer's { shape, data }, noise: { images, outputs } }.
 */
export class BackpropSession extends LessonSession {
  #nn;
  #trainer;
  #stepNet;     // the 1-1-1 network, reused for every edit
  #mnistNet;    // the MNIST network the page shows; replaced (in a command) when one is trained
  #trainSize = 60000;

  /**
   * trainer: lib/mnist/client.js's Trainer (train, stop, restart), made with this session's
   * mnistEvent and workerDied as its onEvent and onDeath.
   */
  constructor(nn, { nextFrame, trainer }) {
    super({ values: TUTORIAL, steps: 0, step: null, mnist: null }, { nextFrame });
    this.#nn = nn;
    this.#trainer = trainer;
    this.#stepNet = nn.createNetwork({
      input: [1], layers: denseLayers([[1, "sigmoid"], [1, "sigmoid"]]), loss: "quadratic",
      optimizer: { type: "sgd", lr: 0.1, momentum: 0 }, seed: 1, batchSize: 1,
    });
    this.#mnistNet = nn.createNetwork(modelConfig("mlp30"));
    this.publish({ mnist: { training: false, run: 0, status: "Loads MNIST (11 MB) when you press Train.", progress: 0,
      log: null, result: "", accuracy: NaN, points: [], trained: false, ...this.#pictures() } });
  }

  // ---- the 1-1-1 step inspector

  /** One value edited (name: x, y, w1, b1, w2, b2 or lr; text as typed): counting starts over. */
  editValue(name, text) {
    return this.command(() => {
      if (!Object.hasOwn(TUTORIAL, name)) throw new Error(`no value named ${JSON.stringify(String(name).slice(0, 20))}`);
      this.publish({ values: { ...this.snapshot.values, [name]: String(text) }, steps: 0 });
      this.#recompute();
    });
  }

  /** The tutorial's values again. */
  tutorialValues() {
    return this.command(() => {
      this.publish({ values: TUTORIAL, steps: 0 });
      this.#recompute();
    });
  }

  /** Takes the step: the updated parameters become the values. */
  takeStep() {
    return this.command(() => {
      const { step, values, steps } = this.snapshot;
      if (!step) return;
      const updated = Object.fromEntries(PARAMETERS.map((name) => [name, float32Text(step.updated[name])]));
      this.publish({ values: { ...values, ...updated }, steps: steps + 1 });
      this.#recompute();
    });
  }

  #recompute() {
    this.publish({ step: null });
    const v = Object.fromEntries(Object.entries(this.snapshot.values).map(([name, text]) => [name, readNumber(text, FIELDS[name])]));
    this.publish({ step: this.#stepOf(v) });
    this.accept();
  }

  // One forward/backward pass, one gradient-descent step, and a pass on the updated network.
  #stepOf(v) {
    const net = this.#stepNet;
    net.setLearningRate(v.lr);
    net.setWeights([
      { name: "dense_0/kernel", shape: [1, 1], data: [v.w1] },
      { name: "dense_0/bias", shape: [1], data: [v.b1] },
      { name: "dense_1/kernel", shape: [1, 1], data: [v.w2] },
      { name: "dense_1/bias", shape: [1], data: [v.b2] },
    ]);
    const x = new Float32Array([v.x]), y = new Float32Array([v.y]);
    const before = passValues(net.inspect(x, y, 1));
    net.trainBatch(x, y, 1);
    const after = passValues(net.inspect(x, y, 1));
    const weights = net.getWeights();
    return { before, after, updated: Object.fromEntries(PARAMETERS.map((name, i) => [name, weights[i].data[0]])) };
  }

  // ---- MNIST 784-30-10

  #mnist(changes) {
    this.publish({ mnist: { ...this.snapshot.mnist, ...changes } });
  }

  // What the shown network's views draw: its hidden units' weights and its answers to noise.
  #pictures() {
    const [first] = this.#mnistNet.getWeights();
    return { firstLayer: { shape: first.shape, data: first.data }, noise: noiseThrough(this.#mnistNet) };
  }

  /** Trains a 784-30-10 network in the worker (texts of epochs and lr); ignored while one trains. */
  trainMnist({ epochs, lr }) {
    return this.command(() => {
      if (this.snapshot.mnist.training) return;
      const options = { kind: "mlp30", optimizer: "sgd", batchSize: 10, seed: 1,
        epochs: readInteger(epochs, FIELDS.mnistEpochs, 1, 30), lr: readNumber(lr, FIELDS.mnistLr) };
      this.accept();
      this.#trainSize = 60000;
      this.#mnist({ training: true, run: this.snapshot.mnist.run + 1, log: "", result: "", accuracy: NaN, points: [] });
      // Outside the queue: the page answers while the worker trains. Its end is a command.
      this.#trainer.train(options, (message) => this.#progress(message, options.epochs)).then(
        (result) => this.command(() => this.#adopt(result)),
        (error) => this.command(() => {
          this.#mnist({ training: false });
          if (!error.workerDied) throw error;  // a death is told by workerDied
        }));
    });
  }

  #progress(message, epochs) {
    const { points, log } = this.snapshot.mnist;
    if (message.what === "chunk") {
      this.#trainSize = message.total / epochs;
      this.#mnist({ points: [...points, ["train", message.seen / this.#trainSize, message.loss, message.accuracy]],
        progress: message.seen / message.total,
        status: `Epoch ${message.epoch} of ${epochs} · ${count(message.samplesPerSecond)} digits/s · ` +
          `${Math.ceil(message.secondsLeft)} s left` });
    } else if (message.what === "epoch") {
      this.#mnist({ points: [...points, ["test", message.seen / this.#trainSize, message.testLoss, message.testAccuracy]],
        log: `${log}Epoch ${message.epoch}: ${Math.round(message.testAccuracy * 10000)} / 10000\n` });
    }
  }

  // The trained model replaces the shown network.
  #adopt({ model, evaluation, seconds, stopped }) {
    const trained = this.#nn.fromJSON(model);
    this.#mnistNet.delete();
    this.#mnistNet = trained;
    const right = Math.round(evaluation.accuracy * 10000);
    this.#mnist({ training: false, trained: true, ...this.#pictures(), accuracy: evaluation.accuracy,
      result: `${right} of 10,000 test digits right (${percent(evaluation.accuracy, 2)})`,
      status: `${stopped ? "Stopped" : "Done"} after ${seconds.toFixed(1)} s of training.` });
  }

  /** Asks a running training to stop after its current chunk; it still answers with its network. */
  stopMnist() {
    return this.command(() => { if (this.snapshot.mnist.training) this.#trainer.stop(); });
  }

  /** New noise through the shown network. */
  newNoise() {
    return this.command(() => this.#mnist({ noise: noiseThrough(this.#mnistNet) }));
  }

  /** The worker's messages that answer no request (Trainer's onEvent). */
  mnistEvent(message) {
    if (message.type === "data-progress") {
      this.#mnist({ progress: message.loaded / message.total,
        status: `Loading MNIST: ${(message.loaded / 1e6).toFixed(1)} of ${(message.total / 1e6).toFixed(1)} MB` });
    } else if (message.type === "error") {
      this.publish({ alert: message.message, invalid: "" });
    }
  }

  /** The worker died (Trainer's onDeath): a new one loads MNIST again when asked to train. */
  workerDied(reason) {
    const restarted = this.#trainer.restart();
    this.publish({ alert: `The training worker stopped: ${reason}. ` +
      (restarted ? "A new one has started: press Train to try again." : "Reload the page to train."), invalid: "" });
  }
}
