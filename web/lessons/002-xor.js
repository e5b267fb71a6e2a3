// Lesson 002: tutorial 002's XOR network (2-3-1 tanh, MSE, batch 1, lr 0.1, uniform init)
// trained live, with its epoch log, and a diagram of one sample's pass: every layer's output
// going forward and the error's slope coming back, from net.inspect.
import { LineChart } from "../lib/chart.js";
import { $, PlayButton, configText, denseLayers, element, float32Text, playgroundLink, readInteger, showError, startLesson } from "./lesson.js";

const X = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
const Y = new Float32Array([0, 1, 1, 0]);
const EPOCHS_PER_FRAME = 10;
const LOG_EVERY = 100;  // and the first three epochs and the last, like the tutorial's printout

function xorConfig(hiddenUnits, lr) {
  return {
    input: [2],
    layers: denseLayers(hiddenUnits > 0 ? [[hiddenUnits, "tanh"], [1, "tanh"]] : [[1, "tanh"]]),
    loss: "mse", optimizer: { type: "sgd", lr, momentum: 0 }, init: "uniform", seed: 1, batchSize: 1,
  };
}

startLesson("002-xor", (nn) => {
  const chart = new LineChart($("error-chart"), { series: [{ label: "error", stroke: "#0877bd" }], log: true });
  const player = new PlayButton($("play"), trainFrame);
  let net = null, epoch = 0, target = 0, sample = 1;
  let extraSteps = 0;  // one-sample steps taken by hand since the last epoch

  // ---- training

  function restart() {
    player.reset();
    net?.delete();
    net = null;
    try {
      const units = Number($("hidden-units").value), lr = Number($("lr").value);
      target = readInteger($("epochs"), 1, 10000);
      const config = xorConfig(units, lr);
      const link = playgroundLink(nn, { dataset: "xor",  // checks the fields first
        hidden: units > 0 ? [{ units, activation: "tanh" }] : [], output: "tanh", loss: "mse",
        optimizer: "sgd", lr, batchSize: 1, init: "uniform" });
      net = nn.createNetwork(config);
      $("network-code").textContent = configText(config);
      $("playground-link").href = link;
      showError(null);
    } catch (error) {
      showError(error);
      return;
    }
    epoch = 0;
    extraSteps = 0;
    chart.clear();
    $("log").textContent = "";
    $("epoch").textContent = "0";
    $("error").textContent = "–";
    render();
    player.play();
  }

  // A few epochs over the four samples, in order, one at a time (the tutorial's loop).
  function trainFrame() {
    const history = net.fit({ x: X, y: Y, n: 4, epochs: Math.min(EPOCHS_PER_FRAME, target - epoch), shuffle: false });
    extraSteps = 0;
    for (const entry of history) {
      epoch++;
      chart.push(epoch, [entry.loss]);
      if (epoch <= 3 || epoch % LOG_EVERY === 0 || epoch === target) {
        $("log").textContent += `epoch ${epoch}/${target}   error=${entry.loss.toFixed(6)}\n`;
      }
      $("error").textContent = entry.loss.toFixed(6);
    }
    $("epoch").textContent = String(epoch);
    chart.draw();
    render();
    return epoch < target;
  }

  // ---- the network's outputs and the one-sample diagram

  function render() {
    const out = net.predict(X, 4);
    $("outputs").replaceChildren(...Array.from(out, (v, i) => {
      const row = element("tr");
      row.append(element("td", "num", `(${X[2 * i]}, ${X[2 * i + 1]})`), element("td", "num", String(Y[i])),
        element("td", "num", float32Text(v)), element("td", "num", String(Math.abs(Math.round(v)))));
      return row;
    }));
    drawDiagram();
  }

  function drawDiagram() {
    const x = X.subarray(2 * sample, 2 * sample + 2), y = Y.subarray(sample, sample + 1);
    const { loss, layers } = net.inspect(x, y, 1);
    const boxes = [valueBox("Input X", `sample (${x[0]}, ${x[1]})`, x, null)];
    let inputs = 2;
    layers.forEach((layer, i) => {
      const units = layer.z.length;
      boxes.push(valueBox(`Fully connected ${inputs}→${units}`, "Y = XW + B", layer.z, layer.dz,
        { gradient: layer.dW, rows: inputs, columns: units }));
      boxes.push(valueBox("tanh", i === layers.length - 1 ? "prediction" : "Y = tanh(X)", layer.a, layer.dA));
      inputs = units;
    });
    boxes.push(lossBox(loss, y[0]));
    $("diagram").replaceChildren(...boxes.flatMap((box, i) => (i ? [arrow(), box] : [box])));
    const when = `epoch ${epoch}${extraSteps ? ` and ${extraSteps} step${extraSteps > 1 ? "s" : ""} by hand` : ""}`;
    $("diagram-note").textContent = `Sample ${sample + 1} of 4 after ${when}: the error ` +
      `${float32Text(loss)} flows back through ${2 * layers.length} layers; the fully connected ` +
      "layers' ∂E/∂W is what the next step subtracts, times the learning rate.";
  }

  function arrow() {
    const a = element("div", "arrow");
    a.setAttribute("aria-hidden", "true");
    a.append(element("span", "forward", "→"), element("span", "backward", "←"));
    return a;
  }

  // A layer's box: its outputs (forward) and the error's slope at them (backward).
  function valueBox(title, subtitle, forward, backward, weights) {
    const box = element("section", "layer-box");
    box.setAttribute("aria-label", title);
    box.append(element("h4", "", title), element("p", "box-sub", subtitle));
    box.append(valueList("forward", "output", forward));
    if (backward) box.append(valueList("backward", "∂E/∂Y", backward));
    if (weights) {
      const { gradient, rows, columns } = weights;
      const grid = element("div", "matrix");
      grid.style.gridTemplateColumns = `repeat(${columns}, auto)`;
      for (let k = 0; k < rows * columns; k++) grid.append(element("span", "", gradient[k].toPrecision(3)));
      const wrap = element("div", "weights");
      wrap.append(element("span", "list-title", `∂E/∂W (${rows}×${columns})`), grid);
      box.append(wrap);
    }
    return box;
  }

  function lossBox(loss, target) {
    const box = element("section", "layer-box loss");
    box.setAttribute("aria-label", "Mean squared error");
    box.append(element("h4", "", "MSE"), element("p", "box-sub", `target y* = ${target}`));
    box.append(valueList("forward", "E", [loss]));
    return box;
  }

  function valueList(kind, title, values) {
    const list = element("div", `values-list ${kind}`);
    list.append(element("span", "list-title", title));
    const largest = Math.max(1e-9, ...Array.from(values, Math.abs));
    for (const v of values) {
      const row = element("div", "value-row");
      const bar = element("span", `bar ${v < 0 ? "negative" : "positive"}`);
      // bars: forward values on their own scale (|tanh| <= 1), backward ones relative to the largest
      bar.style.width = `${Math.round(100 * Math.min(1, Math.abs(v) / (kind === "forward" ? Math.max(1, largest) : largest)))}%`;
      const track = element("span", "track");
      track.append(bar);
      row.append(element("output", "", float32Text(v)), track);
      list.append(row);
    }
    return list;
  }

  // ---- wiring

  $("sample-choice").replaceChildren(...Array.from(Y, (_, i) => {
    const label = element("label", "check");
    const radio = element("input");
    radio.type = "radio";
    radio.name = "sample";
    radio.value = String(i);
    radio.checked = i === sample;
    radio.addEventListener("change", () => {
      sample = i;
      if (net) drawDiagram();
    });
    label.append(radio, ` (${X[2 * i]}, ${X[2 * i + 1]})`);
    return label;
  }));
  $("one-step").addEventListener("click", () => {
    if (!net) return;
    player.pause();
    net.trainBatch(X.subarray(2 * sample, 2 * sample + 2), Y.subarray(sample, sample + 1), 1);
    extraSteps++;
    render();
  });
  $("restart").addEventListener("click", restart);
  for (const id of ["hidden-units", "lr", "epochs"]) $(id).addEventListener("change", restart);
  restart();
});
