// The digits page's insight and teaching, driven in Node without a DOM (digits-harness.mjs):
// every layer's output and a unit's multiply-add against the core, saliency against finite
// differences for every loss, the user's digits (held-out split, file, store), and fine-tuning
// mixed with MNIST in the worker, refused while busy.
import assert from "node:assert/strict";
import { test } from "node:test";
import { explainUnit } from "../../web/lib/mnist/formula.js";
import { modelConfig } from "../../web/lib/mnist/models.js";
import { layerOutputs, occlusion, saliency } from "../../web/lib/mnist/insight.js";
import { FINE_TUNE, MnistTrainer } from "../../web/lib/mnist/trainer.js";
import { examplesFile, readExamplesFile } from "../../web/digits/examples.js";
import { preprocess } from "../../web/digits/preprocess.js";
import { BOXY, SIDE, handwriting } from "../drawn-digits.mjs";
import { fetchFile, makeSession, mnist, modelFile, nn } from "./digits-harness.mjs";

const cnnJson = await modelFile("digits-cnn.json");
const digit = (i) => mnist.test.images.subarray(i * 784, (i + 1) * 784);
const input = (i) => Float32Array.from(digit(i), (v) => v / 255);

test("explained_units_recompute_every_layers_output", () => {
  const net = nn.fromJSON(cnnJson);
  const x = input(0);
  const outputs = layerOutputs(net, x);
  assert.deepEqual(outputs.map((o) => o.type), ["conv2d", "maxpool2d", "conv2d", "maxpool2d", "flatten", "dense"]);
  const context = { config: cnnJson.config, weights: net.getWeights(), input28: x, outputs };
  // corners (padding), the middle, every layer
  for (const [layer, units] of [[0, [0, 12543, 6000]], [1, [0, 3135, 1500]], [2, [0, 6271, 3000]], [3, [1567, 700]],
    [4, [1000]], [5, [0, 7, 9]]]) {
    for (const unit of units) {
      const e = explainUnit(context, layer, unit);
      assert.ok(Math.abs(e.value - e.shown) <= 1e-4 * Math.max(1, Math.abs(e.shown)), `layer ${layer} unit ${unit}: ${e.value} vs ${e.shown}`);
    }
  }
  const corner = explainUnit(context, 0, 0);  // (0, 0) of map 1: the top two rows and columns are padding
  assert.deepEqual(corner.channels[0].inside.slice(0, 5), [false, false, false, false, false]);
  assert.equal(explainUnit(context, 2, 5).channels.length, 16);
  assert.throws(() => explainUnit(context, 0, 12544), /unit: expected 0 to 12543/);
  net.delete();
});

test("explained_batchnorm_and_avgpool_units_recompute_their_outputs", () => {
  // The page's CNN with batch norm after a few steps (moving statistics away from 0 and 1), and
  // an average pooling: each unit written out gives what net.activations shows.
  const config = modelConfig("cnnbn");
  config.layers[5] = { type: "avgpool2d", size: 2 };
  const net = nn.createNetwork(config);
  const x = new Float32Array(8 * 784).map((_, i) => (Math.sin(i * 0.37) + 1) / 2);
  const y = new Float32Array(80).map((_, i) => (i % 11 === 0 ? 1 : 0));
  for (let i = 0; i < 3; i++) net.trainBatch(x, y, 8);
  const one = x.subarray(0, 784);
  const outputs = layerOutputs(net, one);
  const context = { config, weights: net.getWeights(), input28: one, outputs };
  for (const [layer, units] of [[1, [0, 6271, 3001]], [4, [0, 3135, 777]], [5, [0, 783, 300]]]) {
    for (const unit of units) {
      const e = explainUnit(context, layer, unit);
      assert.equal(e.type, config.layers[layer].type);
      assert.ok(Math.abs(e.value - e.shown) <= 1e-4 * Math.max(1, Math.abs(e.shown)), `layer ${layer} unit ${unit}: ${e.value} vs ${e.shown}`);
    }
  }
  const bn = explainUnit(context, 4, 777);
  assert.equal(bn.channel, 777 % 16);
  assert.notEqual(bn.mean, 0);
  assert.notEqual(bn.variance, 1);
  net.delete();
});

test("saliency_matches_finite_differences_of_log_p_for_every_loss", () => {
  const softmaxCnn = nn.fromJSON(cnnJson);
  const sigmoid = (loss) => nn.createNetwork({ input: [784], layers: [{ type: "dense", units: 16, activation: "tanh" },
    { type: "dense", units: 10, activation: "sigmoid" }], loss, optimizer: { type: "sgd", lr: 0.1 }, init: "xavier", seed: 3 });
  const cases = [["cnn", softmaxCnn, cnnJson.config]];
  for (const loss of ["quadratic", "mse", "bce"]) {
    const net = sigmoid(loss);
    cases.push([loss, net, net.toJSON().config]);
  }
  // a 2 with a little noise: max pooling over tied zeros has no derivative (the one-sided
  // slopes differ), and noise leaves no ties
  const x = input(1).map((v, i) => v + 0.05 * ((i * 7919) % 101) / 101);
  const logP = (net, v, c) => {
    const out = net.predict(v, 1);
    return Math.log(out[c] / out.reduce((a, b) => a + b, 0));
  };
  for (const [name, net, config] of cases) {
    for (const label of [3, 7]) {
      const map = saliency(net, config, x, label);
      for (const pixel of [300, 378, 406, 430, 462]) {
        const h = 1e-3, up = Float32Array.from(x), down = Float32Array.from(x);
        up[pixel] += h;
        down[pixel] -= h;
        const numeric = (logP(net, up, label) - logP(net, down, label)) / (2 * h);
        assert.ok(Math.abs(map[pixel] - numeric) <= 0.01 + 0.02 * Math.abs(numeric),
          `${name}, class ${label}, pixel ${pixel}: ${map[pixel]} vs ${numeric}`);
      }
    }
    net.delete();
  }
});

test("occlusion_gives_every_position_the_probabilities_with_the_patch_there", () => {
  const net = nn.fromJSON(cnnJson);
  const x = input(0);  // a 7
  const o = occlusion(net, x);
  assert.equal(o.side, 12);
  const covered = Float32Array.from(x);
  for (let y = 10; y < 16; y++) covered.fill(o.fill, y * 28 + 8, y * 28 + 14);
  const direct = net.predict(covered, 1);
  const at = (5 * 12 + 4) * 10;  // patch at row 10, column 8
  for (let c = 0; c < 10; c++) assert.ok(Math.abs(o.probabilities[at + c] - direct[c]) < 1e-5);
  net.delete();
});

test("session_featureMaps_and_saliency_are_the_cores_for_the_pads_input", async () => {
  const { session } = makeSession();
  await session.start("");
  const [{ gray }] = handwriting(1, 5, {});  // a drawn 0
  const { input28, layers } = session.featureMaps(gray, SIDE, SIDE);
  assert.deepEqual(input28, preprocess(gray, SIDE, SIDE).input28);
  const net = nn.fromJSON(cnnJson);
  const direct = net.activations(input28, 1);
  assert.deepEqual(layers.map((l) => [l.type, l.shape]), direct.map((l) => [l.type, l.shape]));
  layers.forEach((l, i) => assert.deepEqual(l.data, direct[i].data));
  assert.deepEqual(session.saliency(gray, SIDE, SIDE, 6), saliency(net, cnnJson.config, input28, 6));
  assert.throws(() => session.saliency(gray, SIDE, SIDE, 10), /label: expected an integer from 0 to 9/);
  // the pad's look publishes the same, and a chosen unit's explanation
  const seen = session.look(gray, SIDE, SIDE, { final: true });
  assert.equal(seen.label, 0);
  session.chooseClass(8);
  session.chooseUnit({ layer: 0, unit: 4000 });
  const { drawing, choice } = session.snapshot;
  assert.deepEqual(choice, { cls: 8, unit: { layer: 0, unit: 4000 } });
  assert.equal(drawing.saliency.label, 8);
  assert.equal(drawing.explanation.shown, direct[0].data[4000]);
  assert.equal(drawing.occlusion.side, 12);
  net.delete();
});

test("own_digits_hold_out_every_third_of_each_digit_and_survive_export_and_the_store", async () => {
  const kept = { list: null };
  const examples = { read: async () => kept.list ?? [], write: async (list) => { kept.list = list; } };
  const { session } = makeSession({ examples });
  await session.start("");
  const drawn = handwriting(4, 11, {});
  for (const { label, gray } of drawn.filter((d) => d.label < 3)) session.addExample(gray, SIDE, SIDE, label);
  assert.deepEqual(session.exampleCounts(), [4, 4, 4, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(session.snapshot.mine.heldOut, 3);  // the 3rd of each of the three digits
  assert.throws(() => session.addExample(new Uint8Array(SIDE * SIDE), SIDE, SIDE, 1), /no ink/);
  assert.throws(() => session.addExample(drawn[0].gray, SIDE, SIDE, 10), /label: expected a digit/);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(kept.list.length, 12);

  // a new visit reads them back; the export file reads back to the same digits
  const again = makeSession({ examples }).session;
  await again.start("");
  assert.deepEqual(again.exampleCounts(), [4, 4, 4, 0, 0, 0, 0, 0, 0, 0]);
  const [file] = again.exportExamples();
  assert.ok(file.data.length < 30_000, `${file.data.length} characters`);
  const read = readExamplesFile(file.data);
  assert.deepEqual(read.map((e) => [e.label, e.heldOut, [...e.pixels]]), kept.list.map((e) => [e.label, e.heldOut, [...e.pixels]]));
  const bad = (change) => {
    const json = JSON.parse(file.data);
    change(json);
    return JSON.stringify(json);
  };
  assert.throws(() => readExamplesFile("{"), /not JSON/);
  assert.throws(() => readExamplesFile(bad((j) => { j.format = "nnplay-model"; })), /format: expected "nnplay-digit-examples"/);
  assert.throws(() => readExamplesFile(bad((j) => { j.examples[3].label = 12; })), /examples\[3\]\.label: expected a digit/);
  assert.throws(() => readExamplesFile(bad((j) => { j.examples[1].pixels = "AAAA"; })), /examples\[1\]\.pixels: expected 784 bytes/);
  assert.throws(() => readExamplesFile(bad((j) => { delete j.examples[0].heldOut; })), /examples\[0\]\.heldOut/);
  // a bad import changes nothing and says why; a good one adds
  await again.importExamples([{ name: "mine.json", text: async () => bad((j) => { j.examples[2].label = "x"; }) }]);
  assert.match(again.snapshot.alert, /mine\.json could not be imported: examples\[2\]\.label/);
  assert.equal(again.exampleCounts().reduce((a, b) => a + b), 12);
  await again.importExamples([{ name: "mine.json", text: async () => examplesFile(read) }]);
  assert.equal(again.exampleCounts().reduce((a, b) => a + b), 24);
  again.clearExamples();
  assert.deepEqual(again.exampleCounts(), new Array(10).fill(0));
});

test("fine_tuning_mixes_own_digits_with_mnist_trains_only_on_the_kept_ones_and_refuses_a_second_run", async () => {
  // the trainer's mix: each own digit ownCopies times, mnistPerOwn times as many MNIST digits
  const trainer = new MnistTrainer(nn, { fetchFile });
  const drawn = handwriting(1, 2, { glyphs: BOXY });
  const x = new Float32Array(drawn.length * 784);
  drawn.forEach((d, j) => x.set(preprocess(d.gray, SIDE, SIDE).input28, j * 784));
  const progress = [];
  const mlp = await modelFile("digits-mlp.json");
  const result = await trainer.fineTune({ model: mlp, x, labels: drawn.map((d) => d.label), n: drawn.length, epochs: 2 },
    (p) => progress.push(p));
  const perEpoch = drawn.length * FINE_TUNE.ownCopies * (1 + FINE_TUNE.mnistPerOwn);
  assert.equal(progress.at(-1).total, 2 * perEpoch);
  assert.equal(progress.at(-1).seen, 2 * perEpoch);
  assert.ok(result.evaluation.accuracy > 0.9, `MNIST after: ${result.evaluation.accuracy}`);
  await assert.rejects(trainer.fineTune({ model: mlp, x, labels: [], n: 0, epochs: 1 }), /no digits of your own/);

  // the session: held-out digits are not sent; classify uses the fine-tuned model afterwards
  const { session, worker } = makeSession({ pretrained: ["digits-mlp.json"] });
  await session.start("");
  await assert.rejects(session.fineTune({ epochs: 1 }), /Add some digits of your own first/);
  const mine = handwriting(3, 9, { glyphs: BOXY });
  for (const { label, gray } of mine) session.addExample(gray, SIDE, SIDE, label);
  const sent = [];
  const request = worker.request.bind(worker);
  worker.request = (message, onProgress) => {
    if (message.type === "fineTune") sent.push(message.n);
    return request(message, onProgress);
  };
  const first = session.fineTune({ epochs: 1 });
  await assert.rejects(session.fineTune({ epochs: 1 }), /already running/);
  await assert.rejects(session.train({ model: "mlp", epochs: 1 }), /Fine-tuning is running/);
  const { seconds } = await first;
  assert.ok(seconds > 0);
  assert.deepEqual(sent, [20]);  // 30 digits, 10 held out
  const { fineTuning, model } = session.snapshot;
  assert.equal(fineTuning.state, "done");
  assert.equal(fineTuning.before.heldOut.n, 10);
  assert.equal(fineTuning.after.heldOut.n, 10);
  assert.equal(model.source, "fine-tuned");
  assert.equal(session.modelInUse().source, "fine-tuned");
  const tuned = nn.fromJSON(session.snapshot.saved ? await sessionModel(session) : null);
  const { input28 } = preprocess(mine[0].gray, SIDE, SIDE);
  assert.deepEqual(session.classify(mine[0].gray, SIDE, SIDE).probabilities.map((p) => p.toFixed(5)),
    Array.from(tuned.predict(input28, 1), (p) => p.toFixed(5)));
  assert.equal(await session.testAccuracy(), fineTuning.after.mnist);
  tuned.delete();
});

// The model in use as JSON, as the page would save it.
async function sessionModel(session) {
  const [file] = await session.exportModel("nnplay");
  return JSON.parse(file.data);
}
