// The user's own digits (examples.js), kept in IndexedDB so that they survive a reload: one
// record, the whole list (a digit is 784 bytes; thousands fit easily). The session takes it as
// its examples store: { read, write(list) }; Node tests give it one in memory.

const DATABASE = "nnplay-digit-examples";
const STORE = "examples";
const KEY = "mine";

let database = null;  // Promise<IDBDatabase>

function open() {
  database ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  }).catch((error) => {
    database = null;
    throw new Error(`the browser keeps no digits here (${error?.message ?? "IndexedDB unavailable"})`);
  });
  return database;
}

async function run(mode, use) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = use(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = transaction.onabort = () => reject(transaction.error ?? request.error);
  });
}

/** The kept examples ([] when none). */
async function read() {
  return (await run("readonly", (store) => store.get(KEY))) ?? [];
}

/** Keeps `examples` (the whole list), replacing what was kept. */
function write(examples) {
  return run("readwrite", (store) => store.put(examples.map(({ label, pixels, heldOut }) => ({ label, pixels, heldOut })), KEY));
}

export const examplesStore = Object.freeze({ read, write });
