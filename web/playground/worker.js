// The training worker: owns the WASM network and the data; the page only draws what it sends.
//
// Messages in (each with an id; answered in order with the same id, or { id, error }):
//   { type: "build", state, keepNetwork }  data (and, unless keepNetwork, a fresh network)
//                                          -> { points, snapshot }
//   { type: "train", epochs, budgetMs }    up to `epochs` epochs, stopping after budgetMs
//                                          -> { snapshot }
//   { type: "tune", lr, batchSize }        applies to the next epochs, no reset -> {}
// A snapshot is { metrics, gridSize, output, unitGridSize, units, weights, diverged }: the
// output over a GRID x GRID grid from one batched predict, every unit (inputs included) over a
// UNIT_GRID x UNIT_GRID grid, and the weights. Its buffers are transferred, not copied.
// Training is deterministic: the data split, features and shuffling depend only on the state.
import { loadNN } from "../lib/nnplay.js";
import { featureMatrix, gridPoints } from "./features.js";
import { toConfig } from "./model.js";

const GRID = 100;
const UNIT_GRID = 24;

const nnPromise = loadNN();
let session = null;

function concat(a, b) {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function splitData(nn, state) {
  const all = nn.datasets.make(state.dataset, { n: state.points, noise: state.noise, seed: state.dataSeed });
  // The generator already shuffled the points, so the first part is a random training set.
  const nTrain = Math.min(all.n - 1, Math.max(1, Math.round(all.n * state.trainRatio)));
  // Clicked points join the training set.
  const added = state.added;
  const train = {
    n: nTrain + added.length,
    points: concat(all.x.subarray(0, 2 * nTrain), added.flatMap((p) => [p[0], p[1]])),
    y: concat(all.y.subarray(0, nTrain), added.map((p) => p[2])),
  };
  const test = { n: all.n - nTrain, points: all.x.slice(2 * nTrain), y: all.y.slice(nTrain) };
  for (const part of [train, test]) part.x = featureMatrix(part.points, part.n, state.features);
  return { train, test };
}

function build({ state, keepNetwork }, nn) {
  const data = splitData(nn, state);
  const gridFeatures = (size) => featureMatrix(gridPoints(size), size * size, state.features);
  const kept = keepNetwork && session ? session : null;
  let net = kept?.net;
  if (!net) {
    net = nn.createNetwork(toConfig(state));
    try {
      if (state.weights) setFlatWeights(net, state.weights);
    } catch (error) {
      net.delete();
      throw error;
    }
  }
  if (session && session.net !== net) session.net.delete();
  session = {
    net, epoch: kept?.epoch ?? 0, diverged: kept?.diverged ?? false, batchSize: state.batchSize, ...data,
    grid: gridFeatures(GRID), unitGrid: gridFeatures(UNIT_GRID),
    unitZeros: new Float32Array(UNIT_GRID * UNIT_GRID),
  };
  const { train, test } = data;
  // Copies: the reply's buffers are transferred, and training keeps using these.
  const copy = (part) => ({ x: part.points.slice(), y: part.y.slice() });
  return { points: { train: copy(train), test: copy(test) }, snapshot: snapshot() };
}

function setFlatWeights(net, flat) {
  let offset = 0;
  net.setWeights(net.getWeights().map(({ name, shape, data }) => {
    offset += data.length;
    return { name, shape, data: flat.subarray(offset - data.length, offset) };
  }));
}

function train({ epochs, budgetMs }) {
  const s = session;
  if (!s.diverged) {
    const start = performance.now();
    const history = s.net.fit({ x: s.train.x, y: s.train.y, n: s.train.n, epochs, shuffle: true,
      batchSize: s.batchSize, onEpoch: () => performance.now() - start < budgetMs });
    s.diverged = Boolean(history.at(-1)?.diverged);
    s.epoch += history.length - (s.diverged ? 1 : 0);
  }
  return { snapshot: snapshot() };
}

function tune({ lr, batchSize }) {
  session.net.setLearningRate(lr);
  session.batchSize = batchSize;
  return {};
}

function snapshot() {
  const { net, train, test, unitGrid, unitZeros } = session;
  const trainMetrics = net.evaluate(train.x, train.y, train.n);
  const testMetrics = net.evaluate(test.x, test.y, test.n);
  const cells = UNIT_GRID * UNIT_GRID;
  const layers = net.inspect(unitGrid, unitZeros, cells).layers;
  return {
    diverged: session.diverged,
    metrics: {
      epoch: session.epoch, step: net.steps,
      trainLoss: trainMetrics.loss, testLoss: testMetrics.loss,
      trainAccuracy: trainMetrics.accuracy, testAccuracy: testMetrics.accuracy,
    },
    gridSize: GRID,
    output: net.predict(session.grid, GRID * GRID),
    unitGridSize: UNIT_GRID,
    // Row-major cells x units for the inputs, then each layer's activations.
    units: [unitGrid.slice(), ...layers.map((layer) => layer.a)],
    weights: net.getWeights().map(({ shape, data }) => ({ shape, data })),
  };
}

function transferables(value, list = []) {
  if (ArrayBuffer.isView(value)) list.push(value.buffer);
  else if (value && typeof value === "object") for (const v of Object.values(value)) transferables(v, list);
  return list;
}

const handlers = { build, train, tune };
let queue = Promise.resolve();
self.onmessage = ({ data: message }) => {
  queue = queue.then(async () => {
    let reply;
    try {
      reply = { id: message.id, ...handlers[message.type](message, await nnPromise) };
    } catch (error) {
      reply = { id: message.id, error: error.message };
    }
    self.postMessage(reply, transferables(reply));
  });
};
