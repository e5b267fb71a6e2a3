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
import { explainUnit } from "../lib/mnist/formula.js";
import { layerOutputs, occlusion, saliency } from "../lib/mnist/insight.js";
import { MODELS } from "../lib/mnist/models.js";
import { NOISE_SAMPLES } from "../lib/mnist/network-views.js";
import { nnplayModelFile, readModelFiles, tfjsModelFiles } from "../lib/model-files.js";
import { Snapshots } from "../lib/snapshots.js";
import { threadsText } from "../lib/threads.js";
import { FILE_NAME as EXAMPLES_FILE, MAX_EXAMPLES, countPerLabel, examplesFile, makeExample, readExamplesFile,
  toInputs } from "./examples.js";
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
const FINE_TUNE_SEED = 1;
const RECENT_EXAMPLES = 30;  // own digits the snapshot shows as pictures
/** A store that keeps the user's digits in memory only (Node tests, or no IndexedDB). */
export const memoryExamplesStore = () => {
  let kept = [];
  return { read: async () => kept, write: async (examples) => { kept = [...examples]; } };
};

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
 *     "saved", "trained", "fine-tuned" or "file"), saved (it is the one kept in the browser),
 *     layers (its config's layers), firstWeights ({ shape, data } of its first layer), evaluation (on the test set: { accuracy, loss,
 *     predicted, confidence }, null until known), testError (why it could not be tested),
 *     noise ({ images, outputs }, null while being asked) };
 *   pretrained: the pretrained model's name; saved: { name, savedAt, active } of the model
 *     kept in the browser, or null;
 *   data: MNIST in the worker: { state ("loading", "ready" or "failed"), loaded, total
 *     (bytes), train (digits), test ({ n, labels, images } once ready), error };
 *   training: { run (counts trainings), state ("idle", "waiting", "running", "stopping",
 *     "done", "stopped", "failed" or "lost"), settings, progress (0..1), total (digits to
 *     train on), curve: { train: [[epochs, loss, accuracy]], test: [...] } };
 *   alert: what went wrong, for role="alert"; status: where training is;
 *   drawing: what the model in use does with the pad's drawing (look), null before one:
 *     { id, model (its id), input28, empty, label, probabilities, layers (net.activations:
 *     [{ layer, type, shape, data }]), final (the stroke is finished), saliency ({ label, map:
 *     d log p(label)/d input }), occlusion (lib/mnist/insight.js's, for a finished drawing; else
 *     null), explanation (lib/mnist/formula.js's, of the chosen unit; else null) };
 *   choice: { cls (the class whose saliency is shown; null: the answer), unit ({ layer, unit }
 *     or null) };
 *   mine: the user's own digits: { counts (per digit), total, heldOut (how many are held out),
 *     recent (the last few { label, pixels, heldOut }), accuracy (of the model in use on them:
 *     { heldOut: { correct, n }, trained: { correct, n } }) };
 *   fineTuning: { run, state ("idle", "running", "done" or "failed"), progress (0..1), epochs,
 *     before and after ({ heldOut: { correct, n }, trained, mnist (test accuracy) } or null),
 *     seconds }.
 */
const INITIAL = freeze({
  ready: false, settings: defaultSettings(), hash: formatHash(defaultSettings()), model: null, pretrained: "",
  saved: null, data: LOADING,
  training: { run: 0, state: "idle", settings: null, progress: 0, total: 0, smooth: null, curve: { train: [], test: [] } },
  alert: "", status: "Pick a network and press Train.",
  drawing: null, choice: { cls: null, unit: null },
  mine: { counts: new Array(10).fill(0), total: 0, heldOut: 0, recent: [], accuracy: null },
  fineTuning: { run: 0, state: "idle", progress: 0, epochs: 0, before: null, after: null, seconds: 0 },
});

export class DigitsSession {
  #trainer;
  #store;
  #fetchModel;
  #nnReady;
  #nn = null;
  #examplesStore;
  #examples = null;     // the user's own digits (examples.js), once read from the store
  #examplesWrite = Promise.resolve();
  #weights = null;      // getWeights() of the model in use, once asked for (explanations)
  #drawings = 0;
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
   * examples: { read, write(list) } of the user's own digits (examples-store.js: IndexedDB;
   *   by default kept in memory only).
   */
  constructor({ trainer, store, fetchModel, nn, examples = memoryExamplesStore() }) {
    this.#examplesStore = examples;
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
      const [saved, pretrained, mine] = await Promise.all([this.#store.read().catch(() => null),
        this.#loadPretrained(), this.#examplesStore.read().catch((error) => {
          this.#say(`Your saved digits could not be read: ${error.message}`);
          return [];
        })]);
      this.#examples = mine;
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
    this.#weights = null;
    const { shape, data } = net.getWeights()[0];
    this.#publish({ model: { id: ++this.#models, name, source, saved, layers: json.config.layers,
      firstWeights: { shape, data }, evaluation,
      testError: "", noise: null } });
    if (!evaluation) this.#test();
    this.#showNoise();
    this.#publishExamples();
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
   * The model reading the pad: { name, source: "pretrained" | "saved" | "trained" | "fine-tuned" | "file",
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

  // ---- inside the model: the drawing through every layer (on the main thread, like classify:
  // one activations pass of the pretrained CNN takes about a millisecond)

  #inputOf(gray, width, height) {
    if (!this.#net) throw new Error("no model is loaded yet: await window.nnplay.ready first");
    return preprocess(gray, width, height);
  }

  /** Every layer's output for a picture: { input28, layers: [{ type, shape, data }] }. */
  featureMaps(gray, width, height) {
    const { input28 } = this.#inputOf(gray, width, height);
    return { input28, layers: layerOutputs(this.#net, input28).map(({ type, shape, data }) => ({ type, shape, data })) };
  }

  /** d log p(label) / d input28 for a picture: Float32Array(784). */
  saliency(gray, width, height, label) {
    const { input28 } = this.#inputOf(gray, width, height);
    return saliency(this.#net, this.#json.config, input28, label);
  }

  /**
   * The pad's drawing changed: classifies it as classify does and publishes what the model does
   * with it (snapshot.drawing). final: the stroke is finished (then occlusion is computed too).
   */
  look(gray, width, height, { final = true } = {}) {
    const { input28, empty, inverted } = this.#inputOf(gray, width, height);
    const layers = layerOutputs(this.#net, input28);
    let label = null, probabilities = new Array(10).fill(0);
    if (!empty) {
      const out = layers.at(-1).data;
      const sum = out.reduce((a, b) => a + b, 0) || 1;
      probabilities = Array.from(out, (p) => p / sum);
      label = probabilities.indexOf(Math.max(...probabilities));
    }
    const drawing = { id: ++this.#drawings, model: this.snapshot.model.id, input28, empty, label, probabilities,
      layers, final, occlusion: !empty && final ? occlusion(this.#net, input28) : null };
    this.#publishDrawing(drawing, this.snapshot.choice);
    return { label, probabilities, input28, inverted, empty };
  }

  /** The class whose saliency is shown: 0..9, or null for the answer. */
  chooseClass(cls) {
    if (cls !== null && !(Number.isInteger(cls) && cls >= 0 && cls < 10)) {
      this.#say(`class: expected a digit from 0 to 9, got ${String(cls).slice(0, 40)}`);
      return;
    }
    this.#publishDrawing(this.snapshot.drawing, { ...this.snapshot.choice, cls });
  }

  /** The unit whose formula is shown: { layer, unit } (unit: its NHWC index), or null. */
  chooseUnit(choice) {
    const layers = this.snapshot.drawing?.layers;
    const valid = choice === null || (layers && Number.isInteger(choice?.layer) && layers[choice.layer] &&
      Number.isInteger(choice.unit) && choice.unit >= 0 && choice.unit < layers[choice.layer].data.length);
    if (!valid) return;  // a stale click (another model, another layer list): nothing to show
    this.#publishDrawing(this.snapshot.drawing, { ...this.snapshot.choice, unit: choice });
  }

  // drawing with its saliency and the chosen unit's explanation, for the model in use.
  #publishDrawing(drawing, choice) {
    if (!drawing || drawing.model !== this.snapshot.model?.id) {
      this.#publish({ choice });
      return;
    }
    const label = choice.cls ?? drawing.label ?? 0;
    const map = drawing.saliency?.label === label && drawing.saliency.of === drawing.id ? drawing.saliency.map :
      saliency(this.#net, this.#json.config, drawing.input28, label);
    let unit = choice.unit, explanation = null;
    if (unit && !(drawing.layers[unit.layer] && unit.unit < drawing.layers[unit.layer].data.length)) unit = null;
    if (unit) {
      this.#weights ??= this.#net.getWeights();
      try {
        explanation = explainUnit({ config: this.#json.config, weights: this.#weights, input28: drawing.input28,
          outputs: drawing.layers }, unit.layer, unit.unit);
      } catch (error) {
        explanation = { error: error.message, layer: unit.layer, unit: unit.unit };
      }
    }
    this.#publish({ choice: { ...choice, unit }, drawing: { ...drawing, saliency: { label, of: drawing.id, map }, explanation } });
  }

  // ---- the user's own digits

  /** Adds a picture (as classify reads it) with its label to the user's digits. */
  addExample(gray, width, height, label) {
    const { input28, empty } = this.#inputOf(gray, width, height);
    if (empty) throw new Error("the picture has no ink: draw a digit first");
    this.#addExamples([makeExample(input28, label, this.#examples)]);
  }

  /** Adds the pad's drawing as a digit `label` (the page's buttons); says why not if it cannot. */
  keepDrawing(label) {
    const { drawing } = this.snapshot;
    if (!drawing || drawing.empty) {
      this.#say("Draw a digit first, then say which digit it is.");
      return;
    }
    try {
      this.#addExamples([makeExample(drawing.input28, label, this.#examples)]);
      this.#say("");
    } catch (error) {
      this.#say(error.message);
    }
  }

  #addExamples(added) {
    if (!this.#examples) throw new Error("your digits are still being read: await window.nnplay.ready first");
    if (this.#examples.length + added.length > MAX_EXAMPLES) {
      throw new Error(`at most ${MAX_EXAMPLES} digits of your own: clear some first`);
    }
    this.#examples = [...this.#examples, ...added];
    this.#saveExamples();
  }

  /** How many digits of their own the user has of each digit: an array of 10 counts. */
  exampleCounts() {
    return countPerLabel(this.#examples ?? []);
  }

  /** Forgets all the user's digits. */
  clearExamples() {
    if (!this.#examples) {
      this.#say("Your digits are still being read: try again in a moment.");
      return;
    }
    this.#examples = [];
    this.#saveExamples();
  }

  /** The user's digits as one small file to save: [{ name, type, data }]. */
  exportExamples() {
    return [{ name: EXAMPLES_FILE, type: "application/json", data: examplesFile(this.#examples ?? []) }];
  }

  /** Adds the digits of an exported file; a bad file changes nothing and says what is wrong. */
  async importExamples(files) {
    const file = Array.from(files ?? [])[0];
    if (!file) return;
    try {
      this.#addExamples(readExamplesFile(await file.text()));
      this.#say("");
    } catch (error) {
      this.#say(`${file.name} could not be imported: ${error.message}. Your digits are unchanged.`);
    }
  }

  /** A Promise that resolves once every change to the user's digits so far is kept in the store. */
  examplesKept() {
    return this.#examplesWrite;
  }

  #saveExamples() {
    const list = this.#examples;
    this.#publishExamples();
    this.#examplesWrite = this.#examplesWrite.then(() => this.#examplesStore.write(list)).catch((error) => {
      this.#say(`Your digits could not be kept for your next visit: ${error.message}`);
    });
  }

  #publishExamples() {
    const list = this.#examples ?? [];
    this.#publish({ mine: { counts: countPerLabel(list), total: list.length,
      heldOut: list.filter((e) => e.heldOut).length, recent: list.slice(-RECENT_EXAMPLES),
      accuracy: this.#net ? this.#ownAccuracy() : null } });
  }

  // The model in use on the user's digits: { heldOut: { correct, n }, trained: { correct, n } }.
  #ownAccuracy() {
    const score = (examples) => {
      if (!examples.length) return { correct: 0, n: 0 };  // (also before the store was read)
      const { x, n } = toInputs(examples);
      const out = this.#net.predict(x, n);
      let correct = 0;
      for (let j = 0; j < n; j++) {
        const row = out.subarray(j * 10, j * 10 + 10);
        if (row.indexOf(Math.max(...row)) === examples[j].label) correct++;
      }
      return { correct, n };
    };
    const list = this.#examples ?? [];
    return { heldOut: score(list.filter((e) => e.heldOut)), trained: score(list.filter((e) => !e.heldOut)) };
  }

  /**
   * Fine-tunes the model in use on the user's digits that are not held out, mixed with MNIST,
   * in the worker; then it reads the pad (and is kept). Resolves to { seconds }. Refused while
   * a training or another fine-tuning runs. Like a training's, its end takes its turn in the
   * queue and switches the model, whatever was chosen meanwhile.
   */
  fineTune({ epochs = 3 } = {}) {
    const train = (this.#examples ?? []).filter((e) => !e.heldOut);
    try {
      if (!this.#net) throw new Error("no model is loaded yet: await window.nnplay.ready first");
      if (isBusy(this.snapshot.training)) throw new Error("A training is running: wait for it, or press Stop, then fine-tune");
      if (this.snapshot.fineTuning.state === "running") throw new Error("Fine-tuning is already running: wait for it");
      if (!Number.isInteger(epochs) || epochs < 1 || epochs > 50) {
        throw new Error(`epochs: expected an integer from 1 to 50, got ${String(epochs).slice(0, 40)}`);
      }
      if (!train.length) throw new Error("Add some digits of your own first (every third one of a digit is held out for testing)");
    } catch (error) {
      this.#say(error.message);
      return Promise.reject(error);
    }
    const { model } = this.snapshot;
    const json = this.#json;
    const run = this.snapshot.fineTuning.run + 1;
    const before = { ...this.#ownAccuracy(), mnist: model.evaluation?.accuracy ?? null };
    this.#publish({ fineTuning: { run, state: "running", progress: 0, epochs, before, after: null, seconds: 0 }, alert: "" });
    const update = (changes) => {
      const { fineTuning } = this.snapshot;
      if (fineTuning.run === run) this.#publish({ fineTuning: { ...fineTuning, ...changes } });
    };
    if (before.mnist === null) {  // still being tested: the worker answers that first
      this.evaluation().then(({ accuracy }) => update({ before: { ...this.snapshot.fineTuning.before, mnist: accuracy } }),
        () => {});
    }
    const { x, n } = toInputs(train);
    return this.#trainer.fineTune({ model: json, x, n, labels: train.map((e) => e.label), epochs, seed: FINE_TUNE_SEED },
      (message) => update({ progress: message.seen / message.total }))
      .then((result) => this.#enqueue(() => {
        this.#use(this.#network(result.model), result.model, { name: `${model.name.replace(/, fine-tuned on .*$/, "")}, ` +
          `fine-tuned on ${n} of your digits`, source: "fine-tuned", evaluation: result.evaluation });
        this.#keep();
        update({ state: "done", progress: 1, seconds: result.seconds,
          after: { ...this.#ownAccuracy(), mnist: result.evaluation.accuracy } });
        return { seconds: result.seconds };
      }))
      .catch((error) => {
        update({ state: "failed" });
        if (!error.workerDied) this.#say(`Fine-tuning failed: ${error.message}`);
        throw error;
      });
  }

  /** The accuracy of the model in use on the 10,000 MNIST test digits (Promise). */
  async testAccuracy() {
    return (await this.evaluation()).accuracy;
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
      if (this.snapshot.fineTuning.state === "running") throw new Error("Fine-tuning is running: wait for it, then train");
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
      lr: settings.lr, decay: settings.decay, batchSize: settings.batch, augment: settings.augment, seed: TRAINING_SEED },
    (progress) => this.#progress(run, progress))
      .then((result) => this.#enqueue(() => this.#trained(run, result)))
      .catch((error) => {
        this.#trainingFailed(run, error);
        throw error;
      });
  }

  /**
   * The training under way, or the last one: { state, threads, test: [{ epoch, testAccuracy,
   * testLoss }] }, one test entry per finished epoch; threads: the worker's core (0 until its
   * first progress).
   */
  trainingProgress() {
    const { state = "idle", curve, threads = 0 } = this.snapshot.training;
    const test = (curve?.test ?? []).map(([epoch, testLoss, testAccuracy]) =>
      ({ epoch: Math.round(epoch), testAccuracy, testLoss }));
    return { state, threads, test };
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
          progress: seen / total, total, smooth, threads: message.threads,
          curve: { ...curve, train: [...curve.train, [seen * epochs / total, smooth.loss, smooth.accuracy]] } },
        status: `Epoch ${message.epoch}/${epochs} · ${count(seen)} / ${count(total)} digits · ` +
          `${count(message.samplesPerSecond)} digits/s on ${threadsText(message.threads)} · ` +
          `learning rate ${Number(message.lr.toPrecision(3))} · ${Math.ceil(message.secondsLeft)} s left`,
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
