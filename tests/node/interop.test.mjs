// Interop: TF.js Layers export/import and CSV data.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { loadNN } from "../../web/lib/nnplay.js";

const nn = await loadNN();
await tf.setBackend("cpu");

function maxDifference(a, b) {
  assert.equal(a.length, b.length);
  return a.reduce((max, v, i) => Math.max(max, Math.abs(v - b[i])), 0);
}

async function tfjsPredict(artifacts, x, inputShape) {
  const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  const input = tf.tensor(x, [x.length / inputShape.reduce((a, b) => a * b, 1), ...inputShape]);
  const output = model.predict(input);
  const values = await output.data();
  tf.dispose([input, output]);
  model.dispose();
  return values;
}

const denseConfig = {
  input: [2],
  layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dropout", rate: 0.3 },
    { type: "dense", units: 6, activation: "relu" }, { type: "dense", units: 5, activation: "sigmoid" },
    { type: "dense", units: 3, activation: "softmax" }],
  loss: "cross_entropy", optimizer: { type: "adam", lr: 0.01 }, seed: 3, batchSize: 8,
};

test("tfjs_export_predicts_like_nnplay", async () => {
  const d = nn.datasets.make("spiral", { n: 64, noise: 0.1, seed: 2 });
  const net = nn.createNetwork(denseConfig);
  const y = new Float32Array(d.n * 3).map((_, i) => (i % 3 === d.y[Math.floor(i / 3)] ? 1 : 0));
  net.fit({ x: d.x, y, n: d.n, epochs: 3 });
  const difference = maxDifference(await tfjsPredict(net.toTFJS(), d.x, [2]), net.predict(d.x, d.n));
  assert.ok(difference <= 1e-5, `max difference ${difference}`);
  net.delete();
});

test("tfjs_model_imports_with_identical_predictions", async () => {
  const model = tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [4], units: 7, activation: "relu", name: "hidden" }),
    tfl.layers.dense({ units: 2, activation: "sigmoid", name: "out" })] });
  let artifacts;
  await model.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return {}; }));
  const x = new Float32Array(40).map((_, i) => Math.sin(i));
  const expected = await (model.predict(tf.tensor(x, [10, 4]))).data();
  const net = nn.fromTFJS(artifacts);
  assert.equal(net.config.loss, "bce");
  assert.ok(maxDifference(net.predict(x, 10), expected) <= 1e-6);
  // And back: the re-export loads in TF.js again.
  assert.ok(maxDifference(await tfjsPredict(net.toTFJS(), x, [4]), expected) <= 1e-6);
  net.delete();
});

test("tfjs_import_names_unsupported_layers", async () => {
  const model = tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [4], units: 3, activation: "selu" })] });
  let artifacts;
  await model.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return {}; }));
  assert.throws(() => nn.fromTFJS(artifacts),
    { message: /^modelTopology\.config\.layers\[0\]\.activation: nnplay supports .*got "selu"$/ });
  artifacts.modelTopology.config.layers[0].class_name = "LSTM";
  assert.throws(() => nn.fromTFJS(artifacts), { message: /layer class "LSTM" is not supported/ });
  assert.throws(() => nn.fromTFJS({}), { message: "modelTopology: missing" });
});

// Batch norm and average pooling: a dense net and a CNN, trained so the moving statistics are
// far from their start, predict in TF.js as in nnplay (inference: the moving statistics).
const batchNormDense = {
  input: [2],
  layers: [{ type: "dense", units: 8 }, { type: "batchnorm", activation: "tanh", momentum: 0.8 },
    { type: "dense", units: 6 }, { type: "batchnorm", activation: "relu", epsilon: 0.01 },
    { type: "dense", units: 5 }, { type: "batchnorm", momentum: 0.5 },
    { type: "dense", units: 3, activation: "softmax" }],
  loss: "cross_entropy", optimizer: { type: "adam", lr: 0.01 }, seed: 3, batchSize: 8,
};

const batchNormCnn = {
  input: [8, 8, 2],
  layers: [{ type: "conv2d", filters: 4, kernel: 3, padding: "same" },
    { type: "batchnorm", activation: "relu", momentum: 0.7 }, { type: "avgpool2d", size: 2 },
    { type: "conv2d", filters: 6, kernel: 3, activation: "linear" }, { type: "batchnorm", momentum: 0.7 },
    { type: "avgpool2d", size: 2 }, { type: "flatten" }, { type: "dense", units: 3, activation: "softmax" }],
  loss: "cross_entropy", optimizer: { type: "adam", lr: 0.01 }, seed: 5, batchSize: 8,
};

function classes(n, k, label) {
  return new Float32Array(n * k).map((_, i) => (i % k === label(Math.floor(i / k)) ? 1 : 0));
}

for (const [name, config, data] of [
  ["dense", batchNormDense, () => {
    const d = nn.datasets.make("spiral", { n: 64, noise: 0.1, seed: 2 });
    return { x: d.x, y: classes(d.n, 3, (i) => d.y[i]), n: d.n, shape: [2] };
  }],
  ["cnn", batchNormCnn, () => {
    const n = 48;
    const x = new Float32Array(n * 128).map((_, i) => 2 * Math.sin(i * 0.7) + Math.cos(i * 0.013) + 1);
    return { x, y: classes(n, 3, (i) => i % 3), n, shape: [8, 8, 2] };
  }],
]) {
  test(`tfjs_export_of_a_${name}_net_with_batchnorm_predicts_like_nnplay`, async (t) => {
    const { x, y, n, shape } = data();
    const net = nn.createNetwork(config);
    net.fit({ x, y, n, epochs: 4 });
    const moving = net.getWeights().find((w) => w.name.endsWith("moving_variance"));
    assert.ok(moving.data.some((v) => Math.abs(v - 1) > 0.05), "the moving variance has moved");
    const artifacts = net.toTFJS();
    const classNames = artifacts.modelTopology.config.layers.map((l) => l.class_name);
    assert.ok(classNames.includes("BatchNormalization"));
    if (name === "cnn") assert.ok(classNames.includes("AveragePooling2D"));
    const difference = maxDifference(await tfjsPredict(artifacts, x, shape), net.predict(x, n));
    t.diagnostic(`largest TF.js prediction difference (${name}, batchnorm${name === "cnn" ? " + avgpool2d" : ""}): ${difference}`);
    assert.ok(difference <= 1e-6, `max difference ${difference}`);
    // And back: nnplay reads its own export into the same config and predictions.
    const back = nn.fromTFJS(artifacts);
    assert.deepEqual(back.config.layers, net.config.layers);
    assert.deepEqual(Array.from(back.predict(x, n)), Array.from(net.predict(x, n)));
    back.delete();
    net.delete();
  });
}

test("tfjs_model_with_batchnorm_activation_and_avgpool_imports_with_identical_predictions", async () => {
  const model = tfl.sequential({ layers: [
    tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 3, kernelSize: 3, name: "conv" }),
    tfl.layers.batchNormalization({ name: "norm", momentum: 0.9, epsilon: 0.002 }),
    tfl.layers.activation({ activation: "relu", name: "act" }),
    tfl.layers.averagePooling2d({ poolSize: 2, name: "pool" }),
    tfl.layers.flatten({ name: "flat" }),
    tfl.layers.dense({ units: 1, activation: "sigmoid", name: "out" })] });
  // Moving statistics and scale that are not Keras' initial ones.
  const norm = model.getLayer("norm");
  norm.setWeights([tf.tensor1d([1.5, 0.5, 2]), tf.tensor1d([0.1, -0.2, 0.3]),
    tf.tensor1d([0.3, -0.4, 0.2]), tf.tensor1d([0.5, 2, 1.2])]);
  let artifacts;
  await model.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return {}; }));
  const x = new Float32Array(5 * 36).map((_, i) => Math.sin(i));
  const expected = await (model.predict(tf.tensor(x, [5, 6, 6, 1]))).data();
  const net = nn.fromTFJS(artifacts);
  assert.deepEqual(net.config.layers[1], { type: "batchnorm", momentum: 0.9, epsilon: 0.002, activation: "relu" });
  assert.equal(net.config.layers[2].type, "avgpool2d");
  assert.deepEqual(net.getWeights().map((w) => w.name).slice(2), ["batchnorm_1/gamma", "batchnorm_1/beta",
    "batchnorm_1/moving_mean", "batchnorm_1/moving_variance", "dense_4/kernel", "dense_4/bias"]);
  assert.deepEqual(Array.from(net.getWeights()[5].data), [0.5, 2, 1.2].map(Math.fround));
  assert.ok(maxDifference(net.predict(x, 5), expected) <= 1e-6);
  net.delete();
  const unscaled = structuredClone(artifacts);
  unscaled.modelTopology.config.layers[1].config.scale = false;
  assert.throws(() => nn.fromTFJS(unscaled), { message: /layers\[1\]: nnplay's batch norm has both center and scale/ });
  const across = structuredClone(artifacts);
  across.modelTopology.config.layers[1].config.axis = 1;
  assert.throws(() => nn.fromTFJS(across), { message: /layers\[1\]\.axis: nnplay normalizes the last axis/ });
  const alone = structuredClone(artifacts);
  alone.modelTopology.config.layers.splice(1, 1);
  assert.throws(() => nn.fromTFJS(alone), { message: /layers\[1\]: layer class "Activation" is not supported/ });
});

// Every activation issue 18 added, in dense and conv layers; leaky_relu with a slope of its own.
const newActivationsConfig = {
  input: [6, 6, 1],
  layers: [{ type: "conv2d", filters: 3, kernel: 3, padding: "same", activation: "leaky_relu", alpha: 0.1 },
    { type: "conv2d", filters: 2, kernel: 3, activation: "gelu" }, { type: "flatten" },
    { type: "dense", units: 8, activation: "elu" }, { type: "dense", units: 6, activation: "softplus" },
    { type: "dense", units: 5, activation: "swish" }, { type: "dense", units: 4, activation: "leaky_relu" },
    { type: "dense", units: 3, activation: "softmax" }],
  loss: "cross_entropy", optimizer: { type: "adamw", lr: 0.01 }, seed: 5, batchSize: 8,
};

test("tfjs_export_of_every_new_activation_predicts_like_nnplay", async () => {
  const n = 64;
  const x = new Float32Array(n * 36).map((_, i) => Math.sin(i * 0.37) * 2);
  const y = new Float32Array(n * 3).map((_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
  const net = nn.createNetwork(newActivationsConfig);
  net.fit({ x, y, n, epochs: 5 });
  const artifacts = net.toTFJS();
  const classes = artifacts.modelTopology.config.layers.map((l) => `${l.class_name}:${l.config.activation ?? l.config.alpha}`);
  assert.deepEqual(classes, ["Conv2D:linear", "LeakyReLU:0.1", "Conv2D:gelu", "Flatten:undefined", "Dense:elu",
    "Dense:softplus", "Dense:swish", "Dense:linear", "LeakyReLU:0.2", "Dense:softmax"]);
  const ours = net.predict(x, n);
  const difference = maxDifference(await tfjsPredict(artifacts, x, [6, 6, 1]), ours);
  console.log(`largest TF.js prediction difference, every new activation: ${difference.toExponential(2)}`);
  assert.ok(difference <= 2e-6, `max difference ${difference}`);
  // And back: the LeakyReLU layers fold into their layers again, the predictions are the same bits.
  const back = nn.fromTFJS(artifacts);
  assert.deepEqual(back.config.layers, net.config.layers);
  assert.deepEqual(back.predict(x, n), ours);
  back.delete();
  net.delete();
});

test("tfjs_model_with_new_activations_imports_with_identical_predictions", async () => {
  const model = tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [4], units: 7, name: "hidden" }),
    tfl.layers.leakyReLU({ alpha: 0.3, name: "leaky" }),
    tfl.layers.dense({ units: 6, activation: "elu", name: "a" }),
    tfl.layers.dense({ units: 5, activation: "gelu", name: "b" }),
    tfl.layers.dense({ units: 4, activation: "swish", name: "c" }),
    tfl.layers.dense({ units: 2, activation: "softplus", name: "out" })] });
  let artifacts;
  await model.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return {}; }));
  const x = new Float32Array(40).map((_, i) => 3 * Math.sin(i));
  const expected = await (model.predict(tf.tensor(x, [10, 4]))).data();
  const net = nn.fromTFJS(artifacts);
  assert.deepEqual(net.config.layers.map((l) => l.activation), ["leaky_relu", "elu", "gelu", "swish", "softplus"]);
  assert.equal(net.config.layers[0].alpha, 0.3);
  const difference = maxDifference(net.predict(x, 10), expected);
  assert.ok(difference <= 2e-6, `max difference ${difference}`);
  artifacts.modelTopology.config.layers.splice(2, 0, { class_name: "LeakyReLU", config: { name: "again" } });
  assert.throws(() => nn.fromTFJS(artifacts), { message: /layers\[2\]: nnplay reads LeakyReLU only right after a Dense, Conv2D or BatchNormalization layer with a linear activation/ });
  net.delete();
});

// TF.js's own optimizers as a second, independent implementation of the same rules: a linear
// model with mean squared error, three steps each, from the same weights.
test("new_optimizers_step_like_tfjs_optimizers", async () => {
  const x = new Float32Array([0.5, -1, 2, 0.25, -1.5, 1.5]), y = new Float32Array([1, -0.5, 2]);
  const cases = [
    [{ type: "sgd", lr: 0.05, momentum: 0.9, nesterov: true }, () => tf.train.momentum(0.05, 0.9, true)],
    [{ type: "rmsprop", lr: 0.01, rho: 0.8 }, () => tf.train.rmsprop(0.01, 0.8, 0, 1e-7)],
    [{ type: "adagrad", lr: 0.1 }, () => tf.train.adagrad(0.1, 0.1)],
  ];
  for (const [optimizer, make] of cases) {
    const net = nn.createNetwork({ input: [2], layers: [{ type: "dense", units: 1 }], loss: "mse", optimizer });
    net.setWeights([{ name: "dense_0/kernel", shape: [2, 1], data: [0.3, -0.7] },
      { name: "dense_0/bias", shape: [1], data: [0.1] }]);
    const w = tf.variable(tf.tensor2d([0.3, -0.7], [2, 1])), b = tf.variable(tf.tensor1d([0.1]));
    const opt = make();
    const xs = tf.tensor2d(x, [3, 2]), ys = tf.tensor2d(y, [3, 1]);
    for (let step = 0; step < 3; step++) {
      net.trainBatch(x, y, 3);
      opt.minimize(() => tf.losses.meanSquaredError(ys, tf.add(tf.matMul(xs, w), b)));
    }
    const ours = net.getWeights().flatMap((t) => Array.from(t.data));
    const theirs = [...await w.data(), ...await b.data()];
    assert.ok(maxDifference(ours, theirs) <= 2e-6, `${optimizer.type}: ${ours} vs TF.js ${theirs}`);
    tf.dispose([w, b, xs, ys]);
    opt.dispose();
    net.delete();
  }
});

test("csv_parses_classes_and_reports_line_and_column", () => {
  const data = nn.datasets.parseCSV("a,b,kind\n1,2,cat\n3,4,dog\n5,6,bird\n", { label: "kind" });
  assert.deepEqual(data.classes, ["bird", "cat", "dog"]);
  assert.equal(data.outputs, 3);
  assert.deepEqual(Array.from(data.x), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(data.columns.map((c) => c.name), ["a", "b"]);
  assert.deepEqual(data.header, ["a", "b", "kind"]);
  assert.throws(() => nn.datasets.parseCSV("a,b,c\n1,2,3\n4,five,6\n"),
    { message: 'line 3, column 2 ("b"): "five" is not a number' });
  assert.throws(() => nn.datasets.parseCSV("a,b,c\n1,2\n"), { message: "line 2: expected 3 columns, got 2" });
  assert.throws(() => nn.datasets.parseCSV(42), { message: "csv: expected the file's text as a string" });
});

test("csv_default_label_is_the_last_text_column_of_the_first_row_else_the_last", () => {
  const text = 'kind,"width, cm",height\nred,1,2\nblue,3,4\n';
  const data = nn.datasets.parseCSV(text);
  assert.equal(data.label, "kind");
  assert.deepEqual(data.header, ["kind", "width, cm", "height"]);
  assert.deepEqual(data.columns.map((c) => c.name), ["width, cm", "height"]);
  assert.deepEqual(Array.from(data.x), [1, 2, 3, 4]);
  assert.deepEqual(data.classes, ["blue", "red"]);
  assert.deepEqual(Array.from(data.y), [1, 0]);
  const numeric = nn.datasets.parseCSV("a,b,price\n1,2,3.5\n4,5,6.25\n");
  assert.equal(numeric.label, "price");
  assert.deepEqual(Array.from(numeric.y), [3.5, 6.25]);
  assert.throws(() => nn.datasets.parseCSV("id,a,kind\nx1,1,cat\nx2,2,dog\n"),
    { message: 'line 2, column 1 ("id"): "x1" is not a number' }, "kind, the last text column");
  assert.equal(nn.datasets.parseCSV("a,b,price\n1,2,3.5\n4,5,6.25\n", { label: 0 }).label, "a",
    "a named label wins");
});

test("breast_cancer_preset_trains_to_high_test_accuracy", async () => {
  const text = await readFile(new URL("../../web/build/data/breast-cancer.csv", import.meta.url), "utf8");
  const data = nn.datasets.parseCSV(text, { label: "diagnosis", standardize: true });
  assert.equal(data.n, 569);
  assert.equal(data.inputs, 30);
  assert.deepEqual(data.classes, ["benign", "malignant"]);
  const config = JSON.parse(await readFile(new URL("../../examples/breast-cancer.json", import.meta.url)));
  const net = nn.createNetwork(config);
  const train = 455;  // the rows come in file order; the last 114 (20%) are held out
  net.fit({ x: data.x.subarray(0, train * 30), y: data.y.subarray(0, train), n: train, epochs: 30 });
  const test = net.evaluate(data.x.subarray(train * 30), data.y.subarray(train), data.n - train);
  assert.ok(test.accuracy >= 0.94, `test accuracy ${test.accuracy}`);
  net.delete();
});
