// Threads in a page: a cross-origin isolated page (COOP/COEP, as scripts/serve.mjs sends) uses
// the threaded core on every core; a page served without those headers, as a plain static host
// would, falls back to the single-thread core. Both train to the same bits.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startBrowser } from "./browser.mjs";

// In the page: a seeded MLP and a small CNN trained on made-up digits; their weights' bytes
// hashed (FNV-1a), the thread count and the page's isolation.
async function trainInPage() {
  const { loadNN } = await import("/lib/nnplay.js");
  const nn = await loadNN();
  const n = 128, x = new Float32Array(n * 784), y = new Float32Array(n * 10);
  for (let i = 0; i < x.length; i++) x[i] = (Math.sin(i * 0.37) + Math.cos(i * 0.011)) / 4 + 0.5;
  for (let i = 0; i < n; i++) y[i * 10 + (i % 10)] = 1;
  const dense = { type: "dense", units: 10, activation: "softmax" };
  const configs = {
    mlp: { input: [784], layers: [{ type: "dense", units: 64, activation: "relu" }, dense] },
    cnn: { input: [28, 28, 1], layers: [
      { type: "conv2d", filters: 8, kernel: 5, padding: "same", activation: "relu" },
      { type: "maxpool2d", size: 2 }, { type: "flatten" }, dense] },
  };
  const hashes = {};
  for (const [kind, layers] of Object.entries(configs)) {
    const net = nn.createNetwork({ ...layers, loss: "cross_entropy", seed: 3, batchSize: 32,
      optimizer: { type: "adam", lr: 0.01 } });
    net.fit({ x, y, n, epochs: 2 });
    let hash = 0x811c9dc5;
    for (const w of net.getWeights()) {
      for (const byte of new Uint8Array(w.data.buffer)) hash = Math.imul(hash ^ byte, 16777619) >>> 0;
    }
    hashes[kind] = hash.toString(16);
    net.delete();
  }
  return { hashes, threads: nn.threads, isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency };
}

async function run(isolated) {
  const browser = await startBrowser({ isolated });
  try {
    const page = await browser.newPage("xor.html");
    const result = await page.evaluate(trainInPage);
    assert.deepEqual(page.errors, []);
    return result;
  } finally {
    await browser.close();
  }
}

test("isolated_pages_use_every_core_others_one_thread_and_both_give_the_same_bits", async () => {
  const isolated = await run(true), plain = await run(false);
  console.log(`isolated: ${isolated.threads} threads, ${JSON.stringify(isolated.hashes)}; ` +
    `plain: ${plain.threads} thread, ${JSON.stringify(plain.hashes)}`);
  assert.equal(isolated.isolated, true);
  assert.equal(isolated.threads, Math.min(8, isolated.cores));
  assert.equal(plain.isolated, false);
  assert.equal(plain.threads, 1);
  assert.deepEqual(isolated.hashes, plain.hashes);
});
