// The page's side of the MNIST training worker (worker.js, requests as trainer.js lists them),
// for the digits page and lesson 004: requests become Promises, progress messages become
// callbacks. When the worker dies (lib/worker-supervision.js) every open request fails with an
// Error marked workerDied, and so does every new one until restart().
import { SupervisedWorker } from "../worker-supervision.js";

export class Trainer {
  #worker;

  /**
   * onEvent(message) receives the worker's messages that answer no request (data-progress,
   * data-ready); onDeath(reason) is told when the worker died. early: the worker a page
   * started with startEarly (lib/worker-supervision.js) while its modules loaded, if any.
   * worker: something else with SupervisedWorker's request, post, restart and crash to talk
   * to instead of a module Worker (Node tests: trainer.js in-process); it then tells the
   * events and the death itself.
   */
  constructor(onEvent, onDeath, { early = null, worker = null } = {}) {
    this.#worker = worker ?? new SupervisedWorker(new URL("./worker.js", import.meta.url), {
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
   * Trains a new network: options { kind, epochs, optimizer, lr, batchSize, augment, seed, run };
   * onProgress gets { what: "chunk" | "epoch", ... } (trainer.js). Resolves to { model, seconds,
   * stopped, testAccuracy, evaluation }. run: any number or string naming this training for stop.
   */
  train(options, onProgress) { return this.#worker.request({ type: "train", ...options }, onProgress); }

  /**
   * Fine-tunes a saved model on the user's digits mixed with MNIST: options { model, x, labels,
   * n, epochs, seed }; onProgress gets { what: "fine-tune", epoch, seen, total }. Resolves to
   * { model, seconds, evaluation }.
   */
  fineTune(options, onProgress) { return this.#worker.request({ type: "fineTune", ...options }, onProgress); }

  /**
   * Asks a training to stop after its current chunk (it still resolves): the one named `run`,
   * even if it has not started yet, or else the one under way.
   */
  stop(run) { this.#worker.post({ type: "stop", run }); }
}
