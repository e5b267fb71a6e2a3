// digits.html loads this small module before main.js: the WebAssembly module compiles and the
// training worker starts while the page's own modules still load.
import { loadNN } from "../lib/nnplay.js";
import { startEarly } from "../lib/worker-supervision.js";

// One thread here: the pad's few-millisecond passes gain nothing from more, and the page's
// own thread should never wait on others. The worker trains on every core.
export const nnReady = loadNN({ threads: 1 });
nnReady.catch(() => {});  // main.js awaits it and reports a failure
export const earlyWorker = startEarly(new URL("../lib/mnist/worker.js", import.meta.url));
