// The digits page's own model, kept in IndexedDB so that it survives a reload: one record
// { model (nnplay JSON), name, savedAt (ms since 1970), active } where active says whether the
// page starts with it (false: the user chose the pretrained one). Only a model that loaded
// without error is ever written (session.js sees to it), so a bad file never replaces a good
// saved model. The session takes it as its store: { read, write, setActive, delete }; Node
// tests give it one in memory.

const DATABASE = "nnplay-digits";
const STORE = "models";
const KEY = "saved";

let database = null;  // Promise<IDBDatabase>

function open() {
  database ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  }).catch((error) => {
    database = null;
    throw new Error(`the browser keeps no saved model here (${error?.message ?? "IndexedDB unavailable"})`);
  });
  return database;
}

// One request in its own transaction; resolves when the transaction has committed.
async function run(mode, use) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = use(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = transaction.onabort = () => reject(transaction.error ?? request.error);
  });
}

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
