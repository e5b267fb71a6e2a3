// The 2-D playground page: keeps the state (mirrored in the URL hash), sends it to the training
// worker, draws what comes back, and offers window.nnplay (CONTRACT §4).
//
// Every action that talks to the worker runs through one queue, so a rebuild never overlaps a
// training round trip; playing is a loop of round trips that a pause ends after the current one.
import { lessons } from "../lessons/list.js";
import { Charts } from "./charts.js";
import { unitScale } from "./colors.js";
import { Controls } from "./controls.js";
import { FEATURES } from "./features.js";
import { Heatmap } from "./heatmap.js";
import { adaptToTask, mergeContract, toContract } from "./model.js";
import { NetworkView } from "./network-view.js";
import { TrainerClient } from "./trainer-client.js";
import { LIMITS, decodeState, defaultState, encodeState, isRegression, validateState } from "./url-state.js";

const CHUNK_MS = 14;       // training per round trip at most; the page draws while the worker trains
const SHARE_LIMIT = 8000;  // a share link with weights longer than this goes without them

const $ = (id) => document.getElementById(id);
const client = new TrainerClient();
const charts = new Charts($("loss-chart"), $("accuracy-chart"));
const heatmap = new Heatmap($("heatmap"), { onClick: addPoint });
const network = new NetworkView($("diagram-canvas"), $("diagram-tip"));
const controls = new Controls(edit);

let state = null;     // validated page state (url-state.js)
let points = null;    // { train, test }: coordinates and labels, for drawing
let view = null;      // the latest snapshot worth drawing (not one from a diverged network)
let metrics = { epoch: 0, step: 0, trainLoss: NaN, testLoss: NaN, trainAccuracy: NaN, testAccuracy: NaN };
let playing = false;
let loop = null;      // promise of the running training loop
let diverged = false;
let drawRequested = false;
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

async function build(next, { keepNetwork = false } = {}) {
  const reply = await client.build(next, { keepNetwork });
  state = next;
  points = reply.points;
  if (!keepNetwork) {
    diverged = false;
    charts.clear();
  }
  applySnapshot(reply.snapshot);
  controls.render(state);
  document.body.classList.toggle("regression", isRegression(state.dataset));
  history.replaceState(null, "", `#${encodeState(state)}`);
}

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
      showAlert(error.message);
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
      controls.render(state);
    }
  });
}

function addPoint(x1, x2) {
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

function flatWeights(weights) {
  const flat = new Float32Array(weights.reduce((sum, w) => sum + w.data.length, 0));
  let offset = 0;
  for (const { data } of weights) {
    flat.set(data, offset);
    offset += data.length;
  }
  return flat;
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

const outputToUnit = () => (isRegression(state.dataset) ? (v) => v : (v) => 2 * v - 1);

// The diagram's columns: inputs (each stretched over its range on the grid), hidden, output.
function diagramColumns(inputValues) {
  const k = state.features.length;
  const ranges = state.features.map((_, j) => {
    let low = Infinity, high = -Infinity;
    for (let i = j; i < inputValues.length; i += k) {
      low = Math.min(low, inputValues[i]);
      high = Math.max(high, inputValues[i]);
    }
    return [(low + high) / 2, (high - low) / 2 || 1];
  });
  return [
    { title: "input", units: k, labels: state.features.map((key) => FEATURES.find((f) => f.key === key).label),
      toUnit: (j) => (v) => (v - ranges[j][0]) / ranges[j][1] },
    ...state.hidden.map((layer, i) => ({ title: `layer ${i + 1}`, units: layer.units,
      toUnit: () => unitScale(layer.activation) })),
    { title: "output", units: 1, toUnit: outputToUnit },
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
  heatmap.draw({ output: view.output, size: view.gridSize, toUnit: outputToUnit(), points,
    showTest: state.showTest });
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

// ---- wiring

const togglePlay = () => (playing ? pause() : play());
$("play").addEventListener("click", togglePlay);
$("step").addEventListener("click", () => step(1));
$("reset").addEventListener("click", reset);
$("new-seed").addEventListener("click", () => edit(({ seed }) => ({ seed: (seed + 1) % 4294967296 })));
$("new-data").addEventListener("click", () => edit(({ dataSeed }) => ({ dataSeed: (dataSeed + 1) % 4294967296 })));
$("clear-points").addEventListener("click", () => edit({ added: [] }, "points"));
$("share").addEventListener("click", share);
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
  state: () => toContract(state),
  setState: (partial) => enqueue(async () => {
    let next;
    try {
      next = mergeContract(state, partial);
    } catch (error) {
      showAlert(error.message);
      throw error;
    }
    await stopLoop();
    await build(next);
    showAlert("");
    return toContract(state);
  }),
  metrics: () => ({ ...metrics }),
  play,
  pause,
  step,
  reset,
  shareUrl: () => shareUrl(),
  lessons: () => lessons.map((lesson) => ({ ...lesson })),
  perf: () => ({ ...perf }),
};
