// One IndexedDB object store of the digits page, opened on first use: run(mode, use) runs one
// request in its own transaction and resolves when the transaction has committed. `what` names
// what the store keeps, for the error when the browser keeps nothing (private modes, file://).
export function objectStore(databaseName, storeName, what) {
  let database = null;  // Promise<IDBDatabase>
  function open() {
    database ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(databaseName, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(storeName);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }).catch((error) => {
      database = null;
      throw new Error(`the browser keeps no ${what} here (${error?.message ?? "IndexedDB unavailable"})`);
    });
    return database;
  }
  return async function run(mode, use) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(storeName, mode);
      const request = use(transaction.objectStore(storeName));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = transaction.onabort = () => reject(transaction.error ?? request.error);
    });
  };
}
