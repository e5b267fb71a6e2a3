// The page's side of the training worker: one promise per request, answered in order. When
// the worker dies (lib/worker-supervision.js) every open request fails with an Error marked
// workerDied, and so does every new one until the page calls restart().
import { SupervisedWorker } from "../lib/worker-supervision.js";
import { earlyWorker } from "./boot.js";

export class TrainerClient {
  #worker;

  /** onDeath(reason): the worker died; the page restores its state after restart(). */
  constructor({ onDeath }) {
    this.#worker = new SupervisedWorker(new URL("./worker.js", import.meta.url), {
      reply: (data) => ({ done: true, error: data.error }),
      onDeath,
      early: earlyWorker,
    });
  }

  /** A new worker after a death (it holds nothing yet: build first); false if none can start. */
  restart() {
    return this.#worker.restart();
  }

  /** Kills the worker on purpose (tests): "error", "memory" or "hang" (SupervisedWorker.crash). */
  crash(how) {
    this.#worker.crash(how);
  }

  /**
   * Data for the state and, unless keepNetwork, a new network -> { state, table, points,
   * snapshot }; source: { file, name }, a CSV file to read for it.
   */
  build(state, { keepNetwork = false, source = null } = {}) {
    return this.#worker.request({ type: "build", state, keepNetwork, source });
  }

  /** Up to `epochs` epochs, ending early after budgetMs -> { snapshot }. */
  train(epochs, budgetMs) {
    return this.#worker.request({ type: "train", epochs, budgetMs });
  }

  /** New learning rate and batch size for the next epochs, without a reset. */
  tune(lr, batchSize) {
    return this.#worker.request({ type: "tune", lr, batchSize });
  }

  /** The network as "nnplay" (toJSON) or "tfjs" (toTFJS) -> { model }. */
  exportModel(format) {
    return this.#worker.request({ type: "export", format });
  }

  /** A read model file (lib/model-files.js) checked by the core -> { config, weights }. */
  readModel(model) {
    return this.#worker.request({ type: "read-model", model });
  }

  /** The worker's WebAssembly memory -> { heapBytes, inUseBytes } (nn.memory()). */
  memory() {
    return this.#worker.request({ type: "memory" });
  }
}
