// Lesson 001: tutorial 001's two-layer network (ReLU hidden layer, sigmoid output, binary
// cross-entropy) on the Wisconsin breast cancer data, trained by full-batch gradient descent;
// then a slice of its loss landscape around the trained weights, and gradient-descent paths on
// that slice with and without momentum and learning-rate annealing. The core computes every
// loss: the landscape by setting the network's weights to each grid point and evaluating it,
// the paths by the core's own optimizer steps (projected back onto the slice after each).
import { PRESETS, prepareTable } from "../lib/plane/tables.js";
import { LineChart } from "../lib/chart.js";
import { LandscapeView } from "./landscape-view.js";
import { Slice, gridValues, randomDirection, unitDirection } from "./landscape.js";
import { $, denseLayers, element, everyFrame, fixed, percent, playgroundLink, readInteger, showError, startLesson } from "./lesson.js";

const PRESET = PRESETS["breast-cancer"];
const HIDDEN_UNITS = 15;
const TRAIN_LR = 0.1;
const ITERATIONS_PER_FRAME = 10;
const GRID = 31;                 // odd: the trained weights are a grid point
const FRAME_MS = 14;             // landscape work per animation frame at most
const PATH_STEPS_PER_FRAME = 4;
const MOMENTUM = 0.9;
const ANNEALING = 0.96;          // the rate is multiplied by this after every step
const MAX_PATHS = 4;
const PATH_COLORS = ["#ffffff", "#ff4fa3", "#ff9f1c", "#00d5ff"];
startLesson("001-breast-cancer", async (nn) => {
  const response = await fetch(new URL(`../${PRESET.path}`, import.meta.url));
  if (!response.ok) throw new Error(`${PRESET.path} is missing (HTTP ${response.status}): run scripts/build.sh`);
  const table = nn.datasets.parseCSV(await response.text(), { label: PRESET.label, standardize: true });
  const columnNames = table.columns.map((c) => c.name);
  const { train, test } = prepareTable(table, { trainRatio: PRESET.state.trainRatio, dataSeed: 1,
    plotX: columnNames[0], plotY: "" });
  describeData(table);
  $("playground-link").href = playgroundLink(nn, { dataset: "breast-cancer" });

  const baseConfig = {
    input: [table.inputs], layers: denseLayers([[HIDDEN_UNITS, "relu"], [1, "sigmoid"]]), loss: "bce",
    optimizer: { type: "sgd", lr: TRAIN_LR, momentum: 0 }, init: "he", seed: 1, batchSize: train.n,
  };
  const lossChart = new LineChart($("loss-chart"), { log: true, x: "iteration", series: [
    { label: "train loss", stroke: "#0877bd" }, { label: "test loss", stroke: "#f59322", dash: [4, 3] }] });
  const probe = nn.createNetwork(baseConfig);  // evaluates the landscape's grid points
  const landscape = new LandscapeView($("landscape"), $("colorbar"));
  let net = null, training = null, computing = null, pathRun = null;
  let slice = null, directionSeed = 1;
  let paths = [];
  let start = [-0.8, 0.8];  // where the next path starts, as a fraction of the span

  // ---- 1. training the network: full-batch gradient descent

  function trainNetwork() {
    for (const job of [training, computing, pathRun]) job?.stop();
    net?.delete();
    let iterations;
    try {
      iterations = readInteger($("iterations"), 1, 5000);
    } catch (error) {
      showError(error);
      return;
    }
    showError(null);
    net = nn.createNetwork(baseConfig);
    lossChart.clear();
    let iteration = 0;
    const record = () => {
      const trainEval = net.evaluate(train.x, train.y, train.n);
      const testEval = net.evaluate(test.x, test.y, test.n);
      lossChart.push(iteration, [trainEval.loss, testEval.loss]);
      $("iteration").textContent = String(iteration);
      $("train-loss").textContent = fixed(trainEval.loss, 4);
      $("test-loss").textContent = fixed(testEval.loss, 4);
      $("test-accuracy").textContent = percent(testEval.accuracy, 1);
    };
    record();
    $("test-detail").textContent = "";
    $("retrain").disabled = true;
    training = everyFrame(() => {
      for (let k = 0; k < ITERATIONS_PER_FRAME && iteration < iterations; k++, iteration++) {
        net.trainBatch(train.x, train.y, train.n);
      }
      record();
      lossChart.draw();
      return iteration < iterations;
    });
    const mine = training;
    training.done.then((finished) => {
      if (training !== mine) return;  // a newer run has the controls
      $("retrain").disabled = false;
      if (!finished) return;
      describeTest();
      buildSlice();
    }).catch(showError);
  }

  function describeData({ n, y, classes, inputs }) {
    const malignant = y.reduce((sum, v) => sum + v, 0);
    $("data-info").textContent = `${n} tumours, ${n - malignant} ${classes[0]} and ${malignant} ` +
      `${classes[1]}, ${inputs} measurements of the cell nuclei each (radius, texture, ` +
      "smoothness and so on).";
  }

  function describeTest() {
    const out = net.predict(test.x, test.n);
    let malignant = 0, caught = 0, falseAlarms = 0;
    for (let i = 0; i < test.n; i++) {
      const sick = test.y[i] === 1, flagged = out[i] >= 0.5;
      malignant += sick;
      caught += sick && flagged;
      falseAlarms += !sick && flagged;
    }
    $("test-detail").textContent = `On the ${test.n} test tumours it has never seen: ${caught} ` +
      `of the ${malignant} malignant ones flagged, ${falseAlarms} of the ${test.n - malignant} ` +
      `benign ones flagged by mistake.`;
  }

  // ---- 2. the slice and its loss over the grid

  const span = () => Number($("span").value);

  // The two weight menus: every parameter by name, the output layer first. Returns the names
  // by flat index.
  function fillWeightChoices(template) {
    const offsets = {};
    let size = 0;
    for (const { name, data } of template) {
      offsets[name] = size;
      size += data.length;
    }
    const unit = (j) => `hidden unit ${j + 1}`;
    const range = (n, f) => Array.from({ length: n }, (_, j) => f(j));
    const [inputs, units] = template.find((w) => w.name === "dense_0/kernel").shape;
    const groups = [
      { label: "output layer", items: [...range(units, (j) => [offsets["dense_1/kernel"] + j, `output ← ${unit(j)}`]),
        [offsets["dense_1/bias"], "output: bias"]] },
      { label: "hidden biases", items: range(units, (j) => [offsets["dense_0/bias"] + j, `${unit(j)}: bias`]) },
      // kernel [in, out]: the weight from input i to unit j is at i * units + j
      ...range(units, (j) => ({ label: `${unit(j)}: weights from`,
        items: range(inputs, (i) => [offsets["dense_0/kernel"] + i * units + j, `${unit(j)} ← ${columnNames[i]}`]) })),
    ];
    for (const select of [$("weight-a"), $("weight-b")]) {
      select.replaceChildren(...groups.map(({ label, items }) => {
        const optgroup = element("optgroup");
        optgroup.label = label;
        optgroup.append(...items.map(([k, text]) => new Option(text, String(k))));
        return optgroup;
      }));
    }
    // The two output weights that matter most: the largest in size.
    const output = template.find((w) => w.name === "dense_1/kernel").data;
    const [first, second] = range(units, (j) => j).sort((p, q) => Math.abs(output[q]) - Math.abs(output[p]));
    $("weight-a").value = String(offsets["dense_1/kernel"] + first);
    $("weight-b").value = String(offsets["dense_1/kernel"] + second);
    const names = [];
    for (const { items } of groups) for (const [k, text] of items) names[k] = text;
    return names;
  }

  let weightNames = [];

  function buildSlice() {
    computing?.stop();
    pathRun?.stop();
    const template = net.getWeights();
    const size = template.reduce((sum, w) => sum + w.data.length, 0);
    if (!weightNames.length) weightNames = fillWeightChoices(template);
    $("parameter-count").textContent = String(size);
    const kind = $("slice-kind").value;
    $("weight-choice").hidden = kind !== "weights";
    $("new-directions").hidden = kind !== "random";
    const [a, b] = [Number($("weight-a").value), Number($("weight-b").value)];
    if (kind === "weights" && a === b) {
      showError("Choose two different weights for the slice.");
      return;
    }
    showError(null);
    slice = kind === "random" ?
      new Slice(template, randomDirection(template, 2 * directionSeed - 1), randomDirection(template, 2 * directionSeed)) :
      new Slice(template, unitDirection(size, a), unitDirection(size, b));
    const s = span();
    $("axis-note").textContent = kind === "random" ?
      `Across: α along random direction ${2 * directionSeed - 1}; up: β along random direction ` +
      `${2 * directionSeed}; both from −${s} to +${s}. The cross is the trained network.` :
      `Across: “${weightNames[a]}”, up: “${weightNames[b]}”, each from its trained value −${s} to ` +
      `+${s}; every other weight stays as trained. The cross is the trained network.`;
    paths = [];
    renderLegend();
    computeLandscape();
  }

  function computeLandscape() {
    const s = span();
    const values = gridValues(GRID, s);
    const loss = new Float64Array(GRID * GRID).fill(NaN);
    landscape.setGrid({ loss, size: GRID, span: s });
    $("run-path").disabled = true;
    let cell = 0;
    computing = everyFrame(() => {
      const began = performance.now();
      while (cell < GRID * GRID && performance.now() - began < FRAME_MS) {
        const row = Math.floor(cell / GRID), column = cell % GRID;
        probe.setWeights(slice.weightsAt(values[column], values[GRID - 1 - row]));  // row 0 at the top
        loss[cell] = probe.evaluate(train.x, train.y, train.n).loss;
        cell++;
      }
      landscape.setGrid({ loss, size: GRID, span: s });
      landscape.draw(paths, startPoint());
      $("landscape-status").textContent = cell < GRID * GRID ?
        `Evaluating the network at ${GRID}×${GRID} points of the slice: ${Math.floor((100 * cell) / (GRID * GRID))}%` :
        `${GRID * GRID} evaluations of the loss; at the centre ${fixed(loss[(GRID * GRID - 1) / 2], 4)}.`;
      return cell < GRID * GRID;
    });
    computing.done.then((finished) => {
      if (!finished) return;
      $("loss-low").textContent = fixed(landscape.range[0], 3);
      $("loss-high").textContent = fixed(landscape.range[1], 2);
      $("run-path").disabled = false;
      if (paths.length === 0) runPath();
    }).catch(showError);
  }

  // ---- 3. optimizer paths on the slice

  const startPoint = () => start.map((f) => f * span());

  function runPath() {
    if (!slice) return;
    pathRun?.stop();
    let steps;
    try {
      steps = readInteger($("path-steps"), 1, 1000);
    } catch (error) {
      showError(error);
      return;
    }
    showError(null);
    const lr = Number($("path-lr").value);
    const momentum = $("momentum").checked, annealing = $("annealing").checked;
    const walker = nn.createNetwork({ ...baseConfig, optimizer: { type: "sgd", lr, momentum: momentum ? MOMENTUM : 0 } });
    let [alpha, beta] = startPoint();
    walker.setWeights(slice.weightsAt(alpha, beta));
    const used = new Set(paths.map((p) => p.color));
    if (paths.length >= MAX_PATHS) paths.shift();
    const path = { color: PATH_COLORS.find((c) => !used.has(c)) ?? PATH_COLORS[0], points: [[alpha, beta]],
      losses: [], steps, diverged: false,
      label: `rate ${lr}${momentum ? ", momentum" : ""}${annealing ? ", annealing" : ""}${!momentum && !annealing ? ", plain" : ""}` };
    paths.push(path);
    let step = 0;
    pathRun = everyFrame(() => {
      for (let k = 0; k < PATH_STEPS_PER_FRAME && step < steps; k++, step++) {
        if (annealing) walker.setLearningRate(lr * ANNEALING ** step);
        const loss = walker.trainBatch(train.x, train.y, train.n);
        if (!Number.isFinite(loss)) {
          path.diverged = true;
          return false;
        }
        path.losses.push(loss);
        [alpha, beta] = slice.project(walker.getWeights());
        walker.setWeights(slice.weightsAt(alpha, beta));
        path.points.push([alpha, beta]);
      }
      landscape.draw(paths, startPoint());
      renderLegend();
      return step < steps;
    });
    pathRun.done.then(() => {
      path.finalLoss = walker.evaluate(train.x, train.y, train.n).loss;
      path.done = true;
      renderLegend();
      landscape.draw(paths, startPoint());
    }).catch(showError).finally(() => walker.delete());
  }

  function renderLegend() {
    $("paths").replaceChildren(...paths.map((path) => {
      const item = element("li");
      const swatch = element("span", "swatch");
      swatch.style.background = path.color;
      const first = path.losses[0];
      const end = path.done ? path.finalLoss : path.losses.at(-1);
      const outside = path.points.some(([a, b]) => Math.max(Math.abs(a), Math.abs(b)) > span() * 1.0001);
      const text = `${path.label}: loss ${first === undefined ? "–" : fixed(first, 3)} → ${end === undefined ? "–" : fixed(end, 3)}` +
        (path.done ? ` after ${path.losses.length} steps` : ` (step ${path.losses.length})`) +
        (path.diverged ? ", then the loss became NaN: diverged" : "") +
        (outside ? ", leaving the map" : "");
      item.append(swatch, element("span", "", text));
      return item;
    }));
  }

  // ---- wiring

  function moveStart(fraction) {
    start = fraction.map((f) => Math.max(-1, Math.min(1, f)));
    landscape.draw(paths, startPoint());
  }

  $("retrain").addEventListener("click", trainNetwork);
  $("iterations").addEventListener("change", trainNetwork);
  for (const id of ["slice-kind", "span", "weight-a", "weight-b"]) $(id).addEventListener("change", () => net && buildSlice());
  $("new-directions").addEventListener("click", () => {
    directionSeed++;
    buildSlice();
  });
  $("run-path").addEventListener("click", runPath);
  $("clear-paths").addEventListener("click", () => {
    pathRun?.stop();
    paths = [];
    renderLegend();
    landscape.draw(paths, startPoint());
  });
  $("landscape").addEventListener("click", (event) => {
    const box = event.currentTarget.getBoundingClientRect();
    moveStart([((event.clientX - box.left) / box.width) * 2 - 1, 1 - ((event.clientY - box.top) / box.height) * 2]);
  });
  $("landscape").addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    if (moves[event.key]) {
      event.preventDefault();
      moveStart(start.map((f, k) => f + 0.05 * moves[event.key][k]));
    } else if (event.key === "Enter" && !$("run-path").disabled) {
      runPath();
    }
  });
  new ResizeObserver(() => landscape.draw(paths, startPoint())).observe($("landscape"));
  trainNetwork();
});
