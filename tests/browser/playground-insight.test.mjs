// The playground explains itself (web/index.html): the neuron view's numbers, a weight typed in,
// the gradient flow, an epoch link, a challenge and the exported TF.js code, each checked
// against the core run in Node on the same data and seed (bit-identical to Chromium's).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadNN } from "../../web/lib/nnplay.js";
import { featureMatrix } from "../../web/lib/plane/features.js";
import { defaultState, toConfig } from "../../web/lib/plane/state.js";
import { trainCount } from "../../web/lib/plane/tables.js";
import { number } from "../../web/playground/neuron-view.js";
import { largestDifference, predictWithExportedTFJS } from "../node/exported-code.mjs";
import { hooks, startBrowser } from "./browser.mjs";

const TIMEOUT = { timeout: 180_000 };
const nn = await loadNN();
let env;
before(async () => { env = await startBrowser(); });
after(async () => { await env.close(); });

async function open(hash = "") {
  const page = await env.newPage(hash, { ready: false, viewport: { width: 1400, height: 1400 } });
  page.setDefaultTimeout(120_000);
  await page.waitForFunction(() => window.nnplay?.ready);
  await page.evaluate(() => window.nnplay.ready);
  return page;
}

/** The page's run redone in Node: a state's data and network, trained `epochs` epochs. */
function nodeRun(state, epochs) {
  const all = nn.datasets.make(state.dataset, { n: state.points, noise: state.noise, seed: state.dataSeed });
  const nTrain = trainCount(all.n, state.trainRatio);
  const net = nn.createNetwork(toConfig(state));
  const history = net.fit({ x: featureMatrix(all.x.subarray(0, 2 * nTrain), nTrain, state.features),
    y: all.y.subarray(0, nTrain), n: nTrain, epochs, batchSize: state.batchSize, layerStats: true });
  return { net, history };
}

test("neuron_view_shows_the_cores_numbers_for_a_typed_point_and_a_typed_weight_redraws", TIMEOUT, async () => {
  const page = await open("");
  await hooks(page, "step", 40);
  // Keyboard only: the point's fields and the neuron list.
  await page.fill("#probe-x1", "1.5");
  await page.fill("#probe-x2", "-0.5");
  await page.fill("#probe-label", "0");
  await page.dispatchEvent("#probe-label", "change");
  await page.selectOption("#probe-neuron", "1:0");
  await page.waitForFunction(() => /^layer 2, unit 1 at \(1\.5, -0\.5\), label 0/.test(
    document.getElementById("neuron-title-line")?.textContent ?? ""));

  const state = defaultState();
  const { net } = nodeRun(state, 40);
  const x = new Float32Array([1.5, -0.5]), y = new Float32Array([0]);
  const inspected = net.inspect(x, y, 1).layers;
  const update = net.previewUpdate(x, y, 1).layers;
  const text = (id) => page.textContent(`#${id}`);
  // Layer 2 (2 tanh units) unit 1: inputs are layer 1's 4 activations.
  for (let i = 0; i < 4; i++) {
    const k = i * 2;
    assert.equal(await text(`neuron-a-${i}`), number(inspected[0].a[i]), `a ${i}`);
    // The field shows the shortest decimal of the float32 weight.
    assert.equal(Math.fround(Number(await page.inputValue(`#neuron-w-${i}`))), net.getWeights()[2].data[k], `w ${i}`);
    assert.equal(await text(`neuron-dw-${i}`), number(inspected[1].dW[k]), `dL/dw ${i}`);
    assert.equal(await text(`neuron-update-${i}`), number(update[1].updateW[k]), `update ${i}`);
  }
  const equations = await text("neuron-equations");
  assert.ok(equations.includes(`= ${number(inspected[1].z[0])}a = tanh(z) = ${number(inspected[1].a[0])}`), equations);
  assert.ok(equations.includes(`∂L/∂b = ∂L/∂z = ${number(inspected[1].dz[0])}`), equations);
  // The hook: the same numbers.
  const hook = await page.evaluate(() => window.nnplay.inspect({ x1: 1.5, x2: -0.5, label: 0 }).then((r) =>
    ({ loss: r.loss, dz: Array.from(r.layers[2].dz), dW: Array.from(r.layers[0].dW) })));
  const direct = net.inspect(x, y, 1);
  assert.deepEqual(hook, { loss: direct.loss, dz: Array.from(direct.layers[2].dz), dW: Array.from(direct.layers[0].dW) });

  // A weight typed into the table: the network uses it at once.
  await page.fill("#neuron-w-0", "2.5");
  await page.dispatchEvent("#neuron-w-0", "change");
  // The session's queue runs the edit before the inspection asked for next.
  const weights = net.getWeights();
  weights[2].data[0] = 2.5;
  net.setWeights(weights);
  const after = await hooks(page, "inspect", { x1: 1.5, x2: -0.5, label: 0 });
  assert.equal(after.loss, net.inspect(x, y, 1).loss);
  // And through the diagram: a click on a connection opens the weight dialog (Escape closes it).
  await page.locator("#diagram-canvas").scrollIntoViewIfNeeded();
  const box = await page.locator("#diagram-canvas").boundingBox();
  let opened = false;
  for (let fx = 0.3; fx < 0.5 && !opened; fx += 0.02) {
    for (let fy = 0.3; fy < 0.7 && !opened; fy += 0.03) {
      await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
      if (/^weight /.test(await page.textContent("#diagram-tip"))) {
        await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
        opened = await page.evaluate(() => document.getElementById("weight-dialog").open);
      }
    }
  }
  assert.ok(opened, "a connection opens the weight dialog");
  await page.keyboard.press("Escape");
  assert.equal(await page.evaluate(() => document.getElementById("weight-dialog").open), false);
  assert.deepEqual(page.errors, []);
  net.delete();
  await page.close();
});

test("gradient_flow_of_an_8_layer_sigmoid_network_is_the_cores_and_vanishes", TIMEOUT, async () => {
  const page = await open("");
  const layers = [...Array.from({ length: 8 }, () => ({ type: "dense", units: 6, activation: "sigmoid" })),
    { type: "dense", units: 1, activation: "sigmoid" }];
  await hooks(page, "setState", { config: { layers, optimizer: { type: "sgd", lr: 0.3, momentum: 0 } } });
  await hooks(page, "step", 30);
  const flow = await hooks(page, "gradientFlow");
  const state = { ...defaultState(), hidden: layers.slice(0, 8).map(({ units, activation }) => ({ units, activation })),
    lr: 0.3 };
  const { net, history } = nodeRun(state, 30);
  assert.deepEqual(flow, history.map(({ epoch, layers: l }) => ({ epoch, layers: l.map((s) => s.meanAbsGradient) })));
  const last = flow.at(-1).layers;
  assert.ok(last[0] < last[8] / 100, `first layer ${last[0]}, output ${last[8]}`);
  // Both charts have a series per layer.
  for (const chart of ["#flow-gradient-chart", "#flow-update-chart"]) {
    const legend = await page.textContent(`${chart} .u-legend`);
    assert.match(legend, /layer 1.*layer 8.*output/s, legend);
  }
  assert.deepEqual(page.errors, []);
  net.delete();
  await page.close();
});

test("an_epoch_link_reopens_at_that_epoch_with_the_same_metrics", TIMEOUT, async () => {
  const first = await open("");
  await hooks(first, "setState", { data: { name: "moons", noise: 0.2 }, features: ["x1", "x2", "x1x2"] });
  await hooks(first, "step", 50);
  const made = await hooks(first, "step", 73);
  const url = await hooks(first, "shareUrl", { epoch: true });
  assert.match(url, /&ep=123$/);
  const second = await open(url.slice(url.indexOf("#")));
  assert.deepEqual(await hooks(second, "metrics"), made);
  assert.equal(await second.textContent("#epoch"), "123");
  assert.equal(await second.isHidden("#seek"), true, "the progress bar goes once there");
  assert.match(await second.textContent("#status"), /^Epoch 123, as the link asks: paused/);
  assert.doesNotMatch(await second.evaluate(() => location.hash), /ep=/);
  assert.deepEqual([...first.errors, ...second.errors], []);
  await first.close();
  await second.close();

  // The default network at epoch 1000: how long opening the link takes, progress bar shown.
  const started = Date.now();
  const page = await env.newPage("#v=1&ep=1000", { ready: false });
  page.setDefaultTimeout(120_000);
  await page.waitForSelector("#seek:not([hidden])");
  await page.waitForFunction(() => window.nnplay?.ready);
  await page.evaluate(() => window.nnplay.ready);
  const seconds = (Date.now() - started) / 1000;
  assert.equal((await hooks(page, "metrics")).epoch, 1000);
  console.log(`opening an epoch link at epoch 1000 (default network): ${seconds.toFixed(2)} s`);
  await page.close();
});

test("a_challenge_link_shows_its_goal_is_met_plainly_and_bad_fields_are_named", TIMEOUT, async () => {
  const maker = await open("#v=1&h=3:tanh&lr=0.3");
  await maker.selectOption("#goal-metric", "testAccuracy");
  await maker.fill("#goal-target", "90");
  await maker.fill("#goal-neurons", "4");
  await maker.check("#goal-nocross");
  await maker.check("#lock-layers");
  await maker.click("#make-challenge");
  const url = await maker.inputValue("#challenge-link");
  assert.match(url, /&goal=acc:90&maxn=4&nocross=1&lock=layers$/);
  console.log(`challenge link: ${url.length} characters`);
  // A bad value in the form is named, and no link is made.
  await maker.fill("#goal-target", "150");
  await maker.click("#make-challenge");
  assert.match(await maker.textContent("#challenge-error"), /^challenge goal \(goal\): expected a test accuracy in \(0, 100\] %/);
  await maker.close();

  const page = await open(url.slice(url.indexOf("#")));
  assert.equal(await page.isVisible("#challenge"), true);
  assert.equal(await page.textContent("#challenge-goal"),
    "Reach a test accuracy at least 90 %, with at most 4 hidden neurons, with only X₁ and X₂ as inputs (no feature crosses). Locked: hidden layers.");
  assert.equal(await page.isDisabled("#add-layer"), true);
  assert.equal(await page.isDisabled("#layers input"), true);
  assert.deepEqual(await hooks(page, "challenge"), { goal: { metric: "testAccuracy", target: 0.9, maxNeurons: 4,
    noCrosses: true, locked: ["layers"] }, met: false, epoch: null, value: (await hooks(page, "metrics")).testAccuracy });
  let metrics;
  for (let round = 0; round < 16; round++) {
    metrics = await hooks(page, "step", 25);
    if ((await hooks(page, "challenge")).met) break;
  }
  const status = await hooks(page, "challenge");
  assert.equal(status.met, true, JSON.stringify(metrics));
  assert.ok(metrics.testAccuracy >= 0.9);
  await page.waitForFunction(() => document.getElementById("challenge").classList.contains("met"));
  assert.match(await page.textContent("#challenge-progress"), new RegExp(`^Challenge met at epoch ${status.epoch}!`));

  // A bad challenge field in a link: the alert names it, the defaults open, the page works.
  await page.evaluate(() => { location.hash = "#v=1&goal=acc:90&maxn=2"; });
  await page.waitForFunction(() => document.getElementById("alert").textContent.includes("(maxn)"));
  assert.equal(await page.getAttribute("#alert", "role"), "alert");
  assert.equal(await page.isHidden("#challenge"), true);
  assert.equal((await hooks(page, "step", 1)).epoch, 1);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("exported_tfjs_code_from_the_page_predicts_what_the_core_predicts", TIMEOUT, async () => {
  const page = await open("#v=1&data=xor&f=x1,x2,x1x2&h=5:relu,3:tanh&lr=0.1");
  await hooks(page, "step", 25);
  const code = await hooks(page, "exportCode", "tfjs");
  const state = await page.evaluate(() => window.nnplay.state());
  const full = { ...defaultState(), dataset: "xor", features: state.features, lr: 0.1,
    hidden: [{ units: 5, activation: "relu" }, { units: 3, activation: "tanh" }] };
  const { net } = nodeRun(full, 25);
  const points = Float32Array.from({ length: 600 }, (_, i) => ((i * 4099) % 1200) / 100 - 6);
  const { values } = await predictWithExportedTFJS(code, points);
  const difference = largestDifference(values, net.predict(featureMatrix(points, 300, full.features), 300));
  assert.ok(difference <= 1e-5, `largest difference ${difference}`);
  console.log(`exported TF.js model from the page: largest prediction difference ${difference.toExponential(2)}`);
  for (const format of ["keras", "pytorch"]) assert.match(await hooks(page, "exportCode", format), /^def build\(\):$/m);
  assert.deepEqual(page.errors, []);
  net.delete();
  await page.close();
});
