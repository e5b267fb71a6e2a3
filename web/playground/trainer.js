// What the playground's worker does (worker.js runs it; Node tests run it directly): it holds
// the WASM network and the data, and answers the session's requests with facts — what the core
// says, a table's description, training snapshots. It never decides the page's state: the
// session sends a validated state and the worker builds exactly that, or fails saying why.
//
// Requests (lib/worker-supervision.js carries them; each returns its reply):
//   core()                                 -> { schema, datasets, threads }: what the core offers
//                                             (threads: nn.threads)
//   describe({ dataset, source, label, standardize })
//                                          a table (preset or CSV file) read and parsed by the
//                                          core -> { table: { name, columns, features, label,
//                                          classes, kind, rows, inputs, outputs } }
//   build({ state, source, weights, keepNetwork })
//                                          data (and, unless keepNetwork, a fresh network, with
//                                          `weights` — a getWeights() list — or state.weights
//                                          if given) -> { points, split, snapshot }
//   train({ epochs, budgetMs })            up to `epochs` epochs, stopping after budgetMs
//                                          -> { snapshot }
//   tune({ lr, batchSize })                applies to the next epochs, no reset -> {}
//   exportModel({ format })                the network as "nnplay" JSON or "tfjs" artifacts
//                                          -> { model }
//   memory()                               the WebAssembly memory -> { heapBytes, inUseBytes }
//   inspect({ x1, x2, label })             one point of the plane (features applied) through
//                                          the network, no update -> { loss, inputs, layers:
//                                          [{ z, a, dz, dW, db, updateW, updateB, norm }] },
//                                          where update* is what the optimizer's step on this
//                                          point would change (net.previewUpdate)
//   probe({ point })                       the point ({ x1, x2, label } or null) every snapshot
//                                          inspects from now on -> { snapshot }
//   setWeight({ layer, from, to, value })  one kernel weight (from: input unit, to: unit) or,
//                                          with from = -1, a bias -> { snapshot }
//   landscape({ size })                    the training loss over a size x size grid on the
//                                          plane through the weights now spanned by the path's
//                                          two principal directions -> { loss, size, span, path }
//
// A snapshot is { metrics, diverged, gridSize, output, unitGridSize, units, weights, parameters,
// flow, gradients, dead, probe }: the output over a GRID x GRID grid from one batched predict,
// every unit (inputs included) over a UNIT_GRID x UNIT_GRID grid, the weights (kernels and
// biases), every parameter (getWeights(), batch norm's too), the gradient flow of
// the epochs trained since the last snapshot ([{ epoch, layers: [mean |dL/dW|], updates: [mean
// |ΔW|] }]), the loss gradient over the training set (its first PROBE_ROWS rows; [{ dW, db }]
// per layer), the hidden units
// that are zero on every training point (dead ReLUs: per hidden layer a list of unit indices)
// and the probe point's inspection (or null). Training is deterministic: the data split,
// features and shuffling depend only on the state.
//
// Layers are the playground's (hidden, then output), whatever the config has for them: a layer
// with batch norm is a linear dense layer and a batchnorm in the config (unitLayers), and is
// one layer here: weights are the dense layers' kernels and biases; z, dz, dW, db the dense
// layer's; a the unit's output (after batch norm and the activation); norm, with batch norm,
// { z, dz } after the normalization and before the activation.
//
// Table data: a newly chosen CSV file (`source`: { file, name }) replaces the one held only
// when a build with it succeeds, so a bad file changes nothing.
import { flatWeights, withFlatWeights } from "../lib/flat-weights.js";
import { Slice, gridValues, pathDirections } from "../lib/landscape/slice.js";
import { featureMatrix, gridPoints } from "../lib/plane/features.js";
import { toConfig, unitLayers } from "../lib/plane/state.js";
import { PRESETS, isTable, plotGrid, prepareTable, tableKind, trainCount } from "../lib/plane/tables.js";

const GRID = 100;
const UNIT_GRID = 24;
const DRAWN_POINTS = 2000;  // per part at most: a large file's points would only hide the plot
const PATH_POINTS = 200;    // weights kept along the training path; past this, every other goes
const PROBE_ROWS = 1000;    // training rows per inspect: the gradients shown and dead units looked for in chunks

function concat(a, b) {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export class PlaygroundTrainer {
  #nn;
  #fetchPreset;
  #run = null;            // { net, epoch, diverged, batchSize, train, test, grid, unitGrid, unitZeros }
  #texts = new Map();     // dataset -> { name, text } of the preset or CSV file in use
  #parsed = null;         // the last parse: { text, label, standardize, data }
  #probe = null;          // { x1, x2, label }: the point every snapshot inspects

  /** nn: loadNN()'s module; fetchPreset(preset) -> Promise of a preset's CSV text (PRESETS). */
  constructor(nn, { fetchPreset }) {
    this.#nn = nn;
    this.#fetchPreset = fetchPreset;
  }

  core() {
    return { schema: this.#nn.schema, datasets: this.#nn.datasets.names(), threads: this.#nn.threads };
  }

  // The text of a table dataset: a newly chosen file, the CSV file or preset read before.
  async #text(dataset, source) {
    if (source) return { name: source.name, text: await source.file.text() };
    if (this.#texts.has(dataset)) return this.#texts.get(dataset);
    const preset = PRESETS[dataset];
    if (!preset) throw new Error("no CSV file is loaded: choose one with Load CSV, or drop it on the page");
    const entry = { name: preset.path.split("/").pop(), text: await this.#fetchPreset(preset) };
    this.#texts.set(dataset, entry);
    return entry;
  }

  // parseCSV's result for this text and label, reused while only the network or split changes.
  #parse(text, label, standardize) {
    const p = this.#parsed;
    if (p?.text !== text || p.label !== label || p.standardize !== standardize) {
      this.#parsed = null;  // free the old arrays before a large file's new ones
      this.#parsed = { text, label, standardize, data: this.#nn.datasets.parseCSV(text, { label, standardize }) };
    }
    return this.#parsed.data;
  }

  async describe({ dataset, source = null, label = "", standardize }) {
    const { name, text } = await this.#text(dataset, source);
    const data = this.#parse(text, label || PRESETS[dataset]?.label, standardize);
    return { table: { name, columns: data.header, features: data.columns.map((c) => c.name), label: data.label,
      classes: data.classes, kind: tableKind(data.classes), rows: data.n, inputs: data.inputs,
      outputs: data.outputs } };
  }

  #generated(state) {
    const all = this.#nn.datasets.make(state.dataset, { n: state.points, noise: state.noise, seed: state.dataSeed });
    // The generator already shuffled the points, so the first part is a random training set.
    const nTrain = trainCount(all.n, state.trainRatio);
    // Clicked points join the training set.
    const added = state.added;
    const train = {
      n: nTrain + added.length,
      points: concat(all.x.subarray(0, 2 * nTrain), added.flatMap((p) => [p[0], p[1]])),
      labels: concat(all.y.subarray(0, nTrain), added.map((p) => p[2])),
    };
    const test = { n: all.n - nTrain, points: all.x.slice(2 * nTrain), labels: all.y.slice(nTrain) };
    for (const part of [train, test]) {
      part.x = featureMatrix(part.points, part.n, state.features);
      part.y = part.labels;
    }
    const grid = (size) => featureMatrix(gridPoints(size), size * size, state.features);
    return { train, test, grid, dims: null, split: null };
  }

  async #table(state, source) {
    const { name, text } = await this.#text(state.dataset, source);
    const data = this.#parse(text, state.label, state.standardize);
    const split = prepareTable(data, state);
    return {
      train: split.train, test: split.test, grid: (size) => plotGrid(split, size),
      dims: { inputs: data.inputs, outputs: data.outputs },
      split: { plot: split.plot, labelRange: split.labelRange, trainRows: split.train.n, testRows: split.test.n },
      commit: () => { if (source) this.#texts.set(state.dataset, { name, text }); },
    };
  }

  async build({ state, source = null, weights = null, keepNetwork = false }) {
    const data = isTable(state.dataset) ? await this.#table(state, source) : this.#generated(state);
    const kept = keepNetwork ? this.#run : null;
    let net = kept?.net;
    if (!net) {
      net = this.#nn.createNetwork(toConfig(state, data.dims));
      try {
        if (weights) net.setWeights(weights);
        else if (state.weights) this.#setFlatWeights(net, state.weights);
      } catch (error) {
        net.delete();
        throw error;
      }
    }
    if (this.#run && this.#run.net !== net) this.#run.net.delete();
    data.commit?.();
    const { train, test } = data;
    this.#run = {
      net, epoch: kept?.epoch ?? 0, diverged: kept?.diverged ?? false, batchSize: state.batchSize, train, test,
      grid: data.grid(GRID), unitGrid: data.grid(UNIT_GRID),
      unitZeros: new Float32Array(UNIT_GRID * UNIT_GRID * net.outputs),
      config: toConfig(state, data.dims), features: isTable(state.dataset) ? null : state.features,
      hidden: state.hidden, layers: unitLayers(state), flow: [], path: kept?.path ?? { every: 1, points: [flatWeights(net.getWeights())] },
    };
    // Copies: the reply's buffers are transferred, and training keeps using these.
    const drawn = (part) => {
      const n = Math.min(part.n, DRAWN_POINTS);
      return { x: part.points.slice(0, 2 * n), y: part.labels.slice(0, n) };
    };
    return { points: { train: drawn(train), test: drawn(test) }, split: data.split, snapshot: this.#snapshot() };
  }

  #setFlatWeights(net, flat) {
    const template = net.getWeights();
    const count = template.reduce((sum, w) => sum + w.data.length, 0);
    if (flat.length !== count) {
      throw new Error(`the weights do not fit this network: it has ${count} parameters, got ${flat.length}`);
    }
    net.setWeights(withFlatWeights(template, flat));
  }

  // The network of the last build; every request but build needs one.
  get #live() {
    if (!this.#run) throw new Error("no network yet: build one first");
    return this.#run;
  }

  train({ epochs, budgetMs }) {
    const run = this.#live;
    if (!run.diverged) {
      const start = performance.now();
      let epoch = run.epoch;
      const history = run.net.fit({ x: run.train.x, y: run.train.y, n: run.train.n, epochs, shuffle: true,
        batchSize: run.batchSize, layerStats: true, onEpoch: (entry) => {
          if (entry.diverged) return false;
          epoch++;
          const dense = entry.layers.filter((l) => run.layers.some((u) => u.dense === l.layer));
          run.flow.push({ epoch, layers: dense.map((l) => l.meanAbsGradient),
            updates: dense.map((l) => l.meanAbsUpdate) });
          this.#record(run, epoch);
          return performance.now() - start < budgetMs;
        } });
      run.diverged = Boolean(history.at(-1)?.diverged);
      run.epoch = epoch;
    }
    return { snapshot: this.#snapshot() };
  }

  // Keeps the weights every `every` epochs; a full path keeps every other point, twice as far apart.
  #record(run, epoch) {
    const path = run.path;
    if (epoch % path.every !== 0) return;
    path.points.push(flatWeights(run.net.getWeights()));
    if (path.points.length > PATH_POINTS) {
      path.points = path.points.filter((_, i) => i % 2 === 0);
      path.every *= 2;
    }
  }

  // The features of a point of the plane, for generated data.
  #pointInput(run, { x1, x2, label }) {
    if (!run.features) throw new Error("a point of the plane can be inspected on generated data only, not on a table");
    if (![x1, x2, label].every(Number.isFinite)) throw new Error(`inspect: expected finite x1, x2 and label, got ${x1}, ${x2}, ${label}`);
    return { x: featureMatrix(new Float32Array([x1, x2]), 1, run.features), y: new Float32Array([label]) };
  }

  inspect(point) {
    const run = this.#live;
    const { x, y } = this.#pointInput(run, point);
    const { loss, layers } = run.net.inspect(x, y, 1);
    const update = new Map(run.net.previewUpdate(x, y, 1).layers.map((u) => [u.layer, u]));
    return { loss, inputs: x, point: { ...point }, layers: unitView(run, layers).map(({ layer, ...unit }) =>
      ({ ...unit, updateW: update.get(layer).updateW, updateB: update.get(layer).updateB })) };
  }

  probe({ point }) {
    if (point && this.#run) this.#pointInput(this.#run, point);  // a bad point fails here, not in every snapshot
    this.#probe = point ? { x1: point.x1, x2: point.x2, label: point.label } : null;
    return { snapshot: this.#snapshot() };
  }

  setWeight({ layer, from, to, value }) {
    const run = this.#live;
    const weights = run.net.getWeights();
    const dense = denseWeights(weights);  // the same objects: an edit here is one in weights
    const kernel = dense[2 * layer], bias = dense[2 * layer + 1];
    if (!kernel || !Number.isInteger(to) || to < 0 || to >= bias.data.length) {
      throw new Error(`setWeight: there is no unit ${to} in layer ${layer}`);
    }
    if (!Number.isFinite(value) || Math.abs(value) > 1e6) {
      throw new Error(`weight: expected a number in [-1000000, 1000000], got ${value}`);
    }
    if (from === -1) bias.data[to] = value;
    else if (Number.isInteger(from) && from >= 0 && from < kernel.shape[0]) kernel.data[from * kernel.shape[1] + to] = value;
    else throw new Error(`setWeight: there is no input ${from} to layer ${layer}`);
    run.net.setWeights(weights);
    return { snapshot: this.#snapshot() };
  }

  /**
   * The training loss on the plane through the weights now along the path's two principal
   * directions, over a size x size grid (row 0 at the top: β largest) wide enough for the path.
   */
  landscape({ size = 31 }) {
    const run = this.#live;
    const template = run.net.getWeights();
    const now = flatWeights(template);
    // Batch norm's moving statistics are no trained parameters: the plane holds them at their
    // values now (and a variance never goes below zero).
    const held = heldParameters(template);
    const path = run.path.points.map((p) => (held.length ? p.map((v, i) => (held[i] ? now[i] : v)) : p));
    if (path.length === 0 || path.at(-1).some((v, i) => v !== now[i])) path.push(now);
    const directions = pathDirections(path);
    if (!directions) throw new Error("the training path is too short for a landscape: train a few epochs first");
    const slice = new Slice(template, ...directions);
    const points = path.map((p) => slice.project(withFlatWeights(template, p)));
    const span = 1.25 * Math.max(...points.flat().map(Math.abs));
    const values = gridValues(size, span);
    const probe = this.#nn.createNetwork(run.config);
    const loss = new Float64Array(size * size);
    try {
      for (let row = 0; row < size; row++) {
        for (let column = 0; column < size; column++) {
          probe.setWeights(slice.weightsAt(values[column], values[size - 1 - row]));
          loss[row * size + column] = probe.evaluate(run.train.x, run.train.y, run.train.n).loss;
        }
      }
    } finally {
      probe.delete();
    }
    return { loss, size, span, path: points, epochs: path.length };
  }

  tune({ lr, batchSize }) {
    const run = this.#live;
    run.net.setLearningRate(lr);
    run.batchSize = batchSize;
    return {};
  }

  exportModel({ format }) {
    const { net } = this.#live;
    return { model: format === "tfjs" ? net.toTFJS() : net.toJSON() };
  }

  memory() {
    return this.#nn.memory();
  }

  #snapshot() {
    const run = this.#run;
    const { net, train, test, unitGrid, unitZeros, epoch, diverged } = run;
    const trainMetrics = net.evaluate(train.x, train.y, train.n);
    const testMetrics = net.evaluate(test.x, test.y, test.n);
    const cells = UNIT_GRID * UNIT_GRID;
    const layers = unitView(run, net.inspect(unitGrid, unitZeros, cells).layers);
    const parameters = net.getWeights();
    return {
      diverged,
      metrics: {
        epoch, step: net.steps, lr: net.learningRate,
        trainLoss: trainMetrics.loss, testLoss: testMetrics.loss,
        trainAccuracy: trainMetrics.accuracy, testAccuracy: testMetrics.accuracy,
      },
      gridSize: GRID,
      output: net.predict(this.#run.grid, GRID * GRID),
      unitGridSize: UNIT_GRID,
      // Row-major cells x units for the inputs, then each layer's activations.
      units: [unitGrid.slice(), ...layers.map((layer) => layer.a)],
      weights: denseWeights(parameters).map(({ shape, data }) => ({ shape, data })),
      parameters,
      flow: run.flow.splice(0),
      gradients: trainingGradients(run),
      dead: deadUnits(run),
      probe: this.#probe && run.features ? this.inspect(this.#probe) : null,
    };
  }
}

// The kernels and biases of the dense layers, in order (not batch norm's tensors).
const denseWeights = (weights) => weights.filter((w) => w.name.startsWith("dense_"));

// Per flat parameter (getWeights() order), whether it is batch norm's moving statistics; [] if
// the network has none.
function heldParameters(weights) {
  const held = weights.map((w) => /\/moving_(mean|variance)$/.test(w.name));
  if (!held.includes(true)) return [];
  return weights.flatMap((w, i) => Array(w.data.length).fill(held[i]));
}

// inspect's layers (one per config layer with weights) as the playground's layers: the dense
// layer's entry, its output a taken after its batch norm, if it has one, and that batch norm's
// z and dz as norm. Each keeps `layer`, the dense layer's index in the config.
function unitView(run, inspected) {
  const byLayer = new Map(inspected.map((entry) => [entry.layer, entry]));
  return run.layers.map(({ dense, output }) => {
    const { layer, z, a, dz, dW, db } = byLayer.get(dense);
    const norm = output === dense ? null : byLayer.get(output);
    return { layer, z, a: norm ? norm.a : a, dz, dW, db, norm: norm && { z: norm.z, dz: norm.dz } };
  });
}

// The loss gradient of every weight over the training set ([{ dW, db }] per layer); a large
// table's first PROBE_ROWS rows (its rows are shuffled), so a snapshot stays small.
function trainingGradients(run) {
  const { net, train } = run;
  if (train.n === 0) return [];
  const n = Math.min(train.n, PROBE_ROWS), inputs = train.x.length / train.n, outputs = train.y.length / train.n;
  return unitView(run, net.inspect(train.x.subarray(0, n * inputs), train.y.subarray(0, n * outputs), n).layers)
    .map(({ dW, db }) => ({ dW, db }));
}

// Per hidden layer, the ReLU units whose output is 0 on every training point: they pass no
// gradient, so nothing brings them back. Looked for PROBE_ROWS rows at a time.
function deadUnits({ net, train, hidden, layers }) {
  const active = hidden.map(({ units, activation }) => (activation === "relu" ? new Uint8Array(units) : null));
  if (train.n === 0 || active.every((a) => a === null)) return hidden.map(() => []);
  const inputs = train.x.length / train.n;
  for (let start = 0; start < train.n; start += PROBE_ROWS) {
    const n = Math.min(PROBE_ROWS, train.n - start);
    const outputs = net.activations(train.x.subarray(start * inputs, (start + n) * inputs), n);
    active.forEach((seen, k) => {
      if (!seen) return;
      const a = outputs[layers[k].output].data, units = seen.length;
      for (let i = 0; i < a.length; i++) if (a[i] > 0) seen[i % units] = 1;
    });
  }
  return active.map((seen) => (seen ? [...seen.keys()].filter((j) => !seen[j]) : []));
}
