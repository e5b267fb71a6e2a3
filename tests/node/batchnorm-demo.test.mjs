// The batch-norm lesson the README links to (scripts/batchnorm-demo.mjs): a 6-layer sigmoid
// playground network on spiral stalls at chance without batch norm and reaches 95 % test
// accuracy with it. Driven through the playground's session and trainer; training is
// deterministic, so the epoch count is exact.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { DEMO, epochsToTarget } from "../../scripts/batchnorm-demo.mjs";
import { loadNN } from "../../web/lib/nnplay.js";

const nn = await loadNN();

test("deep_sigmoid_spiral_stalls_without_batchnorm_and_trains_with_it", async () => {
  const without = await epochsToTarget(nn, DEMO.without, 300);
  assert.equal(without.epochs, null);
  assert.equal(without.metrics.testAccuracy, 0.5, "chance: every point gets one class");
  const normalized = await epochsToTarget(nn, DEMO.with, 300);
  assert.equal(normalized.epochs, 38);
  assert.ok(normalized.metrics.testAccuracy >= 0.95);
});

test("the_readme_links_to_both_networks", async () => {
  const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
  for (const hash of Object.values(DEMO)) assert.ok(readme.includes(hash), hash);
});
