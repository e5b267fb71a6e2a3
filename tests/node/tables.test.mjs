// Table data in the playground (web/lib/plane/tables.js): the seeded split, the projection onto
// the plotted columns and the grid over them. (The header and the default label are the core's:
// tests/cpp/csv_test.cpp.)
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { loadNN } from "../../web/lib/nnplay.js";
import {
  plotGrid, prepareTable, shuffledRows, tableKind,
} from "../../web/lib/plane/tables.js";
import { defaultState, toConfig } from "../../web/lib/plane/state.js";

const nn = await loadNN();

test("shuffled_rows_are_a_seeded_permutation", () => {
  const rows = shuffledRows(100, 7);
  assert.deepEqual([...rows].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(shuffledRows(100, 7), rows);
  assert.notDeepEqual(shuffledRows(100, 8), rows);
  assert.notDeepEqual(rows.slice(0, 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test("prepare_table_splits_and_projects_onto_the_plotted_columns", () => {
  // Sorted by class, as files often are: the seeded split still mixes them.
  const lines = ["a,b,c,kind"];
  for (let i = 0; i < 30; i++) lines.push(`${i},${2 * i},${i % 5},${["x", "y", "z"][Math.floor(i / 10)]}`);
  const data = nn.datasets.parseCSV(lines.join("\n"), { label: "kind" });
  assert.equal(tableKind(data.classes), "multiclass");
  const split = prepareTable(data, { trainRatio: 0.8, dataSeed: 3, plotX: "c", plotY: "a" });
  assert.equal(split.train.n, 24);
  assert.equal(split.test.n, 6);
  assert.deepEqual(split.plot.columns, [2, 0]);
  // c runs over [0, 4]: the plot pads it by 5% of that.
  assert.ok(Math.abs(split.plot.x[0] + 0.2) < 1e-6 && Math.abs(split.plot.x[1] - 4.2) < 1e-6, String(split.plot.x));
  assert.equal(split.labelRange, null);
  for (const part of [split.train, split.test]) {
    for (let i = 0; i < part.n; i++) {
      const a = part.x[3 * i];
      assert.deepEqual([part.points[2 * i], part.points[2 * i + 1]], [a % 5, a], "plot coordinates are (c, a)");
      assert.equal(part.labels[i], Math.floor(a / 10), "class index");
      assert.equal(part.y[3 * i + part.labels[i]], 1, "one-hot target of that class");
    }
  }
  assert.ok(new Set(split.test.labels).size > 1, "the test rows come from more than one class");
  assert.deepEqual(prepareTable(data, { trainRatio: 0.8, dataSeed: 3, plotX: "c", plotY: "a" }), split);
  assert.throws(() => prepareTable(data, { trainRatio: 0.8, dataSeed: 3, plotX: "nope", plotY: "a" }),
    /plot: no feature column named "nope"/);
});

test("plot_grid_varies_the_plotted_columns_and_holds_the_others_at_their_mean", () => {
  const data = nn.datasets.parseCSV("p,q,r,y\n0,10,5,1.5\n2,20,7,2.5\n4,30,9,4\n", { label: "y" });
  const split = prepareTable(data, { trainRatio: 0.5, dataSeed: 1, plotX: "r", plotY: "p" });
  assert.deepEqual(split.labelRange, [1.5, 4]);
  assert.deepEqual(Array.from(split.means), [2, 20, 7]);
  const grid = plotGrid(split, 2);
  const [x0, x1] = split.plot.x, [y0, y1] = split.plot.y;
  const cell = (row, col) => Array.from(grid.subarray((row * 2 + col) * 3, (row * 2 + col + 1) * 3));
  // Row 0 is the top of the plot: the highest vertical value.
  const near = (a, b) => a.every((v, i) => Math.abs(v - b[i]) < 1e-5);
  assert.ok(near(cell(0, 0), [y1 - (y1 - y0) / 4, 20, x0 + (x1 - x0) / 4]), String(cell(0, 0)));
  assert.ok(near(cell(1, 1), [y0 + (y1 - y0) / 4, 20, x1 - (x1 - x0) / 4]), String(cell(1, 1)));
});

test("breast_cancer_preset_network_is_the_tutorial_config", async () => {
  const example = JSON.parse(await readFile(new URL("../../examples/breast-cancer.json", import.meta.url)));
  assert.deepEqual(toConfig(defaultState("breast-cancer"), { inputs: 30, outputs: 1 }), example);
});
