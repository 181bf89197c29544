// The app's service worker: keeps the shell (page, script, styles, icon) so the installed app opens
// offline and reconnects by itself. It never caches the socket, sign-in or anything a person said:
// those come live from the relay. Typed loosely on purpose: the app's tsconfig has the DOM, not the worker.
const worker = self as any;

const VERSION = new URL(worker.location.href).searchParams.get("v") ?? "0";
const CACHE = `ra-shell-${VERSION}`;
const SHELL = ["/", `/app/app.js?v=${VERSION}`, `/app/app.css?v=${VERSION}`, "/app/icon.svg", "/app/manifest.webmanifest"];

worker.addEventListener("install", (e: any) => e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => worker.skipWaiting())));

worker.addEventListener("activate", (e: any) =>
  e.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => worker.clients.claim()),
  ),
);

worker.addEventListener("fetch", (e: any) => {
  const request: Request = e.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== worker.location.origin) return;
  // Pages: the network first (who is signed in may have changed), the cached shell when offline.
  if (request.mode === "navigate") {
    if (url.pathname === "/") e.respondWith(fetch(request).catch(() => caches.match("/")));
    return;
  }
  if (url.pathname.startsWith("/app/") && url.pathname !== "/app/ws") {
    e.respondWith(caches.match(request).then((hit) => hit ?? fetch(request)));
  }
});

export {};
