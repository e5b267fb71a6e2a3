// The 2-D playground page: wiring only. The session (session.js) owns the state and the
// training worker; the views render its snapshots; the page's controls, keys and file inputs
// send it commands; the address bar shows its state. window.nnplay is docs/API.md's page hooks.
import { saveFiles } from "../lib/downloads.js";
import { $ } from "../lib/dom.js";
import { lessons } from "../lib/lessons.js";
import { PRESETS } from "../lib/plane/tables.js";
import { SupervisedWorker } from "../lib/worker-supervision.js";
import { earlyWorker } from "./boot.js";
import { Charts } from "./charts.js";
import { Controls } from "./controls.js";
import { renderData } from "./data-view.js";
import { watchFiles } from "./files.js";
import { NetworkView } from "./network-view.js";
import { OutputView } from "./output-view.js";
import { renderRun } from "./run-view.js";
import { PlaygroundSession } from "./session.js";

const worker = new SupervisedWorker(new URL("./worker.js", import.meta.url),
  { onDeath: (reason) => session.workerDied(reason), early: earlyWorker });
const session = new PlaygroundSession({ worker,
  nextFrame: () => new Promise((resolve) => { requestAnimationFrame(resolve); }) });

// ---- views: text at once, pictures once per animation frame

const output = new OutputView($("heatmap"), (x1, x2) => session.addPoint(x1, x2, $("add-class").value === "1"));
const network = new NetworkView($("diagram-canvas"), $("diagram-tip"));
const charts = new Charts($("loss-chart"), $("accuracy-chart"));
let controls = null;  // once the session knows what the core offers
let shown = null;     // the snapshot the controls and the data panel show
let frames = 0;
let drawRequested = false;

function draw() {
  drawRequested = false;
  const snapshot = session.snapshot;
  if (!snapshot.state) return;
  charts.render(snapshot);
  output.render(snapshot);
  network.render(snapshot);
  if (snapshot.picture) frames++;
}

session.subscribe((snapshot) => {
  renderRun(snapshot);
  if (snapshot.hash && location.hash.slice(1) !== snapshot.hash) history.replaceState(null, "", `#${snapshot.hash}`);
  if (!controls && session.rules) {
    controls = new Controls(session.rules, (patch, effect) => session.edit(patch, effect));
    for (const dataset of unavailable) controls.setUnavailable(dataset);
  }
  if (snapshot.state !== shown?.state || snapshot.table !== shown?.table || snapshot.csvFile !== shown?.csvFile ||
      snapshot.state === null) {
    controls?.render(snapshot);
    if (snapshot.state) renderData(snapshot);
  }
  shown = snapshot;
  if (!drawRequested) {
    drawRequested = true;
    requestAnimationFrame(draw);
  }
});
new ResizeObserver(() => requestAnimationFrame(draw)).observe($("heatmap"));

// ---- commands

const shareUrl = (withWeights = $("share-weights").checked) =>
  session.shareUrl(location.href.split("#")[0], { withWeights });

async function share() {
  const wanted = $("share-weights").checked;
  const url = shareUrl();
  $("share-url").value = url;
  $("share-output").hidden = false;
  $("share-url").select();
  const note = wanted && !url.includes("&w=") ? " (without weights: they would make it too long)" : "";
  try {
    await navigator.clipboard.writeText(url);
    $("status").textContent = `Link copied, ${url.length} characters${note}.`;
  } catch {
    $("status").textContent = `Copy the link below${note}.`;
  }
}

$("play").addEventListener("click", () => session.togglePlay());
$("step").addEventListener("click", () => session.step(1));
$("reset").addEventListener("click", () => session.reset());
$("new-seed").addEventListener("click", () => session.newSeed());
$("new-data").addEventListener("click", () => session.newData());
$("clear-points").addEventListener("click", () => session.clearPoints());
$("speed").addEventListener("change", () => session.setSpeed(Number($("speed").value)));
$("share").addEventListener("click", share);
$("download-model").addEventListener("click", () => session.exportModel("nnplay").then(saveFiles));
$("download-tfjs").addEventListener("click", () => session.exportModel("tfjs").then(saveFiles));
watchFiles({ csvInput: $("csv-file"), modelInput: $("open-model"), onCsv: (file) => session.loadCsv(file),
  onModel: (files) => session.openModel(files) });
// A preset whose file was not built says so in the list before anyone picks it.
const unavailable = new Set();
for (const [dataset, { path }] of Object.entries(PRESETS)) {
  fetch(path, { method: "HEAD" }).then((r) => {
    if (r.ok) return;
    unavailable.add(dataset);
    controls?.setUnavailable(dataset);
  }, () => {});
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || !session.snapshot.state) return;
  const target = event.target;
  if (target.closest?.("input, select, textarea")) return;
  if (event.key === " " && target.tagName !== "BUTTON") {
    event.preventDefault();
    session.togglePlay();
  } else if (event.key === "s") {
    session.step(1);
  } else if (event.key === "r") {
    session.reset();
  }
});

// Opening the page or changing the hash by hand: rebuild from the URL, paused.
window.addEventListener("hashchange", () => session.open(location.hash));
const ready = session.open(location.hash).then(() => {
  $("play").disabled = false;
}, (error) => {
  $("alert").textContent = `The playground could not start: ${error.message}`;
  $("alert").hidden = false;
  throw error;
});

window.nnplay = {
  ready,
  state: () => session.contractState(),
  setState: (partial) => session.setState(partial),
  metrics: () => ({ ...session.snapshot.metrics }),
  play: () => session.play(),
  pause: () => session.pause().then((metrics) => ({ ...metrics })),
  step: (k) => session.step(k).then((metrics) => ({ ...metrics })),
  reset: () => session.reset().then((metrics) => ({ ...metrics })),
  shareUrl: () => shareUrl(),
  lessons: () => lessons.map((lesson) => ({ ...lesson })),
  perf: () => ({ frames, snapshots: session.snapshotCount }),
  // Test hooks: kill the worker ("error", "memory" or "hang"), read its WebAssembly memory.
  _crashWorker: (how) => session.crashWorker(how),
  _workerMemory: () => session.workerMemory(),
};
