// One of the independent 1-thread trainings that measure the machine's own gain from its other
// cores (peers.mjs, nnplayCopies): loads nnplay's single-thread module, builds the network, and
// answers each { seconds } message with the samples/s of fit() over that many seconds.
import { parentPort, workerData } from "node:worker_threads";

import { loadNN } from "../web/lib/nnplay.js";
import { fitter, rate } from "./peers.mjs";

const { config, x, y, n } = workerData;
const nn = await loadNN({ threads: 1 });
const fit = fitter(nn, nn.createNetwork(config), { x, y, n });
parentPort.on("message", ({ seconds }) => parentPort.postMessage(rate(fit.run, n, seconds)));
parentPort.postMessage("ready");
