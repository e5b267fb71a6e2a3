// The JS API (docs/API.md) against the built WASM module, in Node.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { loadNN } from "../../web/lib/nnplay.js";
import { augmentInput, fingerprint } from "./fingerprint.mjs";

const nn = await loadNN();
const golden = JSON.parse(await readFile(new URL("../golden/determinism.json", import.meta.url)));

function dense(inputs, layers, loss, extra = {}) {
  return {
    input: [inputs],
    layers: layers.map(([units, activation]) => ({ type: "dense", units, activation })),
    loss,
    optimizer: { type: "sgd", lr: 0.1, momentum: 0 },
    seed: 1,
    batchSize: 1,
    ...extra,
  };
}

// Reference numbers are the tutorials', rounded to 7 decimals; float32 adds its own error.
function assertReference(got, expected, what) {
  assert.ok(Math.abs(got - expected) <= 0.5e-7 + 2e-7 * Math.abs(expected),
    `${what}: got ${got}, expected ${expected}`);
}

const allWeights = (net) => net.getWeights().flatMap((w) => Array.from(w.data));

test("tutorial_004_step_inspector_numbers", () => {
  const net = nn.createNetwork(dense(1, [[1, "sigmoid"], [1, "sigmoid"]], "quadratic"));
  net.setWeights([
    { name: "dense_0/kernel", shape: [1, 1], data: [1.58] },
    { name: "dense_0/bias", shape: [1], data: [-0.14] },
    { name: "dense_1/kernel", shape: [1, 1], data: [2.45] },
    { name: "dense_1/bias", shape: [1], data: [-0.11] },
  ]);
  const x = new Float32Array([0.8]), y = new Float32Array([1]);
  const { loss, layers: [hidden, output] } = net.inspect(x, y, 1);
  assertReference(hidden.z[0], 1.124, "z1");
  assertReference(hidden.a[0], 0.7547299, "a1");
  assertReference(output.z[0], 1.7390883, "z2");
  assertReference(output.a[0], 0.8505712, "a2");
  assertReference(output.db[0], -0.0189924, "dC/db2");
  assertReference(output.dW[0], -0.0143341, "dC/dw2");
  assertReference(hidden.dA[0], -0.0465313, "dC/da1");
  assertReference(hidden.db[0], -0.0086135, "dC/db1");
  assertReference(hidden.dW[0], -0.0068908, "dC/dw1");
  assertReference(loss, 0.0111645, "cost before");
  net.trainBatch(x, y, 1);
  assertReference(net.evaluate(x, y, 1).loss, 0.0110959, "cost after");
  net.delete();
});

test("tutorial_003_neuron_and_two_two_one_network", () => {
  const neuron = nn.createNetwork(dense(2, [[1, "sigmoid"]], "mse"));
  neuron.setWeights([
    { name: "dense_0/kernel", shape: [2, 1], data: new Float32Array([0, 1]) },
    { name: "dense_0/bias", shape: [1], data: new Float32Array([4]) },
  ]);
  assertReference(neuron.predict(new Float32Array([2, 3]), 1)[0], 0.9990889, "neuron");

  const net = nn.createNetwork(dense(2, [[2, "sigmoid"], [1, "sigmoid"]], "mse"));
  net.setWeights([
    { name: "dense_0/kernel", shape: [2, 2], data: [0, 0, 1, 1] },
    { name: "dense_0/bias", shape: [2], data: [0, 0] },
    { name: "dense_1/kernel", shape: [2, 1], data: [0, 1] },
    { name: "dense_1/bias", shape: [1], data: [0] },
  ]);
  assertReference(net.predict(new Float32Array([2, 3]), 1)[0], 0.7216326, "2-2-1");

  net.setWeights([
    { name: "dense_0/kernel", shape: [2, 2], data: [1, 1, 1, 1] },
    { name: "dense_0/bias", shape: [2], data: [0, 0] },
    { name: "dense_1/kernel", shape: [2, 1], data: [1, 1] },
    { name: "dense_1/bias", shape: [1], data: [0] },
  ]);
  const alice = net.inspect(new Float32Array([-2, -1]), new Float32Array([1]), 1);
  assert.ok(Math.abs(alice.layers[1].a[0] - 0.524) < 0.0005);
  assert.ok(Math.abs(alice.layers[0].dW[0] - 0.02147) < 0.000005, "dL/dw1 (0.0214 in the text)");

  const people = new Float32Array([-2, -1, 25, 6, 17, 4, -15, -6]);
  const female = new Float32Array([1, 0, 0, 1]);
  const trained = nn.createNetwork(dense(2, [[2, "sigmoid"], [1, "sigmoid"]], "mse"));
  trained.fit({ x: people, y: female, n: 4, epochs: 1000, shuffle: false });
  const [emily, frank] = trained.predict(new Float32Array([-7, -3, 20, 2]), 2);
  assert.ok(emily > 0.9, `Emily ${emily}`);
  assert.ok(frank < 0.1, `Frank ${frank}`);
  for (const n of [neuron, net, trained]) n.delete();
});

test("tutorial_002_xor_reaches_low_error", () => {
  const net = nn.createNetwork(dense(2, [[3, "tanh"], [1, "tanh"]], "mse", { init: "uniform" }));
  const x = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), y = new Float32Array([0, 1, 1, 0]);
  const history = net.fit({ x, y, n: 4, epochs: 1000, shuffle: false });
  assert.equal(history.length, 1000);
  assert.deepEqual(Object.keys(history[0]).sort(), ["accuracy", "epoch", "loss", "lr"]);
  assert.equal(history[0].lr, 0.1, "a constant schedule: the config's rate");
  assert.ok(net.evaluate(x, y, 4).loss < 0.01);
  assert.deepEqual(Array.from(net.predict(x, 4), (v) => Math.abs(Math.round(v))), [0, 1, 1, 0]);
  net.delete();
});

test("evaluate_with_outputs_gives_predict_and_the_same_metrics_in_one_pass", () => {
  const data = nn.datasets.make("spiral", { n: 300, noise: 0.1, seed: 3 });
  const net = nn.createNetwork(dense(2, [[8, "tanh"], [3, "softmax"]], "cross_entropy"));
  const y = new Float32Array(data.n * 3);  // spiral's two classes as three one-hot columns
  for (let i = 0; i < data.n; i++) y[i * 3 + data.y[i]] = 1;
  net.fit({ x: data.x, y, n: data.n, epochs: 5 });
  const both = net.evaluate(data.x, y, data.n, { outputs: true });
  const plain = net.evaluate(data.x, y, data.n);
  assert.deepEqual(Object.keys(both).sort(), ["accuracy", "loss", "outputs"]);
  assert.equal(both.loss, plain.loss);
  assert.equal(both.accuracy, plain.accuracy);
  assert.deepEqual(both.outputs, net.predict(data.x, data.n));
  assert.throws(() => net.evaluate(data.x, y, data.n, { outputs: 1 }),
    { message: "outputs: expected true or false, got 1" });
  net.delete();
});

test("datasets_and_initial_weights_match_the_native_golden_file", () => {
  for (const c of golden.datasets) {
    const d = nn.datasets.make(c.name, c);
    assert.equal(fingerprint(d.x), c.x, `${c.name} x`);
    assert.equal(fingerprint(d.y), c.y, `${c.name} y`);
  }
  for (const c of golden.networks) {
    const net = nn.createNetwork(c.config);
    assert.equal(fingerprint(allWeights(net)), c.initial, JSON.stringify(c.config.layers));
    net.delete();
  }
});

test("schedule_rates_match_the_native_golden_file_to_the_bit", () => {
  assert.ok(golden.schedules.length >= 3);
  for (const c of golden.schedules) {
    const net = nn.createNetwork({ ...dense(1, [[1, "linear"]], "mse"), optimizer: { type: "sgd", lr: c.lr },
      schedule: c.schedule });
    const zero = new Float32Array(1), rates = [];
    for (let t = 0; t < c.steps; t++) {
      rates.push(net.learningRate);
      net.trainBatch(zero, zero, 1);
    }
    assert.deepEqual(rates, c.rates, c.schedule.type);
    net.delete();
  }
});

test("digit_augmentation_matches_the_native_golden_file", () => {
  for (const c of golden.augmentations) {
    const augmenter = nn.datasets.digitAugmenter(c);
    const pixels = c.height * c.width;
    const x = augmentInput(c.batches.reduce((sum, n) => sum + n, 0) * pixels);
    const images = new Float32Array(x.length);
    let first = 0;
    for (const n of c.batches) {
      images.set(augmenter.apply(x.subarray(first * pixels, (first + n) * pixels), n), first * pixels);
      first += n;
    }
    assert.equal(fingerprint(images), c.images, JSON.stringify(c));
    augmenter.delete();
  }
});

test("digit_augmenter_is_seeded_and_its_stream_continues_across_calls", () => {
  const x = augmentInput(3 * 784);
  const run = (seed, batches) => {
    const augmenter = nn.datasets.digitAugmenter({ seed });
    const parts = [];
    let first = 0;
    for (const n of batches) {
      parts.push(...augmenter.apply(x.subarray(first * 784, (first + n) * 784), n));
      first += n;
    }
    augmenter.delete();
    return new Float32Array(parts);
  };
  const whole = run(7, [3]);
  assert.equal(whole.length, 3 * 784);
  assert.deepEqual(run(7, [3]), whole, "same seed, same bits");
  assert.deepEqual(run(7, [2, 1]), whole, "2 + 1 images in two calls = 3 in one");
  assert.deepEqual(run(7, [1, 1, 1]), whole);
  const other = run(8, [3]);
  assert.ok(other.some((v, i) => v !== whole[i]), "another seed, other distortions");
  assert.ok(whole.some((v, i) => v !== x[i]), "the images are distorted");
  assert.ok(whole.every((v) => v >= 0 && v <= 1), "and stay in [0, 1]");

  const augmenter = nn.datasets.digitAugmenter();  // seed 1, 28 x 28
  assert.equal(augmenter.height, 28);
  assert.equal(augmenter.width, 28);
  const first = augmenter.apply(x.subarray(0, 784), 1);
  assert.notDeepEqual(augmenter.apply(x.subarray(0, 784), 1), first, "each call draws afresh");
  const again = nn.datasets.digitAugmenter({ seed: 1 });
  assert.deepEqual(again.apply(x.subarray(0, 784), 1), first);
  again.delete();
  augmenter.delete();
  augmenter.delete();  // twice is harmless
  assert.throws(() => augmenter.apply(x.subarray(0, 784), 1), { message: "this augmenter was deleted" });
});

test("digit_augmenter_errors_name_the_argument", () => {
  const cases = [
    [() => nn.datasets.digitAugmenter({ seed: -1 }),
      /^seed: expected an integer in \[0, 4294967295\], got -1/],
    [() => nn.datasets.digitAugmenter({ seed: 1.5 }), /^seed: expected an integer/],
    [() => nn.datasets.digitAugmenter({ height: 0 }), /^height: expected a positive integer, got 0$/],
    [() => nn.datasets.digitAugmenter({ width: 2.5 }), /^width: expected a positive integer, got 2.5$/],
    [() => nn.datasets.digitAugmenter({ height: 600, width: 600 }),
      /^height, width: expected images of 1 to 262144 pixels, got 600x600$/],
  ];
  for (const [fn, message] of cases) assert.throws(fn, (e) => e instanceof Error && message.test(e.message));
  const augmenter = nn.datasets.digitAugmenter({ height: 4, width: 5 });
  assert.throws(() => augmenter.apply(new Float32Array(20), 2), { message: "x: expected 40 values, got 20" });
  assert.throws(() => augmenter.apply(new Float32Array(20), 0), { message: "n: expected a positive integer, got 0" });
  assert.throws(() => augmenter.apply("pixels", 1), { message: "x: expected a Float32Array or an array of numbers" });
  assert.equal(augmenter.apply(new Array(20).fill(0.5), 1).length, 20, "usable after errors");
  augmenter.delete();
});

test("same_seed_gives_bit_identical_training", () => {
  const d = nn.datasets.make("spiral", { n: 200, noise: 0.1, seed: 4 });
  const config = dense(2, [[8, "tanh"], [8, "tanh"], [1, "sigmoid"]], "bce",
    { batchSize: 10, optimizer: { type: "adam", lr: 0.01 } });
  const runs = [1, 1, 2].map((seed) => {
    const net = nn.createNetwork({ ...config, seed });
    net.fit({ x: d.x, y: d.y, n: d.n, epochs: 5 });
    const print = fingerprint(allWeights(net));
    net.delete();
    return print;
  });
  assert.equal(runs[0], runs[1]);
  assert.notEqual(runs[0], runs[2]);
});

test("errors_are_Errors_naming_the_field", () => {
  const cases = [
    [() => nn.createNetwork({ input: [2], layers: [{ type: "dense", units: -3 }], loss: "mse" }),
      /^layers\[0\]\.units: expected an integer in \[1, 4096\], got -3$/],
    [() => nn.createNetwork({ input: [2], layers: [{ type: "dense", units: 1 }], loss: "hinge" }),
      /^loss: expected one of mse\|quadratic\|bce\|cross_entropy, got "hinge"$/],
    [() => nn.createNetwork(null), /^config: expected an object$/],
    [() => nn.fromJSON({ format: "keras" }), /^format: expected "nnplay-model", got "keras"$/],
    [() => nn.fromJSON("{not json"), /^model: not valid JSON$/],
    [() => nn.datasets.make("spirals"), /^dataset: expected one of .*got "spirals"$/],
    [() => nn.datasets.make("spiral", { n: 0 }), /^n: expected a positive integer, got 0$/],
  ];
  for (const [fn, message] of cases) assert.throws(fn, (e) => e instanceof Error && message.test(e.message));

  const net = nn.createNetwork(dense(2, [[1, "sigmoid"]], "bce"));
  assert.throws(() => net.predict(new Float32Array(3), 2),
    { message: /^x: expected 4 values, got 3$/ });
  assert.throws(() => net.trainBatch(new Float32Array(2), new Float32Array(2), 1),
    { message: /^y: expected 1 values, got 2$/ });
  assert.throws(() => net.setWeights([{ name: "dense_0/kernel", shape: [2, 1], data: [1, 2] }]),
    { message: /^weights: expected 2 tensors, got 1$/ });
  assert.throws(() => net.setWeights([{ name: "dense_0/kernel", shape: [2, 0], data: [1, 2] }]),
    { message: "weights[0].shape: expected positive integers" }, "as in a model file");
  assert.throws(() => net.fit({ x: new Float32Array(2), y: new Float32Array(1), n: 1, epochs: 0 }),
    { message: /^epochs: expected a positive integer, got 0$/ });
  // The module is still usable after every error.
  assert.equal(net.predict(new Float32Array([0, 0]), 1).length, 1);
  net.delete();
});

test("deleted_network_throws", () => {
  const net = nn.createNetwork(dense(2, [[1, "sigmoid"]], "bce"));
  net.delete();
  net.delete();  // twice is harmless
  for (const use of [() => net.predict(new Float32Array(2), 1), () => net.getWeights(),
    () => net.toJSON(), () => net.evaluate(new Float32Array(2), new Float32Array(1), 1)]) {
    assert.throws(use, { message: "this network was deleted" });
  }
});

test("json_round_trip_gives_identical_predictions", () => {
  const d = nn.datasets.make("circle", { n: 100, noise: 0.1, seed: 3 });
  const net = nn.createNetwork(dense(2, [[6, "relu"], [1, "sigmoid"]], "bce", { batchSize: 10 }));
  net.fit({ x: d.x, y: d.y, n: d.n, epochs: 3 });
  const model = net.toJSON();
  assert.equal(model.format, "nnplay-model");
  assert.equal(model.version, 1);
  assert.equal(typeof model.weights[0].data, "string", "base64 float32");
  const copy = nn.fromJSON(JSON.parse(JSON.stringify(model)));
  assert.deepEqual(copy.predict(d.x, d.n), net.predict(d.x, d.n));
  assert.deepEqual(copy.config, net.config);
  net.delete();
  copy.delete();
});

test("fit_reports_epochs_stops_on_request_and_on_divergence", () => {
  const d = nn.datasets.make("gauss", { n: 100, noise: 0.1, seed: 3 });
  const net = nn.createNetwork(dense(2, [[4, "tanh"], [1, "sigmoid"]], "bce", { batchSize: 10 }));
  const seen = [];
  const history = net.fit({ x: d.x, y: d.y, n: d.n, epochs: 10,
    onEpoch: (e) => { seen.push(e.epoch); return e.epoch < 3; } });
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(history.length, 3);
  assert.ok(history[2].accuracy > 0.9, `accuracy ${history[2].accuracy}`);
  net.delete();

  const reg = nn.datasets.make("reg-plane", { n: 50, seed: 1 });
  const wild = nn.createNetwork(dense(2, [[8, "relu"], [1, "linear"]], "mse",
    { optimizer: { type: "sgd", lr: 100 }, batchSize: 50 }));
  const run = wild.fit({ x: reg.x, y: reg.y, n: reg.n, epochs: 50 });
  assert.equal(run.at(-1).diverged, true);
  assert.ok(run.length < 50);
  assert.ok(allWeights(wild).every(Number.isFinite), "no update with a non-finite loss");
  assert.ok(Number.isNaN(wild.evaluate(reg.x, reg.y, reg.n).accuracy), "regression: no accuracy");
  wild.delete();
});

test("fit_on_uploaded_data_gives_the_same_bits_and_the_copy_keeps_the_samples_of_its_upload", () => {
  const d = nn.datasets.make("spiral", { n: 300, noise: 0.1, seed: 3 });
  const config = dense(2, [[8, "tanh"], [1, "sigmoid"]], "bce",
    { optimizer: { type: "adam", lr: 0.01 }, batchSize: 16 });
  const x = Float32Array.from(d.x), inUse = nn.memory().inUseBytes;
  const data = nn.upload({ x, y: d.y, n: d.n });
  assert.ok(nn.memory().inUseBytes - inUse >= 300 * 3 * 4, "the samples are in WASM memory");
  assert.deepEqual([data.n, data.inputs, data.outputs], [300, 2, 1]);
  x.fill(0);  // later changes do not reach the copy
  const arrays = nn.createNetwork(config), uploaded = nn.createNetwork(config);
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(uploaded.fit({ data, epochs: 2 }), arrays.fit({ x: d.x, y: d.y, n: d.n, epochs: 2 }));
    assert.deepEqual(allWeights(uploaded), allWeights(arrays));
  }
  assert.ok(allWeights(uploaded).every(Number.isFinite));

  const three = nn.createNetwork(dense(3, [[1, "sigmoid"]], "bce"));
  const throwsNaming = (call, message) => assert.throws(call, { message });
  throwsNaming(() => uploaded.fit({ data, x: d.x }),
    "fit: give either data (from nn.upload) or x, y and n, not both");
  throwsNaming(() => uploaded.fit({ data: { n: 300 } }), "data: expected what nn.upload returned");
  throwsNaming(() => three.fit({ data }),
    "data: 2 inputs and 1 outputs per sample, this network has 3 and 1");
  throwsNaming(() => nn.upload({ x: d.x, y: d.y, n: 7 }),
    "x: expected n × inputs values (the same number for each of the 7 samples), got 600");
  throwsNaming(() => nn.upload({ x: d.x, y: d.y, n: 0 }), /n: expected a positive integer/);
  assert.throws(() => { data.n = 5000; }, TypeError, "its sizes are read-only");
  const beforeDelete = nn.memory().inUseBytes;
  data.delete();
  data.delete();  // twice is harmless
  assert.ok(beforeDelete - nn.memory().inUseBytes >= 300 * 3 * 4, "delete() freed the copy");
  throwsNaming(() => uploaded.fit({ data }), "data: it was deleted");
  // deleted by an onEpoch: the next epoch does not read the freed memory
  const again = nn.upload(d), epochs = [];
  throwsNaming(() => uploaded.fit({ data: again, epochs: 3,
    onEpoch: (entry) => { epochs.push(entry.epoch); again.delete(); } }), "data: it was deleted");
  assert.equal(epochs.length, 1);
  for (const net of [arrays, uploaded, three]) net.delete();
});

test("inspect_returns_per_layer_matrices_without_updating", () => {
  const net = nn.createNetwork(dense(2, [[3, "tanh"], [2, "softmax"]], "cross_entropy"));
  const before = allWeights(net);
  const x = new Float32Array([0.5, -1, 2, 0.25]), y = new Float32Array([1, 0, 0, 1]);
  const info = net.inspect(x, y, 2);
  assert.equal(info.layers.length, 2);
  const [hidden, output] = info.layers;
  for (const key of ["z", "a", "dz", "dA"]) assert.equal(hidden[key].length, 2 * 3, key);
  assert.equal(hidden.dW.length, 2 * 3);
  assert.equal(output.db.length, 2);
  // softmax + cross-entropy: dL/dz = (a - y) / n
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(output.dz[i] - (output.a[i] - y[i]) / 2) < 1e-6);
  assert.deepEqual(allWeights(net), before);
  net.delete();
});

// A plain-JS "same" convolution + relu of a one-channel image, from Keras-order weights.
function referenceConv(image, h, w, kernel, k, bias, filters) {
  const out = new Float32Array(h * w * filters), pad = Math.floor((k - 1) / 2);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) for (let f = 0; f < filters; f++) {
    let sum = bias[f];
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
      const rr = r + i - pad, cc = c + j - pad;
      if (rr >= 0 && rr < h && cc >= 0 && cc < w) sum += image[rr * w + cc] * kernel[(i * k + j) * filters + f];
    }
    out[(r * w + c) * filters + f] = Math.max(0, sum);
  }
  return out;
}

const tinyCnn = (optimizer = { type: "sgd", lr: 0.1 }) => ({
  input: [5, 5, 1],
  layers: [{ type: "conv2d", filters: 2, kernel: 3, padding: "same", activation: "relu" },
    { type: "maxpool2d", size: 2 }, { type: "flatten" }, { type: "dense", units: 3, activation: "softmax" }],
  loss: "cross_entropy", optimizer, seed: 4, batchSize: 2,
});

test("activations_give_every_layer_and_match_a_plain_js_convolution", () => {
  const net = nn.createNetwork(tinyCnn());
  const image = Float32Array.from({ length: 25 }, (_, i) => Math.sin(i * 1.7));
  const layers = net.activations(image, 1);
  assert.deepEqual(layers.map((l) => [l.layer, l.type, l.shape.join("x")]),
    [[0, "conv2d", "5x5x2"], [1, "maxpool2d", "2x2x2"], [2, "flatten", "8"], [3, "dense", "3"]]);
  const [kernel, bias] = net.getWeights();
  const expected = referenceConv(image, 5, 5, kernel.data, 3, bias.data, 2);
  const worst = Math.max(...expected.map((v, i) => Math.abs(v - layers[0].data[i])));
  assert.ok(worst < 1e-6, `conv maps differ from plain JS by ${worst}`);
  assert.deepEqual(Array.from(layers[3].data), Array.from(net.predict(image, 1)));
  assert.throws(() => net.activations(image, 2), /x: expected 50 values/);
  net.delete();
});

test("inspect_input_gradient_matches_finite_differences", () => {
  const net = nn.createNetwork(tinyCnn());
  const x = Float32Array.from({ length: 25 }, (_, i) => Math.cos(i * 0.9)), y = new Float32Array([0, 1, 0]);
  const { dX } = net.inspect(x, y, 1, { inputGradient: true });
  assert.equal(dX.length, 25);
  assert.equal(net.inspect(x, y, 1).dX, undefined);
  const h = 1e-2;  // float32: a wide step, the loss is smooth enough away from relu kinks
  let checked = 0;
  for (const i of [0, 6, 12, 18, 24]) {
    const plus = Float32Array.from(x), minus = Float32Array.from(x);
    plus[i] += h; minus[i] -= h;
    const numeric = (net.evaluate(plus, y, 1).loss - net.evaluate(minus, y, 1).loss) / (2 * h);
    assert.ok(Math.abs(numeric - dX[i]) < 2e-3 + 0.02 * Math.abs(numeric), `pixel ${i}: ${dX[i]} vs ${numeric}`);
    if (Math.abs(dX[i]) > 1e-3) checked++;
  }
  assert.ok(checked >= 2, "some of the pixels have a gradient worth checking");
  net.delete();
});

test("preview_update_is_what_the_next_train_batch_does", () => {
  const net = nn.createNetwork(tinyCnn({ type: "adam", lr: 0.01 }));
  const x = Float32Array.from({ length: 50 }, (_, i) => Math.sin(i)), y = new Float32Array([1, 0, 0, 0, 0, 1]);
  net.trainBatch(x, y, 2);  // Adam's moments are not zero any more
  const before = net.getWeights();
  const preview = net.previewUpdate(x, y, 2);
  assert.deepEqual(net.getWeights(), before, "a preview changes nothing");
  assert.equal(net.steps, 1);
  assert.deepEqual(preview.layers.map((l) => l.layer), [0, 3]);
  assert.equal(net.trainBatch(x, y, 2), preview.loss);
  const after = net.getWeights();
  preview.layers.forEach((l, i) => {
    for (const [key, t] of [["updateW", 2 * i], ["updateB", 2 * i + 1]]) {
      assert.equal(l[key].length, after[t].data.length);
      l[key].forEach((d, k) => assert.ok(Math.abs(before[t].data[k] + d - after[t].data[k]) < 1e-7,
        `${after[t].name}[${k}]`));
    }
  });
  net.delete();
});

test("fit_layer_stats_report_each_kernels_gradient_and_change", () => {
  const net = nn.createNetwork(dense(2, [[3, "tanh"], [1, "sigmoid"]], "bce", { batchSize: 4 }));
  const data = nn.datasets.make("xor", { n: 4 });
  const before = net.getWeights();
  const grad = net.inspect(data.x, data.y, 4);
  const [entry] = net.fit({ ...data, epochs: 1, shuffle: false, layerStats: true });
  const after = net.getWeights();
  assert.deepEqual(entry.layers.map((l) => l.layer), [0, 1]);
  entry.layers.forEach((l, i) => {
    const meanAbs = (a) => a.reduce((s, v) => s + Math.abs(v), 0) / a.length;
    assert.ok(Math.abs(l.meanAbsGradient - meanAbs(grad.layers[i].dW)) < 1e-7);
    assert.ok(Math.abs(l.meanAbsUpdate - meanAbs(after[2 * i].data.map((w, k) => w - before[2 * i].data[k]))) < 1e-7);
  });
  assert.equal(net.fit({ ...data, epochs: 1 })[0].layers, undefined);
  assert.throws(() => net.fit({ ...data, layerStats: "yes" }), /layerStats: expected true or false/);
  net.delete();
});

test("schema_lists_the_config_rules_and_is_deep_frozen", async () => {
  const schema = nn.schema;
  assert.equal(nn.schema, schema, "the same object on every access");
  assert.equal((await loadNN()).schema, schema, "and for every loadNN()");
  const activations = ["linear", "sigmoid", "tanh", "relu", "softmax", "leaky_relu", "elu", "gelu", "softplus",
    "swish"];
  const activation = { type: "choice", values: activations, default: "linear" };
  const alpha = { type: "number", min: 0, max: 1, default: 0.2 };  // leaky_relu's slope
  assert.deepEqual(schema, {
    layers: {
      dense: { units: { type: "integer", min: 1, max: 4096 }, activation, alpha },
      conv2d: {
        filters: { type: "integer", min: 1, max: 1024 },
        kernel: { type: "integer", min: 1, max: 64 },
        stride: { type: "integer", min: 1, max: 64, default: 1 },
        padding: { type: "choice", values: ["valid", "same"], default: "valid" },
        activation,
        alpha,
      },
      maxpool2d: { size: { type: "integer", min: 1, max: 64 } },
      flatten: {},
      dropout: { rate: { type: "number", min: 0, max: 0.95 } },
      batchnorm: {
        momentum: { type: "number", min: 0, max: 1, default: 0.99 },
        epsilon: { type: "number", min: 1e-12, max: 1, default: 0.001 },
        activation,
      },
      avgpool2d: { size: { type: "integer", min: 1, max: 64 } },
    },
    layerTypes: ["dense", "conv2d", "maxpool2d", "flatten", "dropout", "batchnorm", "avgpool2d"],
    activations,
    lastLayerOnly: ["softmax"],
    losses: ["mse", "quadratic", "bce", "cross_entropy"],
    lossOutput: { bce: "sigmoid", cross_entropy: "softmax" },
    optimizerTypes: ["sgd", "adam", "rmsprop", "adagrad", "adamw"],
    optimizers: {
      sgd: {
        lr: { type: "number", min: 0, max: 100, default: 0.03 },
        momentum: { type: "number", min: 0, max: 0.9999, default: 0 },
        nesterov: { type: "boolean", default: false },
      },
      rmsprop: {
        lr: { type: "number", min: 0, max: 100, default: 0.001 },
        rho: { type: "number", min: 0, max: 0.9999999, default: 0.9 },
        epsilon: { type: "number", min: 1e-12, max: 1, default: 1e-7 },
      },
      adagrad: { lr: { type: "number", min: 0, max: 100, default: 0.001 } },
      adamw: {
        lr: { type: "number", min: 0, max: 100, default: 0.001 },
        weightDecay: { type: "number", min: 0, max: 1, default: 0.004 },
        beta1: { type: "number", min: 0, max: 0.9999999, default: 0.9 },
        beta2: { type: "number", min: 0, max: 0.9999999, default: 0.999 },
        epsilon: { type: "number", min: 1e-12, max: 1, default: 1e-7 },
      },
      adam: {
        lr: { type: "number", min: 0, max: 100, default: 0.001 },
        beta1: { type: "number", min: 0, max: 0.9999999, default: 0.9 },
        beta2: { type: "number", min: 0, max: 0.9999999, default: 0.999 },
        epsilon: { type: "number", min: 1e-12, max: 1, default: 1e-7 },
      },
    },
    scheduleTypes: ["constant", "step", "exponential", "cosine"],
    schedules: {
      constant: {},
      step: { every: { type: "integer", min: 1, max: 1e9, default: 100 },
        factor: { type: "number", min: 0, max: 1, default: 0.5 } },
      exponential: { decaySteps: { type: "integer", min: 1, max: 1e9, default: 1000 },
        decayRate: { type: "number", min: 1e-6, max: 1, default: 0.96 },
        staircase: { type: "boolean", default: false } },
      cosine: { decaySteps: { type: "integer", min: 1, max: 1e9, default: 1000 },
        alpha: { type: "number", min: 0, max: 1, default: 0 } },
    },
    regularizations: ["none", "l1", "l2"],
    regularizationRate: { type: "number", min: 0, max: 10, default: 0 },
    inits: ["xavier", "he", "uniform"],
    seed: { type: "integer", min: 0, max: 4294967295, default: 1 },
    batchSize: { type: "integer", min: 1, max: 65536, default: 10 },
    input: { maxRank: 3, maxValues: 262144 },
    limits: { units: 4096, layers: 64, inputValues: 262144, parameters: 16777216,
      activationsPerSample: 1048576, batchValues: 33554432, batchSize: 65536 },
  });

  const unfrozen = [];
  const visit = (value, path) => {
    if (!Object.isFrozen(value)) unfrozen.push(path);
    for (const [key, child] of Object.entries(value)) {
      if (typeof child === "object") visit(child, `${path}.${key}`);
    }
  };
  visit(schema, "schema");
  assert.deepEqual(unfrozen, []);
  assert.throws(() => { schema.layers.dense.units.max = 1e6; }, TypeError);
  assert.throws(() => { schema.activations.push("mish"); }, TypeError);
  assert.equal(nn.schema.layers.dense.units.max, 4096);
});

test("batchnorm_trains_with_the_batch_statistics_predicts_with_the_moving_ones_and_saves_them", () => {
  // input 3 -> batchnorm (momentum 0.5) -> dense 1; lr 0, so only the moving statistics move.
  const net = nn.createNetwork({ input: [3], layers: [{ type: "batchnorm", momentum: 0.5 }, { type: "dense", units: 1 }],
    loss: "mse", optimizer: { type: "sgd", lr: 0 }, regularization: { type: "l2", rate: 1 } });
  const x = new Float32Array([1, 2, -1, 3, 0, 5, -2, 4, 1, 6, 1, 2]), y = new Float32Array([1, -1, 0.5, 2]), n = 4;
  const w = () => Object.fromEntries(net.getWeights().map((t) => [t.name.split("/")[1], Array.from(t.data)]));
  const { kernel, bias } = w();
  const stats = [0, 1, 2].map((k) => {
    const column = [0, 1, 2, 3].map((s) => x[3 * s + k]);
    const mean = column.reduce((a, b) => a + b) / n;
    return { mean, variance: column.reduce((a, v) => a + (v - mean) ** 2, 0) / n };
  });
  // Training: normalized with the batch's mean and biased variance, eps 0.001 (Keras' default).
  const out = (s, mean, variance) => [0, 1, 2].reduce((z, k) =>
    z + kernel[k] * (x[3 * s + k] - mean[k]) / Math.sqrt(variance[k] + 0.001), bias[0]);
  const mse = (mean, variance) => [0, 1, 2, 3].reduce((a, s) => a + (out(s, mean, variance) - y[s]) ** 2, 0) / n;
  const loss = net.trainBatch(x, y, n);
  assert.ok(Math.abs(loss - mse(stats.map((s) => s.mean), stats.map((s) => s.variance))) < 1e-5, String(loss));
  const after = w();
  assert.deepEqual(after.gamma, [1, 1, 1]);
  assert.deepEqual(after.beta, [0, 0, 0]);
  stats.forEach(({ mean, variance }, k) => {
    assert.ok(Math.abs(after.moving_mean[k] - 0.5 * mean) < 1e-6, `moving mean ${k}`);
    assert.ok(Math.abs(after.moving_variance[k] - (0.5 + 0.5 * variance)) < 1e-6, `moving variance ${k}`);
  });
  // Inference (predict, evaluate) uses the moving statistics, which l2 and the optimizer left alone.
  const predicted = net.predict(x, n);
  for (let s = 0; s < n; s++) {
    assert.ok(Math.abs(predicted[s] - out(s, after.moving_mean, after.moving_variance)) < 1e-5, `sample ${s}`);
  }
  assert.ok(Math.abs(net.evaluate(x, y, n).loss - mse(after.moving_mean, after.moving_variance)) < 1e-5);
  const copy = nn.fromJSON(net.toJSON());
  assert.deepEqual(copy.getWeights().map((t) => t.name), ["batchnorm_0/gamma", "batchnorm_0/beta",
    "batchnorm_0/moving_mean", "batchnorm_0/moving_variance", "dense_1/kernel", "dense_1/bias"]);
  assert.deepEqual(Array.from(copy.predict(x, n)), Array.from(predicted));
  const bad = copy.getWeights();
  bad[3].data[1] = -0.5;
  assert.throws(() => copy.setWeights(bad),
    { message: /^weights\[3\]\.data\[1\]: batchnorm_0\/moving_variance is a variance, got the negative -0\.5/ });
  assert.deepEqual(Array.from(copy.predict(x, n)), Array.from(predicted), "a refused list changes nothing");
  copy.delete();
  net.delete();
});

test("schedule_rate_is_shown_exact_and_kept_in_model_files", () => {
  const config = { ...dense(2, [[6, "swish"], [1, "sigmoid"]], "bce"), optimizer: { type: "sgd", lr: 0.1 },
    schedule: { type: "step", every: 10, factor: 0.5 }, batchSize: 10 };
  const data = nn.datasets.make("moons", { n: 100, noise: 0.1, seed: 1 });
  const net = nn.createNetwork(config);
  assert.equal(net.learningRate, 0.1);
  const history = net.fit({ x: data.x, y: data.y, n: data.n, epochs: 3 });
  // 10 steps per epoch: epoch 1 ends with step t = 9 (0.1), epoch 2 with t = 19 (0.05), ...
  assert.deepEqual(history.map((e) => e.lr), [0.1, 0.05, 0.025]);
  assert.equal(net.steps, 30);
  assert.equal(net.learningRate, 0.0125);
  // Training again from the same config reaches the same bits; the model file keeps the schedule.
  const again = nn.createNetwork(config);
  again.fit({ x: data.x, y: data.y, n: data.n, epochs: 3 });
  assert.deepEqual(again.getWeights(), net.getWeights());
  const saved = net.toJSON();
  assert.deepEqual(saved.config.schedule, config.schedule);
  const restored = nn.fromJSON(saved);
  assert.equal(restored.learningRate, 0.1, "a restored network starts its schedule again, like its optimizer");
  assert.throws(() => nn.createNetwork({ ...config, schedule: { type: "cyclic" } }),
    { message: 'schedule.type: expected one of constant|step|exponential|cosine, got "cyclic"' });
  assert.throws(() => nn.createNetwork({ ...config, optimizer: { type: "rmsprop", rho: 2 } }),
    { message: "optimizer.rho: expected a number in [0, 0.9999999], got 2" });
  for (const n of [net, again, restored]) n.delete();
});
