// The playground with table data and model files: CSV upload (file input and drop), errors that
// keep the page and its data, the breast-cancer preset, links made with a CSV file, and models
// downloaded and opened again (nnplay JSON and TF.js). Training runs by step(k); no timing.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { hooks, startBrowser } from "./browser.mjs";

const TIMEOUT = { timeout: 240_000 };
let env, downloads;
before(async () => {
  env = await startBrowser();
  downloads = await mkdtemp(join(tmpdir(), "nnplay-downloads-"));
});
after(async () => {
  await env.close();
  await rm(downloads, { recursive: true, force: true });
});

// Generous timeouts: the machine running the tests may be slow and busy.
const open = (hash = "") => env.newPage(hash, { timeout: 120_000 });
const waitForAlert = (page, pattern) => page.waitForFunction(([source, flags]) =>
  new RegExp(source, flags).test(document.getElementById("alert").textContent), [pattern.source, pattern.flags]);

// Three clusters in 4 columns, labelled by colour name in the first column.
function clusters(rows = 150) {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const centres = { red: [2, 0, 1, -1], green: [-2, 1, 0, 1], blue: [0, -2, -1, 0] };
  const names = Object.keys(centres);
  const lines = ["colour,w,x,y,z"];
  for (let i = 0; i < rows; i++) {
    const name = names[i % 3];
    lines.push([name, ...centres[name].map((c) => (c + random()).toFixed(3))].join(","));
  }
  return `${lines.join("\n")}\n`;
}
const csvFile = (name, text) => ({ name, mimeType: "text/csv", buffer: Buffer.from(text) });

// Loads a CSV through the file input and waits until the page shows it.
async function loadCsv(page, name, text) {
  await page.setInputFiles("#csv-file", csvFile(name, text));
  await page.waitForFunction((file) => window.nnplay.state().data.file === file, name);
}

async function trainUntil(page, accuracy, { rounds = 10, epochs = 20 } = {}) {
  let metrics;
  for (let round = 0; round < rounds; round++) {
    metrics = await hooks(page, "step", epochs);
    if (metrics.testAccuracy >= accuracy) break;
  }
  return metrics;
}

// Clicks a download button; resolves to the `count` files it downloads, saved: [{ name, path }].
let saves = 0;
function download(page, button, count) {
  const files = new Promise((resolve) => {
    const saving = [];
    const onDownload = (d) => {
      const path = join(downloads, `${++saves}-${d.suggestedFilename()}`);
      saving.push(d.saveAs(path).then(() => ({ name: d.suggestedFilename(), path })));
      if (saving.length < count) return;
      page.off("download", onDownload);
      resolve(Promise.all(saving));
    };
    page.on("download", onDownload);
  });
  return page.click(button).then(() => files);
}

async function openModel(page, files) {
  await page.setInputFiles("#open-model", await Promise.all(files.map(async ({ name, path }) =>
    ({ name, mimeType: "application/octet-stream", buffer: await readFile(path) }))));
}

const metricsWithoutEpoch = ({ trainLoss, testLoss, trainAccuracy, testAccuracy }) =>
  ({ trainLoss, testLoss, trainAccuracy, testAccuracy });

// `fresh` opened what `page` saved: the same playground and metrics; neither logged an error.
async function expectReopened(page, fresh, state, trained) {
  assert.deepEqual(await hooks(fresh, "state"), state);
  assert.deepEqual(metricsWithoutEpoch(await hooks(fresh, "metrics")), metricsWithoutEpoch(trained));
  assert.deepEqual([...page.errors, ...fresh.errors], []);
  await page.close();
  await fresh.close();
}

test("csv_upload_trains_three_classes_with_class_colours", TIMEOUT, async () => {
  const page = await open();
  await loadCsv(page, "clusters.csv", clusters());
  // The text column is the label; the other four are the inputs.
  const state = await hooks(page, "state");
  assert.equal(state.data.label, "colour");
  assert.deepEqual(state.config.input, [4]);
  assert.deepEqual(state.config.layers.at(-1), { type: "dense", units: 3, activation: "softmax" });
  assert.equal(state.config.loss, "cross_entropy");
  assert.deepEqual(state.data.plot, ["w", "x"]);
  assert.match(await page.textContent("#table-info"), /clusters.csv: 150 rows, 4 input columns; label "colour": 3 classes \(blue, green, red\)/);
  assert.match(await page.textContent("#plot-note"), /across "w" and up "x" \(standardized\); the other 2 inputs are held at their mean/);
  const legend = await page.$$eval("#class-legend > span", (items) => items.map((item) =>
    [item.textContent, getComputedStyle(item.querySelector(".swatch")).backgroundColor]));
  assert.deepEqual(legend.map(([name]) => name), ["blue", "green", "red"]);
  assert.equal(new Set(legend.map(([, color]) => color)).size, 3, "a colour per class");

  // Another label would make the text column an input: refused, and nothing changes.
  await page.selectOption("#label-column", "z");
  await waitForAlert(page, /line 2, column 1 \("colour"\): "(red|green|blue)" is not a number/);
  assert.deepEqual(await hooks(page, "state"), state);
  assert.equal(await page.inputValue("#label-column"), "colour");

  const metrics = await trainUntil(page, 0.95);
  assert.ok(metrics.testAccuracy >= 0.95, JSON.stringify(metrics));
  // The plotted columns change the view, not the network.
  await page.selectOption("#plot-y", "w");
  await page.waitForFunction(() => window.nnplay.state().data.plot.join() === "x,w");
  assert.deepEqual(await hooks(page, "metrics"), metrics);
  assert.match(await page.evaluate(() => location.hash), /^#v=1&data=csv&file=clusters.csv&label=colour&px=x&py=w&/);
  assert.ok(await page.locator("#alert").isHidden());
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("csv_with_a_bad_cell_shows_line_and_column_and_keeps_the_data", TIMEOUT, async () => {
  const page = await open();
  await loadCsv(page, "good.csv", clusters(30));
  await hooks(page, "step", 3);
  const before = await hooks(page, "state");
  const lines = clusters(30).split("\n");
  lines[6] = "red,1.5,0.25,oops,2";  // line 7, column 4 ("y")
  // Dropped on the page, like a file dragged from the desktop.
  const transfer = await page.evaluateHandle((text) => {
    const data = new DataTransfer();
    data.items.add(new File([text], "bad.csv", { type: "text/csv" }));
    return data;
  }, lines.join("\n"));
  await page.dispatchEvent(".layout", "drop", { dataTransfer: transfer });
  const alert = page.locator('[role="alert"]');
  await alert.waitFor({ state: "visible" });
  assert.equal(await alert.textContent(),
    'bad.csv could not be used: line 7, column 4 ("y"): "oops" is not a number. The data is unchanged.');
  assert.deepEqual(await hooks(page, "state"), before);
  assert.equal((await hooks(page, "metrics")).epoch, 3, "the trained network stays too");
  assert.equal((await hooks(page, "step", 2)).epoch, 5);

  // A ragged row and an empty file, through the file input.
  await page.setInputFiles("#csv-file", csvFile("ragged.csv", "a,b,c\n1,2,3\n4,5\n"));
  await waitForAlert(page, /ragged.csv could not be used: line 3: expected 3 columns, got 2/);
  assert.deepEqual(await hooks(page, "state"), before);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("breast_cancer_preset_reaches_high_test_accuracy_and_shares", TIMEOUT, async () => {
  const page = await open();
  await page.selectOption("#dataset", "breast-cancer");
  await page.waitForFunction(() => window.nnplay.state().data.name === "breast-cancer");
  const state = await hooks(page, "state");
  assert.deepEqual(state.config.input, [30]);
  assert.deepEqual(state.config.layers, [{ type: "dense", units: 15, activation: "relu" },
    { type: "dense", units: 1, activation: "sigmoid" }]);
  assert.deepEqual([state.config.loss, state.config.optimizer], ["bce", { type: "sgd", lr: 0.05, momentum: 0.9 }]);
  assert.deepEqual([state.data.label, state.data.standardize, state.data.trainRatio], ["diagnosis", true, 0.8]);
  const metrics = await trainUntil(page, 0.94, { rounds: 5, epochs: 10 });
  console.log(`breast-cancer preset on the page: test accuracy ${metrics.testAccuracy} after ${metrics.epoch} epochs`);
  assert.ok(metrics.testAccuracy >= 0.94, JSON.stringify(metrics));

  // The preset is in the link: another page rebuilds the same run.
  const url = await hooks(page, "shareUrl");
  assert.match(url, /#v=1&data=breast-cancer&label=diagnosis&px=mean%20radius&py=mean%20texture&/);
  const other = await open(url.slice(url.indexOf("#")));
  assert.deepEqual(await hooks(other, "state"), state);
  assert.deepEqual(await hooks(other, "step", metrics.epoch), metrics);
  assert.deepEqual([...page.errors, ...other.errors], []);
  await page.close();
  await other.close();
});

test("downloaded_model_opens_in_a_fresh_page_with_identical_metrics", TIMEOUT, async () => {
  const page = await open();
  await hooks(page, "setState", { data: { name: "moons", n: 300, noise: 0.2, seed: 5 }, features: ["x1", "x2", "x1x2"],
    config: { layers: [{ type: "dense", units: 6, activation: "tanh" }, { type: "dense", units: 1, activation: "sigmoid" }],
      optimizer: { type: "adam", lr: 0.02 }, seed: 9 } });
  const trained = await hooks(page, "step", 15);
  const state = await hooks(page, "state");
  const [file] = await download(page, "#download-model", 1);
  assert.equal(file.name, "moons.nnplay.json");
  const saved = JSON.parse(await readFile(file.path, "utf8"));
  assert.equal(saved.format, "nnplay-model");
  assert.match(saved.metadata.playground, /^v=1&data=moons&n=300&/);

  const fresh = await open();
  await openModel(fresh, [file]);
  await fresh.waitForFunction(() => window.nnplay.state().data.name === "moons");
  assert.deepEqual(await hooks(fresh, "state"), state);
  assert.deepEqual(metricsWithoutEpoch(await hooks(fresh, "metrics")), metricsWithoutEpoch(trained));
  assert.ok(await fresh.locator("#alert").isHidden());

  // A file that is not a model: a message, and the network stays.
  await fresh.setInputFiles("#open-model", { name: "notes.json", mimeType: "application/json", buffer: Buffer.from('{"a": 1}') });
  await waitForAlert(fresh, /notes.json could not be opened: notes.json is neither an nnplay model.*The network is unchanged/);
  const conv = { ...saved, config: { ...saved.config, input: [4, 4, 1], layers: [{ type: "flatten" }, { type: "dense", units: 1, activation: "sigmoid" }] },
    weights: [{ name: "dense_1/kernel", shape: [16, 1], data: Array(16).fill(0) }, { name: "dense_1/bias", shape: [1], data: [0] }] };
  delete conv.metadata;
  await fresh.setInputFiles("#open-model", { name: "conv.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(conv)) });
  await waitForAlert(fresh, /conv.json could not be opened: config.layers\[0\].type: the playground has only dense layers/);
  await expectReopened(page, fresh, state, trained);
});

test("tfjs_files_download_and_open_round_trip", TIMEOUT, async () => {
  const page = await open("#v=1&data=breast-cancer");
  const trained = await hooks(page, "step", 5);
  const state = await hooks(page, "state");
  const files = await download(page, "#download-tfjs", 2);
  assert.deepEqual(files.map((f) => f.name).sort(), ["model.json", "weights.bin"]);
  const modelJson = JSON.parse(await readFile(files.find((f) => f.name === "model.json").path, "utf8"));
  assert.deepEqual(modelJson.weightsManifest[0].paths, ["weights.bin"]);
  assert.equal(modelJson.modelTopology.class_name, "Sequential");
  assert.equal((await readFile(files.find((f) => f.name === "weights.bin").path)).length, 4 * (30 * 15 + 15 + 15 + 1));

  const fresh = await open();
  // model.json alone is not enough: the message asks for its weights.
  await openModel(fresh, files.filter((f) => f.name === "model.json"));
  await waitForAlert(fresh, /keeps its weights in "weights.bin": choose that file together with model.json/);
  assert.equal((await hooks(fresh, "state")).data.name, "circle");
  await openModel(fresh, files);
  await fresh.waitForFunction(() => window.nnplay.state().data.name === "breast-cancer");
  await expectReopened(page, fresh, state, trained);
});

test("csv_links_and_models_wait_for_their_file", TIMEOUT, async () => {
  const text = clusters(90);
  const page = await open();
  await loadCsv(page, "clusters.csv", text);
  await hooks(page, "setState", { data: { label: "colour", plot: ["y", "z"], trainRatio: 0.7 } });
  const trained = await hooks(page, "step", 10);
  const state = await hooks(page, "state");
  const url = await hooks(page, "shareUrl");
  const [file] = await download(page, "#download-model", 1);
  assert.equal(file.name, "clusters.nnplay.json");

  // A link: the page says which file to load, shows the defaults meanwhile, then rebuilds.
  const linked = await open(url.slice(url.indexOf("#")));
  const alert = linked.locator('[role="alert"]');
  await alert.waitFor({ state: "visible" });
  assert.match(await alert.textContent(), /This link was made with the CSV file "clusters.csv", which it cannot carry: load that file again/);
  assert.equal((await hooks(linked, "state")).data.name, "circle");
  assert.equal((await hooks(linked, "step", 2)).epoch, 2, "the default playground works meanwhile");
  await loadCsv(linked, "clusters.csv", text);
  assert.deepEqual(await hooks(linked, "state"), state);
  assert.deepEqual(await hooks(linked, "step", 10), trained);
  assert.ok(await alert.isHidden());

  // A model file trained on it: the same, with its weights.
  const fresh = await open();
  await openModel(fresh, [file]);
  await waitForAlert(fresh, /clusters.nnplay.json was made with the CSV file "clusters.csv"/);
  await loadCsv(fresh, "clusters.csv", text);
  assert.deepEqual(await hooks(fresh, "state"), state);
  assert.deepEqual(metricsWithoutEpoch(await hooks(fresh, "metrics")), metricsWithoutEpoch(trained));
  assert.deepEqual([...page.errors, ...linked.errors, ...fresh.errors], []);
  await page.close();
  await linked.close();
  await fresh.close();
});
