// Teach it your handwriting: keep the pad's drawing as a digit (one button per digit, with how
// many of it you have), your last digits as pictures, fine-tuning (epochs, progress) and what
// it did — accuracy on your held-out digits, on the ones it trained on and on the MNIST test
// set, before and after. Renders snapshot.mine and snapshot.fineTuning; the buttons are session
// commands (main.js wires export, import, clear, fine-tune and the pretrained model).
import { element } from "../lib/dom.js";
import { grayCanvas, tile } from "../lib/mnist/pictures.js";

const score = (s) => (s && s.n ? `${(100 * s.correct / s.n).toFixed(0)}% (${s.correct}/${s.n})` : "—");
const percent = (p) => (p === null || p === undefined ? "testing…" : `${(100 * p).toFixed(2)}%`);

export class TeachView {
  #view;
  #buttons;
  #shown = {};

  /** elements: { labels, summary, gallery, start, epochs, progress, status, results }; keep(label). */
  constructor(view, { keep }) {
    this.#view = view;
    this.#buttons = Array.from({ length: 10 }, (_, d) => {
      const button = element("button", "keep", String(d));
      button.type = "button";
      button.addEventListener("click", () => keep(d));
      return button;
    });
    view.labels.replaceChildren(...this.#buttons);
  }

  render({ mine, fineTuning, training }) {
    if (mine !== this.#shown.mine) this.#renderMine(mine);
    if (fineTuning !== this.#shown.fineTuning || training !== this.#shown.training) this.#renderFineTuning(fineTuning, training, mine);
    this.#shown = { mine, fineTuning, training };
  }

  #renderMine(mine) {
    mine.counts.forEach((n, d) => {
      this.#buttons[d].textContent = `${d} · ${n}`;
      this.#buttons[d].setAttribute("aria-label", `${d} · ${n}: keep the drawing as a ${d} (you have ${n})`);
    });
    const { summary, gallery } = this.#view;
    const accuracy = mine.accuracy;
    summary.textContent = mine.total === 0 ? "No digits of yours yet: draw one, then press its number." :
      `${mine.total} digit${mine.total > 1 ? "s" : ""} of yours: ${mine.total - mine.heldOut} to train on, ` +
      `${mine.heldOut} held out (every third of each digit). The model in use reads ` +
      `${score(accuracy?.heldOut)} of the held-out ones and ${score(accuracy?.trained)} of the others.`;
    gallery.replaceChildren(...mine.recent.map((e) => {
      const figure = tile(grayCanvas(e.pixels, 28, 28, { max: 255 }), e.heldOut ? `${e.label} · test` : String(e.label));
      figure.querySelector("canvas").setAttribute("role", "img");
      figure.querySelector("canvas").setAttribute("aria-label", `your ${e.label}${e.heldOut ? ", held out" : ""}`);
      return figure;
    }));
  }

  #renderFineTuning(f, training, mine) {
    const { start, progress, status, results } = this.#view;
    const running = f.state === "running";
    const trainingBusy = ["waiting", "running", "stopping"].includes(training.state);
    start.disabled = running || trainingBusy;
    progress.hidden = !running;
    progress.value = f.progress;
    const said = running && f.progress >= 1 ? "Testing the fine-tuned model on the 10,000 MNIST test digits…" :
      running ? "Fine-tuning on your digits and MNIST…" :  // the bar shows how far: the live status stays quiet
      f.state === "done" ? `Fine-tuned in ${f.seconds.toFixed(1)} s: this model now reads the pad. The pretrained one is a click away.` :
        f.state === "failed" ? "Fine-tuning failed (see above)." :
          trainingBusy ? "A training is running: fine-tune once it is done." :
            mine.total - mine.heldOut > 0 ? "Ready to fine-tune the model in use on your digits." : "";
    if (status.textContent !== said) status.textContent = said;  // the live region speaks changes only
    if (!f.before) {
      results.hidden = true;
      return;
    }
    results.hidden = false;
    const rows = [["your held-out digits", score(f.before.heldOut), f.after ? score(f.after.heldOut) : "…"],
      ["your digits it trained on", score(f.before.trained), f.after ? score(f.after.trained) : "…"],
      ["MNIST test (10,000)", percent(f.before.mnist), f.after ? percent(f.after.mnist) : "…"]];
    const body = rows.map((cells) => {
      const row = element("tr");
      row.append(element("th", null, cells[0]), ...cells.slice(1).map((c) => element("td", null, c)));
      row.firstChild.scope = "row";
      return row;
    });
    results.tBodies[0].replaceChildren(...body);
  }
}
