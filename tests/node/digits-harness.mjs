// The digits page's session in Node, shared by its tests: MNIST read from web/build/data/ and cut
// to its first few thousand digits so an epoch takes a moment, the MNIST worker's logic
// (web/lib/mnist/trainer.js) in this thread behind the page's client, and in-memory stores.
import { readFile } from "node:fs/promises";
import { gunzipSync, gzipSync } from "node:zlib";
import { Trainer } from "../../web/lib/mnist/client.js";
import { MnistTrainer } from "../../web/lib/mnist/trainer.js";
import { loadNN } from "../../web/lib/nnplay.js";
import { DigitsSession } from "../../web/digits/session.js";

export const nn = await loadNN();
const web = new URL("../../web/", import.meta.url);
export const TRAIN_DIGITS = 3000, TEST_DIGITS = 500;

// web/build/data/ with each split cut to its first digits: { files: name -> bytes, train, test }.
async function mnistSubset() {
  const folder = new URL("build/data/", web);
  const manifest = JSON.parse(await readFile(new URL("mnist.json", folder), "utf8"));
  const files = new Map(), splits = {};
  for (const [split, keep] of [["train", TRAIN_DIGITS], ["test", TEST_DIGITS]]) {
    const { file, n } = manifest.splits[split];
    const bytes = gunzipSync(await readFile(new URL(file, folder)));
    const labels = bytes.subarray(0, keep), images = bytes.subarray(n, n + keep * 784);
    const packed = gzipSync(Buffer.concat([labels, images]));
    files.set(file, packed);
    manifest.splits[split] = { file, n: keep, bytes: packed.length };
    splits[split] = { n: keep, labels, images };
  }
  files.set("mnist.json", Buffer.from(JSON.stringify(manifest)));
  return { files, ...splits };
}
export const mnist = await mnistSubset();
export const fetchFile = async (name) => (mnist.files.has(name) ? new Response(mnist.files.get(name)) :
  new Response("", { status: 404 }));
export const modelFile = async (file) => JSON.parse(await readFile(new URL(`models/${file}`, web), "utf8"));

const CONCURRENT = new Set(["noise", "stop"]);  // as web/lib/mnist/worker.js serves them

/**
 * The MNIST worker in this thread, behind SupervisedWorker's interface: requests run one at a
 * time but noise and stop, answers and events are cloned, and die(reason) kills it as a
 * crash would (open requests fail with workerDied, then onDeath is told).
 */
export class InProcessWorker {
  restarts = 0;
  #onEvent;
  #onDeath;
  #trainer;
  #queue = Promise.resolve();
  #pending = new Set();
  #death = null;

  constructor({ onEvent, onDeath }) {
    this.#onEvent = onEvent;
    this.#onDeath = onDeath;
    this.#trainer = this.#newTrainer();
  }

  #newTrainer() {
    const trainer = new MnistTrainer(nn, { fetchFile,
      post: (event) => { if (trainer === this.#trainer) this.#onEvent(structuredClone(event)); } });
    return trainer;
  }

  request({ type, ...message }, onProgress) {
    if (this.#death) return Promise.reject(this.#death);
    const trainer = this.#trainer;
    const live = () => trainer === this.#trainer;
    return new Promise((resolve, reject) => {
      const open = { reject };
      this.#pending.add(open);
      const run = () => trainer[type](structuredClone(message), (p) => { if (live()) onProgress?.(structuredClone(p)); });
      const answer = CONCURRENT.has(type) ? Promise.resolve().then(run) : (this.#queue = this.#queue.catch(() => {}).then(run));
      answer.then((value) => { if (live() && this.#pending.delete(open)) resolve(structuredClone(value)); },
        (error) => { if (live() && this.#pending.delete(open)) reject(new Error(error.message)); });
    });
  }

  post({ type, ...message }) {
    if (!this.#death) this.#trainer[type](structuredClone(message));
  }

  restart() {
    this.#death = null;
    this.#queue = Promise.resolve();
    this.#trainer = this.#newTrainer();
    this.restarts++;
    return true;
  }

  crash(how) { this.die(`crash test (${how})`); }

  die(reason) {
    this.#death = Object.assign(new Error(`the training worker stopped: ${reason}`), { workerDied: true });
    this.#trainer.stop();  // its training would go on in this thread otherwise
    this.#trainer = null;
    for (const { reject } of this.#pending) reject(this.#death);
    this.#pending.clear();
    this.#onDeath(reason);
  }
}

/** The saved-model store in memory (the page's is IndexedDB, saved-model.js). */
export function memoryStore() {
  const store = {
    record: null,
    read: async () => structuredClone(store.record),
    write: async (record) => { store.record = structuredClone(record); },
    setActive: async (active) => { if (store.record) store.record = { ...store.record, active }; },
    delete: async () => { store.record = null; },
  };
  return store;
}

/** A session on the in-process worker; `pretrained`: the model files that can be fetched. */
export function makeSession({ store = memoryStore(), examples, pretrained = ["digits-cnn.json", "digits-mlp.json"] } = {}) {
  let session = null;
  const worker = new InProcessWorker({ onEvent: (m) => session.workerEvent(m), onDeath: (r) => session.workerDied(r) });
  const fetchModel = (file) => (pretrained.includes(file) ? modelFile(file) : Promise.reject(new Error("HTTP 404")));
  session = new DigitsSession({ trainer: new Trainer(null, null, { worker }), store, fetchModel, nn, examples });
  return { session, worker, store };
}

// The first snapshot for which predicate holds.
export const until = (session, predicate) => new Promise((resolve) => {
  const stop = session.subscribe((s) => {
    if (!predicate(s)) return;
    queueMicrotask(() => stop());
    resolve(s);
  });
});
