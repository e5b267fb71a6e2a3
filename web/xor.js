// The minimal page: trains XOR (tutorial 002) with a live loss readout.
import { loadNN } from "./lib/nnplay.js";

const config = {
  input: [2],
  layers: [
    { type: "dense", units: 3, activation: "tanh" },
    { type: "dense", units: 1, activation: "tanh" },
  ],
  loss: "mse",
  optimizer: { type: "sgd", lr: 0.1, momentum: 0 },
  init: "uniform",
  seed: 1,
  batchSize: 1,
};
const x = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
const y = new Float32Array([0, 1, 1, 0]);

const $ = (id) => document.getElementById(id);
const nn = await loadNN({ threads: 1 });  // a 2-3-1 network: one thread is fastest
let net = nn.createNetwork(config);
let running = false;

function show(entry) {
  $("epoch").textContent = String(entry.epoch);
  $("loss").textContent = entry.loss.toFixed(6);
  $("predictions").textContent = Array.from(net.predict(x, 4), (v) => v.toFixed(3)).join("  ");
}

function frame() {
  if (!running) return;
  const history = net.fit({ x, y, n: 4, epochs: 10, shuffle: false });
  show(history.at(-1));
  if (history.at(-1).epoch >= 1000) toggle(false);
  requestAnimationFrame(frame);
}

function toggle(on) {
  running = on;
  $("play").textContent = on ? "Pause" : "Train";
  if (on) requestAnimationFrame(frame);
}

$("play").addEventListener("click", () => toggle(!running));
$("reset").addEventListener("click", () => {
  toggle(false);
  net.delete();
  net = nn.createNetwork(config);
  $("epoch").textContent = "0";
  $("loss").textContent = "–";
  $("predictions").textContent = "–";
});
// The buttons work from here on: until the core has loaded they are disabled.
$("play").disabled = false;
$("reset").disabled = false;
$("status").textContent = "Ready.";
window.nnplay = { ready: Promise.resolve() };
