import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadNN } from "../../web/lib/nnplay.js";
import { fingerprint } from "../node/fingerprint.mjs";
import { startBrowser } from "./browser.mjs";

let env;
before(async () => { env = await startBrowser(); });
after(async () => { await env.close(); });

test("xor_page_trains_to_low_loss_with_live_readout", async () => {
  const page = await env.newPage("xor.html");
  await page.click("#play");
  await page.waitForFunction(() => document.getElementById("epoch").textContent === "1000",
    null, { timeout: 60_000 });
  const loss = Number(await page.textContent("#loss"));
  assert.ok(loss < 0.01, `loss ${loss}`);
  const predictions = (await page.textContent("#predictions")).trim().split(/\s+/).map(Number);
  assert.deepEqual(predictions.map((p) => Math.abs(Math.round(p))), [0, 1, 1, 0]);
  assert.deepEqual(page.errors, []);
  await page.close();
});

// Trains a small network and fingerprints its weights; runs in Node and, as source, in the page.
async function trainAndFingerprint(nn) {
  const d = nn.datasets.make("spiral", { n: 200, noise: 0.2, seed: 11 });
  const net = nn.createNetwork({
    input: [2],
    layers: [{ type: "dense", units: 8, activation: "tanh" },
      { type: "dense", units: 8, activation: "relu" },
      { type: "dense", units: 1, activation: "sigmoid" }],
    loss: "bce", optimizer: { type: "adam", lr: 0.01 }, seed: 5, batchSize: 10,
  });
  net.fit({ x: d.x, y: d.y, n: d.n, epochs: 5 });
  const weights = net.getWeights().flatMap((w) => Array.from(w.data));
  net.delete();
  return weights;
}

test("chromium_training_matches_node_bit_for_bit", async () => {
  const page = await env.newPage("xor.html");
  // An expression string is evaluated by the DevTools protocol, not by page script (no eval).
  const inPage = await page.evaluate(`(async () => {
    const { loadNN } = await import("./lib/nnplay.js");
    return (${trainAndFingerprint})(await loadNN());
  })()`);
  const inNode = await trainAndFingerprint(await loadNN());
  assert.equal(fingerprint(inPage), fingerprint(inNode));
  await page.close();
});
