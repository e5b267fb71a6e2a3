// Runs code from exportCode() outside nnplay: the TF.js module imported in Node and built with
// TensorFlow.js (cpu backend), the Python files compiled by python3. Shared by the Node and
// browser tests of the playground's export.
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";

await tf.setBackend("cpu");
const tfAll = { ...tf, ...tfl, layers: tfl.layers, sequential: tfl.sequential, train: tf.train };

/**
 * Imports the TF.js module text, builds its model and predicts the points (row-major n x 2 raw
 * (x1, x2) coordinates) through its own features(): a Float32Array of the outputs.
 */
export async function predictWithExportedTFJS(code, points) {
  const module = await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
  const model = module.default(tfAll);
  const n = points.length / 2;
  const rows = Array.from({ length: n }, (_, i) => module.features(points[2 * i], points[2 * i + 1]));
  const input = tf.tensor2d(rows);
  const output = model.predict(input);
  const values = await output.data();
  tf.dispose([input, output]);
  model.dispose();
  return { values: Float32Array.from(values), model: module };
}

/** python3 -m py_compile on the text: { ok, message }. */
export async function compilePython(code) {
  const dir = await mkdtemp(join(tmpdir(), "nnplay-export-"));
  try {
    const file = join(dir, "model.py");
    await writeFile(file, code);
    const run = spawnSync("python3", ["-m", "py_compile", file], { encoding: "utf8" });
    return { ok: run.status === 0, message: run.stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The largest |a[i] - b[i]|. */
export const largestDifference = (a, b) => a.reduce((most, v, i) => Math.max(most, Math.abs(v - b[i])), 0);
