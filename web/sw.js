// sw.js — the playground offline. The site is static and the engine runs in
// the browser, so after one visit everything it needs is kept in a cache
// named after the build (hsmsim-VERSION) and served from there, with or
// without a network.
//
// One build at a time: VERSION is a hash of every file of the build and
// FILES their list, both written by scripts/build-site.sh. A new build is a
// new sw.js, which the browser notices on a visit; it installs the new
// build's files into a cache of its own and waits. The page offers the
// update (offline.js); taking it reloads every tab at once, so a page never
// runs with the engine of another build. Only then are older caches
// deleted. The API (/api/) always goes to the network.

const VERSION = 'dev';
const FILES = [];
const CACHE = `hsmsim-${VERSION}`;

// key is the cache key of a request: its path relative to the scope, with
// no query ("/?seed=1" is the page), "" for the folder's index.
function key(url) {
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return null;
  let rel = url.pathname.slice(scope.pathname.length);
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  if (rel === 'embed') rel = 'embed.html';
  if (rel.startsWith('api/')) return null;
  return FILES.includes(rel) ? new URL(rel, scope).href : null;
}

self.addEventListener('install', (ev) => {
  ev.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: 'reload' skips the HTTP cache: the files of this build, not
    // a copy the browser kept from an older one.
    await cache.addAll(FILES.map((f) => new Request(new URL(f, self.registration.scope), { cache: 'reload' })));
  })());
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil((async () => {
    for (const k of await caches.keys()) if (k.startsWith('hsmsim-') && k !== CACHE) await caches.delete(k);
  })());
});

self.addEventListener('message', (ev) => {
  if (ev.data && ev.data.hsmsim === 'update') self.skipWaiting();
  if (ev.data && ev.data.hsmsim === 'version' && ev.source) ev.source.postMessage({ hsmsim: 'version', version: VERSION });
});

self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  if (req.method !== 'GET') return;
  const k = key(new URL(req.url));
  if (!k) return;
  ev.respondWith((async () => {
    const hit = await caches.match(k, { cacheName: CACHE });
    return hit || fetch(req);
  })());
});
