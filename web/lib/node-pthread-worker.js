// Node only: runs one of Emscripten's pthread workers (nnplay_wasm_mt.worker.js, written for a
// Web Worker) in a worker_threads thread. nnplay.js starts it in place of `new Worker(url)`.
import { parentPort, workerData } from "node:worker_threads";

globalThis.self = globalThis;
globalThis.location = { href: workerData };
globalThis.postMessage = (message, transfer) => parentPort.postMessage(message, transfer);
// Messages that arrive while the worker script loads wait for its onmessage.
const early = [];
parentPort.on("message", (data) => (globalThis.onmessage ? globalThis.onmessage({ data }) : early.push(data)));
await import(workerData);
for (const data of early.splice(0)) globalThis.onmessage({ data });
