// The phone's storage, in IndexedDB: named state (the enrolment with its device token, the
// key set, the cursor), the outbox of sealed envelopes in recording order, the items the
// pull feed sent, and the family's journal. It implements the store interface of
// APP-CONTRACT.md that js/sync/ is written against. Every write is one IndexedDB
// transaction, which commits durably before its promise resolves: a saved entry survives
// the page being closed the moment after.
const DB_NAME = "homeward";
const DB_VERSION = 1;
const STORES = ["state", "outbox", "items", "journal"];

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function finished(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new Error("transaction aborted"));
  });
}

export function openDatabase(name = DB_NAME) {
  const request = indexedDB.open(name, DB_VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains("state")) db.createObjectStore("state");
    if (!db.objectStoreNames.contains("outbox")) {
      db.createObjectStore("outbox").createIndex("seq", "seq", {unique: true});
    }
    if (!db.objectStoreNames.contains("items")) {
      db.createObjectStore("items").createIndex("type", "type");
    }
    if (!db.objectStoreNames.contains("journal")) {
      db.createObjectStore("journal").createIndex("seq", "seq", {unique: true});
    }
  };
  return promised(request);
}

function outboxKey(record) {
  const key = record.entry_id ?? record.id;
  if (typeof key !== "string") throw new TypeError("an outbox record needs an entry_id");
  return key;
}

// Keeps the order things were first written in: an update keeps its place in the queue.
async function putInOrder(db, storeName, key, value) {
  const transaction = db.transaction(storeName, "readwrite", {durability: "strict"});
  const store = transaction.objectStore(storeName);
  const existing = await promised(store.get(key));
  let seq = existing?.seq;
  if (seq === undefined) {
    const last = await promised(store.index("seq").openCursor(null, "prev"));
    seq = last ? last.value.seq + 1 : 1;
  }
  store.put({seq, value}, key);
  await finished(transaction);
}

async function listInOrder(db, storeName) {
  const transaction = db.transaction(storeName, "readonly");
  const rows = await promised(transaction.objectStore(storeName).index("seq").getAll());
  return rows.map((row) => row.value);
}

async function write(db, storeName, action) {
  const transaction = db.transaction(storeName, "readwrite", {durability: "strict"});
  action(transaction.objectStore(storeName));
  await finished(transaction);
}

/** The store interface over IndexedDB (see APP-CONTRACT.md). */
export async function openStore(name = DB_NAME) {
  const db = await openDatabase(name);
  const itemKey = (type, id) => `${type}\u0000${id}`;
  return {
    db,
    async get(key) {
      return promised(db.transaction("state").objectStore("state").get(key));
    },
    async put(key, value) {
      // null or undefined removes, as the contract's memory store does.
      if (value === null || value === undefined) {
        await write(db, "state", (store) => store.delete(key));
      } else {
        await write(db, "state", (store) => store.put(value, key));
      }
    },
    async delete(key) {
      await write(db, "state", (store) => store.delete(key));
    },
    outbox: {
      async list() {
        return listInOrder(db, "outbox");
      },
      async get(id) {
        const row = await promised(db.transaction("outbox").objectStore("outbox").get(id));
        return row?.value;
      },
      async put(record) {
        await putInOrder(db, "outbox", outboxKey(record), record);
      },
      async remove(id) {
        await write(db, "outbox", (store) => store.delete(id));
      },
    },
    items: {
      async put(type, id, data) {
        await write(db, "items", (store) => store.put({type, id, data}, itemKey(type, id)));
      },
      async get(type, id) {
        const row = await promised(db.transaction("items").objectStore("items").get(itemKey(type, id)));
        return row?.data;
      },
      async delete(type, id) {
        await write(db, "items", (store) => store.delete(itemKey(type, id)));
      },
      async list(type) {
        // [{id, data}] by id, as the contract says (the keys sort by id within a type).
        const index = db.transaction("items").objectStore("items").index("type");
        const rows = await promised(index.getAll(type));
        return rows.map((row) => ({id: row.id, data: row.data}))
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      },
    },
    journal: {
      async put(id, record) {
        await putInOrder(db, "journal", id, record);
      },
      async list() {
        return listInOrder(db, "journal");
      },
    },
    async clear() {
      const transaction = db.transaction(STORES, "readwrite", {durability: "strict"});
      for (const name of STORES) transaction.objectStore(name).clear();
      await finished(transaction);
    },
    close() {
      db.close();
    },
  };
}
