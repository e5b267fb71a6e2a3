// nnplay's JavaScript API (docs/API.md): one ES module for Node >= 20, pages and module Workers.
//
//   import { loadNN } from "nnplay";
//   const nn = await loadNN();
//   const net = nn.createNetwork(config);
//
// Arrays are row-major: x is n x inputs, y is n x outputs, predictions n x outputs.
import createNNModule from "../build/nnplay_wasm.js";
import { fromTFJS, toTFJS } from "./tfjs.js";

// Two builds of the core: one thread, and pthreads over shared memory (threads need
// SharedArrayBuffer: Node, or a cross-origin isolated page). "?no-inline" keeps bundlers (Vite)
// from inlining the small pthread worker script as a data: URL, which a Worker cannot run here;
// static servers ignore the query.
const builds = {
  single: { wasm: new URL("../build/nnplay_wasm.wasm", import.meta.url) },
  threads: {
    wasm: new URL("../build/nnplay_wasm_mt.wasm", import.meta.url),
    worker: new URL("../build/nnplay_wasm_mt.worker.js?no-inline", import.meta.url),
    script: new URL("../build/nnplay_wasm_mt.js", import.meta.url),
  },
};
const isNode = typeof process === "object" && typeof process.versions?.node === "string" &&
  typeof window === "undefined" && typeof importScripts === "undefined";
const MAX_THREADS = 16;  // core/parallel.h kMaxThreads

const modules = new Map();  // one module per realm and thread count
let frozenSchema = null;  // nn.schema, built once per realm like the module

// A computed specifier keeps browser bundlers from trying to resolve a Node built-in.
const nodeImport = (name) => import(/* @vite-ignore */ /* webpackIgnore: true */ `node:${name}`);

async function cores() {
  if (isNode) return (await nodeImport("os")).availableParallelism();
  return globalThis.navigator?.hardwareConcurrency ?? 1;
}

function threadsPossible() {
  return typeof SharedArrayBuffer === "function" && (isNode || globalThis.crossOriginIsolated === true);
}

// One thread is the single-thread build everywhere (no idle pool worker; what a page preloads for
// its main thread); more threads, where possible, the threaded build with a pool of threads - 1.
async function loadModule(threads) {
  const build = threads > 1 ? builds.threads : builds.single;
  // The URLs themselves, not siblings: bundlers rename the files (nnplay_wasm-<hash>.wasm).
  const options = { locateFile: (name) => (name.endsWith(".worker.js") ? build.worker : build.wasm).href };
  if (isNode) {
    // The modules are built for web and worker; in Node they get their bytes here.
    options.wasmBinary = await (await nodeImport("fs/promises")).readFile(build.wasm);
  }
  if (build === builds.single) return createNNModule(options);
  // threads - 1 pool workers, but at least one: Emscripten 3.1.6 waits for the pool's workers to
  // load before it finishes starting, and with none it would wait forever. A spare stays idle.
  options.nnplayWorkers = Math.max(1, threads - 1);
  options.mainScriptUrlOrBlob = build.script.href;
  const { default: create } = await import(build.script.href);
  if (!isNode) return create(options);
  // Node has no Web Worker: the module makes its pool of workers while create() runs, each a
  // worker_threads thread running the worker script (node-pthread-worker.js).
  const { Worker: ThreadWorker } = await nodeImport("worker_threads");
  const shim = new URL(/* @vite-ignore */ "./node-pthread-worker.js", import.meta.url);
  const threadsStarted = [];
  class PthreadWorker {
    constructor(url) {
      this.thread = new ThreadWorker(shim, { workerData: String(url) });
      this.thread.on("message", (data) => this.onmessage?.({ data }));
      this.thread.on("error", (error) => this.onerror?.(error));
      threadsStarted.push(this.thread);
    }
    postMessage(message, transfer) { this.thread.postMessage(message, transfer); }
    terminate() { this.thread.terminate(); }
  }
  const saved = Object.getOwnPropertyDescriptor(globalThis, "Worker");
  globalThis.Worker = PthreadWorker;
  let ready;
  try {
    ready = create(options);
  } finally {
    if (saved) Object.defineProperty(globalThis, "Worker", saved);
    else delete globalThis.Worker;
  }
  try {
    return await ready;  // the pool's threads keep Node running until they have loaded
  } finally {
    for (const thread of threadsStarted) thread.unref();  // idle pool threads never keep Node running
  }
}

/**
 * Loads the WebAssembly module and returns the API. threads: how many threads the core may use
 * (default: every core, up to 8, where threads are possible — Node, or a cross-origin isolated
 * page — else 1); nn.threads says how many it uses. Same results, bit for bit, for any number.
 */
export async function loadNN({ threads } = {}) {
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
    throw new Error(`threads: expected an integer in [1, ${MAX_THREADS}], got ${String(threads).slice(0, 40)}`);
  }
  const count = threadsPossible() ? (threads ?? Math.min(8, await cores())) : 1;
  if (!modules.has(count)) {
    modules.set(count, loadModule(count).then((module) => {
      if (count > 1) module.setThreads(count);
      return module;
    }).catch((error) => {
      modules.delete(count);
      throw new Error(`nnplay: could not load the WebAssembly module (${error.message})`);
    }));
  }
  return new NN(await modules.get(count));
}

// Bindings return a JS Error object instead of throwing through WebAssembly; throw it here.
function check(result) {
  if (result instanceof Error) throw new Error(result.message);
  return result;
}

function deepFreeze(value) {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function positiveInteger(value, name) {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name}: expected a positive integer, got ${String(value).slice(0, 40)}`);
  }
  return value;
}

function boolean(value, name) {
  if (typeof value !== "boolean") {
    throw new Error(`${name}: expected true or false, got ${String(value).slice(0, 40)}`);
  }
  return value;
}

function floatArray(values, name, expectedLength) {
  if (!(values instanceof Float32Array || values instanceof Float64Array || Array.isArray(values))) {
    throw new Error(`${name}: expected a Float32Array or an array of numbers`);
  }
  if (values.length !== expectedLength) {
    throw new Error(`${name}: expected ${expectedLength} values, got ${values.length}`);
  }
  return values;
}

// Copies the arrays into WASM memory; returns their pointers (none left allocated if it throws).
function copyIn(module, arrays) {
  const pointers = [];
  try {
    for (const array of arrays) {
      const pointer = module.allocFloats(array.length);
      if (!pointer) throw new Error("out of memory: the data is too large for this page");
      pointers.push(pointer);
      module.floatView(pointer, array.length).set(array);
    }
  } catch (error) {
    for (const pointer of pointers) module.freeFloats(pointer);
    throw error;
  }
  return pointers;
}

// Copies the arrays into WASM memory for the duration of fn(pointers...).
function withFloats(module, arrays, fn) {
  const pointers = copyIn(module, arrays);
  try {
    return fn(...pointers);
  } finally {
    for (const pointer of pointers) module.freeFloats(pointer);
  }
}

class NN {
  #module;

  constructor(module) {
    this.#module = module;
    this.datasets = {
      names: () => Array.from(module.datasetNames()),
      make: (name, { n = 200, noise = 0, seed = 1 } = {}) => {
        const data = check(module.makeDataset(String(name), positiveInteger(n, "n"),
          Number(noise), Number(seed)));
        return { x: data.x, y: data.y, n: data.n, inputs: data.inputs, outputs: data.outputs };
      },
      /**
       * Parses CSV text with a header row:
       * { x, y, n, inputs, outputs, classes, columns, label, header }.
       * label: column name or 0-based index (default: the last column whose value in the first
       * data row is not a number, else the last column). Text labels (or only 0/1) are classes —
       * two classes give one 0/1 output, more are one-hot — other numbers are regression
       * targets. standardize: scale each feature to mean 0, deviation 1 (columns[i] has the
       * mean and scale used). header: every column name in file order, the label's included.
       * Errors name the line and column.
       */
      parseCSV: (text, { label, standardize = false } = {}) => {
        if (typeof text !== "string") throw new Error("csv: expected the file's text as a string");
        if (label !== undefined && !(typeof label === "string" ||
            (Number.isInteger(label) && label >= 0))) {
          throw new Error("label: expected a column name or a 0-based column index");
        }
        const data = check(module.parseCsv(text, typeof label === "string" ? label : "",
          Number.isInteger(label) ? label : -1, Boolean(standardize)));
        return { ...data, header: Array.from(data.header), classes: Array.from(data.classes),
          columns: Array.from(data.columns) };
      },
      /**
       * Random distortions of digit images (core/augment.h: shifts, rotations, scales, slants,
       * stroke widths), the ones the pretrained CNN saw in training. Images are height x width,
       * one channel, ink bright on 0. See DigitAugmenter.
       */
      digitAugmenter: ({ seed = 1, height = 28, width = 28 } = {}) => {
        positiveInteger(height, "height");
        positiveInteger(width, "width");
        const handle = check(module.makeDigitAugmenter(Number(seed), height, width));
        return new DigitAugmenter(module, handle, height, width);
      },
    };
  }

  /**
   * What createNetwork accepts, made by the core from the descriptors it validates with (see
   * configSchema in core/config.h): each layer type's and optimizer's fields as
   * { type: "integer" | "number", min, max, default? } or { type: "choice", values, default? }
   * (no default: required), the name lists, lossOutput, input and limits. Deep-frozen; the same
   * object on every access.
   */
  get schema() {
    frozenSchema ??= deepFreeze(JSON.parse(check(this.#module.configSchema())));
    return frozenSchema;
  }

  /** How many threads the core uses: 1, or the threads loadNN gave it. */
  get threads() {
    return this.#module.threadCount();
  }

  /** { heapBytes, inUseBytes }: the WebAssembly memory and how much of it is allocated. */
  memory() {
    return this.#module.memory();
  }

  /**
   * on = true: from now on (from zero), times every job the core runs over its threads, summed
   * by the place in the core that runs it; false stops. One profile per module: every nn with
   * the same number of threads shares it.
   */
  profileJobs(on) {
    this.#module.setJobProfiling(boolean(on, "on"));
  }

  /** The job profile so far: one JobStats per place in the core, in the order first timed. */
  jobProfile() {
    return Array.from(this.#module.jobProfile());
  }

  /**
   * Copies n samples (x: n * inputs values, y: n * outputs) into WebAssembly memory once, for
   * fit({ data }) calls that train on them again and again. Each fit({ x, y, n }) copies its
   * arrays in: on the threaded build, whose memory is shared (and copied into about 2.7 times
   * slower), 418-465 us of every fit over 1024 MNIST digits, on one thread. Later changes to
   * x and y do not reach the copy. Free it with delete(); it works with this nn's networks only.
   */
  upload({ x, y, n } = {}) {
    positiveInteger(n, "n");
    floatArray(x, "x", x?.length);
    floatArray(y, "y", y?.length);
    for (const [values, name, what] of [[x, "x", "inputs"], [y, "y", "outputs"]]) {
      if (values.length === 0 || values.length % n !== 0) {
        throw new Error(`${name}: expected n × ${what} values (the same number for each of the ${n} samples), got ${values.length}`);
      }
    }
    return new Uploaded(this.#module, x, y, n);
  }

  /** Builds a network from a config object (docs/API.md); throws an Error naming a bad field. */
  createNetwork(config) {
    if (typeof config !== "object" || config === null) {
      throw new Error("config: expected an object");
    }
    return new Network(this.#module, check(this.#module.createNetwork(JSON.stringify(config))));
  }

  /** Rebuilds a network saved with net.toJSON(): same config, same weights, same predictions. */
  fromJSON(model) {
    const text = typeof model === "string" ? model : JSON.stringify(model);
    return new Network(this.#module, check(this.#module.networkFromJSON(text)));
  }

  /**
   * Builds a network from TF.js Layers artifacts ({modelTopology, weightSpecs, weightData}) of a
   * Sequential model made of Dense, Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Dropout,
   * LeakyReLU and BatchNormalization layers (an Activation layer right after a
   * BatchNormalization becomes that batchnorm's activation).
   */
  fromTFJS(artifacts) {
    const { config, weights } = fromTFJS(artifacts);
    const net = this.createNetwork(config);
    try {
      net.setWeights(weights);
    } catch (error) {
      net.delete();
      throw error;
    }
    return net;
  }
}

class Network {
  #module;
  #handle;

  constructor(module, handle) {
    this.#module = module;
    this.#handle = handle;
    this.inputs = handle.inputSize();
    this.outputs = handle.outputSize();
  }

  get #live() {
    if (!this.#handle) throw new Error("this network was deleted");
    return this.#handle;
  }

  #withData(arrays, fn) {
    return withFloats(this.#module, arrays, fn);
  }

  #xy(x, y, n) {
    positiveInteger(n, "n");
    return [floatArray(x, "x", n * this.inputs), floatArray(y, "y", n * this.outputs)];
  }

  get config() { return JSON.parse(check(this.#live.config())); }
  get steps() { return this.#live.steps(); }
  /** The learning rate the next optimizer step uses: the config's schedule at step `steps`. */
  get learningRate() { return this.#live.learningRate(); }

  /** Outputs for n samples: a Float32Array of n * outputs values, row-major. */
  predict(x, n) {
    const handle = this.#live;
    positiveInteger(n, "n");
    floatArray(x, "x", n * this.inputs);
    return this.#withData([x], (px) => check(handle.predict(px, n)).slice());
  }

  /** One optimizer step on these n samples; returns the batch loss (NaN/Infinity: no update). */
  trainBatch(x, y, n) {
    const handle = this.#live;
    return this.#withData(this.#xy(x, y, n), (px, py) => check(handle.trainBatch(px, py, n)));
  }

  /**
   * { loss, accuracy } over n samples; accuracy is NaN when the targets are not labels.
   * With { outputs: true } the result also has `outputs`, what predict(x, n) gives, from the
   * same forward pass (half the work of calling both).
   */
  evaluate(x, y, n, { outputs = false } = {}) {
    const handle = this.#live;
    boolean(outputs, "outputs");
    return this.#withData(this.#xy(x, y, n), (px, py) => {
      const result = check(handle.evaluate(px, py, n, outputs));
      if (outputs) result.outputs = result.outputs.slice();
      return result;
    });
  }

  /**
   * Trains on { x, y, n }, or on { data } from nn.upload (the same bits, without copying the
   * samples in again), for `epochs` passes in batches of `batchSize` (default: the config's); calls
   * onEpoch({epoch, loss, accuracy, lr}) after each (lr: the learning rate of the epoch's last
   * update), and stops early if it returns false.
   * A non-finite loss stops training; that epoch's entry has `diverged: true`.
   * With { layerStats: true } each entry also has `layers: [{ layer, meanAbsGradient,
   * meanAbsUpdate }]` for every layer with a kernel (batch norm: its gamma): the mean |dL/dW|
   * over the kernel averaged over the epoch's batches, and the mean |change of W| over the epoch.
   * Training mode: dropout drops and batch norm normalizes with each batch's statistics (and
   * moves its moving ones), as in trainBatch.
   */
  fit({ x, y, n, data, epochs = 1, batchSize, shuffle = true, onEpoch, layerStats = false } = {}) {
    const handle = this.#live;
    positiveInteger(epochs, "epochs");
    if (batchSize !== undefined) positiveInteger(batchSize, "batchSize");
    boolean(layerStats, "layerStats");
    // pointers(): where x and y are now (an onEpoch may have deleted uploaded data).
    const train = (pointers, count) => {
      const history = [];
      for (let e = 0; e < epochs; e++) {
        const entry = check(handle.trainEpoch(...pointers(), count, Boolean(shuffle),
          batchSize ?? 0, layerStats));
        history.push(entry);
        if (entry.diverged || (onEpoch && onEpoch(entry) === false)) break;
      }
      return history;
    };
    if (data === undefined) {
      return this.#withData(this.#xy(x, y, n), (px, py) => train(() => [px, py], n));
    }
    if (x !== undefined || y !== undefined || n !== undefined) {
      throw new Error("fit: give either data (from nn.upload) or x, y and n, not both");
    }
    const uploaded = uploads.get(data);
    if (!uploaded) throw new Error("data: expected what nn.upload returned");
    const pointers = () => {
      if (!uploaded.pointers) throw new Error("data: it was deleted");
      return uploaded.pointers;
    };
    pointers();
    if (uploaded.module !== this.#module) {
      throw new Error("data: uploaded by another nn (another loadNN thread count): upload it with this network's");
    }
    if (uploaded.inputs !== this.inputs || uploaded.outputs !== this.outputs) {
      throw new Error(`data: ${uploaded.inputs} inputs and ${uploaded.outputs} outputs per sample, this network has ${this.inputs} and ${this.outputs}`);
    }
    return train(pointers, uploaded.n);
  }

  /**
   * Forward and backward pass without an update: { loss, layers: [{ layer, z, a, dz, dW, db,
   * dA }] } for each layer with weights; matrices are row-major n x units, dW is [in, out]
   * (batch norm: dW is dL/dgamma and db dL/dbeta; z is before its activation, a after).
   * Inference mode, like predict and evaluate: dropout is off and batch norm uses its moving
   * statistics.
   * With { inputGradient: true } the result also has dX, dL/dx (n x inputs): for a one-hot
   * y of class c and a softmax output, -dX is the gradient of log p(c) (a saliency map).
   */
  inspect(x, y, n, { inputGradient = false } = {}) {
    const handle = this.#live;
    boolean(inputGradient, "inputGradient");
    return this.#withData(this.#xy(x, y, n),
      (px, py) => check(handle.inspect(px, py, n, inputGradient)));
  }

  /**
   * Every layer's output for n samples, inference mode, nothing changed:
   * [{ layer, type, shape, data }], shape of one sample ({units} or [height, width, channels]),
   * data a Float32Array of n * size values, row-major, images in NHWC order.
   */
  activations(x, n) {
    const handle = this.#live;
    positiveInteger(n, "n");
    floatArray(x, "x", n * this.inputs);
    return this.#withData([x], (px) => check(handle.activations(px, n)));
  }

  /**
   * What one optimizer step on these n samples would do, without doing it (inference mode, so
   * dropout is off; momentum, Adam's moments and the step count as they are now):
   * { loss, layers: [{ layer, dW, db, updateW, updateB }] }, dW and db the gradients (with
   * regularization) in getWeights() order and shapes, updateW and updateB the change the step
   * would make (weight after minus weight before).
   */
  previewUpdate(x, y, n) {
    const handle = this.#live;
    return this.#withData(this.#xy(x, y, n), (px, py) => check(handle.previewUpdate(px, py, n)));
  }

  /** [{ name, shape, data: Float32Array }], kernels in Keras order [in, out]. */
  getWeights() {
    return check(this.#live.getWeights());
  }

  /** Replaces every weight; checks names, shapes and values first, so a bad list changes nothing. */
  setWeights(list) {
    const handle = this.#live;
    if (!Array.isArray(list)) throw new Error("weights: expected a list of { name, shape, data }");
    const meta = list.map((w, i) => {
      if (typeof w?.name !== "string" || !Array.isArray(w.shape) ||
          !((ArrayBuffer.isView(w.data) && !(w.data instanceof DataView)) || Array.isArray(w.data))) {
        throw new Error(`weights[${i}]: expected { name, shape, data }`);
      }
      return { name: w.name, shape: w.shape, count: w.data.length };
    });
    // All values in one Float32Array, copied into WASM memory once.
    const values = new Float32Array(meta.reduce((sum, m) => sum + m.count, 0));
    let offset = 0;
    for (const w of list) {
      values.set(w.data, offset);
      offset += w.data.length;
    }
    this.#withData([values], (pointer) =>
      check(handle.setWeights(JSON.stringify(meta), pointer, values.length)));
  }

  setLearningRate(lr) {
    check(this.#live.setLearningRate(Number(lr)));
  }

  /** { format: "nnplay-model", version: 1, config, weights } with base64 float32 data. */
  toJSON() {
    return JSON.parse(check(this.#live.toJSON(true)));
  }

  /**
   * TF.js Layers artifacts: tf.loadLayersModel(tf.io.fromMemory(net.toTFJS())) predicts the same.
   */
  toTFJS() {
    const handle = this.#live;
    return toTFJS(JSON.parse(check(handle.config())), check(handle.getWeights()));
  }

  /** Frees the WASM memory; any later use throws. */
  delete() {
    if (this.#handle) this.#handle.delete();
    this.#handle = null;
  }
}

// What each Uploaded holds, out of its users' reach (fit trusts these sizes): its module, the
// pointers of its copies (null once deleted), n, inputs and outputs.
const uploads = new WeakMap();

/** Samples in WebAssembly memory (nn.upload), for fit({ data }). */
class Uploaded {
  constructor(module, x, y, n) {
    uploads.set(this, { module, pointers: copyIn(module, [x, y]), n, inputs: x.length / n,
      outputs: y.length / n });
  }

  get n() { return uploads.get(this).n; }
  get inputs() { return uploads.get(this).inputs; }
  get outputs() { return uploads.get(this).outputs; }

  /** Frees the WASM memory; fit({ data }) with it then throws. */
  delete() {
    const uploaded = uploads.get(this);
    for (const pointer of uploaded.pointers ?? []) uploaded.module.freeFloats(pointer);
    uploaded.pointers = null;
  }
}

class DigitAugmenter {
  #module;
  #handle;

  constructor(module, handle, height, width) {
    this.#module = module;
    this.#handle = handle;
    this.height = height;
    this.width = width;
  }

  get #live() {
    if (!this.#handle) throw new Error("this augmenter was deleted");
    return this.#handle;
  }

  /**
   * A new Float32Array of the n images in x (n * height * width values), each freshly
   * distorted. Successive calls continue one random stream, so the same seed and the same
   * calls give the same bits (the same as the native core's).
   */
  apply(x, n) {
    const handle = this.#live;
    positiveInteger(n, "n");
    floatArray(x, "x", n * this.height * this.width);
    return withFloats(this.#module, [x], (px) => check(handle.apply(px, n)).slice());
  }

  /** Frees the WASM memory; any later use throws. */
  delete() {
    if (this.#handle) this.#handle.delete();
    this.#handle = null;
  }
}
