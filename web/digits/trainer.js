// The page's side of the training worker (worker.js): requests become Promises, progress
// messages become callbacks.

export class Trainer {
  #worker;
  #pending = new Map();  // id -> { resolve, reject, onMessage }
  #nextId = 1;

  /** onEvent(message) receives the worker's messages that answer no request (data-progress, data-ready). */
  constructor(onEvent) {
    this.#worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.#worker.onmessage = ({ data }) => {
      const request = data.id !== undefined && this.#pending.get(data.id);
      if (!request) return onEvent(data);
      if (data.type === "result" || data.type === "error") {
        this.#pending.delete(data.id);
        if (data.type === "error") request.reject(new Error(data.message));
        else request.resolve(data);
      } else {
        request.onMessage?.(data);
      }
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      const error = new Error(`the training worker failed: ${event.message || "it could not start"}`);
      for (const request of this.#pending.values()) request.reject(error);
      this.#pending.clear();
      onEvent({ type: "error", message: error.message });
    };
  }

  #request(message, onMessage) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, onMessage });
      this.#worker.postMessage({ ...message, id });
    });
  }

  /** Loads MNIST in the worker; progress and the test set arrive as events. */
  loadData() { return this.#request({ type: "load" }); }

  /** Test-set { accuracy, loss, predicted, confidence } of a saved model (net.toJSON()). */
  evaluate(model) { return this.#request({ type: "evaluate", model }); }

  /**
   * Trains a new network: options { kind, epochs, optimizer, lr, batchSize, augment, seed };
   * onMessage gets "progress" and "epoch" messages. Resolves to { model, seconds, stopped,
   * testAccuracy, evaluation }.
   */
  train(options, onMessage) { return this.#request({ type: "train", ...options }, onMessage); }

  /** Asks a running training to stop after its current chunk; it still resolves. */
  stop() { this.#worker.postMessage({ type: "stop" }); }
}
