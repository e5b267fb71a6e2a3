// What the MNIST worker does (worker.js runs it; Node tests run it directly): it owns MNIST and
// does everything slow — training (in chunks, so progress is reported and a stop is heard) and
// evaluation on the 10k test digits. It answers with facts; the networks it is asked about
// arrive as model JSON in each request, and a trained one leaves as model JSON in the answer.
//
// Requests (lib/worker-supervision.js carries them; each returns its answer):
//   load()                                   -> {} once MNIST is here
//   evaluate({ model })                      -> { accuracy, loss, predicted, confidence }
//   noise({ model, n })                      -> { images, outputs } (needs no data)
//   train({ kind, epochs, optimizer?, lr?, decay?, batchSize?, augment?, seed?, run? })
//                                            -> { model, seconds, stopped, testAccuracy, evaluation };
//                                               progress { what: "chunk", epoch, seen, total, loss,
//                                               accuracy, samplesPerSecond, secondsLeft, threads,
//                                               lr } (threads: the core's, nn.threads; lr: the
//                                               learning rate in use, which decay multiplies
//                                               after every epoch) and
//                                               { what: "epoch", epoch, seen, testAccuracy, testLoss }
//   stop({ run? })                           that training (by default the one under way) ends
//                                            after its current chunk
//   fineTune({ model, x, n, labels, epochs, seed? })
//                                            -> { model, seconds, evaluation }; the model trained
//                                               further on the user's own digits (x: n × 784,
//                                               labels: n) mixed with MNIST; progress { what:
//                                               "fine-tune", epoch, seen, total }
// Events (post): { type: "data-progress", loaded, total }, { type: "data-ready", train, test }.
//
// A stop names its training's `run` because the worker runs requests in order: a stop sent
// right after a train request may arrive before that training starts, and one sent just as a
// training ended must not stop the next one.
//
// Augmentation is the core's (nn.datasets.digitAugmenter: core/augment.h, the distortions the
// pretrained CNN was trained with) on a random stream of its own from the training seed, so
// the batch order is the same with or without it.
import { makeRandom, permutation } from "../random.js";
import { CLASSES, fetchMnist, gather, range } from "./data.js";
import { modelConfig } from "./models.js";
import { NOISE_SAMPLES, noiseThrough } from "./network-views.js";

const CHUNK_SECONDS = 0.15;   // training between progress reports and stop checks
const MAX_CHUNK = 8192;       // digits per chunk at most
const EVALUATION_CHUNK = 2000;
// Fine-tuning: each own digit goes in as itself and OWN_COPIES − 1 distorted copies (the core's
// digitAugmenter) per epoch, mixed with MNIST_PER_OWN times as many MNIST digits drawn afresh
// each epoch, so the model learns the user's hand without forgetting MNIST; Adam with a small
// step, whatever the model was trained with (a fresh optimizer either way: model files carry
// no optimizer state).
export const FINE_TUNE = Object.freeze({ ownCopies: 8, mnistPerOwn: 2, lr: 0.0005, batchSize: 32, chunk: 256 });
const nextTask = () => new Promise((resolve) => { setTimeout(resolve, 0); });

export class MnistTrainer {
  #nn;
  #fetchFile;
  #post;
  #yield;
  #data = null;      // Promise of { train, test } once asked for
  #testSet = null;   // the test split as network inputs, made once
  #running = null;   // the run of the training under way
  #stopRun = null;   // the run a stop was asked for
  #runs = 0;

  /**
   * nn: loadNN()'s module. fetchFile(name): a file of web/build/data/ as a Promise of a
   * Response. post(event): sends an event to the page. yieldToMessages(): a Promise that
   * resolves once waiting messages (a stop) were handled; a Worker has a faster one than the
   * default, a macrotask.
   */
  constructor(nn, { fetchFile, post = () => {}, yieldToMessages = nextTask }) {
    this.#nn = nn;
    this.#fetchFile = fetchFile;
    this.#post = post;
    this.#yield = yieldToMessages;
  }

  async load() {
    await this.#load();
    return {};
  }

  #load() {
    this.#data ??= fetchMnist(this.#fetchFile, ({ loaded, total }) =>
      this.#post({ type: "data-progress", loaded, total })).then((data) => {
      this.#testSet = gather(data.test, range(0, data.test.n));
      this.#post({ type: "data-ready", train: data.train.n,
        test: { n: data.test.n, labels: data.test.labels.slice(), images: data.test.images.slice() } });
      return data;
    }).catch((error) => {
      this.#data = null;  // a later request tries again
      throw error;
    });
    return this.#data;
  }

  async evaluate({ model }) {
    await this.#load();
    const net = this.#nn.fromJSON(model);
    try {
      return this.#evaluateNetwork(net);
    } finally {
      net.delete();
    }
  }

  /** What the network says about n images of uniform random pixels: { images, outputs }. */
  noise({ model, n = NOISE_SAMPLES }) {
    const net = this.#nn.fromJSON(model);
    try {
      return noiseThrough(net, n);
    } finally {
      net.delete();
    }
  }

  stop({ run } = {}) {
    this.#stopRun = run ?? this.#running;
  }

  async train({ kind, epochs, optimizer, lr, decay = 1, batchSize, augment = false, seed = 1,
    run = `local ${++this.#runs}` }, progress = () => {}) {
    // Under way from now, MNIST's loading included: a stop without a run may come meanwhile.
    this.#running = run;
    try {
      if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`epochs: expected a positive integer, got ${epochs}`);
      if (!(decay > 0 && decay <= 1)) throw new Error(`decay: expected a number in (0, 1], got ${decay}`);
      const config = modelConfig(kind, { optimizer, lr, batchSize, seed });
      const data = await this.#load();
      const net = this.#nn.createNetwork(config);
      const augmenter = augment ? this.#nn.datasets.digitAugmenter({ seed }) : null;
      try {
        return await this.#fit(net, config, { data, epochs, decay, augmenter, seed, run }, progress);
      } finally {
        augmenter?.delete();
        net.delete();
      }
    } finally {
      this.#running = null;
    }
  }

  async #fit(net, { batchSize: batch, optimizer }, { data, epochs, decay, augmenter, seed, run }, progress) {
    const random = makeRandom(seed);
    const total = epochs * data.train.n;
    let chunk = batch * Math.max(1, Math.round(256 / batch));
    let seen = 0, seconds = 0, last = null, stopped = false;
    for (let epoch = 1; epoch <= epochs && !stopped; epoch++) {
      const lr = optimizer.lr * decay ** (epoch - 1);
      if (epoch > 1 && decay !== 1) net.setLearningRate(lr);
      const order = permutation(data.train.n, random);
      for (let start = 0; start < data.train.n; ) {
        const began = performance.now();
        const part = gather(data.train, order.subarray(start, start + chunk));
        if (augmenter) part.x = augmenter.apply(part.x, part.n);
        const entry = net.fit({ ...part, epochs: 1, shuffle: false })[0];
        const elapsed = (performance.now() - began) / 1000;
        if (entry.diverged) throw new Error("training diverged (the loss became NaN or infinite): try a smaller learning rate");
        seconds += elapsed;
        seen += part.n;
        start += part.n;
        const rate = seen / seconds;
        progress({ what: "chunk", epoch, seen, total, loss: entry.loss, accuracy: entry.accuracy,
          samplesPerSecond: rate, secondsLeft: (total - seen) / rate, threads: this.#nn.threads, lr });
        // next chunk: about CHUNK_SECONDS of work, a whole number of batches
        chunk = batch * Math.min(Math.max(1, Math.round(part.n / elapsed * CHUNK_SECONDS / batch)),
          Math.ceil(MAX_CHUNK / batch));
        await this.#yield();
        if (this.#stopRun === run) {
          stopped = true;
          break;
        }
      }
      last = this.#evaluateNetwork(net);
      progress({ what: "epoch", epoch, seen, testAccuracy: last.accuracy, testLoss: last.loss });
    }
    return { model: net.toJSON(), seconds, stopped, testAccuracy: last.accuracy, evaluation: last };
  }

  async fineTune({ model, x, labels, n, epochs, seed = 1 }, progress = () => {}) {
    if (!Number.isInteger(epochs) || epochs < 1 || epochs > 50) throw new Error(`epochs: expected an integer from 1 to 50, got ${epochs}`);
    if (!Number.isInteger(n) || n < 1) throw new Error("no digits of your own to fine-tune on: add some first");
    const data = await this.#load();
    const { ownCopies, mnistPerOwn, lr, batchSize, chunk } = FINE_TUNE;
    const net = this.#nn.fromJSON({ ...model, config: { ...model.config, optimizer: { type: "adam", lr }, batchSize } });
    const augmenter = this.#nn.datasets.digitAugmenter({ seed });
    try {
      const random = makeRandom(seed);
      const own = n * ownCopies, mnist = own * mnistPerOwn, perEpoch = own + mnist;
      const total = epochs * perEpoch;
      let seen = 0, seconds = 0;
      for (let epoch = 1; epoch <= epochs; epoch++) {
        // own digits: copy 0 as drawn, the others distorted; then fresh MNIST digits
        const mix = { x: new Float32Array(perEpoch * 784), y: new Float32Array(perEpoch * CLASSES) };
        for (let copy = 0; copy < ownCopies; copy++) {
          mix.x.set(copy === 0 ? x : augmenter.apply(x, n), copy * n * 784);
          for (let j = 0; j < n; j++) mix.y[(copy * n + j) * CLASSES + labels[j]] = 1;
        }
        const picked = gather(data.train, permutation(data.train.n, random).subarray(0, mnist));
        mix.x.set(picked.x, own * 784);
        mix.y.set(picked.y, own * CLASSES);
        const order = permutation(perEpoch, random);
        for (let start = 0; start < perEpoch; start += chunk) {
          const part = order.subarray(start, start + chunk);
          const px = new Float32Array(part.length * 784), py = new Float32Array(part.length * CLASSES);
          part.forEach((i, j) => {
            px.set(mix.x.subarray(i * 784, (i + 1) * 784), j * 784);
            py.set(mix.y.subarray(i * CLASSES, (i + 1) * CLASSES), j * CLASSES);
          });
          const began = performance.now();
          const entry = net.fit({ x: px, y: py, n: part.length, epochs: 1, shuffle: false })[0];
          seconds += (performance.now() - began) / 1000;
          if (entry.diverged) throw new Error("fine-tuning diverged (the loss became NaN or infinite)");
          seen += part.length;
          progress({ what: "fine-tune", epoch, seen, total });
          await this.#yield();
        }
      }
      return { model: net.toJSON(), seconds, evaluation: this.#evaluateNetwork(net) };
    } finally {
      augmenter.delete();
      net.delete();
    }
  }

  /** { accuracy, loss, predicted: Uint8Array(n), confidence: Float32Array(n) } on the test set. */
  #evaluateNetwork(net) {
    const { x, y, n } = this.#testSet;
    const predicted = new Uint8Array(n);
    const confidence = new Float32Array(n);
    let correct = 0, loss = 0;
    for (let start = 0; start < n; start += EVALUATION_CHUNK) {
      const count = Math.min(EVALUATION_CHUNK, n - start);
      const xs = x.subarray(start * 784, (start + count) * 784);
      const ys = y.subarray(start * CLASSES, (start + count) * CLASSES);
      const { loss: chunkLoss, outputs: out } = net.evaluate(xs, ys, count, { outputs: true });
      loss += chunkLoss * count;
      for (let j = 0; j < count; j++) {
        let best = 0, sum = 0;
        for (let k = 0; k < CLASSES; k++) {
          sum += out[j * CLASSES + k];
          if (out[j * CLASSES + k] > out[j * CLASSES + best]) best = k;
        }
        predicted[start + j] = best;
        // sigmoid outputs (the tutorial's network) do not sum to 1: report their share
        confidence[start + j] = sum > 0 ? out[j * CLASSES + best] / sum : 0;
        if (ys[j * CLASSES + best] === 1) correct++;
      }
    }
    return { accuracy: correct / n, loss: loss / n, predicted, confidence };
  }
}
