// digits.html loads this small module before main.js: the WebAssembly module compiles and the
// training worker starts while the page's own modules still load.
import { loadNN } from "../lib/nnplay.js";
import { startEarly } from "../lib/worker-supervision.js";

export const nnReady = loadNN();
nnReady.catch(() => {});  // main.js awaits it and reports a failure
export const earlyWorker = startEarly(new URL("../lib/mnist/worker.js", import.meta.url));
