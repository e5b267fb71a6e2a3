// The job profile (nn.profileJobs) of training the bench's MLP or CNN on one thread and on every
// core: for each place in the core that runs a job, its calls and microseconds a step. It shows
// where a step's time goes and what the threads lose: the calling thread's wait for the others'
// pieces, and work that takes longer split than on one thread. Then the phases that a step by
// rows (the MLP) times in each of its parts: what each thread does while the other waits.
//
//   node bench/profile.mjs [--model mlp|cnn] [--seconds 3] [--samples 1024]
//
// Each run trains for a second first (untimed), then for --seconds with the profile on. The
// runs follow each other: for ratios between them, bench/rounds.mjs alternates rounds.
import { parseArgs } from "node:util";

import { loadNN } from "../web/lib/nnplay.js";
import { configs, fitter, mnistSamples } from "./peers.mjs";

const { values: options } = parseArgs({
  options: {
    model: { type: "string", default: "mlp" },
    seconds: { type: "string", default: "3" },
    samples: { type: "string", default: "1024" },
  },
});
if (!["mlp", "cnn"].includes(options.model))
  throw new Error(`--model: expected mlp or cnn, got ${options.model}`);
const seconds = Number(options.seconds), n = Number(options.samples);
if (!(seconds > 0)) throw new Error(`--seconds: expected a positive number, got ${options.seconds}`);
if (!(Number.isInteger(n) && n > 0)) throw new Error(`--samples: expected a positive integer, got ${options.samples}`);

const config = configs[options.model];
const data = await mnistSamples(n).catch((error) => {
  throw new Error(`--samples: ${error.message}`);
});
const stepsPerEpoch = Math.ceil(n / config.batchSize);

// Epochs of fit() for about `s` seconds; returns how many and the seconds they took.
function train(fit, s) {
  let epochs = 0;
  const start = performance.now();
  do {
    fit.run();
    epochs++;
  } while (performance.now() - start < s * 1000);
  return { epochs, seconds: (performance.now() - start) / 1000 };
}

// The profile of training on `threads` threads (undefined: every core), per step.
async function profile(threads) {
  const nn = await loadNN({ threads });
  const net = nn.createNetwork(config);
  const fit = fitter(nn, net, data);
  train(fit, 1);
  nn.profileJobs(true);
  const { epochs, seconds: elapsed } = train(fit, seconds);
  nn.profileJobs(false);
  const steps = epochs * stepsPerEpoch;
  const profile = nn.jobProfile();
  const sites = new Map(profile.filter((s) => !s.phase).map((s) => [s.site, s]));
  const phases = new Map(profile.filter((s) => s.phase).map((s) => [`${s.site} ${s.phase}`, s]));
  fit.dispose();
  net.delete();
  return { threads: nn.threads, steps, stepSeconds: elapsed / steps, sites, phases };
}

const one = await profile(1), all = await profile(undefined);
const us = (value, steps) => (value / steps * 1e6).toFixed(0).padStart(7);
const perStep = (value, steps) => (value / steps).toFixed(2).padStart(7);
console.log(`${options.model}, ${n} samples an epoch in batches of ${config.batchSize}: ` +
  `1 thread ${(one.stepSeconds * 1e6).toFixed(0)} us a step (${one.steps} steps timed), ` +
  `${all.threads} threads ${(all.stepSeconds * 1e6).toFixed(0)} us (${all.steps} steps)`);
console.log(`${"".padEnd(24)}${"1 thread".padStart(15)} | ${`${all.threads} threads`.padStart(15)}`);
console.log(`${"site".padEnd(24)}${"calls".padStart(7)}${"us".padStart(8)} |${"calls".padStart(7)}` +
  `${"shared".padStart(7)}${"us".padStart(7)}${"caller".padStart(7)}${"work".padStart(7)}${"wait".padStart(7)}`);
const rows = [...new Set([...one.sites.keys(), ...all.sites.keys()])];
const total = (profile) => [...profile.sites.values()].reduce((sum, s) => sum + s.seconds, 0);
for (const site of rows) {
  const a = one.sites.get(site), b = all.sites.get(site);
  const left = a ? `${perStep(a.calls, one.steps)}${us(a.seconds, one.steps)}` : "".padEnd(15);
  const right = b ? `${perStep(b.calls, all.steps)}${perStep(b.sharedCalls, all.steps)}${us(b.seconds, all.steps)}` +
    `${us(b.callerSeconds, all.steps)}${us(b.workSeconds, all.steps)}${us(b.waitSeconds, all.steps)}` : "";
  console.log(`${site.padEnd(24)}${left} |${right}`);
}
// The rest of a step: the core's work outside any job, and the JavaScript of fit() calls.
const outside = (p) => us(p.stepSeconds * p.steps - total(p), p.steps);
console.log(`${"outside any job".padEnd(24)}${"".padStart(7)}${outside(one)} |${"".padStart(14)}${outside(all)}`);
// The phases that jobs time themselves (a step by rows: each part's, on whichever thread ran it),
// by the job's site.
const partOf = (key) => Number(key.match(/ part (\d+):/)?.[1] ?? 0);
const phases = [...new Set([...one.phases.keys(), ...all.phases.keys()])]
  .sort((a, b) => partOf(a) - partOf(b));
for (const site of new Set(phases.map((key) => key.split(" ")[0]))) {
  console.log(`${`phases of ${site}`.padEnd(52)}${"calls".padStart(7)}${"us".padStart(8)} |` +
    `${"calls".padStart(7)}${"us".padStart(7)}`);
  for (const key of phases.filter((k) => k.startsWith(`${site} `))) {
    const cells = [[one, 8], [all, 7]].map(([p, width]) => {
      const s = p.phases.get(key);
      return s ? `${perStep(s.calls, p.steps)}${us(s.seconds, p.steps).padStart(width)}` : "".padEnd(7 + width);
    });
    console.log(`  ${key.slice(site.length + 1).padEnd(50)}${cells[0]} |${cells[1]}`);
  }
}
console.log("us: microseconds a step from call to return; calls: a step's calls; shared: of them, " +
  "cut into pieces for more than one thread; caller: the calling thread's time in pieces; " +
  "work: every thread's; wait: the caller's wait for the others' pieces after its own. " +
  "A phase's us: its time a step, on the thread that ran it.");
