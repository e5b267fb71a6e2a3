// Lesson 004: tutorial 004's 1-1-1 network as a step inspector (every z, a and partial
// derivative of one backpropagation step, recomputed as the values are edited), then its
// MNIST network 784-30-10 trained in the digits page's Worker, with the digits page's views of
// the hidden units and of random noise.
import { TrainingCurves } from "../lib/mnist/curves.js";
import { NoiseView, WeightsView, noiseThrough } from "../lib/mnist/network-views.js";
import { modelConfig } from "../lib/mnist/models.js";
import { Trainer } from "../lib/mnist/client.js";
import { $, denseLayers, float32Text, percent, readInteger, readNumber, showError, startLesson } from "./lesson.js";

// The tutorial's example: its inputs, not its results.
const TUTORIAL = { x: "0.8", y: "1", w1: "1.58", b1: "-0.14", w2: "2.45", b2: "-0.11", lr: "0.1" };
const FIELDS = Object.keys(TUTORIAL);
const count = (n) => Math.round(n).toLocaleString("en-US");

startLesson("004-backprop", (nn) => {
  const step = stepInspector(nn);
  mnistSection(nn);
  return step;
});

// ---- the 1-1-1 step inspector

function stepInspector(nn) {
  const net = nn.createNetwork({
    input: [1], layers: denseLayers([[1, "sigmoid"], [1, "sigmoid"]]), loss: "quadratic",
    optimizer: { type: "sgd", lr: 0.1, momentum: 0 }, seed: 1, batchSize: 1,
  });
  const input = (name) => $(`in-${name}`);
  let steps = 0;

  // One forward/backward pass, one gradient-descent step, and a pass on the updated network.
  function compute(v) {
    net.setLearningRate(v.lr);
    net.setWeights([
      { name: "dense_0/kernel", shape: [1, 1], data: [v.w1] },
      { name: "dense_0/bias", shape: [1], data: [v.b1] },
      { name: "dense_1/kernel", shape: [1, 1], data: [v.w2] },
      { name: "dense_1/bias", shape: [1], data: [v.b2] },
    ]);
    const x = new Float32Array([v.x]), y = new Float32Array([v.y]);
    const before = net.inspect(x, y, 1);
    net.trainBatch(x, y, 1);
    const after = net.inspect(x, y, 1);
    const [w1, b1, w2, b2] = net.getWeights().map((w) => w.data[0]);
    return { before, after, updated: { w1, b1, w2, b2 } };
  }

  function show(id, value) {
    $(id).textContent = value === undefined ? "–" : float32Text(value);
  }

  function render(result) {
    const { before, after, updated } = result ?? {};
    const [h, o] = before?.layers ?? [];
    const [h2, o2] = after?.layers ?? [];
    show("v-z1", h?.z[0]);
    show("v-a1", h?.a[0]);
    show("v-z2", o?.z[0]);
    show("v-a2", o?.a[0]);
    show("v-cost", before?.loss);
    show("v-da2", o?.dA[0]);
    show("v-db2", o?.db[0]);
    show("v-dw2", o?.dW[0]);
    show("v-da1", h?.dA[0]);
    show("v-db1", h?.db[0]);
    show("v-dw1", h?.dW[0]);
    for (const name of ["b2", "w2", "b1", "w1"]) show(`v-${name}-new`, updated?.[name]);
    show("v-z1-new", h2?.z[0]);
    show("v-a1-new", h2?.a[0]);
    show("v-z2-new", o2?.z[0]);
    show("v-a2-new", o2?.a[0]);
    show("v-cost-new", after?.loss);
    show("cost-before", before?.loss);
    show("cost-after", after?.loss);
    $("take-step").disabled = !result;
  }

  let last = null;
  function recompute() {
    try {
      const values = Object.fromEntries(FIELDS.map((name) => [name, readNumber(input(name))]));
      last = compute(values);
      render(last);
      showError(null);
    } catch (error) {
      last = null;
      render(null);
      showError(error);
    }
    $("step-count").textContent = steps === 0 ? "" :
      `${steps} step${steps > 1 ? "s" : ""} taken from the values you set.`;
  }

  for (const name of FIELDS) {
    input(name).addEventListener("input", () => {
      steps = 0;
      recompute();
    });
  }
  $("take-step").addEventListener("click", () => {
    if (!last) return;
    for (const name of ["w1", "b1", "w2", "b2"]) input(name).value = float32Text(last.updated[name]);
    steps++;
    recompute();
  });
  $("tutorial-values").addEventListener("click", () => {
    for (const name of FIELDS) input(name).value = TUTORIAL[name];
    steps = 0;
    recompute();
  });
  recompute();
}

// ---- MNIST 784-30-10

function mnistSection(nn) {
  const weightsView = new WeightsView($("hidden-units"), $("units-note"));
  const noiseView = new NoiseView($("noise"), $("noise-note"));
  const curves = new TrainingCurves($("mnist-curves"));
  const trainer = new Trainer((message) => {
    if (message.type === "data-progress") {
      $("mnist-status").textContent = `Loading MNIST: ${(message.loaded / 1e6).toFixed(1)} of ` +
        `${(message.total / 1e6).toFixed(1)} MB`;
      $("mnist-progress").value = message.loaded / message.total;
    } else if (message.type === "error") {
      showError(message.message);
    }
  }, (reason) => {
    const restarted = trainer.restart();  // a new worker loads MNIST again when asked to train
    showError(`The training worker stopped: ${reason}. ` +
      (restarted ? "A new one has started: press Train to try again." : "Reload the page to train."));
  });
  let net = nn.createNetwork(modelConfig("mlp30"));

  function showNetwork(trained) {
    weightsView.show(net.getWeights()[0]);
    noiseView.show(noiseThrough(net));
    if (!trained) {
      $("units-note").textContent = "Untrained: each hidden neuron's 784 weights are random. " +
        "Train the network to see what they become (red pixels raise a neuron's input, blue lower it).";
    }
  }

  async function train() {
    const epochs = readInteger($("mnist-epochs"), 1, 30);
    const lr = readNumber($("mnist-lr"));
    const buttons = { start: $("mnist-train"), stop: $("mnist-stop") };
    buttons.start.disabled = true;
    buttons.stop.disabled = false;
    const log = $("mnist-log");
    log.textContent = "";
    log.hidden = false;
    $("mnist-result").textContent = "";
    curves.reset(epochs);
    let trainSize = 60000;
    try {
      const result = await trainer.train({ kind: "mlp30", epochs, optimizer: "sgd", lr, batchSize: 10, seed: 1 },
        (message) => {
          if (message.what === "chunk") {
            trainSize = message.total / epochs;
            curves.addTrain(message.seen / trainSize, message.loss, message.accuracy);
            $("mnist-progress").value = message.seen / message.total;
            $("mnist-status").textContent = `Epoch ${message.epoch} of ${epochs} · ` +
              `${count(message.samplesPerSecond)} digits/s · ${Math.ceil(message.secondsLeft)} s left`;
          } else if (message.what === "epoch") {
            curves.addTest(message.seen / trainSize, message.testLoss, message.testAccuracy);
            log.textContent += `Epoch ${message.epoch}: ${Math.round(message.testAccuracy * 10000)} / 10000\n`;
            log.scrollTop = log.scrollHeight;
          }
        });
      net.delete();
      net = nn.fromJSON(result.model);
      showNetwork(true);
      const right = Math.round(result.evaluation.accuracy * 10000);
      $("mnist-result").textContent = `${right} of 10,000 test digits right ` +
        `(${percent(result.evaluation.accuracy, 2)})`;
      $("mnist-status").textContent = `${result.stopped ? "Stopped" : "Done"} after ` +
        `${result.seconds.toFixed(1)} s of training.`;
    } finally {
      buttons.start.disabled = false;
      buttons.stop.disabled = true;
    }
  }

  $("mnist-train").addEventListener("click", () => train().catch((error) => {
    if (!error.workerDied) showError(error);  // a death is told by the handler above
  }));
  $("mnist-stop").addEventListener("click", () => trainer.stop());
  $("noise-again").addEventListener("click", () => noiseView.show(noiseThrough(net)));
  showNetwork(false);
}
