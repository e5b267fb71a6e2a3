// The digits page's module Worker: owns MNIST and does everything slow — training (in chunks,
// so progress is reported and "stop" is heard) and evaluation on the 10k test digits.
//
// Page -> worker: { type: "load" } | { type: "evaluate", id, model } |
//                 { type: "noise", id, model, n } |
//                 { type: "train", id, kind, epochs, optimizer?, lr?, batchSize?, augment?, seed? } |
//                 { type: "stop" }
// Worker -> page: { type: "data-progress", loaded, total } | { type: "data-ready", test } |
//                 { type: "progress", id, ... } | { type: "epoch", id, ... } |
//                 { type: "result", id, ... } | { type: "error", id?, message }
// A fatal error (out of memory, an aborted module) is reported to the page, which restarts
// the worker (lib/worker-supervision.js).
import { loadNN } from "../nnplay.js";
import { isFatal, superviseSelf } from "../worker-supervision.js";
import { makeRandom, permutation } from "../random.js";
import { noiseThrough } from "./network-views.js";
import { CLASSES, fetchMnist, gather, range } from "./data.js";
import { modelConfig } from "./models.js";

const dataUrl = new URL("../../build/data/", import.meta.url);
const chunkSeconds = 0.15;  // train this long between progress reports / stop checks
const evaluationChunk = 2000;

let nnPromise = null;
let dataPromise = null;
let testData = null;  // the test split as network inputs, made once
let stopRequested = false;
let queue = Promise.resolve();

const post = (message, transfer = []) => self.postMessage(message, transfer);

function loadData() {
  dataPromise ??= fetchMnist(dataUrl, ({ loaded, total }) =>
    post({ type: "data-progress", loaded, total })).then((data) => {
    testData = gather(data.test, range(0, data.test.n));
    post({ type: "data-ready", train: data.train.n,
      test: { n: data.test.n, labels: data.test.labels.slice(), images: data.test.images.slice() } });
    return data;
  }).catch((error) => {
    dataPromise = null;  // a later request tries again
    throw error;
  });
  return dataPromise;
}

// Lets queued messages (a "stop") in between two training chunks; faster than setTimeout(0).
const channel = new MessageChannel();
function yieldToMessages() {
  return new Promise((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });
}

/** { accuracy, loss, predicted: Uint8Array(n), confidence: Float32Array(n) } on the test set. */
function evaluateNetwork(net) {
  const { x, y, n } = testData;
  const predicted = new Uint8Array(n);
  const confidence = new Float32Array(n);
  let correct = 0, loss = 0;
  for (let start = 0; start < n; start += evaluationChunk) {
    const count = Math.min(evaluationChunk, n - start);
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

async function evaluate({ id, model }) {
  const [nn] = await Promise.all([nnPromise, loadData()]);
  const net = nn.fromJSON(model);
  try {
    const result = evaluateNetwork(net);
    post({ type: "result", id, ...result }, [result.predicted.buffer, result.confidence.buffer]);
  } finally {
    net.delete();
  }
}

// What the network says about n images of uniform random pixels: { images, outputs }. It needs no
// data, so it does not wait for MNIST (and runs outside the queue).
async function noise({ id, model, n }) {
  const net = (await nnPromise).fromJSON(model);
  try {
    const { images, outputs } = noiseThrough(net, n);
    post({ type: "result", id, images, outputs }, [images.buffer, outputs.buffer]);
  } finally {
    net.delete();
  }
}

async function train({ id, kind, epochs, optimizer, lr, batchSize, augment = false, seed = 1 }) {
  stopRequested = false;
  const config = modelConfig(kind, { optimizer, lr, batchSize, seed });
  const [nn, data] = await Promise.all([nnPromise, loadData()]);
  const net = nn.createNetwork(config);
  try {
    const random = makeRandom(seed);
    const batch = config.batchSize;
    const total = epochs * data.train.n;
    let chunk = batch * Math.max(1, Math.round(256 / batch));
    let seen = 0, seconds = 0, last = null, stopped = false;
    for (let epoch = 1; epoch <= epochs && !stopped; epoch++) {
      const order = permutation(data.train.n, random);
      for (let start = 0; start < data.train.n; ) {
        const began = performance.now();
        const part = gather(data.train, order.subarray(start, start + chunk),
          { random: augment ? random : null });
        const entry = net.fit({ ...part, epochs: 1, shuffle: false })[0];
        const elapsed = (performance.now() - began) / 1000;
        if (entry.diverged) throw new Error("training diverged (the loss became NaN or infinite): try a smaller learning rate");
        seconds += elapsed;
        seen += part.n;
        start += part.n;
        const rate = seen / seconds;
        post({ type: "progress", id, epoch, seen, total, loss: entry.loss, accuracy: entry.accuracy,
          samplesPerSecond: rate, secondsLeft: (total - seen) / rate });
        // next chunk: about chunkSeconds of work, a whole number of batches
        chunk = batch * Math.min(Math.max(1, Math.round(part.n / elapsed * chunkSeconds / batch)),
          Math.ceil(8192 / batch));
        await yieldToMessages();
        if (stopRequested) { stopped = true; break; }
      }
      last = evaluateNetwork(net);
      post({ type: "epoch", id, epoch, seen, testAccuracy: last.accuracy, testLoss: last.loss });
    }
    const model = net.toJSON();
    post({ type: "result", id, model, seconds, stopped, testAccuracy: last.accuracy,
      evaluation: last }, [last.predicted.buffer, last.confidence.buffer]);
  } finally {
    net.delete();
  }
}

const handlers = {
  load: async ({ id }) => {
    await loadData();
    post({ type: "result", id });
  },
  evaluate,
  train,
};

const reportFatal = superviseSelf(({ data: message }) => {
  if (message.type === "stop") {
    stopRequested = true;
    return;
  }
  const fail = (error) => {
    if (isFatal(error)) reportFatal(error);
    else post({ type: "error", id: message.id, message: error.message || String(error) });
  };
  if (message.type === "noise") noise(message).catch(fail);
  else queue = queue.then(() => handlers[message.type](message)).catch(fail);
});

nnPromise = loadNN();
