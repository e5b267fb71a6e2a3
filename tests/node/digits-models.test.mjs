// The digits page's networks: its CNN is the benchmark CNN of examples/ (one config, so the
// numbers `npm run bench` reports are the page's), and every config builds in the core.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { MODELS, modelConfig } from "../../web/lib/mnist/models.js";
import { loadNN } from "../../web/lib/nnplay.js";

test("page_cnn_is_the_benchmark_cnn", async () => {
  const example = JSON.parse(await readFile(new URL("../../examples/digits-cnn-small.json", import.meta.url)));
  const { regularization, ...withoutDefaults } = example;
  assert.deepEqual(regularization, { type: "none", rate: 0 });
  assert.deepEqual(MODELS.cnn.config, withoutDefaults);
  // The page trains it with the learning rate shrinking after each epoch (npm run bench: the
  // digits CNN to 99 %); the other models keep theirs.
  assert.deepEqual(Object.fromEntries(Object.entries(MODELS).map(([kind, m]) => [kind, m.decay ?? 1])),
    { mlp: 1, mlp30: 1, cnn: 0.4, cnnbn: 0.4 });
});

test("every_page_model_builds_with_784_inputs_and_10_outputs", async () => {
  const nn = await loadNN();
  for (const kind of Object.keys(MODELS)) {
    const net = nn.createNetwork(modelConfig(kind));
    assert.equal(net.inputs, 784, kind);
    assert.equal(net.outputs, 10, kind);
    net.delete();
  }
  assert.throws(() => modelConfig("rnn"), { message: /^model: expected one of mlp, mlp30, cnn, cnnbn, got rnn$/ });
});
