// The jury's service worker, served as /jury/sw.js so that its scope covers the jury pages.
// It keeps a copy of each jury page the juror opens (network first: the copy is used only when
// the network fails) and of the static files those pages use (the copy first, refreshed in
// the background), so that a score sheet reloaded without a connection still shows, and its
// script can restore the scores kept in localStorage. Saves (POST) always go to the network.
const CACHE = "jury-pages-v1";
const PAGE_TIMEOUT_MS = 6000; // venue Wi-Fi that is "connected" but carries nothing: use the copy
const STATIC_DESTINATIONS = new Set(["style", "script", "font", "image", "manifest"]);
const SCOPE_PATH = new URL(self.registration.scope).pathname;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith("jury-pages-") && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

const isPage = (response) => response.ok && !response.redirected
  && (response.headers.get("Content-Type") || "").startsWith("text/html");

const keep = async (request, response) => {
  const cache = await caches.open(CACHE);
  await cache.put(request, response);
};

const withTimeout = (promise, ms) => new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("timeout")), ms);
  promise.then((value) => { clearTimeout(timer); resolve(value); },
    (error) => { clearTimeout(timer); reject(error); });
});

const page = async (event) => {
  const network = fetch(event.request);
  try {
    const response = await withTimeout(network, PAGE_TIMEOUT_MS);
    // A jury page (not a file download, not the sign-in page after a redirect) is kept.
    if (isPage(response)) event.waitUntil(keep(event.request, response.clone()));
    return response;
  } catch (error) {
    const copy = await caches.match(event.request, { ignoreVary: true });
    if (copy) return copy;
    return network; // no copy: the browser shows its own "no connection" page
  }
};

const staticFile = async (event) => {
  const copy = await caches.match(event.request, { ignoreVary: true });
  const fresh = fetch(event.request).then((response) => {
    if (response.ok) return keep(event.request, response.clone()).then(() => response);
    return response;
  });
  if (copy) {
    event.waitUntil(fresh.catch(() => undefined));
    return copy;
  }
  return fresh;
};

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith(SCOPE_PATH)) {
    event.respondWith(page(event));
  } else if (STATIC_DESTINATIONS.has(request.destination)) {
    event.respondWith(staticFile(event));
  }
});

// The page that registered the worker was loaded before the worker ran: it asks for itself
// and the files it loaded to be kept (same-origin addresses only).
self.addEventListener("message", (event) => {
  const urls = (event.data && event.data.keep) || [];
  const own = urls.filter((address) => new URL(address, self.location.href).origin === self.location.origin);
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(own.map(async (address) => {
      try {
        const response = await fetch(address, { credentials: "same-origin" });
        const destination = new URL(address, self.location.href);
        if (response.ok && !response.redirected
            && (!destination.pathname.startsWith(SCOPE_PATH) || isPage(response))) {
          await cache.put(address, response);
        }
      } catch (error) {
        // offline now: the page is kept the next time it loads
      }
    }));
  })());
});
