// The family app's service worker: the app shell comes from this cache, so the app opens
// and records with no network after the first visit. The server puts `SHELL` (every shell
// file and a version hashed from their bytes) above this line, so a new app version is a
// new worker with a new cache. The outbox and everything else the family has is in
// IndexedDB, which no worker touches: replacing the app loses nothing. The worker has one
// small database of its own, "homeward-due": the times things fall due (no names, no
// answers), for reminding a family while the app is closed (Periodic Background Sync).
/* global SHELL */
const CACHE = `homeward-app-${SHELL.version}`;
const PREFIX = "homeward-app-";
const SCOPE = new URL("./", self.location).pathname;   // "/app/"

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: "reload" so a half-updated HTTP cache never mixes two versions of the shell.
    const urls = ["./", ...SHELL.files.filter((file) => file !== "index.html")];
    await cache.addAll(urls.map((url) => new Request(url, {cache: "reload"})));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // The API is never cached: a pull or push must reach the server or fail visibly.
  if (request.method !== "GET" || url.origin !== self.location.origin ||
      !url.pathname.startsWith(SCOPE) || url.pathname === `${SCOPE}sw.js`) {
    return;
  }
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const key = request.mode === "navigate" || url.pathname === SCOPE ? "./" : request;
    const cached = await cache.match(key, {ignoreSearch: true});
    if (cached) return cached;
    return fetch(request);
  })());
});

self.addEventListener("message", (event) => {
  // The answer goes back on the port the asker sent, if any: it arrives even while the
  // asking page is not (yet) controlled by this worker.
  if (event.data === "version") (event.ports[0] ?? event.source)?.postMessage({version: SHELL.version});
});

// -- reminders while the app is closed (js/ui/closed-reminders.js, js/advice/due-plan.js) --

const PLAN_DB = "homeward-due";
const PERIODIC_TAG = "homeward-due";

function openPlan() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(PLAN_DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore("plan");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function planStore(db, mode) {
  return db.transaction("plan", mode).objectStore("plan");
}

function asked(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// The same as dueToNotify in js/advice/due-plan.js (a classic worker cannot import it).
function dueToNotify(plan, now, notifiedThrough) {
  const after = notifiedThrough ? Date.parse(notifiedThrough) : -Infinity;
  const due = (plan || []).filter((item) => Date.parse(item.due_at) <= now
    && now < Date.parse(item.closes_at) && Date.parse(item.due_at) > after);
  if (!due.length) return null;
  return {due, through: new Date(Math.max(...due.map((item) => Date.parse(item.due_at)))).toISOString()};
}

async function remindDue() {
  if (!self.Notification || Notification.permission !== "granted") return;
  const db = await openPlan();
  try {
    const record = await asked(planStore(db, "readonly").get("plan"));
    const through = await asked(planStore(db, "readonly").get("notified_through"));
    const found = record ? dueToNotify(record.plan, Date.now(), through) : null;
    if (!found) return;
    // With the app on screen, Today already shows it.
    const windows = await self.clients.matchAll({type: "window"});
    if (!windows.some((client) => client.visibilityState === "visible")) {
      await self.registration.showNotification(record.title, {body: record.body, tag: PERIODIC_TAG,
                                                              data: {url: `${SCOPE}#today`}});
    }
    await asked(planStore(db, "readwrite").put(found.through, "notified_through"));
  } finally {
    db.close();
  }
}

self.addEventListener("periodicsync", (event) => {
  if (event.tag === PERIODIC_TAG) event.waitUntil(remindDue());
});

// A tap on any of the app's notifications opens Today (or brings the open app forward).
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({type: "window", includeUncontrolled: true});
    const open = windows.find((client) => new URL(client.url).pathname.startsWith(SCOPE));
    if (open) return open.focus();
    return self.clients.openWindow(`${SCOPE}#today`);
  })());
});
