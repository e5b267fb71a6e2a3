// Two views of an MNIST network, shared by the digits page and lesson 004: its first layer's
// weights as pictures, and what it answers on random noise (tutorial 004: confidently wrong).
// Views render what they are given (weights, outputs); they never hold a network.
import { divergingCanvas, grayCanvas, tile } from "./pictures.js";

export const NOISE_SAMPLES = 500;
const NOISE_TILES = 8;
const WEIGHT_TILES = 64;
const percent = (p) => `${Math.round(100 * p)}%`;

/**
 * n images of uniform random pixels and what the network says about them: what NoiseView
 * draws. Runs where the network is (the worker: a CNN takes a second for 500).
 */
export function noiseThrough(net, n = NOISE_SAMPLES) {
  const images = new Float32Array(n * 784);
  for (let i = 0; i < images.length; i++) images[i] = Math.random();
  return { images, outputs: net.predict(images, n) };
}

/**
 * First-layer weights into `tiles`, explained in `note`: one 28 x 28 picture per hidden unit
 * (dense) or one per conv filter. first: getWeights()[0] of the network, { shape, data }.
 */
export function showWeights(first, { tiles: element, note }) {
  const tiles = [];
  if (first.shape.length === 2) {
    const [inputs, units] = first.shape;
    for (let u = 0; u < Math.min(units, WEIGHT_TILES); u++) {
      const column = new Float32Array(inputs);
      for (let i = 0; i < inputs; i++) column[i] = first.data[i * units + u];
      tiles.push(tile(divergingCanvas(column, 28, 28), `unit ${u}`, "tile weight"));
    }
    note.textContent = `What each of the first ${tiles.length} of ${units} hidden units ` +
      "looks for: red pixels raise its input, blue ones lower it.";
  } else {
    const [kh, kw, inC, filters] = first.shape;  // Keras order
    for (let f = 0; f < filters; f++) {
      const kernel = new Float32Array(kh * kw);
      for (let i = 0; i < kh * kw; i++) kernel[i] = first.data[i * inC * filters + f];
      tiles.push(tile(divergingCanvas(kernel, kw, kh), `filter ${f}`, "tile weight kernel"));
    }
    note.textContent = `The ${filters} ${kh}×${kw} filters of the first convolution: ` +
      "red weights respond to ink, blue ones to its absence.";
  }
  element.replaceChildren(...tiles);
}

/**
 * What the network says about random pixels ({ images, outputs } from noiseThrough, or null
 * while they are on their way), and how sure it is: pictures in `tiles`, words in `note`.
 */
export function showNoise(noise, { tiles: element, note }) {
  if (!noise) {
    note.textContent = "Showing the network random noise…";
    return;
  }
  const { images: x, outputs: out } = noise;
  const n = out.length / 10;
  const answers = new Array(10).fill(0);
  let sure = 0;
  const tiles = [];
  for (let j = 0; j < n; j++) {
    const p = out.subarray(j * 10, j * 10 + 10);
    const sum = p.reduce((a, b) => a + b, 0) || 1;  // sigmoid outputs need not sum to 1
    const best = p.indexOf(Math.max(...p));
    answers[best]++;
    sure += p[best] / sum;
    if (j < NOISE_TILES) {
      tiles.push(tile(grayCanvas(x.subarray(j * 784, (j + 1) * 784)), `“${best}” (${percent(p[best] / sum)})`));
    }
  }
  const favourite = answers.indexOf(Math.max(...answers));
  element.replaceChildren(...tiles);
  const meanSure = sure / n;
  note.textContent = `On ${n} images of pure noise the network answers “${favourite}” ` +
    `${percent(answers[favourite] / n)} of the time, on average ${percent(meanSure)} sure. It has ` +
    "no way to say “none of these”: it only knows " +
    (meanSure > 0.5 ? "ten answers, so it is confidently wrong." : "ten answers, so it picks one anyway.");
}
