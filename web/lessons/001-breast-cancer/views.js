// Lesson 001's views: the data and the training's numbers, the slice's controls and axes, the
// landscape with its paths (landscape-view.js draws it), and the paths' legend. They render
// BreastCancerSession snapshots and send its commands; none holds a network.
import { $, element } from "../../lib/dom.js";
import { fixed, percent } from "../format.js";
import { CurveView, setText } from "../lesson.js";
import { LandscapeView } from "../../lib/landscape/view.js";
import { GRID } from "./session.js";

const CELLS = GRID * GRID;

export function renderData({ data }) {
  if (!data) return;
  const { n, malignant, classes, inputs } = data;
  setText($("data-info"), `${n} tumours, ${n - malignant} ${classes[0]} and ${malignant} ${classes[1]}, ${inputs} ` +
    "measurements of the cell nuclei each (radius, texture, smoothness and so on).");
}

export class TrainingView {
  #chart = new CurveView($("loss-chart"), { log: true, x: "iteration", series: [
    { label: "train loss", stroke: "#0877bd" }, { label: "test loss", stroke: "#f59322", dash: [4, 3] }] });

  render({ training }) {
    if (!training) return;
    const { run, curve, iteration, trainLoss, testLoss, testAccuracy, running, test } = training;
    this.#chart.render(run, curve);
    setText($("iteration"), String(iteration));
    setText($("train-loss"), fixed(trainLoss, 4));
    setText($("test-loss"), fixed(testLoss, 4));
    setText($("test-accuracy"), percent(testAccuracy, 1));
    $("retrain").disabled = running;
    setText($("test-detail"), !test ? "" : `On the ${test.n} test tumours it has never seen: ${test.caught} ` +
      `of the ${test.malignant} malignant ones flagged, ${test.falseAlarms} of the ${test.n - test.malignant} ` +
      "benign ones flagged by mistake.");
  }
}

/** The slice's controls; onChange({ kind | span | a | b: text }). */
export class SliceView {
  #menus = null;  // the menus filled in

  constructor(onChange) {
    for (const [id, key] of [["slice-kind", "kind"], ["span", "span"], ["weight-a", "a"], ["weight-b", "b"]]) {
      $(id).addEventListener("change", () => onChange({ [key]: $(id).value }));
    }
  }

  render({ slice, menus, landscape }) {
    if (menus && menus !== this.#menus) this.#fill(menus);
    $("slice-kind").value = slice.kind;
    $("span").value = String(slice.span);
    if (menus) {
      $("weight-a").value = String(slice.a);
      $("weight-b").value = String(slice.b);
    }
    $("weight-choice").hidden = slice.kind !== "weights";
    $("new-directions").hidden = slice.kind !== "random";
    if (landscape) setText($("axis-note"), axisNote(landscape, menus));
  }

  // The two weight menus: every parameter by name, in groups.
  #fill(menus) {
    this.#menus = menus;
    setText($("parameter-count"), String(menus.count));
    for (const select of [$("weight-a"), $("weight-b")]) {
      select.replaceChildren(...menus.groups.map(({ label, items }) => {
        const optgroup = element("optgroup");
        optgroup.label = label;
        optgroup.append(...items.map(([k, text]) => new Option(text, String(k))));
        return optgroup;
      }));
    }
  }
}

function axisNote({ kind, span, a, b, directionSeed }, menus) {
  return kind === "random" ?
    `Across: α along random direction ${2 * directionSeed - 1}; up: β along random direction ` +
      `${2 * directionSeed}; both from −${span} to +${span}. The cross is the trained network.` :
    `Across: “${menus.names[a]}”, up: “${menus.names[b]}”, each from its trained value −${span} to ` +
      `+${span}; every other weight stays as trained. The cross is the trained network.`;
}

/** The map: the loss over the slice, the paths and the next start; onStart, onNudge, onRun. */
export class LandscapePanel {
  #view = new LandscapeView($("landscape"), $("colorbar"));
  #grid = null;  // the loss array shown

  constructor({ onStart, onNudge, onRun }) {
    const map = $("landscape");
    map.addEventListener("click", (event) => {
      const box = map.getBoundingClientRect();
      onStart([((event.clientX - box.left) / box.width) * 2 - 1, 1 - ((event.clientY - box.top) / box.height) * 2]);
    });
    map.addEventListener("keydown", (event) => {
      const moves = { ArrowLeft: [-0.05, 0], ArrowRight: [0.05, 0], ArrowUp: [0, 0.05], ArrowDown: [0, -0.05] };
      if (moves[event.key]) {
        event.preventDefault();
        onNudge(moves[event.key]);
      } else if (event.key === "Enter") {
        onRun();
      }
    });
  }

  /** force: draw though nothing changed (the canvas was resized). */
  render({ landscape, paths, start, pathsReady, training }, shown, { force = false } = {}) {
    $("run-path").disabled = !pathsReady;
    if (!landscape) return;
    if (landscape.loss !== this.#grid) {
      this.#grid = landscape.loss;
      this.#view.setGrid({ loss: landscape.loss, size: GRID, span: landscape.span });
    }
    if (force || landscape !== shown?.landscape || paths !== shown?.paths || start !== shown?.start) {
      this.#view.draw(paths, start.map((f) => f * landscape.span));
    }
    if (landscape.done && landscape !== shown?.landscape) {
      setText($("loss-low"), fixed(this.#view.range[0], 3));
      setText($("loss-high"), fixed(this.#view.range[1], 2));
    }
    setText($("landscape-status"), training?.running ? "Training the network again; its landscape follows." :
      landscape.done ? `${CELLS} evaluations of the loss; at the centre ${fixed(landscape.loss[(CELLS - 1) / 2], 4)}.` :
        `Evaluating the network at ${GRID}×${GRID} points of the slice: ${Math.floor((100 * landscape.cells) / CELLS)}%`);
  }
}

/** The legend: each path's options and losses. */
export function renderPaths({ paths, landscape }, shown) {
  if (paths === shown?.paths) return;
  const span = landscape?.span ?? 1;
  $("paths").replaceChildren(...paths.map((path) => {
    const item = element("li");
    const swatch = element("span", "swatch");
    swatch.style.background = path.color;
    const first = path.losses[0];
    const end = path.done ? path.finalLoss : path.losses.at(-1);
    const outside = path.points.some(([a, b]) => Math.max(Math.abs(a), Math.abs(b)) > span * 1.0001);
    const text = `${path.label}: loss ${first === undefined ? "–" : fixed(first, 3)} → ${end === undefined ? "–" : fixed(end, 3)}` +
      (path.done ? ` after ${path.losses.length} steps` : ` (step ${path.losses.length})`) +
      (path.diverged ? ", then the loss became NaN: diverged" : "") +
      (outside ? ", leaving the map" : "");
    item.append(swatch, element("span", "", text));
    return item;
  }));
}
