// The 2-D playground page: keeps the state (mirrored in the URL hash), sends it to the training
// worker, draws what comes back, and offers window.nnplay (CONTRACT §4).
//
// Every action that talks to the worker runs through one queue, so a rebuild never overlaps a
// training round trip; playing is a loop of round trips that a pause ends after the current one.
//
// Data is generated (2-D points and their feature crosses) or a table: a preset or a CSV file
// the user loads, which the worker reads and describes (`table`). A link or a model file made
// with a CSV file cannot carry the file: its state waits (`pending`) until the file is loaded.
//
// When the worker dies (out of memory, an uncaught error, no answer) the page says so, starts
// a new one and rebuilds from its state, as opening its URL would (`recover`).
import { lessons } from "../lib/lessons.js";
import { nnplayModelFile, readModelFiles, tfjsModelFiles } from "../lib/model-files.js";
import { Charts } from "./charts.js";
import { CLASS_COLORS, NEGATIVE, POSITIVE, outputColors, paintClassProbability, unitScale } from "../lib/plane/colors.js";
import { Controls } from "./controls.js";
import { FEATURES } from "../lib/plane/features.js";
import { saveFiles } from "../lib/downloads.js";
import { watchFiles } from "./files.js";
import { Heatmap, SQUARE } from "../lib/plane/heatmap.js";
import { flatWeights } from "../lib/flat-weights.js";
import { adaptToTask, mergeContract, toContract } from "./model.js";
import { NetworkView } from "./network-view.js";
import { PRESETS } from "../lib/plane/tables.js";
import { TrainerClient } from "./trainer-client.js";
import {
  LIMITS, decodeState, defaultState, encodeState, isRegression, validateState,
} from "../lib/plane/state.js";

const CHUNK_MS = 14;       // training per round trip at most; the page draws while the worker trains
const SHARE_LIMIT = 8000;  // a share link with weights longer than this goes without them
const DRAWN_INPUTS = { all: 8, some: 6 };  // more inputs than `all`: the diagram draws `some` of them

const $ = (id) => document.getElementById(id);
const client = new TrainerClient({ onDeath: (reason) => enqueue(() => recover(reason)) });
const charts = new Charts($("loss-chart"), $("accuracy-chart"));
const heatmap = new Heatmap($("heatmap"), { onClick: addPoint });
const network = new NetworkView($("diagram-canvas"), $("diagram-tip"));
const controls = new Controls(edit);

let state = null;     // validated page state (url-state.js)
let table = null;     // the loaded table's description (worker.js) when state.dataset is a table
let csvFile = "";     // name of the CSV file the worker holds, "" before one is loaded
let csvSource = null; // { file, name } of that file, for a restarted worker
let pending = null;   // { state, what }: a link's or model file's state, waiting for its CSV file
let points = null;    // { train, test }: coordinates and labels, for drawing
let view = null;      // the latest snapshot worth drawing (not one from a diverged network)
let metrics = { epoch: 0, step: 0, trainLoss: NaN, testLoss: NaN, trainAccuracy: NaN, testAccuracy: NaN };
let playing = false;
let loop = null;      // promise of the running training loop
let diverged = false;
let drawRequested = false;
let deathsInARow = 0; // worker deaths since the last build that worked
const perf = { frames: 0, snapshots: 0 };

let queue = Promise.resolve();
function enqueue(task) {
  const run = queue.then(task);
  queue = run.catch(() => {});
  return run;
}

function showAlert(message) {
  $("alert").textContent = message;
  $("alert").hidden = !message;
}
const setStatus = (text) => { $("status").textContent = text; };

// ---- talking to the worker (call these from queued tasks only)

// source: { file, name }, a newly chosen CSV file for `next` (data=csv).
async function build(next, { keepNetwork = false, source = null } = {}) {
  const reply = await client.build(next, { keepNetwork, source });
  state = reply.state;  // for a table: fitted to it (label, plotted columns, output, loss)
  table = reply.table;
  points = reply.points;
  if (source) {
    csvSource = source;
    csvFile = source.name;
    controls.setCsvFile(csvFile);
  }
  if (!keepNetwork) {
    diverged = false;
    charts.clear();
  }
  applySnapshot(reply.snapshot);
  controls.render(state, table);
  renderData();
  history.replaceState(null, "", `#${encodeState(state)}`);
}

// "binary", "multiclass" or "regression".
const task = () => table?.kind ?? (isRegression(state.dataset) ? "regression" : "binary");

function applySnapshot(snapshot) {
  perf.snapshots++;
  metrics = snapshot.metrics;
  charts.push(metrics);
  if (snapshot.diverged) {
    if (!diverged) explainDivergence();
    diverged = true;
    playing = false;
  } else {
    view = snapshot;
  }
  requestDraw();
}

function explainDivergence() {
  showAlert(`Training stopped at epoch ${metrics.epoch}: the loss became NaN or infinite: the weights ` +
    `diverged. The learning rate (${state.lr}) is too high for this network and data: lower it ` +
    `(try ${state.lr / 10}) and press Reset.`);
}

// The play speed: epochs per frame, paced by animation frames; Infinity: as fast as possible.
const speed = () => Number($("speed").value);
const nextFrame = () => new Promise((resolve) => { requestAnimationFrame(resolve); });

/** Trains until untilEpoch (or a pause); paced: at most speed() epochs per animation frame. */
function startLoop(untilEpoch, { paced = false } = {}) {
  if (loop) return loop;
  if (diverged) {
    explainDivergence();
    return Promise.resolve();
  }
  playing = true;
  renderPlay();
  loop = (async () => {
    try {
      while (playing && !diverged && metrics.epoch < untilEpoch) {
        const perFrame = paced ? speed() : Infinity;
        const { snapshot } = await client.train(Math.min(untilEpoch - metrics.epoch, perFrame, 1e6), CHUNK_MS);
        applySnapshot(snapshot);
        if (perFrame !== Infinity) await nextFrame();
      }
    } catch (error) {
      if (!error.workerDied) showAlert(error.message);  // a death is reported by recover()
    } finally {
      loop = null;
      playing = false;
      renderPlay();
    }
  })();
  return loop;
}

async function stopLoop() {
  playing = false;
  await loop;
}

// Rebuilds with `next` (validated), keeping the play state: edits while playing keep playing.
async function rebuild(next, options) {
  const wasPlaying = playing;
  await stopLoop();
  await build(next, options);
  if (wasPlaying) startLoop(Infinity, { paced: true });
}

/**
 * After the worker died: a new worker and the playground rebuilt from its state (its URL),
 * paused at epoch 0. Should that state kill the worker again, the defaults; a third death in a
 * row gives up.
 */
async function recover(reason) {
  await stopLoop();
  deathsInARow++;
  const died = `The training worker stopped: ${reason}.`;
  if (deathsInARow > 2 || !client.restart()) {
    showAlert(`${died} It could not be restarted: reload the page.`);
    setStatus("");
    return;
  }
  const fallback = deathsInARow > 1 || !state;
  const next = fallback ? defaultState() : state;
  try {
    await build(next, { source: next.dataset === "csv" ? csvSource : null });
  } catch (error) {
    if (!error.workerDied) showAlert(`${died} Restarting it failed: ${error.message}. Reload the page.`);
    return;  // a death: its own recover() follows
  }
  deathsInARow = 0;
  showAlert(`${died} It was restarted, ${fallback ? "but this playground's settings stopped it " +
    "again, so it shows the default playground" : "and the playground was rebuilt from its " +
    "settings (the link); training starts again at epoch 0"}.`);
  setStatus("Restarted: press Play (space) to train.");
}

// ---- user actions

/**
 * A control's edit: patch is a partial state or a function of the current one; effect is
 * "rebuild", "points" (data only, same network), "live" or "view".
 */
function edit(patch, effect = "rebuild") {
  return enqueue(async () => {
    try {
      const change = typeof patch === "function" ? patch(state) : patch;
      const next = validateState(adaptToTask(state,
        { ...state, ...change, weights: effect === "rebuild" ? null : state.weights }));
      showAlert("");
      if (effect === "rebuild" || effect === "points") {
        await rebuild(next, { keepNetwork: effect === "points" });
        return;
      }
      if (effect === "live") await client.tune(next.lr, next.batchSize);
      state = next;
      history.replaceState(null, "", `#${encodeState(state)}`);
      requestDraw();
    } catch (error) {
      showAlert(error.message);
      controls.render(state, table);
    }
  });
}

function addPoint(x1, x2) {
  if (table) return;  // a point of a table has every column, not just the two plotted
  const blue = $("add-class").value === "1";
  edit(({ added, dataset }) => {
    if (added.length >= LIMITS.addedPoints) throw new Error(`At most ${LIMITS.addedPoints} points can be added; clear some first.`);
    return { added: [...added, [x1, x2, blue ? 1 : isRegression(dataset) ? -1 : 0]] };
  }, "points");
}

const reset = () => enqueue(async () => {
  await stopLoop();
  await build({ ...state, weights: null });
  showAlert("");
  return { ...metrics };
});

const play = () => enqueue(() => { startLoop(Infinity, { paced: true }); });

function pause() {
  playing = false;
  return enqueue(stopLoop).then(() => ({ ...metrics }));
}

function step(k = 1) {
  if (!Number.isInteger(k) || k < 1) return Promise.reject(new Error(`step: expected a positive integer, got ${k}`));
  return enqueue(async () => {
    await stopLoop();
    await startLoop(metrics.epoch + k);
    return { ...metrics };
  });
}

/** A link to this playground; withWeights adds the current weights when the link stays short. */
function shareUrl(withWeights = $("share-weights").checked) {
  const base = location.href.split("#")[0];
  if (withWeights && view) {
    const url = `${base}#${encodeState({ ...state, weights: flatWeights(view.weights) })}`;
    if (url.length <= SHARE_LIMIT) return url;
  }
  return `${base}#${encodeState(state)}`;
}

async function share() {
  const wanted = $("share-weights").checked;
  const url = shareUrl();
  $("share-url").value = url;
  $("share-output").hidden = false;
  $("share-url").select();
  const note = wanted && !url.includes("&w=") ? " (without weights: they would make it too long)" : "";
  try {
    await navigator.clipboard.writeText(url);
    setStatus(`Link copied, ${url.length} characters${note}.`);
  } catch {
    setStatus(`Copy the link below${note}.`);
  }
}

// ---- drawing (once per animation frame, from the latest snapshot)

function requestDraw() {
  if (drawRequested) return;
  drawRequested = true;
  requestAnimationFrame(draw);
}

// Maps an output or label to [-1, 1] for colouring: a probability from [0, 1], a table's
// regression target from its range.
function outputToUnit() {
  if (task() !== "regression") return (v) => 2 * v - 1;
  if (!table) return (v) => v;
  const [low, high] = table.labelRange;
  return (v) => (high > low ? (2 * (v - low)) / (high - low) - 1 : 0);
}

const colors = () => outputColors({ classes: task() === "multiclass" ? table.outputs : 0, toUnit: outputToUnit() });

// Which units of a column the diagram draws: all, or for many a few and "+ N more" (inputs:
// the plotted columns first).
function shownUnits(units, first = []) {
  if (units <= DRAWN_INPUTS.all) return undefined;
  const rest = Array.from({ length: units }, (_, i) => i).filter((i) => !first.includes(i));
  return [...first, ...rest].slice(0, DRAWN_INPUTS.some);
}

// The diagram's columns: inputs (each stretched over its range on the grid), hidden, output.
function diagramColumns(inputValues) {
  const k = table ? table.inputs : state.features.length;
  const ranges = Array.from({ length: k }, (_, j) => {
    let low = Infinity, high = -Infinity;
    for (let i = j; i < inputValues.length; i += k) {
      low = Math.min(low, inputValues[i]);
      high = Math.max(high, inputValues[i]);
    }
    return [(low + high) / 2, (high - low) / 2 || 1];
  });
  const labels = table ? table.features : state.features.map((key) => FEATURES.find((f) => f.key === key).label);
  const output = task() === "multiclass" ?
    { title: "output", units: table.outputs, labels: table.classes, paint: paintClassProbability,
      shown: shownUnits(table.outputs) } :
    { title: "output", units: 1, toUnit: outputToUnit };
  return [
    { title: "input", units: k, labels, toUnit: (j) => (v) => (v - ranges[j][0]) / ranges[j][1],
      shown: shownUnits(k, table ? table.plot.columns.filter((c) => c >= 0) : []) },
    ...state.hidden.map((layer, i) => ({ title: `layer ${i + 1}`, units: layer.units,
      toUnit: () => unitScale(layer.activation) })),
    output,
  ];
}

function draw() {
  drawRequested = false;
  const m = metrics;
  $("epoch").textContent = String(m.epoch);
  const loss = (v) => (Number.isFinite(v) ? v.toFixed(3) : String(v));
  const accuracy = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : "–");
  $("train-loss").textContent = loss(m.trainLoss);
  $("test-loss").textContent = loss(m.testLoss);
  $("train-accuracy").textContent = accuracy(m.trainAccuracy);
  $("test-accuracy").textContent = accuracy(m.testAccuracy);
  charts.draw();
  if (!view || !points) return;
  heatmap.draw({ output: view.output, size: view.gridSize, colors: colors(), points,
    showTest: state.showTest, extent: table?.plot ?? SQUARE });
  network.draw({ columns: diagramColumns(view.units[0]), units: view.units, gridSize: view.unitGridSize,
    weights: view.weights });
  perf.frames++;
}

function renderPlay() {
  $("play").textContent = playing ? "Pause" : "Play";
  $("play").setAttribute("aria-pressed", String(playing));
  if (playing) setStatus("Training…");
  else if ($("status").textContent === "Training…") setStatus(`Paused at epoch ${metrics.epoch}.`);
}

// What the data panel and the plot say about a table: its size and classes, which columns
// the plot shows, and the class colours.
function renderData() {
  document.body.classList.toggle("regression", task() === "regression");
  document.body.classList.toggle("table-data", Boolean(table));
  const legend = $("class-legend");
  legend.hidden = !table || task() === "regression";
  if (!table) return;
  const { name, rows, inputs, label, classes, trainRows, testRows } = table;
  const shownClasses = classes.length > 6 ? [...classes.slice(0, 6), "…"] : classes;
  $("table-info").textContent = `${name}: ${rows} rows, ${inputs} input column${inputs > 1 ? "s" : ""}; ` +
    `label "${label}": ${classes.length ? `${classes.length} classes (${shownClasses.join(", ")})` :
      "numbers (regression)"}. Training on ${trainRows} rows, testing on ${testRows}.`;
  const [across, up] = [state.plotX, state.plotY];
  const others = inputs - (up ? 2 : 1);
  $("plot-note").textContent = `The plot shows the network's output across "${across}"` +
    `${up ? ` and up "${up}"` : ""}${state.standardize ? " (standardized)" : ""}` +
    `${others > 0 ? `; the other ${others} input${others > 1 ? "s are" : " is"} held at ${others > 1 ? "their" : "its"} mean` : ""}.`;
  const swatch = (color, text) => {
    const item = document.createElement("span");
    const dot = document.createElement("span");
    dot.className = "swatch";
    dot.style.background = color;
    item.append(dot, text);
    return item;
  };
  const colorOf = (k) => (classes.length === 2 ? [NEGATIVE, POSITIVE][k] : CLASS_COLORS[k % CLASS_COLORS.length]);
  legend.replaceChildren(...classes.slice(0, 20).map((c, k) => swatch(colorOf(k), c)));
}

// ---- files: CSV data in, models in and out

const kilobytes = (bytes) => (bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);

// what: "the link" or a model file's name; meanwhile: what the page shows until then.
function waitForCsv(next, what, meanwhile) {
  pending = { state: next, what };
  showAlert(`${what === "the link" ? "This link" : what} was made with the CSV file "${next.file || "(unnamed)"}", ` +
    `which it cannot carry: load that file again (Load CSV, or drop it on the page) to continue with it. ${meanwhile}`);
}

/** Loads a CSV file chosen by the user; a link or model waiting for one opens on it. */
function loadCsv(file) {
  return enqueue(async () => {
    const source = { file, name: file.name.slice(-LIMITS.name) };
    setStatus(`Reading and parsing ${file.name} (${kilobytes(file.size)})…`);
    let note = "";
    try {
      if (pending) {
        try {
          await rebuild({ ...pending.state, file: source.name }, { source });
          setStatus(`Loaded ${file.name} and opened ${pending.what} on it.`);
          pending = null;
          showAlert("");
          return;
        } catch (error) {
          note = `${pending.what === "the link" ? "The link" : pending.what} did not fit ${file.name} (${error.message}), so it opens with its defaults.`;
        }
      }
      const fresh = { ...state, dataset: "csv", file: source.name, label: "", plotX: "", plotY: "", weights: null };
      await rebuild(validateState(adaptToTask(state, fresh)), { source });
      pending = null;
      showAlert(note);
      setStatus(`Loaded ${file.name}: press Play (space) to train.`);
    } catch (error) {
      showAlert(`${file.name} could not be used: ${error.message}. The data is unchanged.`);
      setStatus("");
    }
  });
}

const modelFileName = () => (state.dataset === "csv" ? state.file.replace(/\.[^.]*$/, "") || "data" : state.dataset);

/** Downloads the network: "nnplay" (one JSON file) or "tfjs" (model.json and weights.bin). */
function downloadModel(format) {
  return enqueue(async () => {
    const { model } = await client.exportModel(format);
    // The page's settings travel along, so opening the file rebuilds this playground.
    const metadata = { playground: encodeState({ ...state, weights: null }) };
    saveFiles(format === "tfjs" ? tfjsModelFiles(model, { metadata }) :
      [nnplayModelFile(model, { name: `${modelFileName()}.nnplay.json`, metadata })]);
    setStatus(format === "tfjs" ? "Saved model.json and weights.bin: tf.loadLayersModel reads them." :
      `Saved ${modelFileName()}.nnplay.json.`);
  }).catch((error) => showAlert(`The model could not be saved: ${error.message}`));
}

/**
 * Opens a model file (nnplay JSON, or TF.js model.json + weights.bin): its network with its
 * weights, on the data it was made with when the file says (this page's files do), else on
 * the current data. A bad file changes nothing.
 */
function openModel(files) {
  const names = files.map((f) => f.name).join(" + ");
  return enqueue(async () => {
    const file = await readModelFiles(files);
    const { config, weights } = await client.readModel(file.format === "tfjs" ?
      { format: "tfjs", artifacts: file.artifacts } : { format: "nnplay", model: file.model });
    const made = typeof file.metadata?.playground === "string" ? decodeState(file.metadata.playground) : null;
    const base = made && !made.error ? made.state : state;
    // A TF.js file has no training settings (import makes up Adam): keep the page's then.
    const network = file.format === "tfjs" ? { input: config.input, layers: config.layers, loss: config.loss } : config;
    const sameData = base.dataset === state.dataset && (base.dataset !== "csv" || base.file === state.file);
    const next = { ...mergeContract(base, { config: network }, sameData ? table : null), weights };
    if (next.dataset === "csv" && !csvFile) {
      waitForCsv(next, names, "Until then the network is unchanged.");
      return;
    }
    await rebuild(next.dataset === "csv" ? { ...next, file: csvFile } : next);
    showAlert("");
    setStatus(`Opened ${names}; Reset starts from fresh weights.`);
  }).catch((error) => showAlert(`${names} could not be opened: ${error.message}. The network is unchanged.`));
}

// ---- wiring

const togglePlay = () => (playing ? pause() : play());
$("play").addEventListener("click", togglePlay);
$("step").addEventListener("click", () => step(1));
$("reset").addEventListener("click", reset);
$("new-seed").addEventListener("click", () => edit(({ seed }) => ({ seed: (seed + 1) % 4294967296 })));
$("new-data").addEventListener("click", () => edit(({ dataSeed }) => ({ dataSeed: (dataSeed + 1) % 4294967296 })));
$("clear-points").addEventListener("click", () => edit({ added: [] }, "points"));
$("share").addEventListener("click", share);
$("download-model").addEventListener("click", () => downloadModel("nnplay"));
$("download-tfjs").addEventListener("click", () => downloadModel("tfjs"));
watchFiles({ csvInput: $("csv-file"), modelInput: $("open-model"), onCsv: loadCsv, onModel: openModel });
// A preset whose file was not built says so in the list before anyone picks it.
for (const [name, { path }] of Object.entries(PRESETS)) {
  fetch(path, { method: "HEAD" }).then((r) => { if (!r.ok) controls.setUnavailable(name); }, () => {});
}
new ResizeObserver(requestDraw).observe($("heatmap"));

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || !state) return;
  const target = event.target;
  if (target.closest?.("input, select, textarea")) return;
  if (event.key === " " && target.tagName !== "BUTTON") {
    event.preventDefault();
    togglePlay();
  } else if (event.key === "s") {
    step(1);
  } else if (event.key === "r") {
    reset();
  }
});

// Opening the page or changing the hash by hand: rebuild from the URL, paused.
async function openHash(hash) {
  const { state: next, error } = decodeState(hash);
  showAlert(error ?? "");
  await stopLoop();
  pending = null;
  if (!error && next.dataset === "csv" && (!csvFile || next.file !== csvFile)) {
    await build(defaultState());
    waitForCsv(next, "the link", "Until then this is the default playground.");
    history.replaceState(null, "", `#${String(hash).replace(/^#/, "")}`);  // reloading still says so
    setStatus("Waiting for the CSV file; meanwhile the default playground is ready.");
    return;
  }
  try {
    await build(next);
  } catch (buildError) {
    // Valid fields that the core still refuses: say so and fall back to the defaults.
    showAlert(`This link's settings could not be used: ${buildError.message}. Showing the default playground instead.`);
    await build(defaultState());
  }
  setStatus(state.weights ? "Loaded the trained weights from the link; Reset starts from fresh weights." :
    "Ready: press Play (space) to train.");
}
window.addEventListener("hashchange", () => enqueue(() => openHash(location.hash)));

const ready = enqueue(() => openHash(location.hash)).then(() => {
  $("play").disabled = false;
}, (error) => {
  showAlert(`The playground could not start: ${error.message}`);
  setStatus("");
  throw error;
});

window.nnplay = {
  ready,
  state: () => toContract(state, table),
  setState: (partial) => enqueue(async () => {
    try {
      const next = mergeContract(state, partial, table);
      await stopLoop();
      await build(next.dataset === "csv" ? { ...next, file: csvFile } : next);
    } catch (error) {
      showAlert(error.message);
      throw error;
    }
    showAlert("");
    return toContract(state, table);
  }),
  metrics: () => ({ ...metrics }),
  play,
  pause,
  step,
  reset,
  shareUrl: () => shareUrl(),
  lessons: () => lessons.map((lesson) => ({ ...lesson })),
  perf: () => ({ ...perf }),
  // Test hooks: kill the worker ("error", "memory" or "hang"), read its WebAssembly memory.
  _crashWorker: (how) => client.crash(how),
  _workerMemory: () => enqueue(() => client.memory())
    .then(({ heapBytes, inUseBytes }) => ({ heapBytes, inUseBytes })),
};
