// The family app's service worker: the app shell comes from this cache, so the app opens
// and records with no network after the first visit. The server puts `SHELL` (every shell
// file and a version hashed from their bytes) above this line, so a new app version is a
// new worker with a new cache. The outbox and everything else the family has is in
// IndexedDB, which no worker touches: replacing the app loses nothing.
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
  if (event.data === "version") event.source?.postMessage({version: SHELL.version});
});
