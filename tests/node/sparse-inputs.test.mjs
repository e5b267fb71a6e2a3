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

test("a_conv_kernel_gradient_skipping_zero_gradients_matches_a_plain_js_sum", async () => {
  // A conv over 8 channels computes its kernel gradient as its transpose, dW^T = patches dz^T,
  // and skips the positions where 4 filters' dz are all zero, as max pooling leaves 3 in 4. A
  // conv over one channel keeps dW = dz patches^T and skips the positions where all 8 filters'
  // dz are zero (here the images' blank border, where z = 0 and the ReLU passes nothing), and
  // the positions whose patch of the input is all zero. Checked against a plain-JS correlation
  // of the input with dz, on 1 and 2 threads; z too, whose forward skips the tiles of four
  // positions with all-zero patches (here tiles that cross rows of the output).
  const cases = [
    { H: 6, C: 8, F: 16, step: 4, x: (i) => Math.sin(i * 0.37) + 0.3 * Math.cos(i * 0.05) },
    { H: 10, C: 1, F: 8, step: 8, x: (i) => {
      const y = Math.floor(i / 10) % 10, x = i % 10;
      return y > 2 && y < 7 && x > 2 && x < 7 ? Math.sin(i * 0.37) + 0.5 : 0;
    } },
  ];
  for (const { H, C, F, step, x: value } of cases) {
    const K = 3, n = 6;
    const config = {
      input: [H, H, C], loss: "cross_entropy", seed: 9, batchSize: n,
      optimizer: { type: "sgd", lr: 0.1 },
      layers: [{ type: "conv2d", filters: F, kernel: K, padding: "same", activation: "relu" },
        { type: "maxpool2d", size: 2 }, { type: "flatten" },
        { type: "dense", units: 3, activation: "softmax" }],
    };
    const x = new Float32Array(n * H * H * C).map((_, i) => value(i));
    const y = new Float32Array(n * 3).map((_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
    const results = [];
    for (const threads of [1, 2]) {
      const net = (await loadNN({ threads })).createNetwork(config);
      const { z, dz, dW } = net.inspect(x, y, n).layers[0];
      const [kernel, bias] = net.getWeights();
      net.delete();
      results.push(dW, z);
      let zeroSteps = 0;
      for (let p = 0; p < n * H * H; p++) {
        for (let f = 0; f < F; f += step) {
          zeroSteps += dz.subarray(p * F + f, p * F + f + step).every((v) => v === 0);
        }
      }
      // Enough for the GEMM to skip them (it does where more than an eighth are).
      assert.ok(zeroSteps > n * H * H * F / step / 4,
        `${C} channels: ${zeroSteps} of ${n * H * H * F / step} steps of ${step} filters all zero`);
      // z at (s, oy, ox, f) = bias[f] + the sum over the kernel's (i, j, c) of x at
      // (oy + i - 1, ox + j - 1, c) times kernel[i][j][c][f].
      let zeroPatches = 0;
      for (let s = 0; s < n; s++) {
        for (let oy = 0; oy < H; oy++) {
          for (let ox = 0; ox < H; ox++) {
            let zeroPatch = true;
            for (let f = 0; f < F; f++) {
              let sum = bias.data[f], size = Math.abs(sum);
              for (let i = 0; i < K; i++) {
                for (let j = 0; j < K; j++) {
                  const iy = oy + i - 1, ix = ox + j - 1;
                  if (iy < 0 || iy >= H || ix < 0 || ix >= H) continue;
                  for (let c = 0; c < C; c++) {
                    const v = x[((s * H + iy) * H + ix) * C + c];
                    zeroPatch &&= v === 0;
                    sum += v * kernel.data[((i * K + j) * C + c) * F + f];
                    size += Math.abs(v * kernel.data[((i * K + j) * C + c) * F + f]);
                  }
                }
              }
              const got = z[((s * H + oy) * H + ox) * F + f];
              assert.ok(Math.abs(got - sum) <= 1e-6 * (1 + size),
                `${C} channels, ${threads} threads: z at ${s}, ${oy}, ${ox}, ${f} = ${got}, `
                + `expected ${sum}`);
            }
            zeroPatches += zeroPatch;
          }
        }
      }
      if (C === 1) assert.ok(zeroPatches > n * H * H / 3, `${zeroPatches} zero patches`);
      // dW[i][j][c][f] = the sum over samples and output positions (oy, ox) of x at
      // (oy + i - 1, ox + j - 1) times dz.
      for (let i = 0; i < K; i++) {
        for (let j = 0; j < K; j++) {
          for (let c = 0; c < C; c++) {
            for (let f = 0; f < F; f++) {
              let sum = 0, size = 0;
              for (let s = 0; s < n; s++) {
                for (let oy = 0; oy < H; oy++) {
                  for (let ox = 0; ox < H; ox++) {
                    const iy = oy + i - 1, ix = ox + j - 1;
                    if (iy < 0 || iy >= H || ix < 0 || ix >= H) continue;
                    const term = x[((s * H + iy) * H + ix) * C + c]
                      * dz[((s * H + oy) * H + ox) * F + f];
                    sum += term;
                    size += Math.abs(term);
                  }
                }
              }
              const got = dW[((i * K + j) * C + c) * F + f];
              assert.ok(Math.abs(got - sum) <= 1e-6 * (1 + size),
                `${C} channels, ${threads} threads: dW[${i}][${j}][${c}][${f}] = ${got}, `
                + `expected ${sum}`);
            }
          }
        }
      }
    }
    assert.deepEqual(bits(results[2]), bits(results[0]), `${C} channels, 2 threads`);
    assert.deepEqual(bits(results[3]), bits(results[1]), `${C} channels, 2 threads, z`);
  }
});
