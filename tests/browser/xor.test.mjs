import assert from "node:assert/strict";
import { after, before, test } from "node:test";
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
