// The digits page's own model, kept in IndexedDB so that it survives a reload: one record
// { model (nnplay JSON), name, savedAt (ms since 1970), active } where active says whether the
// page starts with it (false: the user chose the pretrained one). Only a model that loaded
// without error is ever written (session.js sees to it), so a bad file never replaces a good
// saved model. The session takes it as its store: { read, write, setActive, delete }; Node
// tests give it one in memory.
import { objectStore } from "./idb.js";

const KEY = "saved";
const run = objectStore("nnplay-digits", "models", "saved model");

/** The saved record, or null when there is none. */
async function read() {
  return (await run("readonly", (store) => store.get(KEY))) ?? null;
}

/** Keeps a record (a model that loaded fine) as the saved one, replacing the one before. */
function write(record) {
  return run("readwrite", (store) => store.put(record, KEY));
}

/** Whether the page starts with the saved model (true) or the pretrained one (false). */
async function setActive(active) {
  const record = await read();
  if (record) await run("readwrite", (store) => store.put({ ...record, active }, KEY));
}

/** Forgets the saved model (one that no longer loads). */
function forget() {
  return run("readwrite", (store) => store.delete(KEY));
}

export const savedModelStore = Object.freeze({ read, write, setActive, delete: forget });
