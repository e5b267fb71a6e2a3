// Lesson 001's session: tutorial 001's two-layer network (ReLU hidden layer, sigmoid output,
// binary cross-entropy) on the Wisconsin breast cancer data, trained by full-batch gradient
// descent; then a slice of its loss landscape around the trained weights, and gradient-descent
// paths on that slice with and without momentum and learning-rate annealing. The core computes
// every loss: the landscape by setting a probe network's weights to each grid point and
// evaluating it, the paths by the core's own optimizer steps (projected back onto the slice
// after each). No DOM.
//
// Its networks and the jobs that use them:
//   the trained network: the "training" job; replaced by retrain, which stops every job first;
//   the probe: the "landscape" job only, for the page's lifetime;
//   a walker per path: its own "path" job, which deletes it when it ends.
// The slice holds plain numbers (a copy of the trained weights), never a network.
import { PRESETS, prepareTable } from "../../lib/plane/tables.js";
import { FieldError, namedFields, readInteger, readNumber } from "../fields.js";
import { denseLayers, playgroundRules, playgroundState } from "../networks.js";
import { LessonSession } from "../session.js";
import { Slice, gridValues, randomDirection, unitDirection } from "../../lib/landscape/slice.js";
import { parameterMenus } from "./parameters.js";

export const PRESET = PRESETS["breast-cancer"];
const HIDDEN_UNITS = 15;
const TRAIN_LR = 0.1;
const ITERATIONS_PER_FRAME = 10;
export const GRID = 31;          // odd: the trained weights are a grid point
const FRAME_MS = 14;             // landscape work per animation frame at most
const PATH_STEPS_PER_FRAME = 4;
const MOMENTUM = 0.9;
const ANNEALING = 0.96;          // the rate is multiplied by this after every step
const MAX_PATHS = 4;
const PATH_COLORS = ["#ffffff", "#ff4fa3", "#ff9f1c", "#00d5ff"];
const FIELDS = namedFields({ iterations: "Iterations", kind: "Directions", span: "Span ±", a: "Across (α)",
  b: "Up (β)", lr: "Learning rate", steps: "Steps" });
const KINDS = ["random", "weights"];

/**
 * The snapshot:
 *   data: { n, inputs, classes, malignant }; link: the playground's hash for this preset;
 *   training: { run, iterations, iteration, trainLoss, testLoss, testAccuracy, curve:
 *   [[iteration, trainLoss, testLoss], ...], running, test: { n, malignant, caught,
 *   falseAlarms } once trained };
 *   slice: the slice's settings { kind, span, a, b, directionSeed } (a, b: flat indices);
 *   menus: parameterMenus() of the network, once one is trained;
 *   landscape: { id, kind, span, a, b, directionSeed, loss (GRID x GRID, row 0 at the top, NaN
 *   not yet computed), cells (computed), done } or null; pathsReady: a path can run now;
 *   paths: [{ id, color, label, points: [[α, β], ...], losses, steps, diverged, done,
 *   finalLoss }]; start: the next path's start, a fraction [-1, 1] of the span on each axis;
 *   pathOptions: the texts of { lr, steps } and the booleans { momentum, annealing }.
 */
const INITIAL = {
  data: null, link: "", training: null, slice: { kind: "random", span: 1, a: 0, b: 0, directionSeed: 1 },
  menus: null, landscape: null, pathsReady: false, paths: [], start: [-0.8, 0.8],
  pathOptions: { lr: "3", steps: "100", momentum: false, annealing: false },
};

export class BreastCancerSession extends LessonSession {
  #nn;
  #train = null;
  #test = null;
  #config = null;
  #columns = [];     // the input columns' names
  #probe = null;
  #net = null;
  #trained = false;  // the network's training finished: a slice can be built around it
  #slice = null;     // the Slice of the landscape shown, null while the network trains
  #ids = 0;          // of landscapes and paths

  constructor(nn, { nextFrame }) {
    super(INITIAL, { nextFrame });
    this.#nn = nn;
  }

  /** Reads the data set (the preset's CSV text) and makes the networks' shared parts. */
  open(csvText) {
    return this.command(() => {
      if (this.#probe) throw new Error("this lesson's data is open already");
      const table = this.#nn.datasets.parseCSV(csvText, { label: PRESET.label, standardize: true });
      const columns = table.columns.map((c) => c.name);
      ({ train: this.#train, test: this.#test } = prepareTable(table, { trainRatio: PRESET.state.trainRatio,
        dataSeed: 1, plotX: columns[0], plotY: "" }));
      this.#config = {
        input: [table.inputs], layers: denseLayers([[HIDDEN_UNITS, "relu"], [1, "sigmoid"]]), loss: "bce",
        optimizer: { type: "sgd", lr: TRAIN_LR, momentum: 0 }, init: "he", seed: 1, batchSize: this.#train.n,
      };
      this.#probe = this.#nn.createNetwork(this.#config);
      this.#columns = columns;
      const rules = playgroundRules(this.#nn);
      this.publish({
        data: { n: table.n, inputs: table.inputs, classes: table.classes, malignant: table.y.reduce((sum, v) => sum + v, 0) },
        link: rules.encode(playgroundState(rules, { dataset: "breast-cancer" })),
      });
    });
  }

  // ---- 1. training the network: full-batch gradient descent

  /** A fresh network trained anew (text of iterations); a bad field changes nothing. */
  retrain({ iterations }) {
    return this.command(async () => {
      if (!this.#probe) return;
      const count = readInteger(iterations, FIELDS.iterations, 1, 5000);
      this.accept();
      await this.stopJobs("training", "landscape", "path");
      this.#net?.delete();
      const net = this.#net = this.#nn.createNetwork(this.#config);
      this.#trained = false;
      this.#slice = null;
      const run = (this.snapshot.training?.run ?? 0) + 1;
      this.publish({ pathsReady: false,
        training: { run, iterations: count, running: true, test: null, ...this.#measure(net, 0, []) } });
      this.startJob("training", () => this.#trainFrame(net)).then((end) => {
        if (end === "finished") this.command(() => this.#afterTraining(net));
        // Failed (its error is shown): Train again may try anew. Stopped: a retrain took over.
        if (end === "failed" && net === this.#net) this.publish({ training: { ...this.snapshot.training, running: false } });
      });
    });
  }

  #trainFrame(net) {
    const { training } = this.snapshot;
    let { iteration } = training;
    for (let k = 0; k < ITERATIONS_PER_FRAME && iteration < training.iterations; k++, iteration++) {
      net.trainBatch(this.#train.x, this.#train.y, this.#train.n);
    }
    const running = iteration < training.iterations;
    this.publish({ training: { ...training, running, ...this.#measure(net, iteration, training.curve) } });
    return running;
  }

  #measure(net, iteration, curve) {
    const train = net.evaluate(this.#train.x, this.#train.y, this.#train.n);
    const test = net.evaluate(this.#test.x, this.#test.y, this.#test.n);
    return { iteration, trainLoss: train.loss, testLoss: test.loss, testAccuracy: test.accuracy,
      curve: [...curve, [iteration, train.loss, test.loss]] };
  }

  // The trained network (if still the current one): its test results, then its landscape.
  async #afterTraining(net) {
    if (net !== this.#net) return;
    this.#trained = true;
    const { x, y, n } = this.#test;
    const out = net.predict(x, n);
    const test = { n, malignant: 0, caught: 0, falseAlarms: 0 };
    for (let i = 0; i < n; i++) {
      const sick = y[i] === 1, flagged = out[i] >= 0.5;
      test.malignant += sick;
      test.caught += sick && flagged;
      test.falseAlarms += !sick && flagged;
    }
    this.publish({ training: { ...this.snapshot.training, test } });
    if (!this.snapshot.menus) {
      const menus = parameterMenus(net.getWeights(), this.#columns);
      const [a, b] = menus.largest;
      this.publish({ menus, slice: { ...this.snapshot.slice, a, b } });
    }
    await this.#buildSlice();
  }

  // ---- 2. the slice and its loss over the grid

  /**
   * Changes the slice (texts of any of kind, span, a, b); builds it at once around a trained
   * network, or once the network is trained.
   */
  setSlice(changes) {
    return this.command(async () => {
      const slice = { ...this.snapshot.slice };
      if ("kind" in changes) {
        if (!KINDS.includes(changes.kind)) throw new FieldError(FIELDS.kind, `expected one of ${KINDS.join(", ")}`);
        slice.kind = changes.kind;
      }
      if ("span" in changes) {
        slice.span = readNumber(changes.span, FIELDS.span);
        if (slice.span <= 0) throw new FieldError(FIELDS.span, `expected a positive number, got ${slice.span}`);
      }
      for (const key of ["a", "b"]) {
        if (key in changes && this.snapshot.menus) slice[key] = readInteger(changes[key], FIELDS[key], 0, this.snapshot.menus.count - 1);
      }
      this.accept();
      this.publish({ slice });
      await this.#buildSlice();
    });
  }

  /** Two new random directions. */
  newDirections() {
    return this.command(async () => {
      const { slice } = this.snapshot;
      this.publish({ slice: { ...slice, directionSeed: slice.directionSeed + 1 } });
      await this.#buildSlice();
    });
  }

  // The slice of the settings around the trained network, its grid computed anew.
  async #buildSlice() {
    if (!this.#trained) return;
    const { kind, span, a, b, directionSeed } = this.snapshot.slice;
    if (kind === "weights" && a === b) throw new Error("Choose two different weights for the slice.");
    await this.stopJobs("landscape", "path");
    const template = this.#net.getWeights();
    const size = this.snapshot.menus.count;
    this.#slice = kind === "random" ?
      new Slice(template, randomDirection(template, 2 * directionSeed - 1), randomDirection(template, 2 * directionSeed)) :
      new Slice(template, unitDirection(size, a), unitDirection(size, b));
    const landscape = { id: ++this.#ids, kind, span, a, b, directionSeed, cells: 0, done: false,
      loss: new Float64Array(GRID * GRID).fill(NaN) };
    this.publish({ landscape, paths: [], pathsReady: false });
    this.startJob("landscape", this.#landscapeWork(this.#slice, landscape)).then((end) => {
      if (end === "finished") this.command(() => this.#afterLandscape(landscape.id));
    });
  }

  // Evaluates grid points for at most FRAME_MS a frame.
  #landscapeWork(slice, landscape) {
    const values = gridValues(GRID, landscape.span);
    const loss = new Float64Array(GRID * GRID).fill(NaN);
    let cell = 0;
    return () => {
      const began = performance.now();
      while (cell < GRID * GRID && performance.now() - began < FRAME_MS) {
        const row = Math.floor(cell / GRID), column = cell % GRID;
        this.#probe.setWeights(slice.weightsAt(values[column], values[GRID - 1 - row]));  // row 0 at the top
        loss[cell] = this.#probe.evaluate(this.#train.x, this.#train.y, this.#train.n).loss;
        cell++;
      }
      const done = cell === GRID * GRID;
      this.publish({ landscape: { ...landscape, loss: Float64Array.from(loss), cells: cell, done } });
      return !done;
    };
  }

  // Paths can run on the finished landscape; the first one runs by itself.
  async #afterLandscape(id) {
    if (this.snapshot.landscape?.id !== id) return;
    this.publish({ pathsReady: true });
    if (this.snapshot.paths.length === 0) await this.#runPath();
  }

  // ---- 3. optimizer paths on the slice

  /** The next path's options: texts of lr and steps, booleans momentum and annealing. */
  setPathOptions(changes) {
    return this.command(() => this.publish({ pathOptions: { ...this.snapshot.pathOptions, ...changes } }));
  }

  /** Moves the next path's start to `fraction` of the span on each axis (clamped to [-1, 1]). */
  moveStart(fraction) {
    return this.command(() => {
      const start = fraction.map((f) => Math.max(-1, Math.min(1, Number(f) || 0)));
      this.publish({ start });
    });
  }

  /** Moves the start by `delta` (fractions of the span). */
  nudgeStart(delta) {
    return this.command(() => this.publish({ start: this.snapshot.start.map((f, k) => Math.max(-1, Math.min(1, f + (Number(delta[k]) || 0)))) }));
  }

  /** Runs gradient descent on the slice from the start (only once its landscape is done). */
  runPath() {
    return this.command(() => this.#runPath());
  }

  async #runPath() {
    if (!this.snapshot.pathsReady) return;
    const options = this.snapshot.pathOptions;
    const steps = readInteger(options.steps, FIELDS.steps, 1, 1000);
    const lr = readNumber(options.lr, FIELDS.lr);
    this.accept();
    await this.stopJobs("path");
    const { momentum, annealing } = options;
    const slice = this.#slice;
    const span = this.snapshot.landscape.span;
    let [alpha, beta] = this.snapshot.start.map((f) => f * span);
    const walker = this.#nn.createNetwork({ ...this.#config, optimizer: { type: "sgd", lr, momentum: momentum ? MOMENTUM : 0 } });
    try {
      walker.setWeights(slice.weightsAt(alpha, beta));
    } catch (error) {
      walker.delete();
      throw error;
    }
    const paths = [...this.snapshot.paths];
    const used = new Set(paths.map((p) => p.color));
    if (paths.length >= MAX_PATHS) paths.shift();
    let path = {
      id: ++this.#ids, color: PATH_COLORS.find((c) => !used.has(c)) ?? PATH_COLORS[0], points: [[alpha, beta]],
      losses: [], steps, diverged: false, done: false, finalLoss: NaN,
      label: `rate ${lr}${momentum ? ", momentum" : ""}${annealing ? ", annealing" : ""}${!momentum && !annealing ? ", plain" : ""}`,
    };
    this.publish({ paths: [...paths, path] });
    let step = 0;
    const walk = () => {
      const points = [], losses = [];
      for (let k = 0; k < PATH_STEPS_PER_FRAME && step < steps; k++, step++) {
        if (annealing) walker.setLearningRate(lr * ANNEALING ** step);
        const loss = walker.trainBatch(this.#train.x, this.#train.y, this.#train.n);
        if (!Number.isFinite(loss)) {
          path = { ...path, diverged: true };
          break;
        }
        losses.push(loss);
        [alpha, beta] = slice.project(walker.getWeights());
        walker.setWeights(slice.weightsAt(alpha, beta));
        points.push([alpha, beta]);
      }
      path = { ...path, points: [...path.points, ...points], losses: [...path.losses, ...losses] };
      this.#replacePath(path);
      return step < steps && !path.diverged;
    };
    // The walker is this path's alone: no command can delete it, so its end may use it.
    this.startJob("path", walk).then(() => {
      try {
        path = { ...path, done: true, finalLoss: walker.evaluate(this.#train.x, this.#train.y, this.#train.n).loss };
      } finally {
        walker.delete();
      }
      this.#replacePath(path);
    });
  }

  // The path with this one's id, updated (a cleared or dropped path stays away).
  #replacePath(path) {
    const { paths } = this.snapshot;
    if (paths.some((p) => p.id === path.id)) this.publish({ paths: paths.map((p) => (p.id === path.id ? path : p)) });
  }

  /** Stops the running path and removes every path. */
  clearPaths() {
    return this.command(async () => {
      await this.stopJobs("path");
      this.publish({ paths: [] });
    });
  }
}
