// Why this answer: the saliency of a chosen class over the 28 × 28 input (snapshot.drawing
// .saliency: d log p(class) / d pixel, from the core's input gradient) and occlusion (snapshot
// .drawing.occlusion: p(class) with a gray patch at every position). The class is the
// session's choice (chooseClass); the patch position under the pointer or the arrow keys is
// this view's own: it shows the input with the patch there and the probability it leaves.
import { element } from "../lib/dom.js";
import { occlude } from "../lib/mnist/insight.js";
import { divergingCanvas, grayCanvas } from "../lib/mnist/pictures.js";
import { num } from "./maps.js";

// A probability for people: 97.3%, 99.987% when close to sure, 2.1e−5% when tiny.
const percent = (p) => (p < 0.001 ? `${(100 * p).toExponential(1).replace("-", "−")}%` :
  p > 0.999 && p < 1 ? `${num(100 * p, 3)}%` : `${num(100 * p, 1)}%`);

const OCCLUSION_FLOOR = 1;

export class WhyView {
  #view;
  #shown = null;
  #patch = null;  // [row, column] of the occlusion patch shown, or null

  /** elements: { cls (select), saliency, saliencyNote, occlusion, occluded, occlusionNote }. */
  constructor(view, { chooseClass }) {
    this.#view = view;
    view.cls.replaceChildren(element("option", null, "the answer"),
      ...Array.from({ length: 10 }, (_, d) => Object.assign(element("option", null, String(d)), { value: String(d) })));
    view.cls.options[0].value = "";
    view.cls.addEventListener("change", () => chooseClass(view.cls.value === "" ? null : Number(view.cls.value)));
    const map = view.occlusion;
    map.addEventListener("pointermove", (event) => {
      const side = this.#shown?.drawing?.occlusion?.side;
      if (!side) return;
      const box = map.getBoundingClientRect();
      const x = Math.floor((event.clientX - box.left) / box.width * side);
      const y = Math.floor((event.clientY - box.top) / box.height * side);
      if (x >= 0 && y >= 0 && x < side && y < side) this.#showPatch([y, x]);
    });
    map.addEventListener("keydown", (event) => {
      const side = this.#shown?.drawing?.occlusion?.side;
      const step = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[event.key];
      if (!side || !step) return;
      event.preventDefault();
      const [y, x] = this.#patch ?? [Math.floor(side / 2), Math.floor(side / 2)];
      this.#showPatch([Math.min(side - 1, Math.max(0, y + step[0])), Math.min(side - 1, Math.max(0, x + step[1]))]);
    });
  }

  render({ drawing, choice, model }) {
    if (this.#shown?.drawing === drawing && this.#shown?.cls === choice.cls) return;
    this.#shown = { drawing, cls: choice.cls };
    const { cls, saliency, saliencyNote, occlusionNote } = this.#view;
    const selected = choice.cls === null ? "" : String(choice.cls);
    if (cls.value !== selected) cls.value = selected;
    if (!drawing || drawing.model !== model?.id || drawing.empty) {
      saliencyNote.textContent = "Draw a digit on the pad.";
      occlusionNote.textContent = "";
      saliency.replaceChildren();
      this.#view.occlusion.hidden = this.#view.occluded.hidden = true;
      return;
    }
    cls.options[0].textContent = `the answer (${drawing.label})`;
    const label = drawing.saliency.label;
    const canvas = divergingCanvas(drawing.saliency.map, 28, 28);
    canvas.classList.add("pixels", "saliency-map");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `saliency of class ${label}: red pixels raise its log-probability, blue lower it`);
    saliency.replaceChildren(canvas);
    saliencyNote.textContent = `d log p(${label}) / d pixel: red where more ink would raise p(${label}) ` +
      `(now ${percent(drawing.probabilities[label])}), blue where it would lower it.`;
    this.#paintOcclusion();
  }

  #paintOcclusion() {
    const { drawing } = this.#shown;
    const { occlusion, occluded, occlusionNote } = this.#view;
    const o = drawing.occlusion;
    if (!o) {
      occlusion.hidden = occluded.hidden = true;
      occlusionNote.textContent = "Lift the pen: the gray patch is slid over the finished drawing.";
      return;
    }
    occlusion.hidden = occluded.hidden = false;
    const label = drawing.saliency.label;
    // the change of the log-odds log(p / (1 − p)) of the class the patch makes: blue where it
    // drops (scaled to the largest change, at least OCCLUSION_FLOOR, so a tiny change does not
    // look large). Log-odds, not p: they show a 99.999% answer falling to 99%, and a class the
    // network rules out rising from a millionth to a thousandth.
    const logOdds = (p) => {
      const q = Math.min(Math.max(p, 1e-12), 1 - 1e-7);
      return Math.log(q / (1 - q));
    };
    const l0 = logOdds(drawing.probabilities[label]);
    const change = Float32Array.from({ length: o.side * o.side }, (_, i) => logOdds(o.probabilities[i * 10 + label]) - l0);
    divergingCanvas(change, o.side, o.side, { floor: OCCLUSION_FLOOR, canvas: occlusion });
    occlusion.setAttribute("aria-label", `occlusion map of class ${label}: blue where a gray patch there lowers ` +
      "its probability, red where it raises it; arrow keys move the patch");
    this.#showPatch(this.#patch);
  }

  // The input with the patch at [row, column] of the occlusion grid, and p(class) with it.
  #showPatch(patch) {
    const { drawing } = this.#shown ?? {};
    const o = drawing?.occlusion;
    if (!o) return;
    this.#patch = patch;
    const label = drawing.saliency.label;
    const picture = Float32Array.from(drawing.input28);
    if (patch) occlude(picture, patch[0] * o.stride, patch[1] * o.stride, o.size, o.fill);
    grayCanvas(picture, 28, 28, { canvas: this.#view.occluded });
    const now = `p(${label}) = ${percent(drawing.probabilities[label])} without a patch`;
    this.#view.occlusionNote.textContent = patch ?
      `With the gray ${o.size}×${o.size} patch at row ${patch[0] * o.stride + 1}, column ${patch[1] * o.stride + 1}: ` +
      `p(${label}) = ${percent(o.probabilities[(patch[0] * o.side + patch[1]) * 10 + label])} (${now}).` :
      `Each pixel of the map: how the log-odds of p(${label}) change with the patch there — blue where covering the drawing ` +
      `hides what the network looks at. Point at the map, or focus it and use the arrow keys (${now}).`;
  }
}
