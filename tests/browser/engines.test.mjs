// A second browser engine: the same config and seed train to the same bits in Node, Chromium
// (V8) and Firefox (SpiderMonkey), and every page runs in Firefox without an error.
// No timing assertions.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import * as nnplay from "../../web/lib/nnplay.js";
import * as data from "../../web/lib/mnist/data.js";
import * as models from "../../web/lib/mnist/models.js";
import { fingerprint } from "../node/fingerprint.mjs";
import { startBrowser } from "./browser.mjs";
import { startFirefox, untilReady } from "./firefox.mjs";

const TIMEOUT = 120_000;  // a busy 2-core machine; nothing here asserts on time
const LESSONS = ["000-moons", "001-breast-cancer", "002-xor", "003-neuron", "004-backprop"];

let firefox;
before(async () => { firefox = await startFirefox(); });
after(async () => { await firefox?.close(); });

// Every model the digits page trains, on the first MNIST test digits; the CNN as the page trains
// it, on digits distorted by the core's augmenter (its trigonometry has to agree too).
const CASES = [
  { kind: "mlp", samples: 512, epochs: 2, augment: false },
  { kind: "mlp30", samples: 512, epochs: 2, augment: false },
  { kind: "cnn", samples: 256, epochs: 1, augment: true },
  // Batch norm's per-channel sums and 1 / sqrt too.
  { kind: "cnnbn", samples: 128, epochs: 1, augment: false },
];

// Trains each case and returns { weights: { kind: every weight, in order }, threads, cores }.
// Runs in Node and, as source, in a page, so it uses only its arguments: the modules, a fetch
// for web/build/data/ files. The pages are cross-origin isolated, so they use every core.
async function trainCases({ nnplay, data, models }, fetchData, cases) {
  const nn = await nnplay.loadNN();
  const { splits: { test: { file, n } } } = await (await fetchData("mnist.json")).json();
  const gzip = (await fetchData(file)).body.pipeThrough(new DecompressionStream("gzip"));
  const bytes = new Uint8Array(await new Response(gzip).arrayBuffer());
  const split = { n, labels: bytes.subarray(0, n), images: bytes.subarray(n) };
  const weights = {};
  for (const { kind, samples, epochs, augment } of cases) {
    const digits = data.gather(split, data.range(0, samples));
    if (augment) {
      const augmenter = nn.datasets.digitAugmenter({ seed: 1 });
      digits.x = augmenter.apply(digits.x, digits.n);
      augmenter.delete();
    }
    const net = nn.createNetwork(models.modelConfig(kind));
    net.fit({ ...digits, epochs });
    weights[kind] = net.getWeights().flatMap((w) => Array.from(w.data));
    net.delete();
  }
  const cores = globalThis.navigator?.hardwareConcurrency;
  return { weights, threads: nn.threads, cores };
}

// The same function in a page: the modules as the site serves them. Passed as an expression,
// which the driver evaluates itself: the pages' policy forbids eval to page script.
const inPage = (page) => page.evaluate(`(async () => (${trainCases})({
  nnplay: await import("/lib/nnplay.js"),
  data: await import("/lib/mnist/data.js"),
  models: await import("/lib/mnist/models.js"),
}, (name) => fetch("/build/data/" + name), ${JSON.stringify(CASES)}))()`);

const fingerprints = (weights) =>
  Object.fromEntries(Object.entries(weights).map(([kind, values]) => [kind, fingerprint(values)]));

test("digits_models_train_to_the_same_bits_in_node_chromium_and_firefox", { timeout: TIMEOUT }, async () => {
  const dataFolder = new URL("../../web/build/data/", import.meta.url);
  const inNode = await trainCases({ nnplay, data, models },
    async (name) => new Response(await readFile(new URL(name, dataFolder))), CASES);
  for (const [kind, values] of Object.entries(inNode.weights)) {
    assert.ok(values.every(Number.isFinite), `${kind}: finite weights`);
  }

  const chromium = await startBrowser();
  let inChromium;
  try {
    const page = await chromium.newPage("xor.html", { timeout: TIMEOUT });
    inChromium = await inPage(page);
    assert.deepEqual(page.errors, []);
  } finally {
    await chromium.close();
  }
  const page = await firefox.newPage("xor.html", { timeout: TIMEOUT });
  const inFirefox = await inPage(page);
  assert.deepEqual(page.errors, []);
  await page.close();

  const runs = { node: inNode, chromium: inChromium, firefox: inFirefox };
  const hashes = Object.fromEntries(Object.entries(runs).map(([engine, run]) => [engine, fingerprints(run.weights)]));
  console.log(`threads: node ${inNode.threads}  chromium ${inChromium.threads}  firefox ${inFirefox.threads}`);
  for (const { kind } of CASES) {
    console.log(`${kind}: node ${hashes.node[kind]}  chromium ${hashes.chromium[kind]}  firefox ${hashes.firefox[kind]}`);
  }
  for (const browser of [inChromium, inFirefox]) assert.equal(browser.threads, Math.min(8, browser.cores));
  assert.deepEqual(hashes.chromium, hashes.node);
  assert.deepEqual(hashes.firefox, hashes.node);
});

const open = (path) => firefox.newPage(path, { timeout: TIMEOUT });
// Two animation frames: what a page does right after it is ready has run.
const frames = (page) => page.evaluate(() => new Promise((resolve) =>
  requestAnimationFrame(() => requestAnimationFrame(resolve))));

// `promise`, or after `ms` a failure that says which step of a test did not finish and what the
// page showed then (the text of the elements with these ids, and its errors), which the test's
// own timeout does not. The digits test below timed out twice in full suites (npm test), never
// when its file ran alone.
async function step(page, what, promise, ms, ids) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(async () => {
      const shown = await Promise.race([
        page.evaluate((ids) => ids.map((id) => `#${id}: ${document.getElementById(id)?.textContent.trim()}`)
          .join("; "), ids),
        new Promise((resolve) => { setTimeout(resolve, 5000, "nothing: it did not answer within 5 s"); }),
      ]).catch((error) => `nothing readable (${error.message})`);
      reject(new Error(`${what} did not finish within ${ms / 1000} s; the page showed ${shown}; ` +
        `its errors: ${JSON.stringify(page.errors)}`));
    }, ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

test("firefox_playground_steps_and_reports_metrics", { timeout: TIMEOUT }, async () => {
  const page = await open("");
  const stepped = await page.evaluate(() => window.nnplay.step(5));
  const metrics = await page.evaluate(() => window.nnplay.metrics());
  assert.equal(stepped.epoch, 5);
  assert.equal(metrics.epoch, 5);
  for (const name of ["trainLoss", "testLoss", "trainAccuracy", "testAccuracy"]) {
    assert.ok(Number.isFinite(metrics[name]), `${name} ${metrics[name]}`);
  }
  await frames(page);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("firefox_digits_page_reads_a_drawn_stroke_and_scores_as_natively", { timeout: TIMEOUT }, async () => {
  const page = await firefox.newPage("digits.html", { ready: false, timeout: 60_000 });
  const status = ["data-text", "digits-error", "model-info", "digit-prediction"];
  await step(page, "the page's start", untilReady(page), 30_000, status);
  // A 28 x 28 picture of a pen stroke, light on dark as MNIST is: a slightly slanted 1.
  const { label, probabilities } = await step(page, "classify", page.evaluate(() => {
    const gray = new Uint8ClampedArray(28 * 28);
    for (let y = 5; y < 23; y++) {
      const x = Math.round(15 - (y - 5) / 6);
      gray.fill(255, y * 28 + x - 1, y * 28 + x + 2);
    }
    const { label, probabilities } = window.nnplay.classify(gray, 28, 28);
    return { label, probabilities };
  }), 20_000, status);
  assert.equal(label, 1, `probabilities ${probabilities}`);
  // The pretrained CNN on the MNIST test set in the page's worker: 9,939 of 10,000, the number
  // web/models/README.md gives and tests/cpp/pretrained_test.cpp asserts from the native build.
  const { testAccuracy } = await step(page, "the test-set evaluation",
    page.evaluate(() => window.nnplay.evaluate()), 90_000, status);
  assert.equal(testAccuracy, 0.9939);
  await frames(page);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("firefox_opens_the_lessons_without_errors", { timeout: TIMEOUT }, async () => {
  for (const path of ["lessons/", ...LESSONS.map((id) => `lessons/${id}.html`)]) {
    const page = await open(path);
    await frames(page);
    assert.deepEqual(page.errors, [], path);
    await page.close();
  }
});

test("firefox_xor_page_trains_to_the_xor_table", { timeout: TIMEOUT }, async () => {
  const page = await open("xor.html");
  await page.click("#play");
  await page.evaluate(async () => {  // polled here: see firefox.mjs on page.waitForFunction
    while (document.getElementById("epoch").textContent !== "1000") {
      await new Promise((resolve) => { requestAnimationFrame(resolve); });
    }
  });
  const predictions = await page.$eval("#predictions", (p) => p.textContent.trim().split(/\s+/).map(Number));
  assert.deepEqual(predictions.map((p) => Math.abs(Math.round(p))), [0, 1, 1, 0]);
  assert.deepEqual(page.errors, []);
  await page.close();
});
