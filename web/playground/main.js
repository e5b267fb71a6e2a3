// The 2-D playground page: wiring only. The session (session.js) owns the state and the
// training worker; the views render its snapshots; the page's controls, keys and file inputs
// send it commands; the address bar shows its state. window.nnplay is docs/API.md's page hooks.
import { saveFiles } from "../lib/downloads.js";
import { $ } from "../lib/dom.js";
import { float32Literal } from "../lib/export-code.js";
import { lessons } from "../lib/lessons.js";
import { PRESETS } from "../lib/plane/tables.js";
import { SupervisedWorker } from "../lib/worker-supervision.js";
import { earlyWorker } from "./boot.js";
import { ChallengeView } from "./challenge-view.js";
import { Charts } from "./charts.js";
import { Controls } from "./controls.js";
import { renderData } from "./data-view.js";
import { watchFiles } from "./files.js";
import { FlowView } from "./flow-view.js";
import { watchKeys } from "./keys.js";
import { LandscapePanel } from "./landscape-panel.js";
import { NetworkView } from "./network-view.js";
import { NeuronView } from "./neuron-view.js";
import { OutputView } from "./output-view.js";
import { renderRun } from "./run-view.js";
import { PlaygroundSession } from "./session.js";
import { openFromUrl } from "./start.js";

const worker = new SupervisedWorker(new URL("./worker.js", import.meta.url),
  { onDeath: (reason) => session.workerDied(reason), early: earlyWorker });
const session = new PlaygroundSession({ worker,
  nextFrame: () => new Promise((resolve) => { requestAnimationFrame(resolve); }) });

// ---- views: text at once, pictures once per animation frame

const output = new OutputView($("heatmap"), (x1, x2) => {
  if ($("add-class").value === "inspect") pickPointNear(x1, x2);
  else session.addPoint(x1, x2, $("add-class").value === "1");
});
const network = new NetworkView($("diagram-canvas"), $("diagram-tip"), {
  onPickNeuron: (neuron) => session.pickNeuron(neuron),
  onPickLink: (link) => editWeight(link),
});
const charts = new Charts($("loss-chart"), $("accuracy-chart"));
const neuronView = new NeuronView(session);
const flow = new FlowView();
const landscape = new LandscapePanel(session);
const challenge = new ChallengeView(session, () => location.href.split("#")[0]);
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
  neuronView.render(snapshot);
  flow.render(snapshot);
  landscape.render(snapshot);
  if (snapshot.picture) frames++;
}

session.subscribe((snapshot) => {
  renderRun(snapshot);
  challenge.render(snapshot);
  $("seek").hidden = !snapshot.seeking;
  if (snapshot.seeking) {
    $("seek-progress").value = snapshot.metrics.epoch / snapshot.seeking.target;
    $("seek-text").textContent = `epoch ${snapshot.metrics.epoch} of ${snapshot.seeking.target}`;
  }
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

// base: the page the link opens, this one unless given (the embed's iframe: embed.html).
const shareUrl = ({ withWeights = $("share-weights").checked, epoch = $("share-epoch").checked } = {},
  base = location.href.split("#")[0]) => session.shareUrl(base, { withWeights, epoch });

// A click on the plot picks the data point under it (within a few pixels) with its label, or
// that spot with the label field's value (the positive class at first).
function pickPointNear(x1, x2) {
  const { points, state, table } = session.snapshot;
  if (!points || table) return;
  const near = 12 / $("heatmap").clientWidth * 12;  // 12 px in plane units (the plane is 12 wide)
  let best = null, bestDistance = near;
  for (const part of state.showTest ? [points.train, points.test] : [points.train]) {
    for (let i = 0; i < part.y.length; i++) {
      const d = Math.hypot(part.x[2 * i] - x1, part.x[2 * i + 1] - x2);
      if (d < bestDistance) [best, bestDistance] = [{ x1: part.x[2 * i], x2: part.x[2 * i + 1], label: part.y[i] }, d];
    }
  }
  const label = Number($("probe-label").value);
  session.pickPoint(best ?? { x1, x2, label: $("probe-label").value !== "" && Number.isFinite(label) ? label : 1 });
}

// The weight editor: a dialog for the connection clicked in the diagram.
let editing = null;
function editWeight(link) {
  editing = link;
  $("weight-dialog-what").textContent = `${link.what}: now ${float32Literal(link.value)}.`;
  $("weight-value").value = float32Literal(link.value);
  $("weight-error").hidden = true;
  $("weight-dialog").showModal();
  $("weight-value").select();
}
$("weight-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("weight-value").value.trim();
  const value = Number(text);
  if (text === "" || !Number.isFinite(value) || Math.abs(value) > 1e6) {
    $("weight-error").textContent = `weight: expected a number in [-1000000, 1000000], got "${text}"`;
    $("weight-error").hidden = false;
    return;
  }
  $("weight-dialog").close();
  session.setWeight({ layer: editing.layer, from: editing.from, to: editing.to, value });
});
$("weight-cancel").addEventListener("click", () => $("weight-dialog").close());

// The <iframe> that shows this playground, compact, in another page: embed.html with the link's state.
function embedCode() {
  const src = shareUrl({}, new URL("embed.html", location.href).href);
  const attribute = (text) => text.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");
  return `<iframe src="${attribute(src)}" width="640" height="400" title="nnplay: a neural network learning" ` +
    'style="border:0"></iframe>';
}

async function copyEmbed() {
  $("embed-code").value = embedCode();
  $("embed-code").select();
  try {
    await navigator.clipboard.writeText($("embed-code").value);
    $("status").textContent = "The <iframe> is copied: paste it into a web page or a slide's HTML.";
  } catch {
    $("status").textContent = "Copy the <iframe> below into a web page or a slide's HTML.";
  }
}

async function share() {
  const wanted = $("share-weights").checked && !$("share-epoch").checked;
  const url = shareUrl();
  $("share-url").value = url;
  $("embed-code").value = embedCode();
  $("share-output").hidden = false;
  $("share-url").select();
  const note = wanted && !url.includes("&w=") ? " (without weights: they would make it too long)" :
    url.includes("&ep=") && !session.snapshot.exact ? " (this run was changed while it trained — a learning rate, " +
      "batch size, weight or the data — so the link trains with the settings as they are now and may differ)" : "";
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
$("copy-embed").addEventListener("click", copyEmbed);
$("download-model").addEventListener("click", () => session.exportModel("nnplay").then(saveFiles));
$("download-tfjs").addEventListener("click", () => session.exportModel("tfjs").then(saveFiles));
const CODE_FILES = { tfjs: ["model.js", "text/javascript"], keras: ["model_keras.py", "text/x-python"],
  pytorch: ["model_pytorch.py", "text/x-python"] };
for (const [format, [name, type]] of Object.entries(CODE_FILES)) {
  $(`code-${format}`).addEventListener("click", () => {
    try {
      saveFiles([{ name, type, data: session.exportCode(format) }]);
      $("status").textContent = `Saved ${name}: the network with its trained weights as ${$(`code-${format}`).textContent} code.`;
    } catch (error) {
      $("status").textContent = error.message;
    }
  });
}
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

watchKeys(session);

// Opening the page or changing the hash by hand: rebuild from the URL, paused.
const ready = openFromUrl(session);

window.nnplay = {
  ready,
  state: () => session.contractState(),
  setState: (partial) => session.setState(partial),
  metrics: () => ({ ...session.snapshot.metrics }),
  play: () => session.play(),
  pause: () => session.pause().then((metrics) => ({ ...metrics })),
  step: (k) => session.step(k).then((metrics) => ({ ...metrics })),
  reset: () => session.reset().then((metrics) => ({ ...metrics })),
  shareUrl: ({ epoch = false } = {}) => shareUrl({ withWeights: epoch ? false : undefined, epoch }),
  inspect: (point) => session.inspect(point).then(({ loss, layers }) =>
    ({ loss, layers: layers.map(({ z, a, dz, dW, db }) => ({ z, a, dz, dW, db })) })),
  gradientFlow: () => session.gradientFlow(),
  challenge: () => {
    const status = session.snapshot.challenge;
    return status && { goal: structuredClone(status.goal), met: status.met, epoch: status.epoch, value: status.value };
  },
  exportCode: (format) => session.exportCode(format),
  lessons: () => lessons.map((lesson) => ({ ...lesson })),
  perf: () => ({ frames, snapshots: session.snapshotCount }),
  // Test hooks: kill the worker ("error", "memory" or "hang"), read its WebAssembly memory.
  _crashWorker: (how) => session.crashWorker(how),
  _workerMemory: () => session.workerMemory(),
};
