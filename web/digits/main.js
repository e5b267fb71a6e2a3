// The digits page: wiring only. The session (session.js) owns the state, the main thread's
// network and the MNIST worker; the views render its snapshots; the page's buttons, file input
// and address bar send it commands; the address bar shows its settings. window.nnplay is
// docs/API.md's page hooks.
import { saveFiles } from "../lib/downloads.js";
import { $ } from "../lib/dom.js";
import { Trainer } from "../lib/mnist/client.js";
import { modelsUrl } from "../lib/site-files.js";
import { alertView } from "./alert-view.js";
import { ProbabilityBars } from "./bars.js";
import { earlyWorker, nnReady } from "./boot.js";
import { CurvesView } from "./curves-view.js";
import { DataView } from "./data-view.js";
import { EvaluationView } from "./evaluation-view.js";
import { examplesStore } from "./examples-store.js";
import { LayersView } from "./layers-view.js";
import { ModelView } from "./model-view.js";
import { NetworkView } from "./network-view.js";
import { PadView } from "./pad-view.js";
import { PredictionView } from "./prediction-view.js";
import { savedModelStore } from "./saved-model.js";
import { DigitsSession } from "./session.js";
import { TeachView } from "./teach-view.js";
import { TrainingView } from "./training-view.js";
import { UnitView } from "./unit-view.js";
import { WhyView } from "./why-view.js";

async function fetchModel(file) {
  const response = await fetch(new URL(file, modelsUrl));
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

const trainer = new Trainer((message) => session.workerEvent(message), (reason) => session.workerDied(reason),
  { early: earlyWorker });
const session = new DigitsSession({ trainer, store: savedModelStore, fetchModel, nn: nnReady, examples: examplesStore });
// Commands whose failure the session has told the user already.
const quietly = (promise) => promise.catch(() => {});

// ---- views

const prediction = new PredictionView($("digit-prediction"), $("digit-input"), $("digit-announce"));
const bars = new ProbabilityBars($("probabilities"));
// Drawing updates timed — the model's pass over every layer and every view's render — while a
// stroke grows and when it ends (then occlusion runs too).
const drawingUpdates = { stroke: { count: 0, ms: 0 }, end: { count: 0, ms: 0 } };
const pad = new PadView({ canvas: $("digit-pad"), pen: $("digit-pen"), clear: $("digit-clear"), undo: $("digit-undo") }, {
  classify: (gray, width, height, options) => {
    const began = performance.now();
    const result = session.look(gray, width, height, options);
    const kind = drawingUpdates[options.final ? "end" : "stroke"];
    kind.count++;
    kind.ms += performance.now() - began;
    return result;
  },
  show: (result, options) => {
    prediction.show(result, options);
    bars.show(result.empty ? null : result.probabilities);
  },
});
const views = [
  alertView($("digits-error")),
  new DataView({ status: $("data-status"), progress: $("data-progress"), text: $("data-text") }),
  new ModelView({ info: $("model-info"), choice: $("model-choice"), choiceText: $("model-choice-text"),
    useSaved: $("model-use-saved"), usePretrained: $("model-use-pretrained") }),
  new TrainingView({
    form: $("train-form"), start: $("train-start"), stop: $("train-stop"), progress: $("train-progress"),
    status: $("train-status"), announce: $("train-announce"), inputs: { model: $("train-model"), epochs: $("train-epochs"),
      optimizer: $("train-optimizer"), lr: $("train-lr"), decay: $("train-decay"), batch: $("train-batch"),
      augment: $("train-augment") },
  }, {
    edit: (patch) => session.editSettings(patch),
    train: () => quietly(session.train()),
    stop: () => session.stop(),
  }),
  new CurvesView($("train-curves")),
  new EvaluationView({ accuracy: $("test-accuracy"), confusion: $("confusion"), galleryTitle: $("gallery-title"),
    gallery: $("gallery") }),
  new NetworkView({ weights: $("weights"), weightsNote: $("weights-note"), noise: $("noise"),
    noiseNote: $("noise-note") }),
  new LayersView({ root: $("layers"), note: $("layers-note") }, { chooseUnit: (unit) => session.chooseUnit(unit) }),
  new UnitView({ map: $("unit-map"), title: $("unit-title"), formula: $("formula") },
    { chooseUnit: (unit) => session.chooseUnit(unit) }),
  new WhyView({ cls: $("saliency-class"), saliency: $("saliency"), saliencyNote: $("saliency-note"),
    occlusion: $("occlusion"), occluded: $("occluded"), occlusionNote: $("occlusion-note") },
  { chooseClass: (cls) => session.chooseClass(cls) }),
  new TeachView({ labels: $("teach-labels"), summary: $("mine-summary"), gallery: $("mine-gallery"), start: $("fine-tune"),
    progress: $("fine-tune-progress"), status: $("fine-tune-status"), results: $("fine-tune-results") },
  { keep: (label) => session.keepDrawing(label) }),
  pad,  // last: when a new model reads the pad, its render publishes the drawing anew
];

// The link first: the address bar then shows the session's settings.
const ready = session.start(location.hash);
quietly(ready);
session.subscribe((snapshot) => {
  for (const view of views) view.render(snapshot);
  if (location.hash !== snapshot.hash) history.replaceState(null, "", snapshot.hash);
});

// ---- commands

$("model-save").addEventListener("click", () => session.exportModel("nnplay").then(saveFiles));
$("model-save-tfjs").addEventListener("click", () => session.exportModel("tfjs").then(saveFiles));
$("model-load-button").addEventListener("click", () => $("model-load").click());
$("model-load").addEventListener("change", (event) => {
  const files = [...event.target.files];
  event.target.value = "";  // the same file chosen again is a new choice
  session.openModelFiles(files);
});
$("model-default").addEventListener("click", () => session.usePretrained());
$("model-use-pretrained").addEventListener("click", () => session.usePretrained());
$("model-use-saved").addEventListener("click", () => session.useSaved());
$("noise-again").addEventListener("click", () => session.newNoise());
$("fine-tune").addEventListener("click", () => {
  const epochs = Number($("fine-tune-epochs").value);
  quietly(session.fineTune({ epochs }));
});
$("fine-tune-pretrained").addEventListener("click", () => session.usePretrained());
$("mine-export").addEventListener("click", () => saveFiles(session.exportExamples()));
$("mine-import-button").addEventListener("click", () => $("mine-import").click());
$("mine-import").addEventListener("change", (event) => {
  const files = [...event.target.files];
  event.target.value = "";
  session.importExamples(files);
});
$("mine-clear").addEventListener("click", () => session.clearExamples());
// Changing the hash by hand: the settings it carries (a bad one says why).
// The hash the user navigated to, from the event: by the time it is handled, a snapshot published
// meanwhile (MNIST loading, training) may already have put the session's hash back in the bar.
window.addEventListener("hashchange", (event) => session.openLink(new URL(event.newURL).hash));

window.nnplay = {
  ready,
  classify: (gray, width, height) => session.classify(gray, width, height),
  /** train({ model: "mlp" | "mlp30" | "cnn", epochs, ... }) -> Promise { testAccuracy, seconds, stopped }. */
  train: async (request = {}) => {
    await ready;
    return session.train(request);
  },
  /** The training under way (or the last): { state, threads, test: [{ epoch, testAccuracy, testLoss }] }. */
  training: () => session.trainingProgress(),
  /** Test-set accuracy of the model that reads the pad now: Promise { testAccuracy, loss }. */
  evaluate: async () => {
    const { accuracy, loss } = await session.evaluation();
    return { testAccuracy: accuracy, loss };
  },
  /** The model reading the pad: { name, source, layers } (layer types). */
  model: () => session.modelInUse(),
  /** Every layer's output for a picture: { input28, layers: [{ type, shape, data }] }. */
  featureMaps: (gray, width, height) => session.featureMaps(gray, width, height),
  /** d log p(label) / d input28: Float32Array(784). */
  saliency: (gray, width, height, label) => session.saliency(gray, width, height, label),
  /** Keeps a picture as one of the user's digits, labelled `label`. */
  addExample: (gray, width, height, label) => session.addExample(gray, width, height, label),
  /** The user's digits: how many of each, an array of 10 counts. */
  examples: () => session.exampleCounts(),
  clearExamples: () => session.clearExamples(),
  /** Resolves once the user's digits as they are now are kept in IndexedDB (for a next visit). */
  examplesKept: () => session.examplesKept(),
  /** Fine-tunes the model in use on the user's digits and MNIST: Promise { seconds }. */
  fineTune: async (options = {}) => {
    await ready;
    return session.fineTune(options);
  },
  /** Accuracy of the model in use on the 10,000 MNIST test digits: Promise of a number. */
  testAccuracy: () => session.testAccuracy(),
  /** Drawing updates so far: { stroke, end } each { count, meanMs } (every layer and view; at the end also occlusion). */
  perf: () => Object.fromEntries(Object.entries(drawingUpdates).map(([kind, { count, ms }]) =>
    [kind, { count, meanMs: count ? ms / count : 0 }])),
  // Test hook: kills the training worker ("error", "memory" or "hang").
  _crashWorker: (how) => session.crashWorker(how),
};
