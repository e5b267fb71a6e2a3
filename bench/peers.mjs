// The implementations `npm run bench` compares, each behind one interface:
//
//   const impl = await setup(model, data)   // model: "mlp" | "cnn", data: { x, y, labels, n }
//   await impl.train(seconds) -> samples/s  // SGD, batch 64, over the n samples
//   await impl.infer(seconds) -> samples/s  // forward only, inferBatch samples per call
//
// nnplay and native train whole shuffled epochs (fit(), as the pages do, gathering each batch;
// nnplay on samples uploaded into its memory once, nn.upload); the peers train one prepared
// batch per call, which spares them the gathering.
// nnplay runs its WASM module through the public API (fit/predict), on one thread and on every
// core; native runs the same C++
// core built with g++ -O3 (SSE2 baseline) as a child process; TF.js runs tfjs-core ops under
// optimizer.minimize (its fastest training path, no Layers overhead) on its wasm backend with one
// thread or its cpu backend; ConvNetJS trains sample by sample as its Trainer is meant to.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

import { readMnist } from "../scripts/mnist-data.mjs";

const require = createRequire(import.meta.url);
const root = new URL("../", import.meta.url);
export const configs = {
  mlp: JSON.parse(readFileSync(new URL("bench/mlp.json", root))),
  cnn: JSON.parse(readFileSync(new URL("bench/cnn.json", root))),
  heatmap: JSON.parse(readFileSync(new URL("bench/heatmap.json", root))),
};
export const batchSize = 64;
export const inferBatch = 1000;

// The first n MNIST training images (pixels scaled to [0, 1]) with one-hot targets and labels.
export async function mnistSamples(n) {
  const { labels, images } = await readMnist("train");
  if (n > labels.length) throw new Error(`MNIST has ${labels.length} training images, asked for ${n}`);
  const x = new Float32Array(n * 784), y = new Float32Array(n * 10);
  for (let i = 0; i < n * 784; i++) x[i] = images[i] / 255;
  for (let i = 0; i < n; i++) y[i * 10 + labels[i]] = 1;
  return { x, y, labels: Array.from(labels.subarray(0, n)), n };
}

// The median of the finite values, or null where there is none.
export const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// Calls fn (which handles `samples` samples) once to warm up, then until `seconds` have passed.
export function rate(fn, samples, seconds) {
  fn();
  let done = 0;
  const start = performance.now();
  do {
    fn();
    done += samples;
  } while (performance.now() - start < seconds * 1000);
  return done / ((performance.now() - start) / 1000);
}

// nnplay's WASM through the public API on `threads` threads (undefined: every core, as loadNN()
// chooses).
export const nnplayOn = (threads) => async (model, data) => {
  const { loadNN } = await import("../web/lib/nnplay.js");
  return nnplayNetwork(await loadNN({ threads }), model, data);
};

// An nnplay network (of any version of the API: fit, predict, delete) behind the interface.
function nnplayNetwork(nn, model, { x, y, n }) {
  const net = nn.createNetwork(configs[model]);
  const fit = fitter(nn, net, { x, y, n });
  return {
    train: (s) => rate(fit.run, n, s),
    infer: (s) => rate(() => net.predict(x.subarray(0, inferBatch * 784), inferBatch),
      inferBatch, s),
    dispose: () => {
      fit.dispose();
      net.delete();
    },
  };
}

// One epoch of fit() over the samples, uploaded into WASM memory once where the API has
// nn.upload (as the peers train on their own tensors); an older API copies them in each call.
export function fitter(nn, net, { x, y, n }) {
  const data = nn.upload?.({ x, y, n });
  return {
    run: data ? () => net.fit({ data, epochs: 1, batchSize })
      : () => net.fit({ x, y, n, epochs: 1, batchSize }),
    dispose: () => data?.delete(),
  };
}

// What the machine itself gives from more cores, in the same round as the threaded run:
// `copies` independent 1-thread trainings of the same network at once (worker threads sharing
// nothing), their samples/s summed. On a machine whose cores are all free this is `copies` times
// one run; on a shared one it is what the other cores had left. The threaded run cannot beat it.
export const nnplayCopies = (copies) => async (model, { x, y, n }) => {
  const workers = [];
  for (let i = 0; i < copies; i++) {
    const worker = new Worker(new URL("copy-worker.mjs", import.meta.url),
      { workerData: { config: configs[model], x, y, n } });
    workers.push(worker);
    await reply(worker);  // "ready"
  }
  return {
    train: async (seconds) => (await Promise.all(workers.map((w) => reply(w, { seconds }))))
      .reduce((sum, rate) => sum + rate, 0),
    infer: () => { throw new Error("measured for training only"); },
    dispose: () => workers.forEach((worker) => worker.terminate()),
  };
};

// One 1-thread training held to core `core` (a child process under taskset): what each core
// gives one thread. On a shared virtual machine the cores need not be alike, and one thread runs
// wherever the system puts it, so the threaded run's gain over one thread depends on that core;
// set against every core's own speed, in the same rounds, it does not.
export const nnplayOnCore = (core) => async (model, { x, y, n }) => {
  const child = spawn("taskset", ["--cpu-list", String(core), process.execPath,
    fileURLToPath(new URL("copy-worker.mjs", import.meta.url))],
  { stdio: ["ignore", "inherit", "pipe", "ipc"], serialization: "advanced" });
  let stderr = "";
  child.stderr.on("data", (chunk) => { stderr += chunk; });
  try {
    await reply(child);  // "waiting"
    await reply(child, { config: configs[model], x, y, n });  // "ready"
  } catch (error) {
    child.kill();
    await new Promise((resolve) => {  // for its last words on stderr
      child.once("close", resolve);
      setTimeout(resolve, 1000).unref();
    });
    throw new Error(`1 thread on core ${core}: ${error.message}${stderr ? ` (${stderr.trim().split("\n").at(-1)})` : ""}`);
  }
  return {
    train: (seconds) => reply(child, { seconds }),
    infer: () => { throw new Error("measured for training only"); },
    dispose: () => child.kill(),
  };
};

// A worker's or a child process's next message (posting `message` first, if given), or its
// error, or its exit before it answered.
function reply(peer, message) {
  return new Promise((resolve, reject) => {
    const done = () => {
      peer.off("message", onMessage);
      peer.off("error", onError);
      peer.off("exit", onExit);
    };
    const onMessage = (value) => {
      done();
      resolve(value);
    };
    const onError = (error) => {
      done();
      reject(error);
    };
    const onExit = (code) => {
      done();
      reject(new Error(`it exited (code ${code})`));
    };
    peer.on("message", onMessage);
    peer.on("error", onError);
    peer.on("exit", onExit);
    if (message) peer.postMessage ? peer.postMessage(message) : peer.send(message);
  });
}

// The core as it was before performance round two (issue 17): the commit before its first change,
// whose single-thread WASM module is built once from the git history into build/bench-before/
// (about a minute; a checkout without the history, or without Emscripten, gets a note instead).
export const BEFORE_ISSUE_17 = "652a68c";

export async function nnplayBefore(model, data) {
  const dir = fileURLToPath(new URL("build/bench-before/", root));
  const lib = new URL("web/lib/nnplay.js", pathToFileURL(dir));
  if (!existsSync(new URL("web/build/nnplay_wasm.wasm", pathToFileURL(dir)))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const sh = (script) => execFileSync("bash", ["-c", script, "_", fileURLToPath(root), dir, BEFORE_ISSUE_17],
      { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NODE_PATH: "/usr/share/nodejs" } });
    try {
      sh('git -C "$1" archive "$3" | tar -x -C "$2"');
      sh('cd "$2" && emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release && ' +
        'cmake --build build/wasm -j"$(nproc)" --target nnplay_wasm');
    } catch (error) {
      throw new Error(`could not build ${BEFORE_ISSUE_17}: ${String(error.stderr ?? error.message).trim().split("\n").at(-1)}`);
    }
  }
  const { loadNN } = await import(lib.href);
  return nnplayNetwork(await loadNN(), model, data);
}

const nativeBinary = fileURLToPath(new URL("build/native/nnplay_train_bench", root));

export async function native(model, data) {
  const config = fileURLToPath(new URL(`bench/${model}.json`, root));
  const run = (mode, seconds) => JSON.parse(execFileSync(nativeBinary,
    [config, mode, String(mode === "train" ? data.n : inferBatch), String(seconds)],
    { encoding: "utf8" })).samples_per_s;
  return { train: (s) => run("train", s), infer: (s) => run("infer", s), dispose() {} };
}

let tf = null;
async function tfjs(backend) {
  if (!tf) {
    tf = await import("@tensorflow/tfjs-core");
    await import("@tensorflow/tfjs-layers");  // registers the gradients tfjs-core's bundle lacks
    await import("@tensorflow/tfjs-backend-cpu");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    wasm.setThreadsCount(1);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} did not load`);
  return tf;
}

function tfjsParameters(tf, model) {
  const he = (shape, fanIn) => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn)));
  const zeros = (k) => tf.variable(tf.zeros([k]));
  if (model === "mlp") return [he([784, 128], 784), zeros(128), he([128, 10], 128), zeros(10)];
  return [he([5, 5, 1, 8], 25), zeros(8), he([5, 5, 8, 16], 200), zeros(16),
    he([7 * 7 * 16, 10], 784), zeros(10)];
}

function tfjsLogits(tf, model, p, x) {
  if (model === "mlp") {
    return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, p[0]), p[1])), p[2]), p[3]);
  }
  let h = tf.reshape(x, [-1, 28, 28, 1]);
  h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, p[0], 1, "same"), p[1])), 2, 2, "valid");
  h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, p[2], 1, "same"), p[3])), 2, 2, "valid");
  return tf.add(tf.matMul(tf.reshape(h, [-1, 7 * 7 * 16]), p[4]), p[5]);
}

// backend: "wasm" | "cpu". train() throws when the backend lacks a kernel the gradient needs.
export function tfjsPeer(backend) {
  return async (model, data) => {
    const tf = await tfjs(backend);
    const p = tfjsParameters(tf, model);
    const batches = [];
    for (let start = 0; start < data.n; start += batchSize) {
      const count = Math.min(batchSize, data.n - start);
      batches.push([tf.tensor2d(data.x.subarray(start * 784, (start + count) * 784), [count, 784]),
        tf.tensor2d(data.y.subarray(start * 10, (start + count) * 10), [count, 10]), count]);
    }
    const all = tf.tensor2d(data.x.subarray(0, inferBatch * 784), [inferBatch, 784]);
    const optimizer = tf.train.sgd(configs[model].optimizer.lr);
    let next = 0;
    const step = () => {
      const [x, y] = batches[next++ % batches.length];
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, tfjsLogits(tf, model, p, x)));
    };
    // Both backends live in one process: select this one before each measurement.
    return {
      train: async (s) => (await tfjs(backend)) && rate(step, batchSize, s),
      infer: async (s) => (await tfjs(backend)) &&
        rate(() => tf.tidy(() => tfjsLogits(tf, model, p, all)).dataSync(), inferBatch, s),
      dispose: () => tf.dispose([...p, all, ...batches.flatMap(([x, y]) => [x, y])]),
    };
  };
}

export async function convnetjs(model, data) {
  const cnn = require("convnetjs");
  const layers = [{ type: "input", out_sx: 28, out_sy: 28, out_depth: 1 }];
  if (model === "mlp") {
    layers.push({ type: "fc", num_neurons: 128, activation: "relu" });
  } else {
    for (const filters of [8, 16]) {
      layers.push({ type: "conv", sx: 5, filters, stride: 1, pad: 2, activation: "relu" },
        { type: "pool", sx: 2, stride: 2 });
    }
  }
  layers.push({ type: "softmax", num_classes: 10 });  // ConvNetJS adds the dense layer before it
  const net = new cnn.Net();
  net.makeLayers(layers);
  const trainer = new cnn.Trainer(net, { method: "sgd", learning_rate: configs[model].optimizer.lr,
    batch_size: batchSize, momentum: 0, l2_decay: 0 });
  // A Vol stores w[(y * 28 + x) * depth + d]: MNIST's row-major pixels as they are.
  const vols = [];
  for (let i = 0; i < data.n; i++) {
    const v = new cnn.Vol(28, 28, 1, 0);
    v.w.set(data.x.subarray(i * 784, (i + 1) * 784));
    vols.push(v);
  }
  let next = 0;
  const step = () => {
    for (let i = 0; i < batchSize; i++, next = (next + 1) % data.n) {
      trainer.train(vols[next], data.labels[next]);
    }
  };
  const infer = () => {
    for (let i = 0; i < inferBatch; i++) net.forward(vols[i], false);
  };
  return {
    train: (s) => rate(step, batchSize, s),
    infer: (s) => rate(infer, inferBatch, s),
    dispose() {},
  };
}
