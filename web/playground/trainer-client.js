// The page's side of the training worker: one promise per request, answered in order.

export class TrainerClient {
  #worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  #pending = new Map();
  #nextId = 1;

  constructor() {
    this.#worker.onmessage = ({ data }) => {
      const { resolve, reject } = this.#pending.get(data.id);
      this.#pending.delete(data.id);
      if (data.error !== undefined) reject(new Error(data.error));
      else resolve(data);
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      const error = new Error(`the training worker failed: ${event.message ?? "could not start it"}`);
      for (const { reject } of this.#pending.values()) reject(error);
      this.#pending.clear();
    };
  }

  #request(message) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, ...message });
    });
  }

  /**
   * Data for the state and, unless keepNetwork, a new network -> { state, table, points,
   * snapshot }; source: { file, name }, a CSV file to read for it.
   */
  build(state, { keepNetwork = false, source = null } = {}) {
    return this.#request({ type: "build", state, keepNetwork, source });
  }

  /** Up to `epochs` epochs, ending early after budgetMs -> { snapshot }. */
  train(epochs, budgetMs) {
    return this.#request({ type: "train", epochs, budgetMs });
  }

  /** New learning rate and batch size for the next epochs, without a reset. */
  tune(lr, batchSize) {
    return this.#request({ type: "tune", lr, batchSize });
  }

  /** The network as "nnplay" (toJSON) or "tfjs" (toTFJS) -> { model }. */
  exportModel(format) {
    return this.#request({ type: "export", format });
  }

  /** A read model file (lib/model-files.js) checked by the core -> { config, weights }. */
  readModel(model) {
    return this.#request({ type: "read-model", model });
  }
}
