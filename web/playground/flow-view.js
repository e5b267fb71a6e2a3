// The gradient-flow charts: per layer and epoch, the mean |dL/dW| of its kernel and the mean
// |ΔW| the epoch's steps made (log scales: a deep sigmoid network's first layers are orders of
// magnitude below its last), from the session's flow; and which units are dead ReLUs. Two of
// lib/chart.js's line charts, made anew when the network's layer count changes.
import { $ } from "../lib/dom.js";
import { LineChart } from "../lib/chart.js";

// One colour per layer, first to last (8 hidden layers and the output at most).
const COLORS = ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#e4572e"];

export class FlowView {
  #gradient = null;
  #update = null;
  #key = "";
  #shown = 0;  // flow entries pushed

  render({ run, flow, state, picture }) {
    if (!state || !picture) return;
    const layers = picture.weights.length / 2;
    const key = `${run}:${layers}`;
    if (key !== this.#key || flow.length < this.#shown) {
      this.#key = key;
      this.#shown = 0;
      this.#gradient?.destroy();
      this.#update?.destroy();
      const series = Array.from({ length: layers }, (_, k) => ({
        label: k === layers - 1 ? "output" : `layer ${k + 1}`, stroke: COLORS[COLORS.length - layers + k] }));
      $("flow-gradient-chart").replaceChildren();
      $("flow-update-chart").replaceChildren();
      this.#gradient = new LineChart($("flow-gradient-chart"), { series, log: true, height: 150 });
      this.#update = new LineChart($("flow-update-chart"), { series, log: true, height: 150 });
    }
    for (; this.#shown < flow.length; this.#shown++) {
      const { epoch, layers: gradients, updates } = flow[this.#shown];
      // A log scale has no place for 0: a layer that learned nothing shows a gap.
      this.#gradient.push(epoch, gradients.map((v) => (v > 0 ? v : null)));
      this.#update.push(epoch, updates.map((v) => (v > 0 ? v : null)));
    }
    this.#gradient.draw();
    this.#update.draw();
    const dead = (picture.dead ?? []).map((list, k) => (list.length ? `layer ${k + 1}: ${list.length} of ` +
      `${state.hidden[k].units}` : "")).filter(Boolean);
    const text = dead.length ? `Dead ReLUs (0 on every training point, crossed out in the diagram): ${dead.join(", ")}.` :
      state.hidden.some((l) => l.activation === "relu") ? "No dead ReLUs." : "";
    if ($("flow-dead").textContent !== text) $("flow-dead").textContent = text;
  }
}
