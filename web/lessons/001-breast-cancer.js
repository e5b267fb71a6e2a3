// Lesson 001, the page: wiring only. The session (001-breast-cancer/session.js) trains the
// network, computes its landscape and runs the paths; the views render its snapshots; the
// controls send it commands.
import { $ } from "../lib/dom.js";
import { siteUrl } from "../lib/site-files.js";
import { BreastCancerSession, PRESET } from "./001-breast-cancer/session.js";
import { LandscapePanel, SliceView, TrainingView, renderData, renderPaths } from "./001-breast-cancer/views.js";
import { nextFrame, renderAlert, showPlaygroundLink, startLesson } from "./lesson.js";

const FIELDS = { iterations: $("iterations"), kind: $("slice-kind"), span: $("span"), a: $("weight-a"),
  b: $("weight-b"), lr: $("path-lr"), steps: $("path-steps") };

startLesson("001-breast-cancer", async (nn) => {
  const response = await fetch(new URL(PRESET.path, siteUrl));
  if (!response.ok) throw new Error(`${PRESET.path} is missing (HTTP ${response.status}): run scripts/build.sh`);
  const session = new BreastCancerSession(nn, { nextFrame });
  const training = new TrainingView();
  const slice = new SliceView((changes) => session.setSlice(changes));
  const landscape = new LandscapePanel({ onStart: (fraction) => session.moveStart(fraction),
    onNudge: (delta) => session.nudgeStart(delta), onRun: () => session.runPath() });
  let shown = null;
  session.subscribe((snapshot) => {
    renderAlert(snapshot, FIELDS);
    renderData(snapshot);
    showPlaygroundLink($("playground-link"), snapshot.link);
    training.render(snapshot);
    slice.render(snapshot);
    landscape.render(snapshot, shown);
    renderPaths(snapshot, shown);
    shown = snapshot;
  });
  new ResizeObserver(() => landscape.render(session.snapshot, shown, { force: true })).observe($("landscape"));

  const pathOptions = () => ({ lr: FIELDS.lr.value, steps: FIELDS.steps.value, momentum: $("momentum").checked,
    annealing: $("annealing").checked });
  const retrain = () => session.retrain({ iterations: FIELDS.iterations.value });
  $("retrain").addEventListener("click", retrain);
  FIELDS.iterations.addEventListener("change", retrain);
  $("new-directions").addEventListener("click", () => session.newDirections());
  for (const id of ["path-lr", "path-steps", "momentum", "annealing"]) {
    for (const type of ["input", "change"]) $(id).addEventListener(type, () => session.setPathOptions(pathOptions()));
  }
  $("run-path").addEventListener("click", () => session.runPath());
  $("clear-paths").addEventListener("click", () => session.clearPaths());
  session.open(await response.text());
  session.setPathOptions(pathOptions());
  session.setSlice({ kind: FIELDS.kind.value, span: FIELDS.span.value });
  return retrain();
});
