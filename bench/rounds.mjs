// Training on one thread and on every core, or builds against each other, in alternating
// rounds in a process of its own: the measurement behind a change to the threaded core, where
// `npm run bench` measures 0.6 s at a time between its peers.
//
//   node bench/rounds.mjs [--model mlp|cnn] [--rounds 11] [--seconds 1.5] [--samples 1024]
//                         [--threads N] [dir ...]
//
// Each dir holds a build of nnplay (web/lib/nnplay.js and web/build/, as a checkout has them
// after npm run build); without one, this checkout's. Every round measures fit() samples/s of
// the first build on one thread, then each build on every core (or on --threads), in an order
// that alternates from round to round; it prints each round, then the medians of the per-round
// ratios: each build on every core over the first on one thread, and each build over the first,
// both on every core. (With --threads 1, builds against each other on one thread.)
// The bench's data and networks: the first MNIST training images, bench/mlp.json or cnn.json.
import os from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath, pathToFileURL } from "node:url";

import { configs, fitter, median, mnistSamples, rate } from "./peers.mjs";

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: "string", default: "mlp" },
    rounds: { type: "string", default: "11" },
    seconds: { type: "string", default: "1.5" },
    samples: { type: "string", default: "1024" },
    threads: { type: "string" },
  },
});
const positive = (name, integer) => {
  const value = Number(options[name]);
  if (!(value > 0) || (integer && !Number.isInteger(value)))
    throw new Error(`--${name}: expected a positive ${integer ? "integer" : "number"}, got ${options[name]}`);
  return value;
};
if (!["mlp", "cnn"].includes(options.model))
  throw new Error(`--model: expected mlp or cnn, got ${options.model}`);
const rounds = positive("rounds", true), seconds = positive("seconds"), n = positive("samples", true);
const threads = options.threads === undefined ? undefined : positive("threads", true);
const dirs = (positionals.length ? positionals : [fileURLToPath(new URL("../", import.meta.url))])
  .map((d) => resolve(d));

const { x, y } = await mnistSamples(n).catch((error) => {
  throw new Error(`--samples: ${error.message}`);
});

// fit() over the samples, uploaded once, on `threads` threads of the build at dir.
async function trainer(dir, threads) {
  const lib = `${dir}/web/lib/nnplay.js`;
  const { loadNN } = await import(pathToFileURL(lib).href).catch((error) => {
    throw new Error(`${dir}: no build of nnplay to load there (${lib}: ${error.message})`);
  });
  const nn = await loadNN({ threads });
  const fit = fitter(nn, nn.createNetwork(configs[options.model]), { x, y, n });
  return { threads: nn.threads, train: (s) => rate(fit.run, n, s) };
}
const all = [];
for (const dir of dirs) all.push(await trainer(dir, threads));
const cores = all[0].threads;
// On one thread (--threads 1), the first build's own runs are the 1-thread measurement.
const one = cores === 1 ? null : await trainer(dirs[0], 1);
console.log(`${options.model}, ${n} samples, ${rounds} rounds of ${seconds} s, ${os.cpus().length} cores ` +
  `(${threads ? "--threads" : "every core"}: ${cores} threads); build ${dirs.map((d, i) => `${i}: ${d}`).join(", ")}`);

const gains = dirs.map(() => []), versus = dirs.map(() => []);
for (let round = 0; round < rounds; round++) {
  const alone = one?.train(seconds);
  const rates = new Array(dirs.length);
  const order = dirs.map((_, i) => i);
  if (round % 2) order.reverse();
  for (const i of order) rates[i] = all[i].train(seconds);
  const single = alone ?? rates[0];
  const parts = rates.map((r, i) => {
    gains[i].push(r / single);
    versus[i].push(r / rates[0]);
    return `${i}: ${r.toFixed(0)} (${(r / single).toFixed(2)}x)`;
  });
  console.log(`round ${round}: 1 thread ${single.toFixed(0)} samples/s; ${cores} threads ${parts.join(", ")}`);
}
dirs.forEach((_, i) => {
  const against = i ? `, over build 0 ${median(versus[i]).toFixed(3)}x (ahead in ` +
    `${versus[i].filter((v) => v > 1).length} of ${rounds})` : "";
  console.log(`build ${i}: ${cores} threads over 1, median ${median(gains[i]).toFixed(3)}x${against}`);
});
process.exit(0);  // the threaded modules' workers would keep the process alive
