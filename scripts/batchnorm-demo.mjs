// The batch-norm lesson in numbers: a deep playground network on spiral, trained with and without
// batch norm, epoch by epoch: the first epoch at 95 % test accuracy, and the epoch from which it
// stays at 90 % or more. It drives the playground's own session and trainer (web/playground/),
// opened from the links the README gives, so the numbers are the page's.
//
//   node scripts/batchnorm-demo.mjs [epochs]     one line per link (default 200 epochs)
import { pathToFileURL } from "node:url";
import { loadNN } from "../web/lib/nnplay.js";
import { PlaygroundSession } from "../web/playground/session.js";
import { PlaygroundTrainer } from "../web/playground/trainer.js";

// 6 hidden sigmoid layers of 8 units on spiral (1000 points, half for training) with inputs x1,
// x2, sin x1, sin x2, SGD with learning rate 0.1 and batches of 50; the second link has batch
// norm in every hidden layer. Everything else is the playground's default.
const HIDDEN = Array(6).fill("8:sigmoid").join(",");
const REST = "n=1000&f=x1,x2,sinx1,sinx2&lr=0.1&bs=50";
export const DEMO = {
  without: `#v=1&data=spiral&${REST}&h=${HIDDEN}`,
  with: `#v=1&data=spiral&${REST}&h=${HIDDEN.replaceAll("sigmoid", "sigmoid:bn")}`,
};

/** The test accuracy after each of `epochs` epochs of the playground opened at `hash`. */
export async function testAccuracies(nn, hash, epochs) {
  const trainer = new PlaygroundTrainer(nn, { fetchPreset: () => Promise.reject(new Error("no presets here")) });
  const worker = {
    request: async ({ type, ...message }) => structuredClone(await trainer[type](message)),
    restart: () => true,
    crash() {},
  };
  const session = new PlaygroundSession({ worker, nextFrame: () => new Promise((resolve) => setImmediate(resolve)) });
  await session.open(hash);
  if (session.snapshot.alert) throw new Error(session.snapshot.alert);
  const accuracies = [];
  for (let epoch = 1; epoch <= epochs; epoch++) accuracies.push((await session.step(1)).testAccuracy);
  return accuracies;
}

/** { reached: first epoch at `target` or more (null: none), settled: the epoch from which every
 * later one is at `floor` or more (null: not the last) }. */
export function milestones(accuracies, target = 0.95, floor = 0.9) {
  const reached = accuracies.findIndex((a) => a >= target);
  let settled = null;
  for (let epoch = accuracies.length; epoch >= 1 && accuracies[epoch - 1] >= floor; epoch--) settled = epoch;
  return { reached: reached < 0 ? null : reached + 1, settled };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const epochs = Number(process.argv[2] ?? 200);
  const nn = await loadNN({ threads: 1 });
  for (const [name, hash] of Object.entries(DEMO)) {
    const accuracies = await testAccuracies(nn, hash, epochs);
    const { reached, settled } = milestones(accuracies);
    const percent = (a) => `${(100 * a).toFixed(1)} %`;
    console.log(`${name} batch norm: ${reached ? `95 % test accuracy at epoch ${reached}` : `never 95 % in ${epochs} epochs`}, ` +
      `${settled ? `at least 90 % from epoch ${settled} on` : "not settled at 90 %"}; best ${percent(Math.max(...accuracies))}, ` +
      `after epoch ${epochs} ${percent(accuracies.at(-1))}  ${hash}`);
  }
}
