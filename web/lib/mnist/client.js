// The page's side of the MNIST training worker (worker.js), for the digits page and lesson 004:
// requests become Promises, progress messages become callbacks. When the worker dies (lib/worker-supervision.js) every open
// request fails with an Error marked workerDied, and so does every new one until restart().
import { SupervisedWorker } from "../worker-supervision.js";

export class Trainer {
  #worker;

  /**
   * onEvent(message) receives the worker's messages that answer no request (data-progress,
   * data-ready); onDeath(reason) is told when the worker died. early: the worker a page
   * started with startEarly (lib/worker-supervision.js) while its modules loaded, if any.
   */
  constructor(onEvent, onDeath, { early = null } = {}) {
    this.#worker = new SupervisedWorker(new URL("./worker.js", import.meta.url), {
      onEvent,
      onDeath,
      early,
    });
  }

  /** A new worker after a death (it holds no data yet: loadData first); false if none can start. */
  restart() {
    return this.#worker.restart();
  }

  /** Kills the worker on purpose (tests): "error", "memory" or "hang" (SupervisedWorker.crash). */
  crash(how) {
    this.#worker.crash(how);
  }

  /** Loads MNIST in the worker; progress and the test set arrive as events. */
  loadData() { return this.#worker.request({ type: "load" }); }

  /** Test-set { accuracy, loss, predicted, confidence } of a saved model (net.toJSON()). */
  evaluate(model) { return this.#worker.request({ type: "evaluate", model }); }

  /** { images, outputs } of n random-noise images through a saved model (net.toJSON()). */
  noise(model, n) { return this.#worker.request({ type: "noise", model, n }); }

  /**
   * Trains a new network: options { kind, epochs, optimizer, lr, batchSize, augment, seed };
   * onProgress gets { what: "chunk" | "epoch", ... } (worker.js). Resolves to { model, seconds, stopped,
   * testAccuracy, evaluation }.
   */
  train(options, onProgress) { return this.#worker.request({ type: "train", ...options }, onProgress); }

  /** Asks a running training to stop after its current chunk; it still resolves. */
  stop() { this.#worker.post({ type: "stop" }); }
}
