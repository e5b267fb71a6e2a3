// Model files (web/lib/model-files.js): what the pages download and open. The TF.js pair loads
// in TensorFlow.js through its own weightsManifest reader, and every file read back rebuilds a
// network with identical predictions.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { loadNN } from "../../web/lib/nnplay.js";
import { nnplayModelFile, readModelFiles, tfjsModelFiles } from "../../web/lib/model-files.js";

const nn = await loadNN();
await tf.setBackend("cpu");

const metadata = { playground: "v=1&data=moons" };
const toFile = ({ name, type, data }) => new File([data], name, { type });

function trainedNet() {
  const net = nn.createNetwork({ input: [3], layers: [{ type: "dense", units: 5, activation: "tanh" },
    { type: "dense", units: 3, activation: "softmax" }], loss: "cross_entropy",
  optimizer: { type: "adam", lr: 0.05 }, seed: 4 });
  const x = Float32Array.from({ length: 30 }, (_, i) => Math.sin(i * 1.7));
  const y = Float32Array.from({ length: 30 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
  net.fit({ x, y, n: 10, epochs: 5 });
  return { net, x, expected: net.predict(x, 10) };
}

test("nnplay_model_file_round_trips_with_its_metadata", async () => {
  const { net, x, expected } = trainedNet();
  const file = nnplayModelFile(net.toJSON(), { name: "moons.nnplay.json", metadata });
  assert.equal(file.name, "moons.nnplay.json");
  assert.equal(JSON.parse(file.data).format, "nnplay-model");
  const read = await readModelFiles([toFile(file)]);
  assert.equal(read.format, "nnplay");
  assert.deepEqual(read.metadata, metadata);
  assert.equal("metadata" in read.model, false);
  const opened = nn.fromJSON(read.model);
  assert.deepEqual(opened.predict(x, 10), expected);
  // nn.fromJSON reads the file as saved, metadata and all.
  assert.deepEqual(nn.fromJSON(JSON.parse(file.data)).predict(x, 10), expected);
  net.delete();
  opened.delete();
});

test("tfjs_files_load_in_tensorflow_js_through_the_weights_manifest", async () => {
  const { net, x, expected } = trainedNet();
  const files = tfjsModelFiles(net.toTFJS(), { metadata });
  assert.deepEqual(files.map((f) => f.name), ["model.json", "weights.bin"]);
  const modelJson = JSON.parse(files[0].data);
  assert.deepEqual(modelJson.weightsManifest[0].paths, ["weights.bin"]);
  // TF.js's own loader, fetching model.json and then the paths its manifest lists.
  const served = new Map(files.map((f) => [f.name, f.data]));
  const fetchFunc = async (url) => {
    const name = String(url).split("/").pop();
    return served.has(name) ? new Response(served.get(name)) : new Response("not found", { status: 404 });
  };
  const model = await tfl.loadLayersModel(tf.io.http("http://localhost/models/model.json", { fetchFunc }));
  const output = model.predict(tf.tensor(x, [10, 3]));
  const predicted = await output.data();
  assert.ok(predicted.every((v, i) => Math.abs(v - expected[i]) <= 1e-5));
  assert.deepEqual(model.getUserDefinedMetadata(), metadata);
  model.dispose();

  // And back into nnplay, whatever the browser named the weights file.
  const read = await readModelFiles([toFile(files[0]), toFile({ ...files[1], name: "weights (1).bin" })]);
  assert.equal(read.format, "tfjs");
  assert.deepEqual(read.metadata, metadata);
  const opened = nn.fromTFJS(read.artifacts);
  assert.deepEqual(opened.predict(x, 10), expected);
  net.delete();
  opened.delete();
});

test("unreadable_model_files_are_refused_by_name", async () => {
  const { net } = trainedNet();
  const [modelJson, weights] = tfjsModelFiles(net.toTFJS()).map(toFile);
  net.delete();
  const refused = async (files, pattern) => assert.rejects(readModelFiles(files), { message: pattern });
  await refused([], /choose the model file too/);
  await refused([weights], /choose the model file too/);
  await refused([modelJson], /model.json keeps its weights in "weights.bin": choose that file together with model.json/);
  await refused([modelJson, modelJson], /choose one model file, not 2/);
  await refused([new File(["{nope"], "broken.json")], /^broken.json is not a JSON file/);
  await refused([new File(['{"format": "keras"}'], "other.json")], /other.json is neither an nnplay model.*nor a TF.js model.json/);
  await refused([new File(['{"modelTopology": {}}'], "model.json")], /model.json: a TF.js model.json needs a weightsManifest/);
});
