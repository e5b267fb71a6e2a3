// Live training curves on one canvas: loss (log scale, top) and accuracy (bottom) against
// epochs; the training set's running numbers as a line, the test set's per epoch as dots.

const COLORS = { train: "#3b82f6", test: "#f97316", grid: "#d4d4d8", text: "#52525b" };

export class TrainingCurves {
  #canvas;
  #train = [];   // [epochs, loss, accuracy] per reported chunk
  #test = [];    // [epochs, loss, accuracy] per epoch
  #epochs = 1;

  constructor(canvas) {
    this.#canvas = canvas;
    new ResizeObserver(() => this.#draw()).observe(canvas);
  }

  reset(epochs) {
    this.#train = [];
    this.#test = [];
    this.#epochs = epochs;
    this.#draw();
  }

  addTrain(epochs, loss, accuracy) { this.#train.push([epochs, loss, accuracy]); this.#draw(); }
  addTest(epochs, loss, accuracy) { this.#test.push([epochs, loss, accuracy]); this.#draw(); }

  #panels(top, height) {
    const all = [...this.#train, ...this.#test];
    const losses = all.map((p) => p[1]).filter((v) => v > 0);
    const lowLoss = losses.length ? Math.min(...losses) / 1.3 : 0.01;
    const highLoss = losses.length ? Math.max(...losses) * 1.3 : 1;
    // accuracy: the range the latest numbers live in; the first chunks' low values fall off
    const latest = [this.#train.at(-1)?.[2], this.#test.at(-1)?.[2]].filter((v) => v !== undefined);
    const lowAccuracy = Math.max(0, Math.floor((Math.min(0.9, ...latest) - 0.05) * 10) / 10);
    const log = Math.log10;
    return [
      { title: "loss (log scale)", index: 1, top, low: lowLoss, high: highLoss,
        scale: (v) => (log(v) - log(lowLoss)) / (log(highLoss) - log(lowLoss)),
        format: (v) => v.toPrecision(2) },
      { title: "accuracy", index: 2, top: top + height + 18, low: lowAccuracy, high: 1,
        scale: (v) => (v - lowAccuracy) / (1 - lowAccuracy),
        format: (v) => `${Math.round(v * 100)}%` },
    ];
  }

  #draw() {
    const canvas = this.#canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth, height = canvas.clientHeight;
    if (!width || !height) return;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const c = canvas.getContext("2d");
    c.setTransform(ratio, 0, 0, ratio, 0, 0);
    c.clearRect(0, 0, width, height);
    c.font = "11px system-ui, sans-serif";
    const left = 40, right = 8, plotWidth = width - left - right;
    const panelHeight = (height - 18 - 24) / 2;
    const x = (epochs) => left + plotWidth * epochs / this.#epochs;
    for (const p of this.#panels(4, panelHeight)) {
      const y = (v) => p.top + panelHeight * (1 - p.scale(v));
      const inside = (v) => p.scale(v) >= 0 && p.scale(v) <= 1;
      c.strokeStyle = COLORS.grid;
      c.fillStyle = COLORS.text;
      c.lineWidth = 1;
      c.strokeRect(left, p.top, plotWidth, panelHeight);
      c.textAlign = "right";
      c.fillText(p.format(p.high), left - 4, p.top + 9);
      c.fillText(p.format(p.low), left - 4, p.top + panelHeight);
      // titles in the corner each curve leaves free: loss falls, accuracy rises
      c.textAlign = "right";
      c.fillText(p.title, left + plotWidth - 4, p.index === 1 ? p.top + 12 : p.top + panelHeight - 4);
      c.lineWidth = 1.5;
      c.strokeStyle = COLORS.train;
      c.beginPath();
      let drawing = false;
      for (const point of this.#train) {
        const v = point[p.index];
        if (!inside(v)) { drawing = false; continue; }
        c[drawing ? "lineTo" : "moveTo"](x(point[0]), y(v));
        drawing = true;
      }
      c.stroke();
      c.fillStyle = COLORS.test;
      for (const point of this.#test) {
        if (!inside(point[p.index])) continue;
        c.beginPath();
        c.arc(x(point[0]), y(point[p.index]), 3, 0, 2 * Math.PI);
        c.fill();
      }
    }
    const baseline = height - 5;
    c.fillStyle = COLORS.text;
    c.textAlign = "right";
    c.fillText(`epochs 0–${this.#epochs}`, width - right, baseline);
    c.textAlign = "left";
    c.fillStyle = COLORS.train;
    c.fillRect(left, baseline - 5, 14, 2);
    const trainLabel = "training set";
    c.fillText(trainLabel, left + 18, baseline);
    const testAt = left + 18 + c.measureText(trainLabel).width + 16;
    c.fillStyle = COLORS.test;
    c.beginPath();
    c.arc(testAt, baseline - 4, 3, 0, 2 * Math.PI);
    c.fill();
    c.fillText("test set, per epoch", testAt + 7, baseline);
  }
}
