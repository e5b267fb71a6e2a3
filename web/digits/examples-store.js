// The user's own digits (examples.js), kept in IndexedDB so that they survive a reload: one
// record, the whole list (a digit is 784 bytes; thousands fit easily). The session takes it as
// its examples store: { read, write(list) }; Node tests give it one in memory.
import { objectStore } from "./idb.js";

const KEY = "mine";
const run = objectStore("nnplay-digit-examples", "examples", "digits");

/** The kept examples ([] when none). */
async function read() {
  return (await run("readonly", (store) => store.get(KEY))) ?? [];
}

/** Keeps `examples` (the whole list), replacing what was kept. */
function write(examples) {
  return run("readwrite", (store) => store.put(examples.map(({ label, pixels, heldOut }) => ({ label, pixels, heldOut })), KEY));
}

export const examplesStore = Object.freeze({ read, write });
