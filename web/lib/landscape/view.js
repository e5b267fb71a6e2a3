// The loss-landscape picture of lesson 001 and the playground: the loss over a slice's grid as
// colour bands (viridis, log scale, interpolated per pixel, so the band edges are contour
// lines), the slice's centre as a cross, optimizer paths, and a ring (the next path's start).

const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
const BANDS = 14;

// Viridis, quantized into bands (contour-like steps of equal loss ratio): RGB per band.
const BAND_RGB = (() => {
  const table = new Uint8ClampedArray(BANDS * 3);
  for (let band = 0; band < BANDS; band++) {
    const x = (band / (BANDS - 1)) * (VIRIDIS.length - 1);
    const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
    for (let k = 0; k < 3; k++) table[3 * band + k] = VIRIDIS[i][k] + (VIRIDIS[i + 1][k] - VIRIDIS[i][k]) * (x - i);
  }
  return table;
})();
const NOT_YET = [229, 231, 235];  // grid points not evaluated yet

/** Writes the colour of t in [0, 1] (NaN: not computed yet) to pixels at byte `at`. */
function paintBand(pixels, at, t) {
  const rgb = Number.isNaN(t) ? NOT_YET : BAND_RGB.subarray(3 * Math.min(BANDS - 1, Math.max(0, Math.floor(t * BANDS))));
  pixels[at] = rgb[0];
  pixels[at + 1] = rgb[1];
  pixels[at + 2] = rgb[2];
  pixels[at + 3] = 255;
}

export class LandscapeView {
  #canvas;
  #grid = null;
  #base = document.createElement("canvas");  // the bands, redrawn only when the grid changes
  #baseStale = true;
  range = [NaN, NaN];  // the lowest and highest loss drawn

  /** canvas: the map; colorbar: a canvas that shows the bands from low to high loss. */
  constructor(canvas, colorbar) {
    this.#canvas = canvas;
    const context = colorbar.getContext("2d");
    const image = context.createImageData(colorbar.width, colorbar.height);
    for (let i = 0; i < colorbar.width * colorbar.height; i++) {
      paintBand(image.data, 4 * i, (i % colorbar.width) / (colorbar.width - 1));
    }
    context.putImageData(image, 0, 0);
  }

  /** grid: { loss (size x size, row 0 at the top, NaN where not computed yet), size, span }. */
  setGrid(grid) {
    this.#grid = grid;
    this.#baseStale = true;
  }

  // Pixel position of a point (α, β) of the slice.
  #toPixel([alpha, beta], width) {
    const { span } = this.#grid;
    return [((alpha + span) / (2 * span)) * width, (1 - (beta + span) / (2 * span)) * width];
  }

  #drawBase(width) {
    const { loss, size } = this.#grid;
    const logs = Float64Array.from(loss, Math.log);
    let low = Infinity, high = -Infinity;
    for (const v of logs) {
      if (Number.isFinite(v)) {
        low = Math.min(low, v);
        high = Math.max(high, v);
      }
    }
    this.range = [Math.exp(low), Math.exp(high)];
    const scale = high > low ? 1 / (high - low) : 0;
    this.#base.width = this.#base.height = width;
    const context = this.#base.getContext("2d");
    const image = context.createImageData(width, width);
    const last = size - 1;
    for (let py = 0; py < width; py++) {
      const y = (py / (width - 1)) * last;
      const row = Math.min(last - 1, Math.floor(y)), fy = y - row;
      for (let px = 0; px < width; px++) {
        const x = (px / (width - 1)) * last;
        const column = Math.min(last - 1, Math.floor(x)), fx = x - column;
        // bilinear between the four grid points around the pixel (NaN while one is missing)
        const top = logs[row * size + column] * (1 - fx) + logs[row * size + column + 1] * fx;
        const bottom = logs[(row + 1) * size + column] * (1 - fx) + logs[(row + 1) * size + column + 1] * fx;
        paintBand(image.data, 4 * (py * width + px), ((1 - fy) * top + fy * bottom - low) * scale);
      }
    }
    context.putImageData(image, 0, 0);
    this.#baseStale = false;
  }

  /** Draws the grid, the paths ({ color, points: [[α, β], ...] }) and a ring at start [α, β] (if given). */
  draw(paths, start = null) {
    if (!this.#grid) return;
    const canvas = this.#canvas;
    const width = Math.round(canvas.clientWidth * (window.devicePixelRatio || 1));
    if (width === 0) return;
    if (canvas.width !== width) {
      canvas.width = canvas.height = width;
      this.#baseStale = true;
    }
    if (this.#baseStale || this.#base.width !== width) this.#drawBase(width);
    const c = canvas.getContext("2d");
    c.drawImage(this.#base, 0, 0);
    const unit = width / 300;
    // the trained weights
    const [cx, cy] = this.#toPixel([0, 0], width);
    c.strokeStyle = "#fff";
    c.lineWidth = 2 * unit;
    c.beginPath();
    c.moveTo(cx - 7 * unit, cy);
    c.lineTo(cx + 7 * unit, cy);
    c.moveTo(cx, cy - 7 * unit);
    c.lineTo(cx, cy + 7 * unit);
    c.stroke();
    for (const path of paths) {
      const pixels = path.points.map((p) => this.#toPixel(p, width));
      c.strokeStyle = path.color;
      c.fillStyle = path.color;
      c.lineWidth = 1.6 * unit;
      c.beginPath();
      pixels.forEach(([x, y], i) => (i ? c.lineTo(x, y) : c.moveTo(x, y)));
      c.stroke();
      for (const [x, y] of pixels) {
        c.beginPath();
        c.arc(x, y, 1.7 * unit, 0, 2 * Math.PI);
        c.fill();
      }
    }
    if (!start) return;
    // the next path's start
    const [sx, sy] = this.#toPixel(start, width);
    c.lineWidth = 2 * unit;
    c.strokeStyle = "#111";
    c.beginPath();
    c.arc(sx, sy, 6 * unit, 0, 2 * Math.PI);
    c.stroke();
    c.strokeStyle = "#fff";
    c.lineWidth = 1.2 * unit;
    c.stroke();
  }
}
