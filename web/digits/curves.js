// Live training curves: loss (top) and accuracy (bottom) against epochs, on one canvas.

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
    const left = 38, right = 8, gap = 18, panel = (height - gap - 22) / 2;
    const maxLoss = Math.max(0.1, ...this.#train.map((p) => p[1]), ...this.#test.map((p) => p[1]));
    const minAccuracy = Math.min(0.8, ...this.#train.map((p) => p[2]), ...this.#test.map((p) => p[2]));
    const panels = [
      { top: 4, index: 1, low: 0, high: maxLoss, title: "loss", format: (v) => v.toFixed(2) },
      { top: 4 + panel + gap, index: 2, low: Math.floor(minAccuracy * 10) / 10, high: 1,
        title: "accuracy", format: (v) => `${Math.round(v * 100)}%` },
    ];
    const x = (epochs) => left + (width - left - right) * epochs / this.#epochs;
    for (const p of panels) {
      const y = (v) => p.top + panel * (1 - (v - p.low) / (p.high - p.low || 1));
      c.strokeStyle = COLORS.grid;
      c.fillStyle = COLORS.text;
      c.lineWidth = 1;
      c.strokeRect(left, p.top, width - left - right, panel);
      c.textAlign = "right";
      c.fillText(p.format(p.high), left - 4, p.top + 9);
      c.fillText(p.format(p.low), left - 4, p.top + panel);
      c.textAlign = "left";
      c.fillText(p.title, left + 4, p.top + 12);
      for (const [points, color] of [[this.#train, COLORS.train], [this.#test, COLORS.test]]) {
        if (!points.length) continue;
        c.strokeStyle = c.fillStyle = color;
        c.lineWidth = 1.5;
        c.beginPath();
        points.forEach((point, i) => c[i ? "lineTo" : "moveTo"](x(point[0]), y(point[p.index])));
        c.stroke();
        for (const point of points === this.#test ? points : []) {
          c.beginPath();
          c.arc(x(point[0]), y(point[p.index]), 3, 0, 2 * Math.PI);
          c.fill();
        }
      }
    }
    c.fillStyle = COLORS.text;
    c.textAlign = "center";
    c.fillText(`epochs (0–${this.#epochs})`, left + (width - left - right) / 2, height - 4);
    c.textAlign = "left";
    c.fillStyle = COLORS.train;
    c.fillText("train", left + 70, 16);
    c.fillStyle = COLORS.test;
    c.fillText("test", left + 104, 16);
  }
}
