// The built site's service worker: scripts/build-site.mjs writes it to dist/sw.js behind four
// constants: VERSION (a hash of every precached file's name and bytes), PRECACHE (those files,
// relative to the site's root), ON_DEMAND (a pattern for the files kept only once a page has
// downloaded them: MNIST) and DATA_VERSION (a hash of those).
//
// Offline: every page, bundle, WASM build and model is stored at install, MNIST when it is
// first downloaded; the service worker answers for those files from its caches and leaves every
// other request to the network.
// Updates: a new release is a new sw.js (another VERSION) that installs into a cache of its own
// while the pages open now keep the old one. It takes over only when none of them is left (no
// skipWaiting), then deletes the old caches: a page and every file it loads afterwards (workers,
// WASM) come from one release, never a mix.

const root = new URL("./", self.location.href);  // sw.js sits at the site's root
// Caches are per origin: the scope in the names keeps two sites on one host (GitHub Pages
// projects) apart.
const CACHE = `nnplay ${root.pathname} ${VERSION}`;
const DATA_CACHE = `nnplay ${root.pathname} data ${DATA_VERSION}`;
const PRECACHED = new Set(PRECACHE);

// A response a host reached through a redirect (/digits.html -> /digits) cannot answer a
// navigation: keep a copy that does not say so.
async function storable(response) {
  if (!response.redirected) return response;
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText,
    headers: response.headers });
}

async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(PRECACHE.map(async (path) => {
    const url = new URL(path, root);
    const response = await fetch(url, { cache: "reload" });  // not an older copy from the HTTP cache
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    await cache.put(url, await storable(response));
  }));
}

async function deleteOldCaches() {
  const ours = `nnplay ${root.pathname} `;
  for (const name of await caches.keys()) {
    if (name.startsWith(ours) && name !== CACHE && name !== DATA_CACHE) await caches.delete(name);
  }
}

self.addEventListener("install", (event) => event.waitUntil(precache()));
self.addEventListener("activate", (event) =>
  event.waitUntil(deleteOldCaches().then(() => self.clients.claim())));

function bodiless(response, method) {
  return method === "HEAD" ? new Response(null, { status: response.status, headers: response.headers }) : response;
}

// From the cache, else (a cache the browser evicted) from the network.
async function cached(cacheName, url, request, keep) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(url, { ignoreMethod: true });
  if (hit) return bodiless(hit, request.method);
  const response = await fetch(request);
  if (keep && request.method === "GET" && response.ok) await cache.put(url, await storable(response.clone()));
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" && request.method !== "HEAD") return;
  const url = new URL(request.url);
  if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) return;
  let path = url.pathname.slice(root.pathname.length);
  if (path === "" || path.endsWith("/")) path += "index.html";
  const key = new URL(path, root).href;  // no query, no fragment: one file, one entry
  if (PRECACHED.has(path)) event.respondWith(cached(CACHE, key, request, false));
  else if (ON_DEMAND.test(path)) event.respondWith(cached(DATA_CACHE, key, request, true));
});
