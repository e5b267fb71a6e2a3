// The batch-norm lesson in numbers: a deep playground network on spiral, trained with and without
// batch norm, epoch by epoch until the test accuracy reaches 95 % (or a cap). It drives the
// playground's own session and trainer (web/playground/), opened from the links the README
// gives, so the numbers are the page's.
//
//   node scripts/batchnorm-demo.mjs [maxEpochs]     prints one line per link
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { loadNN } from "../web/lib/nnplay.js";
import { PlaygroundSession } from "../web/playground/session.js";
import { PlaygroundTrainer } from "../web/playground/trainer.js";

// 6 hidden sigmoid layers of 8 units on spiral with inputs x1, x2, sin x1, sin x2, SGD with
// learning rate 0.3 and batches of 25; the second link has batch norm in every hidden layer.
// Everything else is the playground's default (500 points, half for training, seed 1).
const HIDDEN = Array(6).fill("8:sigmoid").join(",");
const REST = "f=x1,x2,sinx1,sinx2&lr=0.3&bs=25";
export const DEMO = {
  without: `#v=1&data=spiral&h=${HIDDEN}&${REST}`,
  with: `#v=1&data=spiral&h=${HIDDEN.replaceAll("sigmoid", "sigmoid:bn")}&${REST}`,
};
export const TARGET = 0.95;

/** Epochs until the test accuracy first reaches TARGET (null: not within maxEpochs). */
export async function epochsToTarget(nn, hash, maxEpochs) {
  const web = new URL("../web/", import.meta.url);
  const trainer = new PlaygroundTrainer(nn, { fetchPreset: ({ path }) => readFile(new URL(path, web), "utf8") });
  const worker = {
    request: async ({ type, ...message }) => structuredClone(await trainer[type](message)),
    restart: () => true,
    crash() {},
  };
  const session = new PlaygroundSession({ worker, nextFrame: () => new Promise((resolve) => setImmediate(resolve)) });
  await session.open(hash);
  if (session.snapshot.alert) throw new Error(session.snapshot.alert);
  for (let epoch = 1; epoch <= maxEpochs; epoch++) {
    const metrics = await session.step(1);
    if (metrics.testAccuracy >= TARGET) return { epochs: epoch, metrics };
  }
  return { epochs: null, metrics: session.snapshot.metrics };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const maxEpochs = Number(process.argv[2] ?? 300);
  const nn = await loadNN({ threads: 1 });
  for (const [name, hash] of Object.entries(DEMO)) {
    const { epochs, metrics } = await epochsToTarget(nn, hash, maxEpochs);
    const accuracy = (100 * metrics.testAccuracy).toFixed(1);
    console.log(`${name} batch norm: ${epochs === null ? `not at ${100 * TARGET} % in ${maxEpochs} epochs` :
      `${100 * TARGET} % test accuracy at epoch ${epochs}`} (test accuracy ${accuracy} %) ${hash}`);
  }
}
