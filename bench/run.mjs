// npm run bench: nnplay's WASM module against the same core built natively, TensorFlow.js and
// ConvNetJS on the same work, in one process and one time window. Prints a table
// and writes bench/results.json.
//
// The machine is shared and its load varies, so every implementation of a row is measured once
// per round, one after the other, and each ratio is the median over rounds of the ratio within a
// round. BENCH_ROUNDS (default 7) and BENCH_SECONDS (per measurement, default 0.6) trade time
// for steadiness.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import { measurePages } from "./pages.mjs";
import { BEFORE_ISSUE_17, configs, convnetjs, median, mnistSamples, native, nnplayBefore, nnplayCopies, nnplayOn,
  nnplayOnCore, rate, tfjsPeer } from "./peers.mjs";

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const seconds = Number(process.env.BENCH_SECONDS ?? 0.6);
const root = new URL("../", import.meta.url);

const cores = Math.min(8, os.availableParallelism());
const impls = {
  "nnplay-wasm": { label: "nnplay WASM (Node, 1 thread)", setup: nnplayOn(1) },
  "nnplay-threads": { label: `nnplay WASM (Node, ${cores} threads)`, setup: nnplayOn(undefined) },
  "machine-copies": { label: `${cores} separate 1-thread runs at once`,
    setup: nnplayCopies(cores) },
  "nnplay-before": { label: `nnplay WASM before issue 17 (${BEFORE_ISSUE_17}, 1 thread)`, setup: nnplayBefore },
  "native-sse2": { label: "same core, native -O3 SSE2", setup: native },
  "tfjs-wasm": { label: "TF.js 4.22 wasm, 1 thread", setup: tfjsPeer("wasm") },
  "tfjs-cpu": { label: "TF.js 4.22 cpu", setup: tfjsPeer("cpu") },
  convnetjs: { label: "ConvNetJS 0.3", setup: convnetjs },
};
// One thread held to each core in turn: what each core gives one thread (peers.mjs, nnplayOnCore).
const coreIds = Array.from({ length: cores }, (_, c) => `core-${c}`);
coreIds.forEach((id, c) => {
  impls[id] = { label: `nnplay WASM, 1 thread on core ${c}`, setup: nnplayOnCore(c) };
});

// name, model, mode, the implementations compared; slow: measured in one round only; first:
// measured first in each round, just before nnplay WASM.
const benchmarks = [
  { name: "MLP 784-128-10 train", model: "mlp", mode: "train", first: "native-sse2",
    impls: ["nnplay-wasm", "nnplay-threads", "machine-copies", ...coreIds, "native-sse2", "tfjs-wasm", "convnetjs"] },
  { name: "CNN train", model: "cnn", mode: "train", first: "nnplay-before",
    impls: ["nnplay-wasm", "nnplay-threads", "machine-copies", ...coreIds, "nnplay-before", "native-sse2",
      "tfjs-wasm", "convnetjs", "tfjs-cpu"],
    slow: ["tfjs-cpu"] },
  { name: "MLP 784-128-10 infer", model: "mlp", mode: "infer",
    impls: ["nnplay-wasm", "native-sse2", "tfjs-wasm", "convnetjs"] },
  { name: "CNN infer", model: "cnn", mode: "infer", first: "tfjs-wasm",
    impls: ["nnplay-wasm", "nnplay-threads", "native-sse2", "tfjs-wasm", "convnetjs"] },
];

async function runBenchmark(bench, data) {
  const setups = {}, samples = {}, notes = {};
  for (const id of bench.impls) {
    samples[id] = [];
    try {
      setups[id] = await impls[id].setup(bench.model, data);
    } catch (error) {
      notes[id] = error.message;
    }
  }
  // Within a round, `first` (the goal's other side) goes just before nnplay WASM and the
  // threaded run just after it: the machine's load drifts within seconds, and a ratio is
  // steadiest between neighbours.
  const order = bench.first ? [bench.first, ...bench.impls.filter((id) => id !== bench.first)]
    : bench.impls;
  for (let round = 0; round < rounds; round++) {
    for (const id of order) {
      if (!setups[id] || notes[id] || (round > 0 && bench.slow?.includes(id))) continue;
      try {
        samples[id].push(await setups[id][bench.mode](seconds));
      } catch (error) {
        notes[id] = `cannot ${bench.mode}: ${error.message}`;
      }
    }
    process.stdout.write(".");
  }
  for (const id of bench.impls) setups[id]?.dispose();
  // Ratios of nnplay WASM to each other implementation, round by round.
  const ours = samples["nnplay-wasm"];
  // The cores' own 1-thread speeds, round by round (where every core was measured): their mean,
  // set against the threaded run, and the slowest over the fastest (the row of one thread ran on
  // one of them, unpinned).
  const perCore = coreIds.filter((c) => samples[c]?.length).map((c) => samples[c]);
  const coreRounds = perCore.length === cores && cores > 1
    ? Array.from({ length: Math.min(...perCore.map((s) => s.length)) }, (_, i) => perCore.map((s) => s[i]))
    : null;
  return bench.impls.map((id) => {
    const row = { name: bench.name, impl: id, samples_per_s: median(samples[id]), ratio_vs: {} };
    if (id === "nnplay-wasm") {
      row.ratio_range_vs = {};
      for (const other of bench.impls.filter((other) => other !== id)) {
        const perRound = samples[other].map((s, i) => (ours[i] ?? ours[0]) / s);
        const ratio = median(perRound);
        if (ratio === null) continue;
        row.ratio_vs[other] = ratio;
        const finite = perRound.filter(Number.isFinite);
        row.ratio_range_vs[other] = [Math.min(...finite), Math.max(...finite)];
      }
    }
    // The threaded run against what the machine gave independent runs in the same round.
    const copies = samples["machine-copies"];
    if (id === "nnplay-threads" && copies?.length) {
      const perRound = samples[id].map((s, i) => s / copies[i]).filter(Number.isFinite);
      if (perRound.length) row.of_machine_gain = median(perRound);
    }
    if (coreRounds && id === "nnplay-threads") {
      row.of_cores_gain = median(coreRounds.map((r, i) => samples[id][i] / (r.reduce((a, b) => a + b) / cores))
        .filter(Number.isFinite));
    }
    if (coreRounds && id === "nnplay-wasm") {
      row.core_spread = median(coreRounds.map((r) => Math.min(...r) / Math.max(...r)));
    }
    if (notes[id]) row.note = notes[id];
    return row;
  });
}

// The playground's heatmap: one predict over a 100 x 100 grid of 2 inputs, 8-8 tanh network.
async function heatmap() {
  const { loadNN } = await import("../web/lib/nnplay.js");
  const net = (await loadNN({ threads: 1 })).createNetwork(configs.heatmap);
  const n = 100 * 100, grid = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    grid[2 * i] = (i % 100) / 50 - 1;
    grid[2 * i + 1] = Math.floor(i / 100) / 50 - 1;
  }
  const perRound = [];
  for (let round = 0; round < rounds; round++) perRound.push(rate(() => net.predict(grid, n), n, seconds));
  net.delete();
  const samplesPerS = median(perRound);
  return { name: "heatmap 100x100 grid, 8-8 net", impl: "nnplay-wasm", samples_per_s: samplesPerS,
    ms_per_call: (n / samplesPerS) * 1000, ratio_vs: {} };
}

// What a page loads of nnplay itself: the WASM module, its glue and the API modules. A
// cross-origin isolated page loads the threaded build (and its worker script), any other page
// the single-thread one; `gzip_bytes` is the larger.
async function pageWeight() {
  const api = ["web/lib/nnplay.js", "web/lib/tfjs.js"];
  const builds = {
    single: ["web/build/nnplay_wasm.wasm", "web/build/nnplay_wasm.js", ...api],
    threads: ["web/build/nnplay_wasm_mt.wasm", "web/build/nnplay_wasm_mt.js",
      "web/build/nnplay_wasm_mt.worker.js", ...api],
  };
  const result = {};
  for (const [build, files] of Object.entries(builds)) {
    let raw = 0, gzip = 0;
    for (const f of files) {
      const bytes = await readFile(new URL(f, root));
      raw += bytes.length;
      gzip += gzipSync(bytes, { level: 9 }).length;
    }
    result[build] = { files, bytes: raw, gzip_bytes: gzip };
  }
  return { ...result, gzip_bytes: Math.max(result.single.gzip_bytes, result.threads.gzip_bytes) };
}

const fmt = (v) => (v === null ? "—" : v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(1));
const times = (r) => (r === undefined ? "" : `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×`);

function printTable(rows, weight) {
  const lines = [["benchmark", "implementation", "samples/s", "nnplay WASM is"]], notes = [];
  let last = "";
  for (const row of rows) {
    const ours = rows.find((r) => r.name === row.name && r.impl === "nnplay-wasm");
    const ratio = ours?.ratio_vs[row.impl];
    // The threaded row is nnplay too: it says how many times faster than one thread it is, and
    // the range over the rounds (the gain of a second core swings most with the machine's load);
    // so does the row of separate runs, the most the machine gave more cores in those rounds.
    const range = ours?.ratio_range_vs?.[row.impl];
    const shown = row.impl === "nnplay-threads" || row.impl === "machine-copies" || coreIds.includes(row.impl)
      ? (ratio === undefined ? "" : `1 thread × ${times(1 / ratio)} (rounds ${(1 / range[1]).toFixed(2)}–${(1 / range[0]).toFixed(2)})`)
      : times(ratio);
    lines.push([row.name === last ? "" : row.name, impls[row.impl].label,
      row.ms_per_call ? `${fmt(row.samples_per_s)} (${row.ms_per_call.toFixed(2)} ms/call)`
        : row.samples_per_s === null ? `— (${notes.push(row.note)})` : fmt(row.samples_per_s),
      shown]);
    last = row.name;
  }
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => String(l[c]).length)));
  for (const l of lines) {
    console.log(l.map((v, c) => (c === 2 || c === 3 ? String(v).padStart(widths[c])
      : String(v).padEnd(widths[c]))).join("  ").trimEnd());
  }
  notes.forEach((note, i) => console.log(`(${i + 1}) ${note}`));
  const kb = (b) => (b / 1024).toFixed(0);
  console.log(`\npage weight (the WASM module, its glue, web/lib/nnplay.js + tfjs.js): ` +
    `${kb(weight.threads.gzip_bytes)} KB gzipped for an isolated page (threads; ${kb(weight.threads.bytes)} KB raw), ` +
    `${kb(weight.single.gzip_bytes)} KB for any other (one thread; ${kb(weight.single.bytes)} KB raw)`);
}

function printPages(pages) {
  if (!pages) {
    console.log("\n(pages not measured: no Chromium at /usr/bin/chromium or CHROMIUM_PATH)");
    return;
  }
  console.log("\npages in headless Chromium:");
  const sites = { web: "web/ (npm start)", dist: "dist/, plain host", "dist+isolation": "dist/, COOP+COEP" };
  for (const { site, page, ms } of pages.interactive) {
    console.log(`  ${page.padEnd(13)} ${sites[site].padEnd(18)} interactive (WASM loaded, page usable) ` +
      `${Math.round(ms)} ms after navigation`);
  }
  for (const { speed, fps, browser_fps: shown, epochs_per_s: eps } of pages.playground) {
    const how = speed === "Infinity" ? "as fast as it goes" : `${speed} epochs/frame`;
    console.log(`  playground, spiral 500 points, 8-8 tanh, ${how.padEnd(18)} ${fps.toFixed(1)} frames/s drawn ` +
      `(the browser showed ${shown.toFixed(1)}), ${Math.round(eps).toLocaleString("en-US")} epochs/s`);
  }
  const cnn = pages.digits_cnn;
  const epochs = cnn.epochs.map((e) => `${e.epoch}: ${(100 * e.testAccuracy).toFixed(2)} %`).join(", ");
  console.log(`  /digits.html, Train the CNN on ${cnn.threads} threads: ` +
    (cnn.reached ? `${(100 * cnn.test_accuracy).toFixed(2)} % test accuracy after epoch ${cnn.epoch}, ` +
      `${cnn.seconds.toFixed(1)} s after Train` : `99 % not reached in ${cnn.seconds.toFixed(1)} s`) +
    ` (test accuracy after each epoch: ${epochs})`);
}

function printGoals(rows, weight, pages) {
  const row = (name, impl) => rows.find((r) => r.name === name && r.impl === impl);
  const ratio = (name, impl) => row(name, "nnplay-wasm")?.ratio_vs[impl];
  // All cores against one thread: the inverse of "1 thread is x times the threaded".
  const threadsGain = (name, impl = "nnplay-threads") => {
    const r = ratio(name, impl);
    return r === undefined ? undefined : 1 / r;
  };
  const ofMachine = (name) => row(name, "nnplay-threads")?.of_machine_gain;
  const ofCores = (name) => row(name, "nnplay-threads")?.of_cores_gain;
  const spread = (name) => row(name, "nnplay-wasm")?.core_spread;
  const heat = rows.find((r) => r.ms_per_call);
  const slowest = (site) => pages && Math.max(...pages.interactive.filter((p) => p.site === site).map((p) => p.ms));
  const paced = pages?.playground.find((p) => p.speed !== "Infinity");
  const cnn = pages?.digits_cnn;
  const goals = [
    ["MLP train, WASM / native SSE2", ratio("MLP 784-128-10 train", "native-sse2"), ">= 1.0", (v) => v >= 1.0],
    ["MLP train, WASM / TF.js wasm", ratio("MLP 784-128-10 train", "tfjs-wasm"), ">= 8", (v) => v >= 8],
    ["CNN train, WASM / ConvNetJS", ratio("CNN train", "convnetjs"), ">= 10", (v) => v >= 10],
    ["CNN infer, WASM / TF.js wasm", ratio("CNN infer", "tfjs-wasm"), ">= 1.2", (v) => v >= 1.2],
    [`MLP train, ${cores} threads / 1`, threadsGain("MLP 784-128-10 train"), ">= 1.7", (v) => v >= 1.7],
    // What the machine gave independent runs in the same rounds, and the threads' share of it.
    [`  ${cores} separate runs / 1`, threadsGain("MLP 784-128-10 train", "machine-copies")],
    [`  ${cores} threads / ${cores} separate`, ofMachine("MLP 784-128-10 train")],
    [`  ${cores} threads / cores' mean`, ofCores("MLP 784-128-10 train")],
    ["  cores, slowest / fastest", spread("MLP 784-128-10 train")],
    [`CNN train, ${cores} threads / 1`, threadsGain("CNN train"), ">= 1.7", (v) => v >= 1.7],
    [`  ${cores} separate runs / 1`, threadsGain("CNN train", "machine-copies")],
    [`  ${cores} threads / ${cores} separate`, ofMachine("CNN train")],
    [`  ${cores} threads / cores' mean`, ofCores("CNN train")],
    ["  cores, slowest / fastest", spread("CNN train")],
    ["CNN train, 1 thread / before 17", ratio("CNN train", "nnplay-before"), ">= 2", (v) => v >= 2],
    ["digits CNN to 99 %, seconds", cnn?.reached ? cnn.seconds : undefined, "<= 60", (v) => v <= 60],
    ["heatmap grid, ms per predict", heat?.ms_per_call, "< 4", (v) => v < 4],
    ["page weight, KB gzipped", weight.gzip_bytes / 1024, "<= 250", (v) => v <= 250],
    // requestAnimationFrame runs at the display's rate: 60 Hz in headless Chromium.
    ["playground frames/s, training", paced?.fps, ">= 59.5", (v) => v >= 59.5],
    ["  drawn / shown by the browser", paced && paced.fps / paced.browser_fps, ">= 0.97", (v) => v >= 0.97],
    ["slowest page interactive, ms", slowest("web") ?? undefined, "<= 1000", (v) => v <= 1000],
    ["  built site, plain host, ms", slowest("dist") ?? undefined, "<= 500", (v) => v <= 500],
  ];
  console.log("\ngoals (issues 6, 17 and 19):");
  for (const [what, value, goal, ok] of goals) {
    const shown = value === undefined ? "n/a" : value.toFixed(2);
    const verdict = !goal ? "(for reference)"
      : `goal ${goal.padEnd(7)} ${value !== undefined && ok(value) ? "met" : "NOT met"}`;
    console.log(`  ${what.padEnd(30)} ${shown.padStart(8)}  ${verdict}`);
  }
}

// Google Benchmark of the native kernels (bench/kernels.cpp), when libbenchmark was there to
// build it: its own table, and {name, items_per_second} in results.json.
function nativeKernels() {
  const binary = fileURLToPath(new URL("build/native/nnplay_kernels", root));
  if (!existsSync(binary)) {
    console.log("\n(build/native/nnplay_kernels not built: install libbenchmark-dev)");
    return [];
  }
  console.log("\nnative kernels (Google Benchmark; GEMM items are FLOP, layer items are samples):");
  const out = execFileSync(binary, ["--benchmark_min_time=0.1", "--benchmark_format=json"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const list = JSON.parse(out).benchmarks.map((b) => ({ name: b.name,
    items_per_second: b.items_per_second, ns_per_iteration: b.real_time }));
  const width = Math.max(...list.map((b) => b.name.length));
  const si = (v) => (v >= 1e9 ? `${(v / 1e9).toFixed(1)} G` : v >= 1e6 ? `${(v / 1e6).toFixed(1)} M`
    : `${(v / 1e3).toFixed(1)} k`);
  for (const b of list) {
    console.log(`  ${b.name.padEnd(width)}  ${(b.ns_per_iteration / 1000).toFixed(0).padStart(7)} us` +
      `  ${si(b.items_per_second).padStart(8)} items/s`);
  }
  return list;
}

async function main() {
  await stat(new URL("build/native/nnplay_train_bench", root)).catch(() => {
    throw new Error("build/native/nnplay_train_bench is missing: run npm run build first");
  });
  const data = await mnistSamples(1024);
  process.stdout.write(`nnplay bench: ${rounds} rounds of ${seconds} s per measurement `);
  const rows = [];
  for (const bench of benchmarks) rows.push(...(await runBenchmark(bench, data)));
  rows.push(await heatmap());
  const weight = await pageWeight();
  const pages = await measurePages();
  console.log("\n");
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model.trim() ?? "unknown CPU"}, ${cpus.length} cores, ` +
    `${os.platform()} ${os.arch()}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  console.log(`machine: ${machine}\n`);
  printTable(rows, weight);
  printPages(pages);
  printGoals(rows, weight, pages);
  const kernels = nativeKernels();
  const results = { machine, rounds, seconds_per_measurement: seconds, page_weight: weight, pages,
    rows, native_kernels: kernels };
  await writeFile(new URL("bench/results.json", root), `${JSON.stringify(results, null, 2)}\n`);
  console.log("\nwrote bench/results.json");
}

await main();
