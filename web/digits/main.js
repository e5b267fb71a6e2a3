// The digits page: wires the pad, the answer, training and the insight views together and
// provides window.nnplay = { ready, classify, train, evaluate } (CONTRACT §4).
//
// A model trained here or loaded from a file is kept (saved-model.js) and read the pad again
// after a reload, until the user picks the pretrained one. When the training worker dies the
// page says so, starts a new one, which loads MNIST again, and retests the model in use.
import { saveFiles } from "../lib/downloads.js";
import { nnplayModelFile, readModelFiles, tfjsModelFiles } from "../lib/model-files.js";
import { ProbabilityBars } from "./bars.js";
import { TrainingCurves } from "../lib/mnist/curves.js";
import { earlyWorker, nnReady } from "./boot.js";
import { EvaluationView } from "./evaluation-view.js";
import { NOISE_SAMPLES, NoiseView, WeightsView } from "../lib/mnist/network-views.js";
import { MODELS } from "../lib/mnist/models.js";
import { DrawingPad } from "./pad.js";
import { grayCanvas } from "../lib/mnist/pictures.js";
import { preprocess } from "./preprocess.js";
import { deleteSavedModel, readSavedModel, setSavedModelActive, writeSavedModel } from "./saved-model.js";
import { defaultSettings, formatHash, parseHash } from "./state.js";
import { Trainer } from "../lib/mnist/client.js";

const $ = (id) => document.getElementById(id);
const modelsUrl = new URL("../models/", import.meta.url);
// The pretrained models, best first: the CNN arrives with the conv layers (see models/README.md).
const PRETRAINED = [
  { file: "digits-cnn.json", name: "pretrained CNN" },
  { file: "digits-mlp.json", name: "pretrained MLP 784-128-10" },
];
const LIVE_INTERVAL = 80;  // ms between classifications while a stroke is being drawn
const percent = (p, digits = 1) => `${(100 * p).toFixed(digits)}%`;
const count = (n) => Math.round(n).toLocaleString("en-US");

let nn = null;
let current = null;      // { net, name, model (nnplay JSON), evaluation: Promise, saved }
let pretrained = null;   // { name, model } to go back to
let saved = null;        // the saved model's record (saved-model.js), null when there is none
let training = false;
let lastClassified = 0;  // performance.now() of the pad's last classification
let liveTimer = null;
let resolveTestSet, rejectTestSet;
const testSetReady = new Promise((resolve, reject) => { resolveTestSet = resolve; rejectTestSet = reject; });
testSetReady.catch(() => {});  // reported where it is awaited
const bars = new ProbabilityBars($("probabilities"));
const curves = new TrainingCurves($("train-curves"));
const evaluationView = new EvaluationView({ confusion: $("confusion"), galleryTitle: $("gallery-title"),
  gallery: $("gallery") });
const weightsView = new WeightsView($("weights"), $("weights-note"));
const noiseView = new NoiseView($("noise"), $("noise-note"));
const trainer = new Trainer(onWorkerEvent, onWorkerDeath, { early: earlyWorker });
const pad = new DrawingPad($("digit-pad"), onPadChange);

// A failed request of a dead worker says nothing: onWorkerDeath reports the death once.
function showError(error) {
  if (error?.workerDied) return;
  const alert = $("digits-error");
  alert.textContent = error ? String(error.message ?? error) : "";
  alert.hidden = !error;
  if (error) console.warn(error);
}

// ---- classification -------------------------------------------------------------------------

/** CONTRACT §4: classify a grayscale picture (0..255, either polarity) as the pad does. */
function classify(gray, width, height) {
  if (!current) throw new Error("no model is loaded yet: await window.nnplay.ready first");
  const { input28, empty, inverted } = preprocess(gray, width, height);
  if (empty) return { label: null, probabilities: new Array(10).fill(0), input28, inverted, empty };
  const out = current.net.predict(input28, 1);
  const sum = out.reduce((a, b) => a + b, 0) || 1;  // sigmoid outputs need not sum to 1
  const probabilities = Array.from(out, (p) => p / sum);
  const label = probabilities.indexOf(Math.max(...probabilities));
  return { label, probabilities, input28, inverted, empty };
}

function classifyPad() {
  lastClassified = performance.now();
  const result = classify(pad.gray(), pad.width, pad.height);
  grayCanvas(result.input28, 28, 28, { canvas: $("digit-input") });
  const prediction = $("digit-prediction");
  if (result.empty) {
    prediction.replaceChildren("Draw a digit");
    bars.show(null);
    return;
  }
  const label = document.createElement("span");
  label.className = "label";
  label.textContent = String(result.label);
  const sure = document.createElement("span");
  sure.className = "sure";
  sure.textContent = ` ${percent(result.probabilities[result.label], 0)} sure`;
  prediction.replaceChildren(label, sure);
  bars.show(result.probabilities);
}

function onPadChange(final) {
  if (!current) return;
  clearTimeout(liveTimer);
  const wait = LIVE_INTERVAL - (performance.now() - lastClassified);
  if (final || wait <= 0) classifyPad();
  else liveTimer = setTimeout(classifyPad, wait);
}

// ---- models ---------------------------------------------------------------------------------

// saved: the model is the saved one (saved-model.js); evaluation: its test results, if known.
function setModel(net, name, model, { evaluation = null, saved: isSaved = false } = {}) {
  current?.net.delete();
  current = { net, name, model, saved: isSaved };
  testModel(evaluation);
  weightsView.show(net.getWeights()[0]);
  classifyPad();
  renderModelChoice();
}

// What the worker finds out about the model in use: its test results (unless known already)
// and its answers to noise. A new worker (onWorkerDeath) is asked again.
function testModel(evaluation = null) {
  const mine = current, { name } = mine;
  mine.evaluation = evaluation ? Promise.resolve(evaluation) :
    testSetReady.then(() => trainer.evaluate(mine.model));
  $("model-info").textContent = `Model: ${name} · testing…`;
  $("test-accuracy").textContent = "Testing on the 10,000 test digits…";
  mine.evaluation.then((result) => {
    if (current !== mine) return;
    $("model-info").textContent = `Model: ${name} · ${percent(result.accuracy, 2)} on the MNIST test set`;
    $("test-accuracy").textContent = `${name}: ${count(result.accuracy * 10000)} of 10,000 ` +
      `test digits right (${percent(result.accuracy, 2)}).`;
    evaluationView.showEvaluation(result);
  }).catch(showError);
  showNoise();
}

// The noise view. The worker runs the network on the noise: 500 CNN predictions here would hold
// the page up for a second.
function showNoise() {
  const mine = current;
  noiseView.waiting();
  trainer.noise(mine.model, NOISE_SAMPLES).then((result) => {
    if (current === mine) noiseView.show(result);
  }).catch((error) => {
    if (!error.workerDied) showError(error);  // else the new worker is asked again (onWorkerDeath)
  });
}

// "Using your saved model … [Use the pretrained one]" or "Your saved model … [Use your saved model]".
function renderModelChoice() {
  $("model-choice").hidden = !saved;
  if (!saved) return;
  const inUse = current?.saved === true;
  const what = `${saved.name}, saved ${new Date(saved.savedAt).toLocaleString("en-GB",
    { dateStyle: "medium", timeStyle: "short" })}`;
  $("model-choice-text").textContent = inUse ? `Using your saved model (${what}).` :
    `Your saved model (${what}) is kept.`;
  $("model-use-saved").hidden = inUse;
  $("model-use-pretrained").hidden = !inUse;
}

/** Keeps the model in use (one that loaded fine) for the next visit, as the saved one. */
function keepModel() {
  const previous = saved, kept = current;
  saved = { model: kept.model, name: kept.name, savedAt: Date.now(), active: true };
  kept.saved = true;
  renderModelChoice();
  writeSavedModel(saved).catch((error) => {
    saved = previous;
    kept.saved = false;
    renderModelChoice();
    showError(`This model reads the pad but could not be kept for your next visit: ${error.message}`);
  });
}

function useSavedModel() {
  const net = checkDigitsModel(nn.fromJSON(saved.model));
  setModel(net, saved.name, saved.model, { saved: true });
}

function usePretrainedModel() {
  setModel(nn.fromJSON(pretrained.model), pretrained.name, pretrained.model);
  if (saved) setSavedModelActive(false).catch(console.warn);
}

// The first pretrained model that loads; its file downloads while the module (nnReady) compiles.
async function loadPretrained() {
  const reasons = [];
  for (const { file, name } of PRETRAINED) {
    const response = await fetch(new URL(file, modelsUrl));
    if (!response.ok) {
      reasons.push(`${file}: HTTP ${response.status}`);
      continue;
    }
    const model = await response.json();
    try {
      return { net: (await nnReady).fromJSON(model), name, model };
    } catch (error) {  // e.g. a CNN file before this build has conv layers
      reasons.push(`${file}: ${error.message}`);
    }
  }
  throw new Error(`no pretrained model could be loaded (${reasons.join("; ")})`);
}

function checkDigitsModel(net) {
  if (net.inputs !== 784 || net.outputs !== 10) {
    net.delete();
    throw new Error(`this model maps ${net.inputs} inputs to ${net.outputs} outputs; ` +
      "the digits page needs 784 (28×28) to 10");
  }
  return net;
}

function saveModel() {
  saveFiles([nnplayModelFile(current.model, { name: "nnplay-digits-model.json" })]);
}

// TF.js's model.json + weights.bin, for tf.loadLayersModel.
function saveModelForTFJS() {
  saveFiles(tfjsModelFiles(current.net.toTFJS()));
}

// An nnplay model file, or TF.js's model.json with its weights .bin (chosen together).
async function loadModelFiles(files) {
  const read = await readModelFiles(files);
  const net = checkDigitsModel(read.format === "nnplay" ? nn.fromJSON(read.model) :
    nn.fromTFJS(read.artifacts));
  const model = read.format === "nnplay" ? read.model : net.toJSON();
  setModel(net, `loaded from ${files.map((f) => f.name).join(" + ")}`, model);
  keepModel();
}

// ---- training -------------------------------------------------------------------------------

const form = {
  model: $("train-model"), epochs: $("train-epochs"), optimizer: $("train-optimizer"),
  lr: $("train-lr"), batch: $("train-batch"), augment: $("train-augment"),
};

function readForm() {
  return { model: form.model.value, epochs: form.epochs.valueAsNumber,
    optimizer: form.optimizer.value, lr: form.lr.valueAsNumber, batch: form.batch.valueAsNumber,
    augment: form.augment.checked };
}

function writeForm(settings) {
  form.model.value = settings.model;
  form.epochs.value = settings.epochs;
  form.optimizer.value = settings.optimizer;
  form.lr.value = settings.lr;
  form.batch.value = settings.batch;
  form.augment.checked = settings.augment;
}

function setTraining(on) {
  training = on;
  $("train-start").disabled = on;
  $("train-stop").disabled = !on;
  for (const id of ["model-save", "model-save-tfjs", "model-load-button", "model-default", "model-use-saved", "model-use-pretrained"]) {
    $(id).disabled = on;
  }
  for (const input of Object.values(form)) input.disabled = on;
}

async function runTraining(settings) {
  if (training) throw new Error("training is already running");
  const { model: kind, epochs } = settings;
  setTraining(true);
  showError(null);
  curves.reset(epochs);
  $("train-progress").value = 0;
  $("train-status").textContent = "Waiting for the MNIST training set…";
  let smoothLoss = null, smoothAccuracy = null, trainSize = 60000;
  const onMessage = (message) => {
    if (message.what === "chunk") {
      trainSize = message.total / epochs;
      // exponential moving averages: one chunk's numbers are noisy
      smoothLoss = smoothLoss === null ? message.loss : 0.8 * smoothLoss + 0.2 * message.loss;
      smoothAccuracy = smoothAccuracy === null ? message.accuracy : 0.8 * smoothAccuracy + 0.2 * message.accuracy;
      curves.addTrain(message.seen / trainSize, smoothLoss, smoothAccuracy);
      $("train-progress").value = message.seen / message.total;
      $("train-status").textContent = `Epoch ${message.epoch}/${epochs} · ${count(message.seen)} / ` +
        `${count(message.total)} digits · ${count(message.samplesPerSecond)} digits/s · ` +
        `${Math.ceil(message.secondsLeft)} s left`;
    } else if (message.what === "epoch") {
      curves.addTest(message.seen / trainSize, message.testLoss, message.testAccuracy);
    }
  };
  try {
    const result = await trainer.train({ kind, epochs, optimizer: settings.optimizer,
      lr: settings.lr, batchSize: settings.batch, augment: settings.augment, seed: 1 }, onMessage);
    const net = nn.fromJSON(result.model);
    const epochsDone = result.stopped ? "stopped early" : `${epochs} epoch${epochs > 1 ? "s" : ""}`;
    setModel(net, `${MODELS[kind].label}, trained here (${epochsDone})`, result.model,
      { evaluation: result.evaluation });
    keepModel();
    $("train-progress").value = 1;
    $("train-status").textContent = `${result.stopped ? "Stopped" : "Done"}: ` +
      `${percent(result.testAccuracy, 2)} on the test set after ${result.seconds.toFixed(1)} s ` +
      "of training. This network now reads the pad.";
    return { testAccuracy: result.testAccuracy, seconds: result.seconds, stopped: result.stopped };
  } catch (error) {
    $("train-status").textContent = error.workerDied ? "Training lost: the worker stopped (see above)." :
      "Training failed.";
    throw error;
  } finally {
    setTraining(false);
  }
}

/** CONTRACT §4: train({model: "mlp"|"mlp30"|"cnn", epochs}) -> Promise {testAccuracy, seconds}. */
async function train({ model = "mlp", epochs = 1, ...rest } = {}) {
  await ready;
  if (!(model in MODELS)) throw new Error(`model: expected one of ${Object.keys(MODELS).join(", ")}`);
  const settings = { ...defaultSettings(model), epochs, ...rest };
  writeForm(settings);
  return runTraining(settings);
}

// ---- data and the worker --------------------------------------------------------------------

function loadData() {
  trainer.loadData().catch((error) => {
    if (error.workerDied) return;  // onWorkerDeath loads it again
    $("data-text").textContent = "not available";
    rejectTestSet(error);
    showError(error);
  });
}

// A new worker: it loads MNIST again and tests the model in use again (a training that was
// running is lost; the model in use stays).
function onWorkerDeath(reason) {
  const died = `The training worker stopped: ${reason}.`;
  if (!trainer.restart()) {
    showError(`${died} It could not be restarted: reload the page.`);
    return;
  }
  showError(`${died} It was restarted: it loads the MNIST data again and retests the model in use.` +
    `${training ? " The training that was running is lost; the model reading the pad is unchanged." : ""}`);
  $("data-status").classList.remove("done");
  loadData();
  if (current) testModel();  // the network reading the pad is unchanged
}

function onWorkerEvent(message) {
  if (message.type === "data-progress") {
    $("data-progress").value = message.loaded / message.total;
    $("data-text").textContent = `${(message.loaded / 1e6).toFixed(1)} / ${(message.total / 1e6).toFixed(1)} MB`;
  } else if (message.type === "data-ready") {
    evaluationView.setTestSet(message.test);
    $("data-status").classList.add("done");
    $("data-text").textContent = `${count(message.train)} training + ${count(message.test.n)} test digits`;
    resolveTestSet();
  } else if (message.type === "error") {
    showError(message.message);
  }
}

// ---- wiring ---------------------------------------------------------------------------------

function wire() {
  for (const [kind, { label }] of Object.entries(MODELS)) form.model.append(new Option(label, kind));
  const { settings, error } = parseHash(location.hash);
  writeForm(settings);
  if (error) showError(error);
  const remember = () => history.replaceState(null, "", formatHash(readForm()));
  form.model.addEventListener("change", () => {
    writeForm({ ...defaultSettings(form.model.value), epochs: form.epochs.valueAsNumber || 1,
      augment: form.augment.checked });
    remember();
  });
  for (const input of Object.values(form)) input.addEventListener("change", remember);
  window.addEventListener("hashchange", () => {
    const parsed = parseHash(location.hash);
    writeForm(parsed.settings);
    showError(parsed.error);
  });

  $("train-form").addEventListener("submit", (event) => {
    event.preventDefault();
    runTraining(readForm()).catch(showError);
  });
  $("train-stop").addEventListener("click", () => trainer.stop());
  $("digit-clear").addEventListener("click", () => pad.clear());
  $("digit-undo").addEventListener("click", () => pad.undo());
  $("digit-pad").addEventListener("keydown", (event) => {
    if (event.key === "Escape" || event.key === "Delete") pad.clear();
  });
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest?.("input, select, textarea");
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" && !typing) {
      event.preventDefault();
      pad.undo();
    }
  });
  $("noise-again").addEventListener("click", () => current && showNoise());
  $("model-save").addEventListener("click", () => current && saveModel());
  $("model-save-tfjs").addEventListener("click", () => current && saveModelForTFJS());
  $("model-load-button").addEventListener("click", () => $("model-load").click());
  $("model-load").addEventListener("change", (event) => {
    const files = [...event.target.files];
    event.target.value = "";
    if (files.length) loadModelFiles(files).then(() => showError(null), showError);
  });
  $("model-default").addEventListener("click", () => pretrained && usePretrainedModel());
  $("model-use-pretrained").addEventListener("click", () => pretrained && usePretrainedModel());
  $("model-use-saved").addEventListener("click", () => {
    try {
      useSavedModel();
      setSavedModelActive(true).catch(console.warn);
    } catch (error) {
      showError(`Your saved model could not be loaded: ${error.message}`);
    }
  });
}

async function start() {
  wire();
  loadData();
  // The module (started by boot.js), the saved model and the pretrained file load at once.
  const savedReady = readSavedModel().catch((error) => {
    console.warn(error);
    return null;
  });
  const pretrainedReady = loadPretrained();
  pretrainedReady.catch(() => {});  // awaited below, after the module
  nn = await nnReady;
  saved = await savedReady;
  const loaded = await pretrainedReady;
  pretrained = { name: loaded.name, model: loaded.model };
  if (saved?.active) {
    try {
      useSavedModel();
      loaded.net.delete();
      return;
    } catch (error) {
      showError(`Your saved model (${saved.name}) could not be loaded, so the pretrained one reads ` +
        `the pad: ${error.message}`);
      saved = null;
      deleteSavedModel().catch(console.warn);
    }
  }
  setModel(loaded.net, loaded.name, loaded.model);
}

const ready = start();
ready.catch(showError);

window.nnplay = {
  ready,
  classify,
  train,
  /** Test-set accuracy of the model that reads the pad now: Promise { testAccuracy, loss }. */
  evaluate: async () => {
    await ready;
    const { accuracy, loss } = await current.evaluation;
    return { testAccuracy: accuracy, loss };
  },
  // Test hook: kills the training worker ("error", "memory" or "hang").
  _crashWorker: (how) => trainer.crash(how),
};
