// Trains the digits page's fallback model (used when web/models/digits-cnn.json cannot be
// loaded): the page's MLP 784-128-10 on all 60k MNIST training digits, each randomly distorted
// by the core's augmentation (nn.datasets.digitAugmenter, core/augment.h: the distortions the
// pretrained CNN was trained with) so that digits drawn on the pad are read too.
// Deterministic: same seed, same file.
//
//   node scripts/train-digits-mlp.mjs [--epochs 20] [--seed 1] [--out web/models/digits-mlp.json]
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { loadNN } from "../web/lib/nnplay.js";
import { makeRandom, permutation } from "../web/lib/random.js";
import { gather, range } from "../web/lib/mnist/data.js";
import { modelConfig } from "../web/lib/mnist/models.js";
import { readMnist } from "./mnist-data.mjs";

const { values: args } = parseArgs({ options: {
  epochs: { type: "string", default: "20" },
  seed: { type: "string", default: "1" },
  out: { type: "string", default: "web/models/digits-mlp.json" },
} });
const epochs = Number(args.epochs), seed = Number(args.seed);
const learningRate = 0.001, batchSize = 64, chunk = 6000;

const nn = await loadNN();
const [train, test] = await Promise.all([readMnist("train"), readMnist("test")]);
const testData = gather(test, range(0, test.n));
const net = nn.createNetwork(modelConfig("mlp", { lr: learningRate, batchSize, seed }));
const random = makeRandom(seed);
// Its own random stream from the same seed (core/augment.h kAugmentStream): the batch order
// does not depend on it.
const augmenter = nn.datasets.digitAugmenter({ seed });
const started = Date.now();
let accuracy = 0;
for (let epoch = 1; epoch <= epochs; epoch++) {
  // linear decay to a tenth of the rate over the run
  net.setLearningRate(learningRate * (1 - 0.9 * (epoch - 1) / Math.max(1, epochs - 1)));
  const order = permutation(train.n, random);
  let loss = 0;
  for (let start = 0; start < train.n; start += chunk) {
    const batch = gather(train, order.subarray(start, start + chunk));
    batch.x = augmenter.apply(batch.x, batch.n);
    loss += net.fit({ ...batch, epochs: 1, shuffle: false })[0].loss * batch.n;
  }
  ({ accuracy } = net.evaluate(testData.x, testData.y, testData.n));
  console.log(`epoch ${epoch}: train loss ${(loss / train.n).toFixed(4)}, ` +
    `test accuracy ${(accuracy * 100).toFixed(2)}% (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
net.setLearningRate(learningRate);  // the file's config shows the base rate, not the last one
await writeFile(args.out, JSON.stringify(net.toJSON()) + "\n");
console.log(`wrote ${args.out}: test accuracy ${(accuracy * 100).toFixed(2)}%`);
