// The digits page's session: the one owner of its state. No DOM — Node tests drive it. It
// holds the model that reads the pad (the pretrained one, the one saved in this browser, one
// trained here or one opened from a file) and the pretrained one to go back to, the saved
// record, MNIST's loading in the worker, training (its settings, progress and stop), the
// training settings the URL hash carries (state.js), and what to tell the user. It takes
// commands, asks the MNIST worker (lib/mnist/client.js -> trainer.js) for everything slow, and
// publishes an immutable snapshot after every change; views subscribe, render, and send
// commands back. The flow is one way:
//
//   URL, pad, buttons -> session -> worker -> facts -> session -> snapshot -> views
//
// The worker answers with facts (MNIST progress, evaluations, a trained model, noise outputs);
// a model goes to the worker only as model JSON in a request.
//
// Why a WebAssembly network on the main thread too, when the worker has the module: classify
// is synchronous (docs/API.md) and the pad runs it on every stroke while a digit is drawn. A
// worker can only answer later, and would answer after a training that keeps it busy for
// minutes. So the session keeps exactly one network here, the model in use, for classify and
// for saving it for TF.js. Views get data from it (its first layer's weights), never the
// network itself, which the next model command deletes.
//
// Commands that change the model run one at a time through a queue, so a person can click
// anything at any moment; settings change at once; a training runs outside the queue (nothing
// waits for it) and only its end, switching the model, takes its turn. When the worker dies
// the session starts a new one, which loads MNIST again and retests the model in use; a
// training that was running is lost, the model reading the pad stays.
import { MODELS } from "../lib/mnist/models.js";
import { NOISE_SAMPLES } from "../lib/mnist/network-views.js";
import { nnplayModelFile, readModelFiles, tfjsModelFiles } from "../lib/model-files.js";
import { Snapshots } from "../lib/snapshots.js";
import { preprocess } from "./preprocess.js";
import { defaultSettings, editedSettings, formatHash, parseHash } from "./state.js";

/** The pretrained models, best first: the first that loads reads the pad (see models/README.md). */
export const PRETRAINED = Object.freeze([
  { file: "digits-cnn.json", name: "pretrained CNN" },
  { file: "digits-mlp.json", name: "pretrained MLP 784-128-10" },
]);
const MODEL_FILE = "nnplay-digits-model.json";
const TRAINING_SEED = 1;
const SMOOTHING = 0.8;      // of the running loss and accuracy: one chunk's numbers are noisy
const DEATHS_IN_A_ROW = 3;  // worker deaths with no evaluation answered in between: then give up
const percent = (p, digits = 1) => `${(100 * p).toFixed(digits)}%`;
const count = (n) => Math.round(n).toLocaleString("en-US");
const isBusy = ({ state }) => state === "waiting" || state === "running" || state === "stopping";

// Frozen through and through, but for typed arrays (they cannot be; no one writes to them).
function freeze(value) {
  if (value && typeof value === "object" && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) freeze(v);
  }
  return value;
}

// The saved record as snapshots show it: without its model.
const describe = (record) => record && { name: record.name, savedAt: record.savedAt, active: record.active };

const LOADING = { state: "loading", loaded: 0, total: 0, train: 0, test: null, error: "" };

/**
 * A snapshot: { ready, settings, hash, model, pretrained, saved, data, training, alert, status }.
 *   settings: the training settings (state.js); hash: "#v=1&..." for them;
 *   model: the model reading the pad, null until one does: { id, name, source ("pretrained",
 *     "saved", "trained" or "file"), saved (it is the one kept in the browser), firstWeights
 *     ({ shape, data } of its first layer), evaluation (on the test set: { accuracy, loss,
 *     predicted, confidence }, null until known), testError (why it could not be tested),
 *     noise ({ images, outputs }, null while being asked) };
 *   pretrained: the pretrained model's name; saved: { name, savedAt, active } of the model
 *     kept in the browser, or null;
 *   data: MNIST in the worker: { state ("loading", "ready" or "failed"), loaded, total
 *     (bytes), train (digits), test ({ n, labels, images } once ready), error };
 *   training: { run (counts trainings), state ("idle", "waiting", "running", "stopping",
 *     "done", "stopped", "failed" or "lost"), settings, progress (0..1), total (digits to
 *     train on), curve: { train: [[epochs, loss, accuracy]], test: [...] } };
 *   alert: what went wrong, for role="alert"; status: where training is.
 */
const INITIAL = freeze({
  ready: false, settings: defaultSettings(), hash: formatHash(defaultSettings()), model: null, pretrained: "",
  saved: null, data: LOADING,
  training: { run: 0, state: "idle", settings: null, progress: 0, total: 0, smooth: null, curve: { train: [], test: [] } },
  alert: "", status: "Pick a network and press Train.",
});

export class DigitsSession {
  #trainer;
  #store;
  #fetchModel;
  #nnReady;
  #nn = null;
  #net = null;          // the model in use as a network, here on the main thread: classify's
  #json = null;         // the model in use as model JSON: what the worker is asked about
  #pretrained = null;   // { name, json }
  #saved = null;        // the record kept in the browser (with its model JSON), or null
  #published = new Snapshots(INITIAL);
  #queue = Promise.resolve();
  #started = null;
  #models = 0;
  #deathsInARow = 0;

  /**
   * trainer: lib/mnist/client.js's Trainer (a module Worker, or trainer.js in-process); tell
   *   workerEvent(message) its events and workerDied(reason) its death.
   * store: { read, write(record), setActive(active), delete } of the saved model
   *   (saved-model.js: IndexedDB).
   * fetchModel(file): a pretrained model file (PRETRAINED) -> Promise of its JSON.
   * nn: loadNN()'s module, or a Promise of it.
   */
  constructor({ trainer, store, fetchModel, nn }) {
    this.#trainer = trainer;
    this.#store = store;
    this.#fetchModel = fetchModel;
    this.#nnReady = Promise.resolve(nn);
  }

  get snapshot() { return this.#published.snapshot; }

  /** listener(snapshot) now and after every change; returns a function that unsubscribes. */
  subscribe(listener) {
    return this.#published.subscribe(listener);
  }

  // Snapshots are frozen all the way down (typed arrays aside): views cannot change them.
  #publish(changes) {
    this.#published.publish(freeze({ ...changes }));
  }

  // The first snapshot (this one or a later one) for which predicate holds.
  #until(predicate) {
    return this.#published.until(predicate);
  }


  #enqueue(task) {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => {});
    return run;
  }

  #say(alert) {
    this.#publish({ alert });
  }

  // ---- starting

  /**
   * Opens the page's link and reads the pad with the saved model (if the user keeps one
   * active) or the pretrained one; resolves once a model reads the pad. MNIST starts loading
   * at once.
   */
  start(hash) {
    this.#started ??= (() => {
      this.openLink(hash);
      this.#loadData();
      return this.#enqueue(() => this.#open());
    })();
    return this.#started;
  }

  async #open() {
    try {
      const [saved, pretrained] = await Promise.all([this.#store.read().catch(() => null), this.#loadPretrained()]);
      this.#pretrained = { name: pretrained.name, json: pretrained.json };
      this.#saved = saved;
      this.#publish({ pretrained: pretrained.name, saved: describe(saved) });
      if (saved?.active) {
        try {
          this.#use(this.#network(saved.model), saved.model, { name: saved.name, source: "saved", saved: true });
          pretrained.net.delete();
        } catch (error) {
          this.#say(`Your saved model (${saved.name}) could not be loaded, so the pretrained one reads ` +
            `the pad: ${error.message}`);
          this.#saved = null;
          this.#publish({ saved: null });
          this.#store.delete().catch(() => {});
        }
      }
      if (!this.#net) this.#use(pretrained.net, pretrained.json, { name: pretrained.name, source: "pretrained" });
      this.#publish({ ready: true });
    } catch (error) {
      this.#say(`The page could not start: ${error.message}`);
      throw error;
    }
  }

  // The first pretrained model that loads: { name, json, net }. Its file downloads while the
  // WebAssembly module compiles.
  async #loadPretrained() {
    const reasons = [];
    for (const { file, name } of PRETRAINED) {
      let json;
      try {
        json = await this.#fetchModel(file);
      } catch (error) {
        reasons.push(`${file}: ${error.message}`);
        continue;
      }
      this.#nn = await this.#nnReady;
      try {
        return { name, json, net: this.#network(json) };
      } catch (error) {  // e.g. a CNN file before this build has conv layers
        reasons.push(`${file}: ${error.message}`);
      }
    }
    throw new Error(`no pretrained model could be loaded (${reasons.join("; ")})`);
  }

  // model JSON, or a function making the network -> a network that reads the pad, or an Error.
  #network(model) {
    const net = typeof model === "function" ? model(this.#nn) : this.#nn.fromJSON(model);
    if (net.inputs !== 784 || net.outputs !== 10) {
      net.delete();
      throw new Error(`this model maps ${net.inputs} inputs to ${net.outputs} outputs; ` +
        "the digits page needs 784 (28×28) to 10");
    }
    return net;
  }

  // ---- the model in use

  // Makes `net` (its model JSON: `json`) the model reading the pad. evaluation: its test
  // results, if known; else the worker is asked, and for its answers to noise.
  #use(net, json, { name, source, saved = false, evaluation = null }) {
    this.#net?.delete();
    this.#net = net;
    this.#json = json;
    const { shape, data } = net.getWeights()[0];
    this.#publish({ model: { id: ++this.#models, name, source, saved, firstWeights: { shape, data }, evaluation,
      testError: "", noise: null } });
    if (!evaluation) this.#test();
    this.#showNoise();
  }

  // Changes to the model `id`, if it is still the one in use.
  #updateModel(id, changes) {
    const { model } = this.snapshot;
    if (model?.id === id) this.#publish({ model: { ...model, ...changes } });
  }

  #test() {
    const { id } = this.snapshot.model;
    this.#updateModel(id, { evaluation: null, testError: "" });
    this.#trainer.evaluate(this.#json).then((evaluation) => {
      this.#deathsInARow = 0;  // this worker works
      this.#updateModel(id, { evaluation });
    }, (error) => {
      if (!error.workerDied) this.#updateModel(id, { testError: error.message });  // else workerDied asks again
    });
  }

  // The worker runs the network on noise: 500 CNN predictions here would hold the page up.
  #showNoise() {
    const { id } = this.snapshot.model;
    this.#updateModel(id, { noise: null });
    this.#trainer.noise(this.#json, NOISE_SAMPLES).then((noise) => this.#updateModel(id, { noise }), (error) => {
      if (!error.workerDied) this.#say(`The network could not be shown noise: ${error.message}`);
    });
  }

  /** Keeps the model in use (one that loaded fine) for the next visit, as the saved one. */
  #keep() {
    const { model } = this.snapshot;
    const record = { model: this.#json, name: model.name, savedAt: Date.now(), active: true };
    const previous = this.#saved;
    this.#saved = record;
    this.#publish({ saved: describe(record), model: { ...model, saved: true } });
    this.#store.write(record).catch((error) => {
      if (this.#saved !== record) return;  // another model was kept since
      this.#saved = previous;
      this.#publish({ saved: describe(previous) });
      this.#updateModel(model.id, { saved: false });
      this.#say(`This model reads the pad but could not be kept for your next visit: ${error.message}`);
    });
  }

  // Which model the next visit starts with: the saved one (true) or the pretrained one.
  #setActive(active) {
    this.#saved = { ...this.#saved, active };
    this.#publish({ saved: describe(this.#saved) });
    this.#store.setActive(active).catch(() => {});  // only the next visit's first model is at stake
  }

  /** The model kept in the browser reads the pad, now and on the next visits. */
  useSaved() {
    return this.#enqueue(() => {
      const saved = this.#saved;
      if (!saved || this.snapshot.model?.saved) return;
      try {
        this.#use(this.#network(saved.model), saved.model, { name: saved.name, source: "saved", saved: true });
      } catch (error) {
        this.#say(`Your saved model could not be loaded: ${error.message}`);
        return;
      }
      this.#say("");
      this.#setActive(true);
    });
  }

  /** The pretrained model reads the pad, now and on the next visits; a saved one is kept. */
  usePretrained() {
    return this.#enqueue(() => {
      const pretrained = this.#pretrained;
      if (!pretrained || this.snapshot.model?.source === "pretrained") return;
      this.#use(this.#network(pretrained.json), pretrained.json, { name: pretrained.name, source: "pretrained" });
      this.#say("");
      if (this.#saved?.active) this.#setActive(false);
    });
  }

  /**
   * Opens files the user chose — an nnplay model file, or TF.js's model.json with its weights
   * .bin — as the model reading the pad, and keeps it. A bad file changes nothing.
   */
  openModelFiles(files) {
    const list = Array.from(files ?? []);
    const names = list.map((f) => f.name).join(" + ");
    return this.#enqueue(async () => {
      if (!list.length) return;
      this.#say("");
      try {
        const read = await readModelFiles(list);
        const net = this.#network(read.format === "nnplay" ? read.model : (nn) => nn.fromTFJS(read.artifacts));
        this.#use(net, read.format === "nnplay" ? read.model : net.toJSON(), { name: `loaded from ${names}`, source: "file" });
        this.#keep();
      } catch (error) {
        this.#say(`${names} could not be opened: ${error.message}. The model reading the pad is unchanged.`);
      }
    });
  }

  /** The model in use as files to save: "nnplay" (one JSON file) or "tfjs" (model.json, weights.bin). */
  exportModel(format) {
    return this.#enqueue(() => {
      if (!this.#net) throw new Error("no model reads the pad yet");
      if (format === "tfjs") return tfjsModelFiles(this.#net.toTFJS());
      if (format === "nnplay") return [nnplayModelFile(this.#json, { name: MODEL_FILE })];
      throw new Error(`format: expected nnplay or tfjs, got ${String(format).slice(0, 40)}`);
    }).catch((error) => {
      this.#say(`The model could not be saved: ${error.message}`);
      return [];
    });
  }

  /** The model in use is shown new noise. */
  newNoise() {
    return this.#enqueue(() => { if (this.#json) this.#showNoise(); });
  }

  /**
   * Classifies a grayscale picture (0..255, either polarity) as the pad does ->
   * { label, probabilities, input28, inverted, empty }; label is null for an empty picture.
   */
  classify(gray, width, height) {
    if (!this.#net) throw new Error("no model is loaded yet: await window.nnplay.ready first");
    const { input28, empty, inverted } = preprocess(gray, width, height);
    if (empty) return { label: null, probabilities: new Array(10).fill(0), input28, inverted, empty };
    const out = this.#net.predict(input28, 1);
    const sum = out.reduce((a, b) => a + b, 0) || 1;  // sigmoid outputs need not sum to 1
    const probabilities = Array.from(out, (p) => p / sum);
    const label = probabilities.indexOf(Math.max(...probabilities));
    return { label, probabilities, input28, inverted, empty };
  }

  /**
   * The model reading the pad: { name, source: "pretrained" | "saved" | "trained" | "file",
   * layers: its layer types } (a CNN has conv2d layers), or null before one is loaded.
   */
  modelInUse() {
    const { model } = this.snapshot;
    return model && { name: model.name, source: model.source, layers: this.#json.config.layers.map((l) => l.type) };
  }

  /** The test-set evaluation of the model reading the pad, once known. */
  async evaluation() {
    await this.#started;
    const { model } = await this.#until((s) => s.model?.evaluation || s.model?.testError);
    if (!model.evaluation) throw new Error(`the model could not be tested: ${model.testError}`);
    return model.evaluation;
  }

  // ---- settings

  /** Opens a URL hash ("#v=1&..."); a bad one shows why and gives the defaults. */
  openLink(hash) {
    const { settings, error } = parseHash(hash);
    this.#publish({ settings, hash: formatHash(settings) });
    this.#say(error ?? "");
  }

  /**
   * A form's edit: a partial settings object, values typed or as text. A bad edit shows why
   * (naming the field) and changes nothing.
   */
  editSettings(patch) {
    try {
      const settings = editedSettings(this.snapshot.settings, patch);
      this.#publish({ settings, hash: formatHash(settings) });
      this.#say("");
    } catch (error) {
      this.#say(`${error.message}. The settings are unchanged.`);
      // The settings as they are, anew: views show them instead of the refused edit.
      this.#publish({ settings: { ...this.snapshot.settings } });
    }
  }

  // ---- training

  /**
   * Trains a new network in the worker with the settings, or with `request` (docs/API.md:
   * { model, epochs } and any other setting, the rest defaults) which become the settings.
   * Resolves, once it reads the pad, to { testAccuracy, seconds, stopped }.
   */
  train(request) {
    try {
      if (isBusy(this.snapshot.training)) throw new Error("Training is already running: wait for it, or press Stop");
      if (request !== undefined) {
        const settings = editedSettings(defaultSettings(), request);
        this.#publish({ settings, hash: formatHash(settings) });
      }
    } catch (error) {
      this.#say(error.message);
      return Promise.reject(error);
    }
    const { settings } = this.snapshot;
    const run = this.snapshot.training.run + 1;
    this.#publish({ training: { run, state: "waiting", settings, progress: 0, total: 0, smooth: null,
      curve: { train: [], test: [] } }, status: "Waiting for the MNIST training set…", alert: "" });
    return this.#trainer.train({ run, kind: settings.model, epochs: settings.epochs, optimizer: settings.optimizer,
      lr: settings.lr, batchSize: settings.batch, augment: settings.augment, seed: TRAINING_SEED },
    (progress) => this.#progress(run, progress))
      .then((result) => this.#enqueue(() => this.#trained(run, result)))
      .catch((error) => {
        this.#trainingFailed(run, error);
        throw error;
      });
  }

  /** Ends the training after its current chunk (it still gives its network); else nothing. */
  stop() {
    const { training } = this.snapshot;
    if (training.state !== "waiting" && training.state !== "running") return;  // none, or asked already
    this.#trainer.stop(training.run);
    this.#publish({ training: { ...training, state: "stopping" } });
  }

  #progress(run, message) {
    const { training } = this.snapshot;
    if (training.run !== run) return;
    const { curve, settings: { epochs } } = training;
    if (message.what === "chunk") {
      const { seen, total, loss, accuracy } = message;
      const s = training.smooth;
      const smooth = s ? { loss: SMOOTHING * s.loss + (1 - SMOOTHING) * loss,
        accuracy: SMOOTHING * s.accuracy + (1 - SMOOTHING) * accuracy } : { loss, accuracy };
      this.#publish({
        training: { ...training, state: training.state === "waiting" ? "running" : training.state,
          progress: seen / total, total, smooth,
          curve: { ...curve, train: [...curve.train, [seen * epochs / total, smooth.loss, smooth.accuracy]] } },
        status: `Epoch ${message.epoch}/${epochs} · ${count(seen)} / ${count(total)} digits · ` +
          `${count(message.samplesPerSecond)} digits/s · ${Math.ceil(message.secondsLeft)} s left`,
      });
    } else if (message.what === "epoch") {
      const point = [message.seen * epochs / training.total, message.testLoss, message.testAccuracy];
      this.#publish({ training: { ...training, curve: { ...curve, test: [...curve.test, point] } } });
    }
  }

  #trained(run, result) {
    const { training } = this.snapshot;
    const { model: kind, epochs } = training.settings;
    const done = result.stopped ? "stopped early" : `${epochs} epoch${epochs > 1 ? "s" : ""}`;
    this.#use(this.#network(result.model), result.model,
      { name: `${MODELS[kind].label}, trained here (${done})`, source: "trained", evaluation: result.evaluation });
    this.#keep();
    this.#publish({ training: { ...training, state: result.stopped ? "stopped" : "done", progress: 1 },
      status: `${result.stopped ? "Stopped" : "Done"}: ${percent(result.testAccuracy, 2)} on the test set after ` +
        `${result.seconds.toFixed(1)} s of training. This network now reads the pad.` });
    return { testAccuracy: result.testAccuracy, seconds: result.seconds, stopped: result.stopped };
  }

  #trainingFailed(run, error) {
    const { training } = this.snapshot;
    if (training.run !== run || !isBusy(training)) return;
    // A death is told by workerDied.
    if (!error.workerDied) this.#say(`Training failed: ${error.message}`);
    this.#publish({ training: { ...training, state: error.workerDied ? "lost" : "failed" },
      status: error.workerDied ? "Training lost: the worker stopped (see above)." : "Training failed." });
  }

  // ---- the worker

  #loadData() {
    this.#publish({ data: LOADING });
    this.#trainer.loadData().catch((error) => {
      if (error.workerDied) return;  // the new worker loads it (workerDied)
      this.#publish({ data: { ...this.snapshot.data, state: "failed", error: error.message } });
      this.#say(`The MNIST data could not be loaded: ${error.message}`);
    });
  }

  /** The worker's events: MNIST's loading progress, and its test set once loaded. */
  workerEvent(message) {
    const { data } = this.snapshot;
    if (message?.type === "data-progress") {
      this.#publish({ data: { ...data, loaded: message.loaded, total: message.total } });
    } else if (message?.type === "data-ready") {
      this.#publish({ data: { ...data, state: "ready", train: message.train, test: message.test } });
    }
  }

  /** After the worker died: a new one loads MNIST again and retests the model in use. */
  workerDied(reason) {
    const died = `The training worker stopped: ${reason}.`;
    if (++this.#deathsInARow > DEATHS_IN_A_ROW || !this.#trainer.restart()) {
      this.#say(`${died} It could not be restarted: reload the page.`);
      return;
    }
    const lost = isBusy(this.snapshot.training) ?
      " The training that was running is lost; the model reading the pad is unchanged." : "";
    this.#say(`${died} It was restarted: it loads the MNIST data again and retests the model in use.${lost}`);
    this.#loadData();
    if (this.#json) {
      this.#test();
      this.#showNoise();
    }
  }

  /** Kills the worker on purpose, for tests: "error", "memory" or "hang". */
  crashWorker(how) { this.#trainer.crash(how); }
}
