// What a page's session publishes: immutable snapshots of its state, each the last one with
// some changes, handed to every subscriber (the page's views) as it comes. No DOM.

export class Snapshots {
  #snapshot;
  #listeners = new Set();

  constructor(initial) {
    this.#snapshot = Object.freeze({ ...initial });
  }

  get snapshot() { return this.#snapshot; }

  /** listener(snapshot) now and after every change; returns a function that unsubscribes. */
  subscribe(listener) {
    this.#listeners.add(listener);
    listener(this.#snapshot);
    return () => this.#listeners.delete(listener);
  }

  /** A Promise of the first snapshot (the current one included) for which predicate holds. */
  until(predicate) {
    return new Promise((resolve) => {
      let unsubscribe = null, found = null;
      unsubscribe = this.subscribe((snapshot) => {
        if (found || !predicate(snapshot)) return;
        found = snapshot;
        unsubscribe?.();
        resolve(snapshot);
      });
      if (found) unsubscribe();
    });
  }

  /** The next snapshot: this one with `changes`. */
  publish(changes) {
    const snapshot = this.#snapshot = Object.freeze({ ...this.#snapshot, ...changes });
    for (const listener of this.#listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        // A view's bug is reported, but never stops the session's command or job.
        queueMicrotask(() => { throw error; });
      }
    }
  }
}
