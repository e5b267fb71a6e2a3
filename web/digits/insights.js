// What the current network does on data: the confusion matrix on the 10k test digits, the
// digits it gets wrong most confidently (or those of one matrix cell), its first-layer weights
// as pictures, and its answer to random noise (tutorial 004: confidently wrong).
import { divergingCanvas, grayCanvas, tile } from "./picture.js";

const GALLERY = 24;     // digits shown at once
const NOISE_TILES = 8;
export const NOISE_SAMPLES = 500;
const WEIGHT_TILES = 64;

/**
 * n images of uniform random pixels and what the network says about them: what showNoise
 * draws. (The digits page runs this in its worker; a CNN takes a second for 500.)
 */
export function noiseThrough(net, n = NOISE_SAMPLES) {
  const images = new Float32Array(n * 784);
  for (let i = 0; i < images.length; i++) images[i] = Math.random();
  return { images, outputs: net.predict(images, n) };
}

const element = (tag, className, text) => {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
};
const percent = (p, digits = 0) => `${(100 * p).toFixed(digits)}%`;

export class Insights {
  #view;
  #test = null;        // { n, labels, images }
  #evaluation = null;  // { accuracy, predicted, confidence }

  /** view: { confusion, galleryTitle, gallery, weights, weightsNote, noise, noiseNote } elements. */
  constructor(view) {
    this.#view = view;
  }

  setTestSet(test) { this.#test = test; }

  /** A test-set evaluation of the current network (worker.js): fills matrix and gallery. */
  showEvaluation(evaluation) {
    this.#evaluation = evaluation;
    if (!this.#test) return;
    this.#showConfusion();
    this.#showMostConfidentlyWrong();
  }

  #digitTile(i, caption) {
    const pixels = this.#test.images.subarray(i * 784, (i + 1) * 784);
    return tile(grayCanvas(pixels, 28, 28, { max: 255 }), caption);
  }

  #showConfusion() {
    const { predicted } = this.#evaluation;
    const { labels, n } = this.#test;
    const counts = Array.from({ length: 10 }, () => new Array(10).fill(0));
    for (let i = 0; i < n; i++) counts[labels[i]][predicted[i]]++;
    const table = element("table", "confusion");
    table.append(element("caption", "", "rows: true digit · columns: the network's answer"));
    const head = element("tr");
    head.append(element("th"));
    for (let c = 0; c < 10; c++) head.append(element("th", "", String(c)));
    table.append(element("thead"));
    table.tHead.append(head);
    const body = element("tbody");
    for (let r = 0; r < 10; r++) {
      const row = element("tr");
      row.append(element("th", "", String(r)));
      const total = counts[r].reduce((a, b) => a + b, 0) || 1;
      for (let c = 0; c < 10; c++) {
        const count = counts[r][c];
        const cell = element("td");
        const button = element("button", r === c ? "hit" : "miss", String(count));
        button.type = "button";
        button.title = `true ${r}, said ${c}: ${count} of ${total} (${percent(count / total, 1)})`;
        // shade by share of the row: diagonal green, errors red, on a log scale for errors
        const share = r === c ? count / total : Math.min(1, Math.log1p(count) / Math.log1p(total / 20));
        button.style.setProperty("--share", share.toFixed(3));
        button.disabled = count === 0;
        button.addEventListener("click", () => this.#showCell(r, c));
        cell.append(button);
        row.append(cell);
      }
      body.append(row);
    }
    table.append(body);
    this.#view.confusion.replaceChildren(table);
  }

  #showGallery(title, indices) {
    const { predicted, confidence } = this.#evaluation;
    this.#view.galleryTitle.textContent = title;
    this.#view.gallery.replaceChildren(...indices.slice(0, GALLERY).map((i) => this.#digitTile(i,
      `${this.#test.labels[i]} → ${predicted[i]} (${percent(confidence[i])})`)));
  }

  #showMostConfidentlyWrong() {
    const { predicted, confidence } = this.#evaluation;
    const wrong = [];
    for (let i = 0; i < this.#test.n; i++) if (predicted[i] !== this.#test.labels[i]) wrong.push(i);
    wrong.sort((a, b) => confidence[b] - confidence[a]);
    this.#showGallery(`The ${Math.min(GALLERY, wrong.length)} most confidently wrong of ` +
      `${wrong.length} wrong test digits (true → said, confidence)`, wrong);
  }

  #showCell(r, c) {
    const { predicted, confidence } = this.#evaluation;
    const matches = [];
    for (let i = 0; i < this.#test.n; i++) {
      if (this.#test.labels[i] === r && predicted[i] === c) matches.push(i);
    }
    matches.sort((a, b) => confidence[b] - confidence[a]);
    this.#showGallery(`True ${r}, said ${c}: ${matches.length} test digits` +
      (matches.length > GALLERY ? ` (the ${GALLERY} most confident shown)` : ""), matches);
    this.#view.galleryTitle.scrollIntoView?.({ block: "nearest" });
  }

  /** First-layer weights: one 28 x 28 picture per hidden unit (dense) or one per conv filter. */
  showWeights(net) {
    const first = net.getWeights()[0];
    const tiles = [];
    if (first.shape.length === 2) {
      const [inputs, units] = first.shape;
      for (let u = 0; u < Math.min(units, WEIGHT_TILES); u++) {
        const column = new Float32Array(inputs);
        for (let i = 0; i < inputs; i++) column[i] = first.data[i * units + u];
        tiles.push(tile(divergingCanvas(column, 28, 28), `unit ${u}`, "tile weight"));
      }
      this.#view.weightsNote.textContent = `What each of the first ${tiles.length} of ` +
        `${units} hidden units looks for: red pixels raise its input, blue ones lower it.`;
    } else {
      const [kh, kw, inC, filters] = first.shape;  // Keras order
      for (let f = 0; f < filters; f++) {
        const kernel = new Float32Array(kh * kw);
        for (let i = 0; i < kh * kw; i++) kernel[i] = first.data[i * inC * filters + f];
        tiles.push(tile(divergingCanvas(kernel, kw, kh), `filter ${f}`, "tile weight kernel"));
      }
      this.#view.weightsNote.textContent = `The ${filters} ${kh}×${kw} filters of the first ` +
        "convolution: red weights respond to ink, blue ones to its absence.";
    }
    this.#view.weights.replaceChildren(...tiles);
  }

  /** What the network says about random pixels, and how sure it is: from noiseThrough. */
  showNoise({ images: x, outputs: out }) {
    const answers = new Array(10).fill(0);
    let sure = 0;
    const tiles = [];
    for (let j = 0; j < NOISE_SAMPLES; j++) {
      const p = out.subarray(j * 10, j * 10 + 10);
      const sum = p.reduce((a, b) => a + b, 0) || 1;
      const best = p.indexOf(Math.max(...p));
      answers[best]++;
      sure += p[best] / sum;
      if (j < NOISE_TILES) {
        tiles.push(tile(grayCanvas(x.subarray(j * 784, (j + 1) * 784)),
          `“${best}” (${percent(p[best] / sum)})`));
      }
    }
    const favourite = answers.indexOf(Math.max(...answers));
    this.#view.noise.replaceChildren(...tiles);
    const meanSure = sure / NOISE_SAMPLES;
    this.#view.noiseNote.textContent = `On ${NOISE_SAMPLES} images of pure noise the network ` +
      `answers “${favourite}” ${percent(answers[favourite] / NOISE_SAMPLES)} of the time, on ` +
      `average ${percent(meanSure)} sure. It has no way to say “none of these”: it only knows ` +
      (meanSure > 0.5 ? "ten answers, so it is confidently wrong." : "ten answers, so it picks one anyway.");
  }
}
