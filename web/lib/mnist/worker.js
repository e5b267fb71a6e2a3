// The MNIST worker (the digits page, lesson 004): owns MNIST and does everything slow —
// training (in chunks, so progress is reported and "stop" is heard) and evaluation on the 10k
// test digits. Requests and answers travel as lib/worker-supervision.js says:
//
//   load()                                   -> {} once MNIST is here
//   evaluate({ model })                      -> { accuracy, loss, predicted, confidence }
//   noise({ model, n })                      -> { images, outputs } (runs at once, unqueued)
//   train({ kind, epochs, optimizer?, lr?, batchSize?, augment?, seed? })
//                                            -> { model, seconds, stopped, testAccuracy, evaluation };
//                                               progress { what: "chunk", epoch, seen, total, loss,
//                                               accuracy, samplesPerSecond, secondsLeft } and
//                                               { what: "epoch", epoch, seen, testAccuracy, testLoss }
//   stop()                                   a training ends after its current chunk
// Events: { type: "data-progress", loaded, total }, { type: "data-ready", train, test }.
import { loadNN } from "../nnplay.js";
import { serveRequests } from "../worker-supervision.js";
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
let post = null;  // sends an event to the page (serveRequests, below)

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

async function evaluate({ model }) {
  const [nn] = await Promise.all([nnPromise, loadData()]);
  const net = nn.fromJSON(model);
  try {
    return evaluateNetwork(net);
  } finally {
    net.delete();
  }
}

// What the network says about n images of uniform random pixels: { images, outputs }. It needs no
// data, so it does not wait for MNIST (and runs outside the queue).
async function noise({ model, n }) {
  const net = (await nnPromise).fromJSON(model);
  try {
    return noiseThrough(net, n);
  } finally {
    net.delete();
  }
}

async function train({ kind, epochs, optimizer, lr, batchSize, augment = false, seed = 1 }, progress) {
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
        progress({ what: "chunk", epoch, seen, total, loss: entry.loss, accuracy: entry.accuracy,
          samplesPerSecond: rate, secondsLeft: (total - seen) / rate });
        // next chunk: about chunkSeconds of work, a whole number of batches
        chunk = batch * Math.min(Math.max(1, Math.round(part.n / elapsed * chunkSeconds / batch)),
          Math.ceil(8192 / batch));
        await yieldToMessages();
        if (stopRequested) { stopped = true; break; }
      }
      last = evaluateNetwork(net);
      progress({ what: "epoch", epoch, seen, testAccuracy: last.accuracy, testLoss: last.loss });
    }
    return { model: net.toJSON(), seconds, stopped, testAccuracy: last.accuracy, evaluation: last };
  } finally {
    net.delete();
  }
}

nnPromise = loadNN();
({ post } = serveRequests({
  load: async () => {
    await loadData();
    return {};
  },
  evaluate,
  noise,
  train,
  stop: () => { stopRequested = true; },
}, { concurrent: ["noise", "stop"] }));
