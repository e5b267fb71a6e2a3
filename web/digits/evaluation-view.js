// What the model reading the pad does on the 10k MNIST test digits: how many it gets right,
// the confusion matrix and the digits it gets wrong most confidently (or those of one matrix
// cell, once clicked). Renders session snapshots; until a new model's evaluation arrives the
// matrix of the one before stays.
import { element } from "../lib/dom.js";
import { grayCanvas, tile } from "../lib/mnist/pictures.js";

const GALLERY = 24;  // digits shown at once
const percent = (p, digits = 0) => `${(100 * p).toFixed(digits)}%`;
const count = (n) => Math.round(n).toLocaleString("en-US");

export class EvaluationView {
  #view;
  #test = null;        // { n, labels, images }
  #evaluation = null;  // { accuracy, predicted, confidence }
  #model = null;       // the model the accuracy text is about

  /** view: { accuracy, confusion, galleryTitle, gallery } elements. */
  constructor(view) {
    this.#view = view;
  }

  render({ data, model }) {
    if (model !== this.#model) {
      this.#model = model;
      this.#view.accuracy.textContent = !model ? "Waiting for the MNIST test set…" :
        model.evaluation ? `${model.name}: ${count(model.evaluation.accuracy * 10000)} of 10,000 test digits ` +
          `right (${percent(model.evaluation.accuracy, 2)}).` :
          model.testError ? `${model.name} could not be tested: ${model.testError}` :
          "Testing on the 10,000 test digits…";
    }
    const evaluation = model?.evaluation ?? this.#evaluation;
    if (!data.test || !evaluation || (data.test === this.#test && evaluation === this.#evaluation)) return;
    this.#test = data.test;
    this.#evaluation = evaluation;
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
}
