// The training worker: owns the WASM network and the data; the page only draws what it sends.
//
// Messages in (each with an id; answered in order with the same id, or { id, error }):
//   { type: "build", state, keepNetwork, source }
//                                          data (and, unless keepNetwork, a fresh network)
//                                          -> { state, table, points, snapshot }
//   { type: "train", epochs, budgetMs }    up to `epochs` epochs, stopping after budgetMs
//                                          -> { snapshot }
//   { type: "tune", lr, batchSize }        applies to the next epochs, no reset -> {}
//   { type: "export", format }             the network as "nnplay" JSON or "tfjs" artifacts
//                                          -> { model }
//   { type: "read-model", model }          a model file's network ({ format: "nnplay", model }
//                                          or { format: "tfjs", artifacts }) checked by the
//                                          core -> { config, weights } (weights flat)
//   { type: "memory" }                     the WebAssembly memory -> { heapBytes, inUseBytes }
// A fatal error (out of memory, an aborted module) is reported to the page, which restarts
// the worker (lib/worker-supervision.js).
// A snapshot is { metrics, gridSize, output, unitGridSize, units, weights, diverged }: the
// output over a GRID x GRID grid from one batched predict, every unit (inputs included) over a
// UNIT_GRID x UNIT_GRID grid, and the weights. Its buffers are transferred, not copied.
// Training is deterministic: the data split, features and shuffling depend only on the state.
//
// Table data (a preset or a CSV file, tables.js) is read and parsed here, so a large file
// never blocks the page. A build's `source` ({ file, name }) is a newly chosen CSV file: it
// replaces the current one only when the build succeeds, so a bad file changes nothing. The
// build's reply carries the state fitted to the table (label, plotted columns, output, loss)
// and the table's description.
import { loadNN } from "../lib/nnplay.js";
import { isFatal, superviseSelf } from "../lib/worker-supervision.js";
import { featureMatrix, gridPoints } from "../lib/plane/features.js";
import { flatWeights, withFlatWeights } from "../lib/flat-weights.js";
import { toConfig } from "../lib/plane/state.js";
import { fitToTable } from "./model.js";
import { PRESETS, csvHeader, defaultLabel, isTable, plotGrid, prepareTable, tableKind, trainCount } from "../lib/plane/tables.js";

const GRID = 100;
const UNIT_GRID = 24;
const DRAWN_POINTS = 2000;  // per part at most: a large file's points would only hide the plot

const nnPromise = loadNN();
let session = null;
const texts = new Map();  // dataset -> { name, text } of the preset or CSV file read so far
let parsed = null;        // the last parse: { text, label, standardize, data }

function concat(a, b) {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function splitData(nn, state) {
  const all = nn.datasets.make(state.dataset, { n: state.points, noise: state.noise, seed: state.dataSeed });
  // The generator already shuffled the points, so the first part is a random training set.
  const nTrain = trainCount(all.n, state.trainRatio);
  // Clicked points join the training set.
  const added = state.added;
  const train = {
    n: nTrain + added.length,
    points: concat(all.x.subarray(0, 2 * nTrain), added.flatMap((p) => [p[0], p[1]])),
    y: concat(all.y.subarray(0, nTrain), added.map((p) => p[2])),
  };
  const test = { n: all.n - nTrain, points: all.x.slice(2 * nTrain), y: all.y.slice(nTrain) };
  for (const part of [train, test]) {
    part.x = featureMatrix(part.points, part.n, state.features);
    part.labels = part.y;
  }
  const grid = (size) => featureMatrix(gridPoints(size), size * size, state.features);
  return { state, table: null, train, test, grid };
}

// The text of a table dataset: a newly chosen file, the preset (fetched once) or the CSV file
// read before.
async function tableText(dataset, source) {
  if (source) return { name: source.name, text: await source.file.text() };
  if (texts.has(dataset)) return texts.get(dataset);
  const preset = PRESETS[dataset];
  if (!preset) throw new Error("no CSV file is loaded: choose one with Load CSV, or drop it on the page");
  const response = await fetch(new URL(`../${preset.path}`, import.meta.url)).catch(() => null);
  if (!response?.ok) {
    throw new Error(`the ${preset.title} preset is unavailable: ${preset.path} was not built ` +
      "(scripts/build.sh makes it from Debian's python3-sklearn package)");
  }
  const entry = { name: preset.path.split("/").pop(), text: await response.text() };
  texts.set(dataset, entry);
  return entry;
}

// A table's data for a state, parsed in the core (the last parse is reused while only the
// network or the split changes) and split as tables.js does.
async function tableData(nn, state, source) {
  const { name, text } = await tableText(state.dataset, source);
  const label = state.label || PRESETS[state.dataset]?.label || defaultLabel(text);
  if (parsed?.text !== text || parsed.label !== label || parsed.standardize !== state.standardize) {
    parsed = null;  // free the old arrays before a large file's new ones
    parsed = { text, label, standardize: state.standardize,
      data: nn.datasets.parseCSV(text, { label, standardize: state.standardize }) };
  }
  const data = parsed.data;
  const table = {
    name, columns: csvHeader(text), features: data.columns.map((c) => c.name), label: data.label,
    classes: data.classes, kind: tableKind(data.classes), rows: data.n, inputs: data.inputs,
    outputs: data.outputs,
  };
  const fitted = fitToTable(state, table);
  const split = prepareTable(data, fitted);
  Object.assign(table, { plot: split.plot, labelRange: split.labelRange, trainRows: split.train.n,
    testRows: split.test.n });
  const commit = () => { if (source) texts.set(state.dataset, { name, text }); };
  return { state: fitted, table, train: split.train, test: split.test, grid: (size) => plotGrid(split, size), commit };
}

async function build({ state, keepNetwork, source }, nn) {
  const data = isTable(state.dataset) ? await tableData(nn, state, source) : splitData(nn, state);
  const kept = keepNetwork && session ? session : null;
  let net = kept?.net;
  if (!net) {
    net = nn.createNetwork(toConfig(data.state, data.table));
    try {
      if (state.weights) setFlatWeights(net, state.weights);
    } catch (error) {
      net.delete();
      throw error;
    }
  }
  if (session && session.net !== net) session.net.delete();
  data.commit?.();
  const { train, test } = data;
  session = {
    net, epoch: kept?.epoch ?? 0, diverged: kept?.diverged ?? false, batchSize: state.batchSize, train, test,
    grid: data.grid(GRID), unitGrid: data.grid(UNIT_GRID),
    unitZeros: new Float32Array(UNIT_GRID * UNIT_GRID * net.outputs),
  };
  // Copies: the reply's buffers are transferred, and training keeps using these.
  const copy = (part) => {
    const n = Math.min(part.n, DRAWN_POINTS);
    return { x: part.points.slice(0, 2 * n), y: part.labels.slice(0, n) };
  };
  return { state: data.state, table: data.table, points: { train: copy(train), test: copy(test) },
    snapshot: snapshot() };
}

function setFlatWeights(net, flat) {
  const template = net.getWeights();
  const count = template.reduce((sum, w) => sum + w.data.length, 0);
  if (flat.length !== count) {
    throw new Error(`the weights do not fit this network: it has ${count} parameters, got ${flat.length}`);
  }
  net.setWeights(withFlatWeights(template, flat));
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

function exportModel({ format }) {
  return { model: format === "tfjs" ? session.net.toTFJS() : session.net.toJSON() };
}

function readModel({ model }, nn) {
  const net = model.format === "tfjs" ? nn.fromTFJS(model.artifacts) : nn.fromJSON(model.model);
  try {
    return { config: net.config, weights: flatWeights(net.getWeights()) };
  } finally {
    net.delete();
  }
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

const handlers = {
  build, train, tune, export: exportModel, "read-model": readModel, memory: (message, nn) => nn.memory(),
};
let queue = Promise.resolve();
const reportFatal = superviseSelf(({ data: message }) => {
  queue = queue.then(async () => {
    let reply;
    try {
      reply = { id: message.id, ...await handlers[message.type](message, await nnPromise) };
    } catch (error) {
      if (isFatal(error)) return reportFatal(error);
      reply = { id: message.id, error: error.message };
    }
    self.postMessage(reply, transferables(reply));
  });
});
