// Lesson 000: tutorial 000's network from a list of layers (2-25-50-50-25-1, ReLU, sigmoid
// output, binary cross-entropy) learning the two moons; the playground's heatmap draws the
// decision boundary as it trains, with snapshots along the way.
import { gridPoints } from "../lib/plane/features.js";
import { Heatmap, SQUARE } from "../lib/plane/heatmap.js";
import { outputColors } from "../lib/plane/colors.js";
import { LineChart } from "../lib/chart.js";
import { $, PlayButton, configText, denseLayers, element, fixed, percent, playgroundLink, readInteger, showError, startLesson } from "./lesson.js";

// The tutorial's data: 1000 points, noise 0.2, a tenth kept for testing.
const DATA = { name: "moons", n: 1000, noise: 0.2, seed: 1, trainRatio: 0.9 };
const GRID = 64;
const SNAPSHOTS = [0, 1, 5, 20, 50];  // and the last epoch
const FRAME_MS = 12;                  // training per animation frame at most

const hiddenLayers = (text) => (text === "" ? [] : text.split(",").map((item) => {
  const [units, activation] = item.split(":");
  return { units: Number(units), activation };
}));

function moonsConfig(hidden, lr, batchSize) {
  return {
    input: [2],
    layers: denseLayers([...hidden.map(({ units, activation }) => [units, activation]), [1, "sigmoid"]]),
    loss: "bce", optimizer: { type: "sgd", lr, momentum: 0 }, init: "xavier", seed: 1, batchSize,
  };
}

startLesson("000-moons", (nn) => {
  const all = nn.datasets.make(DATA.name, DATA);
  const nTrain = Math.round(DATA.n * DATA.trainRatio);  // the generator already shuffled the points
  const train = { x: all.x.subarray(0, 2 * nTrain), y: all.y.subarray(0, nTrain), n: nTrain };
  const test = { x: all.x.subarray(2 * nTrain), y: all.y.subarray(nTrain), n: all.n - nTrain };
  const grid = gridPoints(GRID);
  const colors = outputColors({ toUnit: (p) => 2 * p - 1 });
  const points = { train: { x: train.x, y: train.y }, test: { x: test.x, y: test.y } };
  const noPoints = { train: { x: [], y: [] }, test: { x: [], y: [] } };
  const heatmap = new Heatmap($("boundary"), { onClick: () => {} });
  const lossChart = new LineChart($("loss-chart"), { log: true, series: [
    { label: "train loss", stroke: "#0877bd" }, { label: "test loss", stroke: "#f59322", dash: [4, 3] }] });
  const accuracyChart = new LineChart($("accuracy-chart"), { range: [0.4, 1], series: [
    { label: "train accuracy", stroke: "#0877bd" }, { label: "test accuracy", stroke: "#f59322", dash: [4, 3] }] });
  const player = new PlayButton($("play"), trainFrame, { onDone: snapshot });
  let net = null, epoch = 0, target = 0;

  const boundary = () => net.predict(grid, GRID * GRID);

  function record() {
    const trainEval = net.evaluate(train.x, train.y, train.n);
    const testEval = net.evaluate(test.x, test.y, test.n);
    lossChart.push(epoch, [trainEval.loss, testEval.loss]);
    accuracyChart.push(epoch, [trainEval.accuracy, testEval.accuracy]);
    $("epoch").textContent = String(epoch);
    $("train-loss").textContent = fixed(trainEval.loss, 4);
    $("test-loss").textContent = fixed(testEval.loss, 4);
    $("test-accuracy").textContent = percent(testEval.accuracy, 0);
  }

  function draw() {
    heatmap.draw({ output: boundary(), size: GRID, colors, points, showTest: true, extent: SQUARE });
    lossChart.draw();
    accuracyChart.draw();
  }

  function snapshot() {
    const canvas = element("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `The decision boundary after ${epoch} epochs`);
    const figure = element("figure");
    figure.append(canvas, element("figcaption", "", `epoch ${epoch}`));
    $("filmstrip").append(figure);
    new Heatmap(canvas, { onClick: () => {} }).draw({ output: boundary(), size: GRID, colors,
      points: noPoints, showTest: false, extent: SQUARE });
  }

  function restart() {
    player.reset();
    net?.delete();
    net = null;
    try {
      const hidden = hiddenLayers($("hidden").value);
      const lr = Number($("lr").value), batchSize = Number($("batch").value);
      target = readInteger($("epochs"), 1, 10000);
      const config = moonsConfig(hidden, lr, batchSize);
      const link = playgroundLink(nn, { dataset: DATA.name, points: DATA.n, noise: DATA.noise,  // checks the fields first
        trainRatio: DATA.trainRatio, dataSeed: DATA.seed, hidden, output: "sigmoid", loss: "bce",
        optimizer: "sgd", lr, batchSize, init: "xavier", seed: 1, showTest: true });
      net = nn.createNetwork(config);
      $("network-code").textContent = configText(config);
      $("playground-link").href = link;
      showError(null);
    } catch (error) {
      showError(error);
      return;
    }
    epoch = 0;
    lossChart.clear();
    accuracyChart.clear();
    $("filmstrip").replaceChildren();
    record();
    draw();
    snapshot();
    player.play();
  }

  // Slow enough to watch a short run; a long one trains as many epochs as fit in a frame.
  function trainFrame() {
    const perFrame = Math.max(1, Math.ceil(target / 200));
    const began = performance.now();
    for (let k = 0; k < perFrame && epoch < target && performance.now() - began < FRAME_MS; k++) {
      const [entry] = net.fit({ ...train, epochs: 1 });
      if (entry.diverged) throw new Error(`Training diverged at epoch ${epoch + 1} (the loss became NaN): lower the learning rate and start over.`);
      epoch++;
      record();
      if (SNAPSHOTS.includes(epoch) && epoch < target) snapshot();
    }
    draw();
    return epoch < target;
  }

  $("restart").addEventListener("click", restart);
  for (const id of ["hidden", "lr", "batch", "epochs"]) $(id).addEventListener("change", restart);
  new ResizeObserver(() => { if (net) draw(); }).observe($("boundary"));
  restart();
});
