// The WASM products skip the steps where a packed slice of 4 inputs is all zero (core/gemm.h):
// digits are mostly background. These tests run that path in the WASM build itself, on inputs
// shaped like digits (a blank frame, strokes in a box), against the same products without it and
// against a plain-JS sum.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadNN } from "../../web/lib/nnplay.js";
import { fingerprint } from "./fingerprint.mjs";

const PIXELS = 784, CLASSES = 10;

// n 28 x 28 images, zero outside a box of their own and on a third of the pixels inside it
// (some of those -0), with one-hot targets.
function sparseDigits(n) {
  const x = new Float32Array(n * PIXELS), y = new Float32Array(n * CLASSES);
  for (let s = 0; s < n; s++) {
    const top = 3 + (s * 5) % 9, left = 4 + (s * 7) % 8, size = 10 + (s % 6);
    for (let r = top; r < top + size; r++) {
      for (let c = left; c < left + size; c++) {
        const i = s * PIXELS + r * 28 + c;
        const zero = (r * 3 + c * 5 + s) % 3 === 0;
        x[i] = zero ? ((r + c) % 2 ? 0 : -0) : ((r * c + s) % 17) / 17 + 0.05;
      }
    }
    y[s * CLASSES + (s % CLASSES)] = 1;
  }
  return { x, y, n };
}

const mlp = (units) => ({
  input: [PIXELS], loss: "cross_entropy", init: "he", seed: 5, batchSize: 16,
  optimizer: { type: "sgd", lr: 0.1 },
  layers: [{ type: "dense", units, activation: "relu" },
    { type: "dense", units: CLASSES, activation: "softmax" }],
});

// Columns [from, from + count) of a row-major matrix with `cols` columns.
function columns(data, cols, from, count) {
  const rows = data.length / cols, out = new Float32Array(rows * count);
  for (let r = 0; r < rows; r++) {
    out.set(data.subarray(r * cols + from, r * cols + from + count), r * count);
  }
  return out;
}

const bits = (floats) => new Uint32Array(floats.buffer, floats.byteOffset, floats.length);

test("skipping_zero_inputs_gives_the_bits_of_adding_every_input", async () => {
  // A 40-unit layer packs its inputs and skips their zero steps; an 8-unit one reads them in
  // place and adds every step. Each 8 units of the first are the second with those weights.
  const nn = await loadNN({ threads: 1 });
  const data = sparseDigits(24);
  const wide = nn.createNetwork(mlp(40));
  const [kernel, bias] = wide.getWeights();
  const z = wide.inspect(data.x, data.y, data.n).layers[0].z;
  for (let from = 0; from < 40; from += 8) {
    const narrow = nn.createNetwork(mlp(8));
    const [, , kernel2, bias2] = narrow.getWeights();
    narrow.setWeights([
      { ...kernel, shape: [PIXELS, 8], data: columns(kernel.data, 40, from, 8) },
      { ...bias, shape: [8], data: bias.data.slice(from, from + 8) }, kernel2, bias2]);
    const part = narrow.inspect(data.x, data.y, data.n).layers[0].z;
    assert.deepEqual(bits(part), bits(columns(z, 40, from, 8)), `units ${from}..${from + 7}`);
    narrow.delete();
  }
  wide.delete();
});

test("the_kernel_gradient_on_zero_inputs_matches_a_plain_js_sum", async () => {
  // dW = x^T dz over the batch, the product whose packed slices are 4 pixels of every sample.
  const nn = await loadNN({ threads: 1 });
  const data = sparseDigits(24);
  const net = nn.createNetwork(mlp(40));
  const { dz, dW } = net.inspect(data.x, data.y, data.n).layers[0];
  let zeroRows = 0;
  for (let p = 0; p < PIXELS; p++) {
    let blank = true;
    for (let u = 0; u < 40; u++) {
      let sum = 0;
      for (let s = 0; s < data.n; s++) sum += data.x[s * PIXELS + p] * dz[s * 40 + u];
      if (sum !== 0) blank = false;
      assert.ok(Math.abs(dW[p * 40 + u] - sum) <= 1e-6 * (1 + Math.abs(sum)),
        `dW[${p}][${u}] = ${dW[p * 40 + u]}, expected ${sum}`);
    }
    zeroRows += blank;
  }
  assert.ok(zeroRows > 100 && zeroRows < PIXELS - 100, `${zeroRows} pixels blank in every sample`);
  net.delete();
});

test("training_on_zero_inputs_gives_the_same_bits_for_1_2_and_3_threads", async () => {
  const data = sparseDigits(96);
  const results = [];
  for (const threads of [1, 2, 3]) {
    const net = (await loadNN({ threads })).createNetwork(mlp(64));
    net.fit({ ...data, epochs: 2 });
    results.push(fingerprint([...net.getWeights().flatMap((w) => Array.from(w.data)),
      ...net.predict(data.x, data.n)]));
    net.delete();
  }
  assert.equal(results[1], results[0], "2 threads");
  assert.equal(results[2], results[0], "3 threads");
});
