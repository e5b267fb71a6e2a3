// Table data in the playground: an uploaded CSV file or a preset. The pure steps from a parsed
// table (nn.datasets.parseCSV) to what the worker trains and the page draws: a seeded
// train/test split, the two plotted columns, and grids over them with every other input held
// at its mean. No DOM; the worker and Node tests import it.
import { makeRandom, permutation } from "../random.js";

/** Presets: a CSV built into the site, its label column and the page state it opens with. */
export const PRESETS = {
  "breast-cancer": {
    title: "Breast cancer (Wisconsin)",
    path: "build/data/breast-cancer.csv",  // relative to web/; made by scripts/breast-cancer.mjs
    label: "diagnosis",
    // Tutorial 001's network, as examples/breast-cancer.json (a Node test keeps them equal).
    state: {
      hidden: [{ units: 15, activation: "relu" }], output: "sigmoid", loss: "bce",
      optimizer: "momentum", lr: 0.05, momentum: 0.9, batchSize: 16,
      regularization: "none", regRate: 0, init: "he", seed: 1, trainRatio: 0.8, standardize: true,
    },
  },
};

/** Datasets that are tables: the presets and "csv", a file the user loads. */
export const TABLE_DATASETS = [...Object.keys(PRESETS), "csv"];
export const isTable = (dataset) => TABLE_DATASETS.includes(dataset);

/** Training rows out of n: at least 1, and at least 1 left to test. */
export const trainCount = (n, ratio) => Math.min(n - 1, Math.max(1, Math.round(n * ratio)));

/** "binary" (2 classes, one 0/1 output), "multiclass" (one-hot) or "regression". */
export function tableKind(classes) {
  return classes.length === 0 ? "regression" : classes.length === 2 ? "binary" : "multiclass";
}

/** 0..n-1 in a seeded random order: files are often sorted by their label. */
export const shuffledRows = (n, seed) => permutation(n, makeRandom(seed));

// The rows `rows` of a row-major matrix `width` values wide.
function gatherRows(values, width, rows) {
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, i) => out.set(values.subarray(row * width, (row + 1) * width), i * width));
  return out;
}

// [low, high] of column `column`, padded by 5% so no point sits on the plot's edge.
function columnRange(x, inputs, column) {
  let low = Infinity, high = -Infinity;
  for (let i = column; i < x.length; i += inputs) {
    low = Math.min(low, x[i]);
    high = Math.max(high, x[i]);
  }
  const pad = high > low ? (high - low) * 0.05 : 1;
  return [low - pad, high + pad];
}

/** What to draw for each row: the class index (one-hot argmax), the 0/1 class or the value. */
function rowLabels(data) {
  const { y, n, outputs } = data;
  if (outputs === 1) return Float32Array.from(y);
  return Float32Array.from({ length: n }, (_, i) => {
    let best = 0;
    for (let k = 1; k < outputs; k++) if (y[i * outputs + k] > y[i * outputs + best]) best = k;
    return best;
  });
}

/**
 * Splits a parsed table and projects it onto the plotted columns.
 * data: parseCSV's result; plotX/plotY: feature column names (plotY "" when there is only one).
 * Returns { train, test, means, plot: { columns, x: [low, high], y: [low, high] }, labelRange }
 * where train and test are { x, y, n } for the network plus { points, labels } for drawing
 * (points: row-major n x 2 plot coordinates).
 */
export function prepareTable(data, { trainRatio, dataSeed, plotX, plotY }) {
  const { x, y, n, inputs, outputs } = data;
  if (n < 2) throw new Error("the file needs at least 2 data rows: one to train on and one to test");
  const names = data.columns.map((c) => c.name);
  const columns = [names.indexOf(plotX), plotY === "" ? -1 : names.indexOf(plotY)];
  if (columns[0] < 0 || (plotY !== "" && columns[1] < 0)) {
    throw new Error(`plot: no feature column named ${JSON.stringify(columns[0] < 0 ? plotX : plotY)}`);
  }
  const means = new Float32Array(inputs);
  for (let i = 0; i < x.length; i++) means[i % inputs] += x[i] / n;

  const labels = rowLabels(data);
  const order = shuffledRows(n, dataSeed);
  const nTrain = trainCount(n, trainRatio);
  const part = (rows) => {
    const points = new Float32Array(rows.length * 2);
    rows.forEach((row, i) => {
      points[2 * i] = x[row * inputs + columns[0]];
      points[2 * i + 1] = columns[1] < 0 ? 0 : x[row * inputs + columns[1]];
    });
    return { x: gatherRows(x, inputs, rows), y: gatherRows(y, outputs, rows), n: rows.length, points,
      labels: Float32Array.from(rows, (row) => labels[row]) };
  };
  // Regression targets are coloured over their range.
  const labelRange = data.classes.length > 0 ? null :
    labels.reduce(([low, high], v) => [Math.min(low, v), Math.max(high, v)], [Infinity, -Infinity]);
  return {
    train: part(order.slice(0, nTrain)),
    test: part(order.slice(nTrain)),
    means,
    plot: { columns, x: columnRange(x, inputs, columns[0]),
      y: columns[1] < 0 ? [-1, 1] : columnRange(x, inputs, columns[1]) },
    labelRange,
  };
}

/**
 * Network inputs over a size x size grid of the plot (row 0 at the top, like gridPoints):
 * the plotted columns vary, every other input is its mean. Row-major size^2 x inputs.
 */
export function plotGrid({ means, plot }, size) {
  const inputs = means.length;
  const [ix, iy] = plot.columns;
  const grid = new Float32Array(size * size * inputs);
  const [x0, x1] = plot.x, [y0, y1] = plot.y;
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const cell = (row * size + col) * inputs;
      grid.set(means, cell);
      grid[cell + ix] = x0 + (col + 0.5) * (x1 - x0) / size;
      if (iy >= 0) grid[cell + iy] = y1 - (row + 0.5) * (y1 - y0) / size;
    }
  }
  return grid;
}
