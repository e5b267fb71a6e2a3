// The embed page (web/embed.html): one playground state, compact, for an <iframe> in a slide or
// a blog post — the output plane, Play/Step/Reset, the metrics, and a link that opens the same
// state in the full playground. Wiring only: the playground's own session, worker and views.
// The layout follows the frame: side by side when it is wide, stacked when it is tall, the
// plane as large as fits without scrolling, recomputed whenever the frame's size changes.
import { $ } from "../lib/dom.js";
import { SupervisedWorker } from "../lib/worker-supervision.js";
import { earlyWorker } from "./boot.js";
import { watchKeys } from "./keys.js";
import { OutputView, taskOf } from "./output-view.js";
import { renderRun } from "./run-view.js";
import { PlaygroundSession } from "./session.js";
import { openFromUrl } from "./start.js";

const worker = new SupervisedWorker(new URL("./worker.js", import.meta.url),
  { onDeath: (reason) => session.workerDied(reason), early: earlyWorker });
const session = new PlaygroundSession({ worker,
  nextFrame: () => new Promise((resolve) => { requestAnimationFrame(resolve); }) });
const output = new OutputView($("heatmap"), null);  // a click adds nothing here: the state is the link's
const playground = new URL("./", location.href).href;   // the full playground, next to this page
let drawRequested = false;

function draw() {
  drawRequested = false;
  if (session.snapshot.state) output.render(session.snapshot);
}

// The link to the full playground carries what the frame shows: the state and, once trained
// (and the run is what its settings replay), the epoch, so it opens on this very network.
const openUrl = ({ metrics, exact }) => session.shareUrl(playground, { epoch: metrics.epoch > 0 && exact });

session.subscribe((snapshot) => {
  renderRun(snapshot);
  if (snapshot.pending) {  // a link made with a CSV file, which no link carries; no file input here
    $("alert").textContent = `This was made with the CSV file "${snapshot.pending.file}", which a link cannot ` +
      "carry: it shows the default playground. Open it in nnplay to load the file.";
    $("alert").hidden = false;
  }
  if (snapshot.state) document.body.classList.toggle("regression", taskOf(snapshot) === "regression");
  if (snapshot.hash && location.hash.slice(1) !== snapshot.hash) history.replaceState(null, "", `#${snapshot.hash}`);
  const href = snapshot.pending ? `${playground}#${snapshot.hash}` : openUrl(snapshot);
  if ($("open").href !== href) $("open").href = href;
  if (!drawRequested) {
    drawRequested = true;
    requestAnimationFrame(draw);
  }
});

// Wide frames put the plane left of the controls, tall ones above them; the plane is the
// largest square that leaves the controls their room.
function layout() {
  const root = document.documentElement;
  const main = document.querySelector("main");
  const side = document.querySelector(".side");
  const gap = parseFloat(getComputedStyle(main).paddingLeft);
  const [width, height] = [root.clientWidth, root.clientHeight];
  const wide = width >= height;
  document.body.classList.toggle("tall", !wide);
  const room = wide ? Math.min(height - 2 * gap, width - 3 * gap - parseFloat(getComputedStyle(side).minWidth)) :
    Math.min(width - 2 * gap, height - 3 * gap - side.offsetHeight);
  main.style.setProperty("--side", `${Math.max(48, Math.floor(room))}px`);
  requestAnimationFrame(draw);
}
new ResizeObserver(layout).observe(document.documentElement);

$("play").addEventListener("click", () => session.togglePlay());
$("step").addEventListener("click", () => session.step(1));
$("reset").addEventListener("click", () => session.reset());
$("dismiss").addEventListener("click", () => { $("alert").hidden = true; });
watchKeys(session);

const ready = openFromUrl(session);
window.nnplay = {
  ready,
  state: () => session.contractState(),
  metrics: () => ({ ...session.snapshot.metrics }),
  play: () => session.play(),
  pause: () => session.pause().then((metrics) => ({ ...metrics })),
  step: (k) => session.step(k).then((metrics) => ({ ...metrics })),
  reset: () => session.reset().then((metrics) => ({ ...metrics })),
};
