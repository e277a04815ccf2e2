// The store interface the sync client needs, kept in memory: for tests, and as the
// reference for the IndexedDB store the app uses (js/store.js implements the same).
//
//   get(name) → value | undefined          put(name, value)   (null or undefined removes)
//   outbox.list() → [record]               outbox.put(record) (by record.entry_id)
//   outbox.remove(entryId)
//   items.put(type, id, data)              items.delete(type, id)
//   items.list(type) → [{id, data}], by id clear()  ("Remove this phone")
//
// Every method is async and each call is one write on its own: the client never needs a
// transaction across calls (see outbox.js and pull.js for why that is enough). Values are
// copied in and out, as IndexedDB's structured clone does, so a test catches a client that
// changes a record without writing it back. dump() and createMemoryStore(dumped) carry
// the state across processes, as a phone's storage outlives the page (tests only).
const copy = (value) => (value === undefined ? undefined : structuredClone(value));

export function createMemoryStore(dumped = { state: [], outbox: [], items: [] }) {
  let state = new Map(copy(dumped.state));
  let outbox = new Map(copy(dumped.outbox));
  let items = new Map(copy(dumped.items)); // "type\u0000id" -> {type, id, data}
  const key = (type, id) => `${type}\u0000${id}`;

  return {
    async get(name) { return copy(state.get(name)); },
    async put(name, value) {
      if (value === null || value === undefined) state.delete(name);
      else state.set(name, copy(value));
    },
    outbox: {
      async list() { return [...outbox.values()].map(copy); },
      async put(record) { outbox.set(record.entry_id, copy(record)); },
      async remove(entryId) { outbox.delete(entryId); },
    },
    items: {
      async put(type, id, data) { items.set(key(type, id), { type, id, data: copy(data) }); },
      async delete(type, id) { items.delete(key(type, id)); },
      async list(type) {
        return [...items.values()].filter((item) => item.type === type)
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .map((item) => ({ id: item.id, data: copy(item.data) }));
      },
    },
    async clear() { state = new Map(); outbox = new Map(); items = new Map(); },
    dump() { return copy({ state: [...state], outbox: [...outbox], items: [...items] }); },
  };
}
