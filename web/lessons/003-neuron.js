// Lesson 003: tutorial 003's neuron, its 2-2-1 network, the loss and one partial derivative
// for Alice, then stochastic gradient descent on four people, live, and predictions for two
// more. The core computes every value; the page holds the tutorial's inputs only.
import { LineChart } from "../lib/chart.js";
import { $, denseLayers, element, everyFrame, fixed, float32Text, readInteger, readNumber, showError, startLesson } from "./lesson.js";

// The tutorial's people, shifted by 135 lb and 66 in; gender: 1 female, 0 male.
const SHIFT = { weight: 135, height: 66 };
const PEOPLE = [
  { name: "Alice", weight: 133, height: 65, gender: 1 },
  { name: "Bob", weight: 160, height: 72, gender: 0 },
  { name: "Charlie", weight: 152, height: 70, gender: 0 },
  { name: "Diana", weight: 120, height: 60, gender: 1 },
];
const EPOCHS_PER_FRAME = 20;
const shifted = ({ weight, height }) => [weight - SHIFT.weight, height - SHIFT.height];

// A 2-2-1 sigmoid network with the MSE loss, trained one sample at a time.
const networkConfig = (lr) => ({
  input: [2], layers: denseLayers([[2, "sigmoid"], [1, "sigmoid"]]), loss: "mse",
  optimizer: { type: "sgd", lr, momentum: 0 }, seed: 1, batchSize: 1,
});

// The 2-2-1 network with the same weights w = [w1, w2] (from the first and the second input)
// and the same bias b in every neuron. Kernels are [in, out]: row i holds input i's weights.
const sameInEveryNeuron = ([w1, w2], b) => [
  { name: "dense_0/kernel", shape: [2, 2], data: [w1, w1, w2, w2] },
  { name: "dense_0/bias", shape: [2], data: [b, b] },
  { name: "dense_1/kernel", shape: [2, 1], data: [w1, w2] },
  { name: "dense_1/bias", shape: [1], data: [b] },
];

startLesson("003-neuron", (nn) => {
  neuron(nn);
  feedforward(nn);
  alice(nn);
  training(nn);
});

function neuron(nn) {
  const net = nn.createNetwork({ input: [2], layers: denseLayers([[1, "sigmoid"]]), loss: "mse",
    optimizer: { type: "sgd", lr: 0.1 }, seed: 1, batchSize: 1 });
  const ids = ["n-w1", "n-w2", "n-b", "n-x1", "n-x2"];
  function update() {
    try {
      const [w1, w2, b, x1, x2] = ids.map((id) => readNumber($(id)));
      net.setWeights([
        { name: "dense_0/kernel", shape: [2, 1], data: [w1, w2] },
        { name: "dense_0/bias", shape: [1], data: [b] },
      ]);
      const [layer] = net.inspect(new Float32Array([x1, x2]), new Float32Array([0]), 1).layers;
      $("neuron-z").textContent = float32Text(layer.z[0]);
      $("neuron-out").textContent = float32Text(layer.a[0]);
      showError(null);
    } catch (error) {
      $("neuron-z").textContent = $("neuron-out").textContent = "–";
      showError(error);
    }
  }
  for (const id of ids) $(id).addEventListener("input", update);
  update();
}

function feedforward(nn) {
  const net = nn.createNetwork(networkConfig(0.1));
  net.setWeights(sameInEveryNeuron([0, 1], 0));
  const { layers: [hidden, output] } = net.inspect(new Float32Array([2, 3]), new Float32Array([0]), 1);
  $("net-h1").textContent = float32Text(hidden.a[0]);
  $("net-h2").textContent = float32Text(hidden.a[1]);
  $("net-out").textContent = float32Text(output.a[0]);
  net.delete();
}

function alice(nn) {
  $("people").replaceChildren(...PEOPLE.map((p) => {
    const row = element("tr");
    row.append(element("th", "", p.name), element("td", "num", String(p.weight)), element("td", "num", String(p.height)),
      element("td", "", p.gender ? "F" : "M"), element("td", "num", `(${shifted(p).join(", ")})`),
      element("td", "num", String(p.gender)));
    row.firstChild.scope = "row";
    return row;
  }));
  const net = nn.createNetwork(networkConfig(0.1));
  net.setWeights(sameInEveryNeuron([1, 1], 0));
  const { loss, layers: [hidden, output] } = net.inspect(new Float32Array(shifted(PEOPLE[0])),
    new Float32Array([PEOPLE[0].gender]), 1);
  $("alice-h1").textContent = float32Text(hidden.a[0]);
  $("alice-pred").textContent = float32Text(output.a[0]);
  $("alice-loss").textContent = float32Text(loss);
  $("alice-dpred").textContent = float32Text(output.dA[0]);
  $("alice-dh1").textContent = float32Text(hidden.dA[0]);
  $("alice-dw1").textContent = float32Text(hidden.dW[0]);  // kernel [in, out]: input 1 -> h1
  net.delete();
}

function training(nn) {
  const x = new Float32Array(PEOPLE.flatMap(shifted));
  const y = new Float32Array(PEOPLE.map((p) => p.gender));
  const unseen = new Float32Array([-7, -3, 20, 2]);  // Emily (128 lb, 63 in), Frank (155 lb, 68 in)
  const chart = new LineChart($("loss-chart"), { series: [{ label: "loss (MSE)", stroke: "#0877bd" }], log: true });
  let net = null, run = null;

  function predictYou() {
    if (!net) return;
    try {
      const point = [readNumber($("you-weight")) - SHIFT.weight, readNumber($("you-height")) - SHIFT.height];
      $("you").textContent = `${fixed(net.predict(new Float32Array(point), 1)[0], 3)} ` +
        `(input ${point.map((v) => fixed(v, 0)).join(", ")})`;
    } catch (error) {
      $("you").textContent = "–";
      showError(error);
    }
  }

  // Emily's and Frank's predictions once training is done ("" while it runs).
  function showPredictions(done) {
    const [emily, frank] = done ? net.predict(unseen, 2) : [];
    $("emily").textContent = done ? float32Text(emily) : "";
    $("frank").textContent = done ? float32Text(frank) : "";
    if (done) predictYou();
  }

  function train() {
    run?.stop();
    net?.delete();
    let epochs;
    try {
      epochs = readInteger($("train-epochs"), 1, 10000);
      net = nn.createNetwork(networkConfig(Number($("train-lr").value)));
      showError(null);
    } catch (error) {
      net = null;
      showError(error);
      return;
    }
    chart.clear();
    let epoch = 0;
    const record = () => {
      const { loss } = net.evaluate(x, y, 4);
      chart.push(epoch, [loss]);
      $("train-epoch").textContent = String(epoch);
      $("train-loss").textContent = fixed(loss, 4);
    };
    record();
    showPredictions(false);
    $("train-status").textContent = "Training…";
    run = everyFrame(() => {
      // The tutorial goes over the people in order, one at a time.
      const n = Math.min(EPOCHS_PER_FRAME, epochs - epoch);
      net.fit({ x, y, n: 4, epochs: n, batchSize: 1, shuffle: false });
      epoch += n;
      record();
      chart.draw();
      return epoch < epochs;
    });
    const mine = run;
    run.done.then((finished) => {
      if (!finished || run !== mine) return;
      showPredictions(true);
      $("train-status").textContent = `Trained ${epochs} epochs.`;
    }).catch(showError);
  }

  $("train-again").addEventListener("click", train);
  for (const id of ["train-lr", "train-epochs"]) $(id).addEventListener("change", train);
  for (const id of ["you-weight", "you-height"]) $(id).addEventListener("input", predictYou);
  train();
}
