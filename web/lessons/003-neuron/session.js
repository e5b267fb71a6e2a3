// Lesson 003's session: tutorial 003's neuron (recomputed as its values are edited), its 2-2-1
// network, the loss and one partial derivative for Alice, then stochastic gradient descent on
// four people, trained live, and predictions for two more (and for the reader). The core
// computes every value; the session holds the tutorial's inputs only. No DOM.
import { namedFields, readInteger, readNumber } from "../fields.js";
import { denseLayers } from "../networks.js";
import { LessonSession } from "../session.js";

// The tutorial's people, shifted by 135 lb and 66 in; gender: 1 female, 0 male.
const SHIFT = { weight: 135, height: 66 };
export const PEOPLE = [
  { name: "Alice", weight: 133, height: 65, gender: 1 },
  { name: "Bob", weight: 160, height: 72, gender: 0 },
  { name: "Charlie", weight: 152, height: 70, gender: 0 },
  { name: "Diana", weight: 120, height: 60, gender: 1 },
];
export const shifted = ({ weight, height }) => [weight - SHIFT.weight, height - SHIFT.height];
const PEOPLE_X = new Float32Array(PEOPLE.flatMap(shifted));
const PEOPLE_Y = new Float32Array(PEOPLE.map((p) => p.gender));
const UNSEEN = new Float32Array([-7, -3, 20, 2]);  // Emily (128 lb, 63 in), Frank (155 lb, 68 in)
const EPOCHS_PER_FRAME = 20;
const NEURON_FIELDS = Object.values(namedFields({ w1: "w₁", w2: "w₂", b: "b", x1: "x₁", x2: "x₂" }));
const FIELDS = namedFields({ lr: "Learning rate η", epochs: "Epochs", weight: "Your weight (lb)", height: "Your height (in)" });

// A 2-2-1 sigmoid network with the MSE loss, trained one sample at a time.
const networkConfig = (lr) => ({
  input: [2], layers: denseLayers([[2, "sigmoid"], [1, "sigmoid"]]), loss: "mse",
  optimizer: { type: "sgd", lr, momentum: 0 }, seed: 1, batchSize: 1,
});

// The 2-2-1 network with the same weights w = [w1, w2] (from the first and the second input)
// and the same bias b in every neuron. Kernels are [in, out]: row i holds input i's weights.
const sameInEveryNeuron = ([w1, w2], b) => [
  { name: "dense_0/kernel", shape: [2, 2], data: [w1, w1, w2, w2] },
  { name: "dense_0/bias", shape: [2], data: [b, b] },
  { name: "dense_1/kernel", shape: [2, 1], data: [w1, w2] },
  { name: "dense_1/bias", shape: [1], data: [b] },
];

/** One pass of the 2-2-1 network with these weights on one sample: net.inspect's { loss, layers }. */
function passOf(nn, weights, x, y) {
  const net = nn.createNetwork(networkConfig(0.1));
  try {
    net.setWeights(weights);
    return net.inspect(new Float32Array(x), new Float32Array([y]), 1);
  } finally {
    net.delete();
  }
}

/**
 * The snapshot: neuron: { z, out } or null (a bad value); network: { h1, h2, out }, the 2-2-1
 * feedforward; alice: { h1, pred, loss, dpred, dh1, dw1 }; training: { run, epochs, epoch,
 * loss, curve: [[epoch, loss], ...], done, emily, frank }; you: the reader's { input, prediction }
 * (input null: a bad value), or null before the network is trained.
 */
export class NeuronSession extends LessonSession {
  #nn;
  #neuron;      // the one neuron, reused for every edit
  #net = null;  // the network trained on the four people, null after a bad field
  #you = null;  // the reader's input, shifted like the people's; null while a value is bad

  constructor(nn, { nextFrame }) {
    super({ neuron: null, network: null, alice: null, training: null, you: null }, { nextFrame });
    this.#nn = nn;
    this.#neuron = nn.createNetwork({ input: [2], layers: denseLayers([[1, "sigmoid"]]), loss: "mse",
      optimizer: { type: "sgd", lr: 0.1 }, seed: 1, batchSize: 1 });
    const feedforward = passOf(nn, sameInEveryNeuron([0, 1], 0), [2, 3], 0);
    const [hidden, output] = feedforward.layers;
    const alice = passOf(nn, sameInEveryNeuron([1, 1], 0), shifted(PEOPLE[0]), PEOPLE[0].gender);
    const [aliceHidden, aliceOutput] = alice.layers;
    this.publish({
      network: { h1: hidden.a[0], h2: hidden.a[1], out: output.a[0] },
      alice: { h1: aliceHidden.a[0], pred: aliceOutput.a[0], loss: alice.loss, dpred: aliceOutput.dA[0],
        dh1: aliceHidden.dA[0], dw1: aliceHidden.dW[0] },  // kernel [in, out]: dW[0] is input 1 -> h1
    });
  }

  /** The neuron with these values (texts of w1, w2, b, x1, x2). */
  setNeuron(values) {
    return this.command(() => {
      this.publish({ neuron: null });
      const [w1, w2, b, x1, x2] = NEURON_FIELDS.map((f) => readNumber(values[f.key], f));
      this.#neuron.setWeights([
        { name: "dense_0/kernel", shape: [2, 1], data: [w1, w2] },
        { name: "dense_0/bias", shape: [1], data: [b] },
      ]);
      const [layer] = this.#neuron.inspect(new Float32Array([x1, x2]), new Float32Array([0]), 1).layers;
      this.publish({ neuron: { z: layer.z[0], out: layer.a[0] } });
      this.accept();
    });
  }

  /** A fresh network trained on the four people (texts of lr and epochs); a bad field leaves none. */
  train({ lr, epochs }) {
    return this.command(async () => {
      await this.stopJobs("training");
      this.#net?.delete();
      this.#net = null;
      const settings = { epochs: readInteger(epochs, FIELDS.epochs, 1, 10000), lr: readNumber(lr, FIELDS.lr) };
      const net = this.#net = this.#nn.createNetwork(networkConfig(settings.lr));
      this.accept();
      const run = (this.snapshot.training?.run ?? 0) + 1;
      this.publish({ training: { run, epochs: settings.epochs, done: false, ...this.#measure(net, 0, []) } });
      this.startJob("training", () => this.#trainFrame(net));
    });
  }

  // The tutorial goes over the people in order, one at a time.
  #trainFrame(net) {
    const { training } = this.snapshot;
    const n = Math.min(EPOCHS_PER_FRAME, training.epochs - training.epoch);
    net.fit({ x: PEOPLE_X, y: PEOPLE_Y, n: 4, epochs: n, batchSize: 1, shuffle: false });
    const epoch = training.epoch + n;
    const done = epoch >= training.epochs;
    const [emily, frank] = done ? net.predict(UNSEEN, 2) : [];
    this.publish({ training: { ...training, ...this.#measure(net, epoch, training.curve), done, emily, frank } });
    if (done) this.publish({ you: this.#predictYou(net) });
    return !done;
  }

  #measure(net, epoch, curve) {
    const { loss } = net.evaluate(PEOPLE_X, PEOPLE_Y, 4);
    return { epoch, loss, curve: [...curve, [epoch, loss]] };
  }

  /**
   * What the network says about someone of this weight and height (texts, lb and in); the
   * trained network says it again when it is done.
   */
  predict({ weight, height }) {
    return this.command(() => {
      try {
        this.#you = shifted({ weight: readNumber(weight, FIELDS.weight), height: readNumber(height, FIELDS.height) });
      } catch (error) {
        this.#you = null;
        throw error;
      } finally {
        if (this.#net) this.publish({ you: this.#predictYou(this.#net) });
      }
      this.accept();
    });
  }

  #predictYou(net) {
    const input = this.#you;
    return { input, prediction: input ? net.predict(new Float32Array(input), 1)[0] : NaN };
  }
}
