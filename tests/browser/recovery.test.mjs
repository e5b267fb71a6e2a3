// Reliability in Chromium: a dead training worker (an uncaught error, a WebAssembly.Memory
// failure, a worker that stops answering) is reported in role="alert" and restarted with the
// page's state; nothing the user made is lost on reload; a long session does not leak.
// No timing assertions: every wait is for a state of the page.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { hooks, startBrowser } from "./browser.mjs";

const TIMEOUT = { timeout: 300_000 };
let env;
before(async () => { env = await startBrowser(); });
after(async () => { await env.close(); });

const open = (path) => env.newPage(path, { timeout: 120_000 });
const alertText = (page) => page.locator('[role="alert"]').textContent();

async function reload(page) {
  await page.reload();
  await page.waitForFunction(() => window.nnplay?.ready);
  await page.evaluate(() => window.nnplay.ready);
}

// ---- the playground

// Not the default in data, features, network and training, with a point of each class added.
const EDITED = {
  data: { name: "moons", n: 240, noise: 0.2, trainRatio: 0.6, seed: 7 },
  features: ["x1", "x2", "x1x2"],
  config: {
    layers: [{ type: "dense", units: 6, activation: "relu" }, { type: "dense", units: 1, activation: "sigmoid" }],
    loss: "bce", optimizer: { type: "adam", lr: 0.01 }, init: "he", seed: 12, batchSize: 8,
  },
};

async function editedPlayground() {
  const page = await open("");
  await hooks(page, "setState", EDITED);
  const box = await page.locator("#heatmap").boundingBox();
  await page.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.2);
  await page.selectOption("#add-class", "0");
  await page.mouse.click(box.x + box.width * 0.2, box.y + box.height * 0.8);
  await page.waitForFunction(() => /&pts=[^&;]+;[^&;]+(&|$)/.test(location.hash));
  return page;
}

// What reload or recovery must bring back: the state, the link (added points included) and the
// metrics, before and after training.
async function snapshot(page, epochs) {
  return { state: await hooks(page, "state"), hash: await page.evaluate(() => location.hash),
    initial: await hooks(page, "metrics"), trained: await hooks(page, "step", epochs) };
}

test("playground_reload_keeps_edited_state_and_added_points", TIMEOUT, async () => {
  const page = await editedPlayground();
  const before = await snapshot(page, 10);
  await reload(page);
  assert.deepEqual(await hooks(page, "state"), before.state);
  assert.equal(await page.evaluate(() => location.hash), before.hash);
  assert.deepEqual(await hooks(page, "metrics"), before.initial, "the added points are in the data again");
  assert.deepEqual(await hooks(page, "step", 10), before.trained);
  assert.deepEqual(page.errors, []);
  await page.close();
});

const DEATHS = {
  error: /The training worker stopped: an uncaught error \(Error: crash test: an uncaught error in the worker\)\./,
  memory: /The training worker stopped: it ran out of memory \(WebAssembly\.Memory\.grow\(\): .*\)\./,
  hang: /The training worker stopped: it stopped answering \(no reply in 1 s\)\./,
};

for (const [how, message] of Object.entries(DEATHS)) {
  test(`playground_restarts_a_worker_killed_by_${how}_and_rebuilds_its_state`, TIMEOUT, async () => {
    const page = await editedPlayground();
    const before = await snapshot(page, 5);
    if (how === "error") {  // while playing: the loop ends, the page pauses
      await page.click("#play");
      await page.waitForFunction(() => window.nnplay.metrics().epoch >= 15);
    }
    await page.evaluate((h) => window.nnplay._crashWorker(h), how);
    await page.waitForFunction(() => /It was restarted/.test(document.getElementById("alert").textContent));
    const text = await alertText(page);
    assert.match(text, message);
    assert.ok(text.endsWith("It was restarted, and the playground was rebuilt from its settings (the link); " +
      "training starts again at epoch 0."), text);
    assert.equal(await page.getAttribute("#play", "aria-pressed"), "false");
    assert.deepEqual(await hooks(page, "state"), before.state);
    assert.equal(await page.evaluate(() => location.hash), before.hash);
    assert.deepEqual(await hooks(page, "metrics"), before.initial);
    // The new worker trains exactly as the first did.
    assert.deepEqual(await hooks(page, "step", 5), before.trained);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test("playground_restart_reads_its_csv_file_again", TIMEOUT, async () => {
  const page = await open("");
  const rows = Array.from({ length: 80 }, (_, i) => `${(i % 9) / 3},${(i % 7) / 2},${i % 2 ? "yes" : "no"}`);
  await page.setInputFiles("#csv-file", { name: "mine.csv", mimeType: "text/csv",
    buffer: Buffer.from(["a,b,answer", ...rows].join("\n")) });
  await page.waitForFunction(() => window.nnplay.state().data.name === "csv");
  const before = await snapshot(page, 5);
  await page.evaluate(() => window.nnplay._crashWorker("error"));
  await page.waitForFunction(() => /It was restarted/.test(document.getElementById("alert").textContent));
  assert.deepEqual(await hooks(page, "state"), before.state);
  assert.match(await page.textContent("#table-info"), /^mine\.csv: 80 rows/);
  assert.deepEqual(await hooks(page, "step", 5), before.trained);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("playground_worker_memory_stays_flat_over_a_long_session", TIMEOUT, async () => {
  const page = await open("");
  await hooks(page, "setState", { config: { layers: [{ type: "dense", units: 8, activation: "tanh" },
    { type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 1, activation: "sigmoid" }] } });
  const samples = [];
  for (let round = 0; round < 12; round++) {
    await hooks(page, "step", 100);  // 2,500 optimizer steps and about 200 snapshots a round
    samples.push(await hooks(page, "_workerMemory"));
  }
  const { epoch, step } = await hooks(page, "metrics");
  console.log(`worker memory over ${epoch} epochs (${step} steps): ` +
    samples.map((s) => `${(s.inUseBytes / 1024).toFixed(1)} KiB`).join(", "));
  // After the first round (allocations that live as long as the network) nothing grows.
  const settled = samples[1];
  for (const sample of samples.slice(2)) {
    assert.equal(sample.heapBytes, settled.heapBytes, "the WebAssembly memory did not grow");
    assert.ok(sample.inUseBytes <= settled.inUseBytes, `in use ${sample.inUseBytes} > ${settled.inUseBytes}`);
  }
  assert.equal(epoch, 1200);
  assert.deepEqual(page.errors, []);
  await page.close();
});

// ---- the digits page

// Probabilities for a fixed picture: equal for the same model, different for another.
const fingerprint = (page) => page.evaluate(() => {
  const gray = new Uint8Array(28 * 28);
  for (let y = 5; y < 23; y++) gray.fill(255, y * 28 + 12, y * 28 + 15);
  return window.nnplay.classify(gray, 28, 28).probabilities;
});

// The record the page keeps in IndexedDB (saved-model.js), without its weights.
const savedRecord = (page) => page.evaluate(() => new Promise((resolve, reject) => {
  const request = indexedDB.open("nnplay-digits");
  request.onerror = () => reject(request.error);
  request.onsuccess = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains("models")) return resolve(null);
    const get = db.transaction("models").objectStore("models").get("saved");
    get.onsuccess = () => resolve(get.result ? { name: get.result.name, savedAt: get.result.savedAt,
      active: get.result.active } : null);
    get.onerror = () => reject(get.error);
  };
}));

// Starts training the small MLP; stops it after its first progress report -> its result.
async function trainBriefly(page) {
  await page.evaluate(() => { window.__training = window.nnplay.train({ model: "mlp30", epochs: 1 }); });
  await page.waitForFunction(() => document.getElementById("train-progress").value > 0);
  await page.click("#train-stop");
  return page.evaluate(() => window.__training);
}

test("digits_keeps_its_trained_model_across_reloads_and_a_bad_file_never_replaces_it", TIMEOUT, async () => {
  const page = await open("digits.html");
  assert.ok(await page.locator("#model-choice").isHidden(), "nothing saved yet");
  const pretrained = await fingerprint(page);
  const result = await trainBriefly(page);
  assert.equal(result.stopped, true);
  assert.match(await page.textContent("#model-choice-text"), /^Using your saved model \(MLP 784-30-10/);
  const mine = await fingerprint(page);
  assert.notDeepEqual(mine, pretrained);
  while (!await savedRecord(page)) await page.waitForTimeout(50);  // being written
  const record = await savedRecord(page);
  assert.match(record.name, /^MLP 784-30-10, sigmoid \(tutorial 004\), trained here \(stopped early\)$/);
  assert.equal(record.active, true);

  await reload(page);
  assert.match(await page.textContent("#model-choice-text"), /^Using your saved model \(MLP 784-30-10.*trained here/);
  assert.match(await page.textContent("#model-info"), /^Model: MLP 784-30-10.*trained here/);
  assert.ok(await page.locator("#model-use-pretrained").isVisible());
  assert.deepEqual(await fingerprint(page), mine);

  // Bad files: truncated weights, a network of the wrong shape, not JSON. Each is refused with
  // an alert; the model reading the pad and the saved one stay.
  const model = await page.evaluate(() => fetch("models/digits-mlp.json").then((r) => r.json()));
  const truncated = { ...model, weights: model.weights.map((w, i) => (i === 0 ? { ...w, data: w.data.slice(0, 10) } : w)) };
  const small = { format: "nnplay-model", version: 1, config: { input: [2], layers: [{ type: "dense", units: 1, activation: "sigmoid" }],
    loss: "bce" }, weights: [{ name: "dense_0/kernel", shape: [2, 1], data: [0, 0] }, { name: "dense_0/bias", shape: [1], data: [0] }] };
  const bad = [
    ["truncated.json", JSON.stringify(truncated), /weights\[0\]/],
    ["small.json", JSON.stringify(small), /this model maps 2 inputs to 1 outputs; the digits page needs 784/],
    ["notes.json", "{ not json", /notes\.json is not a JSON file/],
  ];
  for (const [name, text, error] of bad) {
    await page.evaluate(() => { document.getElementById("digits-error").textContent = ""; });
    await page.setInputFiles("#model-load", { name, mimeType: "application/json", buffer: Buffer.from(text) });
    await page.waitForFunction(() => document.getElementById("digits-error").textContent !== "");
    assert.match(await alertText(page), error);
    assert.deepEqual(await fingerprint(page), mine);
  }
  assert.deepEqual(await savedRecord(page), record);
  await reload(page);
  assert.deepEqual(await fingerprint(page), mine);

  // The pretrained model, chosen: it stays after a reload, and the saved one is a click away.
  await page.click("#model-use-pretrained");
  assert.match(await page.textContent("#model-info"), /^Model: pretrained/);
  assert.deepEqual(await fingerprint(page), pretrained);
  while ((await savedRecord(page)).active) await page.waitForTimeout(50);  // the choice is being written
  await reload(page);
  assert.match(await page.textContent("#model-info"), /^Model: pretrained/);
  assert.match(await page.textContent("#model-choice-text"), /^Your saved model \(MLP 784-30-10.*\) is kept\.$/);
  await page.click("#model-use-saved");
  assert.deepEqual(await fingerprint(page), mine);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("digits_restarts_a_dead_worker_and_retests_its_model", TIMEOUT, async () => {
  const page = await open("digits.html");
  const { testAccuracy } = await hooks(page, "evaluate");

  // Out of memory while training: the training is lost, the model reading the pad stays.
  const model = await fingerprint(page);
  await page.evaluate(() => {
    window.__training = window.nnplay.train({ model: "mlp30", epochs: 1 }).then(() => "done", (e) => e.message);
  });
  await page.waitForFunction(() => document.getElementById("train-progress").value > 0);
  await page.evaluate(() => window.nnplay._crashWorker("memory"));
  assert.match(await page.evaluate(() => window.__training), /^the training worker stopped: it ran out of memory/);
  const text = await alertText(page);
  assert.match(text, /^The training worker stopped: it ran out of memory \(WebAssembly\.Memory\.grow\(\): .*\)\. /);
  assert.ok(text.endsWith("It was restarted: it loads the MNIST data again and retests the model in use. " +
    "The training that was running is lost; the model reading the pad is unchanged."), text);
  assert.deepEqual(await fingerprint(page), model);
  assert.equal(await page.isDisabled("#train-start"), false);
  assert.equal((await hooks(page, "evaluate")).testAccuracy, testAccuracy);

  // A worker that stops answering, then one with an uncaught error: each is replaced, and the
  // last one trains.
  for (const [how, reason] of [["hang", "it stopped answering"], ["error", "an uncaught error"]]) {
    await page.evaluate((h) => window.nnplay._crashWorker(h), how);
    await page.waitForFunction((r) => document.getElementById("digits-error").textContent.includes(r), reason);
    assert.equal((await hooks(page, "evaluate")).testAccuracy, testAccuracy);
  }
  assert.equal((await trainBriefly(page)).stopped, true);
  assert.deepEqual(page.errors, []);
  await page.close();
});
