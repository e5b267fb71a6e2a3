// One of the independent 1-thread trainings that measure what the machine's cores give
// (peers.mjs): loads nnplay's single-thread module, builds the network, and answers each
// { seconds } message with the samples/s of fit() over that many seconds. It runs as a worker
// thread (nnplayCopies: its config and samples in workerData) or as a child process
// (nnplayOnCore: they come as its first message).
import { parentPort, workerData } from "node:worker_threads";

import { loadNN } from "../web/lib/nnplay.js";
import { fitter, rate } from "./peers.mjs";

const port = parentPort ?? { on: (event, f) => process.on(event, f), postMessage: (m) => process.send(m) };
const { config, x, y, n } = workerData ?? await new Promise((resolve) => {
  process.once("message", resolve);
  process.once("disconnect", () => process.exit(0));  // the bench is gone
  process.send("waiting");  // (a message sent before the listener would be lost)
});
const nn = await loadNN({ threads: 1 });
const fit = fitter(nn, nn.createNetwork(config), { x, y, n });
rate(fit.run, n, 0.3);  // past the first, slower epochs (V8 compiles the module in tiers)
port.on("message", ({ seconds }) => port.postMessage(rate(fit.run, n, seconds)));
port.postMessage("ready");
