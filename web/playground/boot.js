// index.html loads this small module before main.js: it starts the training worker, which then
// loads its modules and compiles the WebAssembly while the page's own modules still load.
import { startEarly } from "../lib/worker-supervision.js";

export const earlyWorker = startEarly(new URL("./worker.js", import.meta.url));
