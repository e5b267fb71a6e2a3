// What fine-tuning on one's own handwriting does, measured the way the digits page does it
// (web/lib/mnist/trainer.js's fineTune, the page's default 3 epochs) on the full MNIST:
// `node bench/fine-tune.mjs`. The "drawn" digits are tests/drawn-digits.mjs's: strokes as the
// browser tests draw them with the mouse, varied by a seeded hand (rotation, slant, size, shift,
// wobble, pen width) and rasterized as the pad draws them. Two hands: the boxy one (BOXY,
// straight segments, a barred 7, a based 1 — rare in MNIST) and the round one (DRAWN). For each:
// 5 digits per class to fine-tune on, and 10 other digits per class, drawn by the same hand
// with another seed, held out. Prints accuracy before → after on the held-out digits, on the
// other hand's digits and on the 10,000 MNIST test digits.
import { readFile } from "node:fs/promises";
import { MnistTrainer } from "../web/lib/mnist/trainer.js";
import { loadNN } from "../web/lib/nnplay.js";
import { preprocess } from "../web/digits/preprocess.js";
import { BOXY, DRAWN, SIDE, handwriting } from "../tests/drawn-digits.mjs";

const nn = await loadNN();
const data = new URL("../web/build/data/", import.meta.url);
const trainer = new MnistTrainer(nn, { fetchFile: async (name) => new Response(await readFile(new URL(name, data))) });
const model = JSON.parse(await readFile(new URL("../web/models/digits-cnn.json", import.meta.url), "utf8"));

const inputs = (drawn) => {
  const x = new Float32Array(drawn.length * 784);
  drawn.forEach((d, j) => x.set(preprocess(d.gray, SIDE, SIDE).input28, j * 784));
  return { x, labels: drawn.map((d) => d.label), n: drawn.length };
};
function accuracy(json, { x, labels, n }) {
  const net = nn.fromJSON(json);
  const out = net.predict(x, n);
  net.delete();
  let right = 0;
  for (let j = 0; j < n; j++) {
    const row = out.subarray(j * 10, j * 10 + 10);
    if (row.indexOf(Math.max(...row)) === labels[j]) right++;
  }
  return `${right}/${n}`;
}

const before = (await trainer.evaluate({ model })).accuracy;
for (const [name, glyphs, other] of [["boxy", BOXY, DRAWN], ["round", DRAWN, BOXY]]) {
  const train = inputs(handwriting(5, 101, { glyphs }));
  const heldOut = inputs(handwriting(10, 202, { glyphs }));
  const otherHand = inputs(handwriting(10, 303, { glyphs: other }));
  const result = await trainer.fineTune({ model, ...train, epochs: 3 });
  console.log(`${name} hand, fine-tuned on 5 per class (${result.seconds.toFixed(1)} s of training, 1 thread): ` +
    `held-out own digits ${accuracy(model, heldOut)} -> ${accuracy(result.model, heldOut)}, ` +
    `the other hand's ${accuracy(model, otherHand)} -> ${accuracy(result.model, otherHand)}, ` +
    `MNIST test ${(100 * before).toFixed(2)}% -> ${(100 * result.evaluation.accuracy).toFixed(2)}%`);
}
