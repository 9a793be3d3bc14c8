/*
 * Lotline's service worker: lets a station tablet reload the app while the network is down, so
 * records queued in IndexedDB are never stranded behind a browser error page.
 *
 * - /assets/* (content-hashed by Vite, never changes): cache first.
 * - Page navigations: network first, the cached app shell (index.html) when offline.
 * - Published form and flow versions (immutable) and the flow and station lists: network first,
 *   cached copy when offline.
 * Everything else (records, trace, sign-in) always goes to the network.
 */
const CACHE = 'lotline-v1';
const SHELL = '/index.html';

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.add(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

/** The page sends the URLs it loaded before this worker controlled it (the first visit). */
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'cache-urls' && Array.isArray(event.data.urls)) {
    const urls = event.data.urls.filter((url) => {
      const parsed = new URL(url);
      return parsed.origin === self.location.origin && parsed.pathname.startsWith('/assets/');
    });
    event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(urls)).catch(() => undefined));
  }
});

const CACHED_API = [
  /^\/api\/forms\/[^/]+\/versions\/\d+$/,
  /^\/api\/flows\/[^/]+\/versions\/\d+$/,
  /^\/api\/flows$/,
  /^\/api\/masterdata\/stations$/,
];

function isHtml(response) {
  return (response.headers.get('Content-Type') || '').startsWith('text/html');
}

/**
 * Network first, the cached copy when offline. For navigations the copy is the app shell, kept
 * only from an HTML answer (a CSV or JSON opened in a tab must never replace it).
 */
async function networkFirst(request, fallback) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && (!fallback || isHtml(response))) {
      await cache.put(fallback ? SHELL : request, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(fallback ? SHELL : request);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') && request.mode === 'navigate') return; // downloads, docs
  if (request.mode === 'navigate') {
    event.respondWith(networkFirst(request, true));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request));
  } else if (CACHED_API.some((pattern) => pattern.test(url.pathname))) {
    event.respondWith(networkFirst(request, false));
  }
});
