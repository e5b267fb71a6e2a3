// The batch-norm lesson the README links to (scripts/batchnorm-demo.mjs): a 6-layer sigmoid
// playground network on spiral stalls at chance without batch norm and trains with it. Driven
// through the playground's session and trainer; training is deterministic, so the epochs are exact.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { DEMO, milestones, testAccuracies } from "../../scripts/batchnorm-demo.mjs";
import { loadNN } from "../../web/lib/nnplay.js";

const nn = await loadNN();

test("deep_sigmoid_spiral_stalls_without_batchnorm_and_trains_with_it", async () => {
  const without = await testAccuracies(nn, DEMO.without, 200);
  assert.deepEqual(milestones(without), { reached: null, settled: null });
  assert.ok(Math.max(...without) <= 0.51, `best without batch norm ${Math.max(...without)}: chance`);
  const normalized = await testAccuracies(nn, DEMO.with, 200);
  assert.deepEqual(milestones(normalized), { reached: 84, settled: 95 });
  assert.ok(normalized.at(-1) >= 0.99, String(normalized.at(-1)));
});

test("milestones_are_the_first_epoch_at_the_target_and_the_start_of_the_last_run_above_the_floor", () => {
  assert.deepEqual(milestones([0.5, 0.96, 0.8, 0.91, 0.95]), { reached: 2, settled: 4 });
  assert.deepEqual(milestones([0.5, 0.6]), { reached: null, settled: null });
});

test("the_readme_links_to_both_networks", async () => {
  const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
  for (const hash of Object.values(DEMO)) assert.ok(readme.includes(hash), hash);
});
