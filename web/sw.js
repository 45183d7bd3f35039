// Communis service worker: keeps the application shell (index.html, the bundle's entry,
// style sheet and preloaded chunks, the manifest and an icon) so that Communis opens at once
// on a repeat visit and still opens, saying it is offline, without a network.
//
// It never touches what is private or live: API calls (/api/…), the WebSocket, feeds and
// recordings go to the network untouched, and no answer of theirs is ever stored.
//
// Versions: `communis serve` writes BUILD below (the bundle's fingerprint and the shell's
// files) when it bundles web/. Without a bundle (development) BUILD stays null and the worker
// does nothing; the page does not even register it then.
//
// Updates: the browser fetches sw.js (never from its HTTP cache) on each visit; a deployed
// version differs in BUILD, so it installs beside the old one, caching its own shell, and
// takes over once no tab runs the old one (no skipWaiting: a running meeting is never
// switched to other code). Then the old version's cache is deleted. So a visit after a deploy
// still opens the version it kept, and the next visit with no old tab left opens the new one.
// Each version's cache holds its own index.html and files: they always belong together.

const BUILD = null;

const PREFIX = 'communis-shell-';
const CACHE = BUILD ? PREFIX + BUILD.version : null;
// A bundle's file names carry a hash of their content (esbuild's [hash]): never stale.
const HASHED = /^\/assets\/[^/]+-[A-Z0-9]{8}\.(js|css|json)$/;

self.addEventListener('install', (event) => {
  if (!BUILD) return;
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(BUILD.shell)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (!BUILD || request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && (url.pathname === '/' || url.pathname === '/index.html')) {
    event.respondWith(shellPage(request, event));
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname === '/manifest.webmanifest' || url.pathname.startsWith('/icons/')) {
    event.respondWith(cacheFirst(request));
  }
  // Anything else — the API above all — is not ours to answer.
});

/**
 * index.html: the kept copy at once (it names only files this version keeps), refreshed from
 * the network behind it for the next visit; the network's when none is kept. A round trip on
 * a slow link is most of a repeat visit's time: this is what makes it open instantly.
 */
async function shellPage(request, event) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match('./');
  const fresh = fetch(request).then(async (response) => {
    // Kept only while it is this version's: a deployed version's page is its worker's to keep.
    if (response.ok && (await response.clone().text()).includes(`content="${BUILD.version}"`)) {
      await cache.put('./', response.clone());
    }
    return response;
  });
  if (kept) {
    event.waitUntil(fresh.catch(() => { /* offline: the kept copy stays */ }));
    return kept;
  }
  return fresh;
}

/** A file that never changes under its name: the kept copy, or the network's (then kept). */
async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

// Web Push (web/lib/push.js subscribes; the server encrypts for this device, RFC 8291).
// Works with or without a bundle: a push message is never cached content.

/** What a push message carries (the server's PushMessage): title, body, url, tag. */
function pushContent(data) {
  let message = {};
  try { message = data ? data.json() : {}; } catch { message = { body: data?.text?.() ?? '' }; }
  const url = typeof message.url === 'string' && message.url.startsWith('/') && !message.url.startsWith('//') ? message.url : '/';
  return {
    title: typeof message.title === 'string' && message.title ? message.title : 'Communis',
    options: {
      body: typeof message.body === 'string' ? message.body : '',
      tag: typeof message.tag === 'string' && message.tag ? message.tag : undefined,
      icon: 'icons/icon-192.png',
      badge: 'icons/icon-192.png',
      data: { url },
    },
  };
}

self.addEventListener('push', (event) => {
  const { title, options } = pushContent(event.data);
  event.waitUntil(self.registration.showNotification(title, options));
});

// A click opens the page the notification is about: in a Communis window already open
// (focused, then taken there), else in a new one.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url ?? '/', self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
    if (open) {
      const focused = await open.focus();
      try {
        await (focused ?? open).navigate(target);
        return;
      } catch {
        // A window this worker does not control cannot be navigated: open the page anew.
      }
    }
    await self.clients.openWindow(target);
  })());
});
