// The service worker (docs/offline.md), rendered by tutor/pwa.py. VERSION is a hash of the static
// files and of the offline page: a deploy that changes one changes this file, and the browser
// installs the new worker, which stores the new app shell and deletes the old one.
//
// It keeps only what anyone may read without signing in: the static files, the offline page and
// lessons (fetched again without cookies). Never a question page, feedback, key or 解析, a
// report, or any POST: those pages always come from the server, and answers are graded there.
"use strict";

const VERSION = {{ version|tojson }};
const SHELL = "shell-" + VERSION;
const LESSONS = {{ lesson_cache|tojson }};
const OFFLINE = {{ offline_url|tojson }};
const PRECACHE = {{ precache|tojson }};
const STATIC = {{ static_prefix|tojson }};
const LESSON = /^\/courses\/[^/]+\/lessons\/[^/]+$/;
// On a connection that hangs rather than fails, a stored copy is shown after this long.
const PATIENCE_MS = 4000;
// A stored lesson is fetched again (without cookies) when it is older than this; reading it
// online always shows the server's page, this only bounds how old the offline copy may be.
const LESSON_REFRESH_MS = 10 * 60 * 1000;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL)
    // "reload": the files of this deploy, not an older copy from the HTTP cache; "omit": the
    // offline page as anyone sees it.
    .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, {cache: "reload", credentials: "omit"}))))
    // A new worker takes over at once: pages always come from the server, and static files
    // too while online, so a page never runs with the previous deploy's script.
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    // The previous deploy's shell goes; so do the lessons when LESSON_CACHE is renamed.
    for (const name of await caches.keys()) {
      if (name !== SHELL && name !== LESSONS) await caches.delete(name);
    }
    // The page request starts while a sleeping worker wakes up, not after.
    if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // POSTs (answers, exams, log-in) and other sites go straight to the network, untouched.
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(LESSON.test(url.pathname) ? lesson(event, url) : page(event));
  } else if (url.pathname.startsWith(STATIC)) {
    event.respondWith(staticFile(request));
  }
});

function network(event) {
  return Promise.resolve(event.preloadResponse).then((preloaded) => preloaded || fetch(event.request));
}

function wait(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// The server's answer; the stored copy if the network fails, answers 5xx, or hangs and a copy
// exists; otherwise `fallback`.
async function networkFirst(fromNetwork, stored, fallback) {
  const slow = wait(PATIENCE_MS).then(() => stored).then((copy) => copy || fromNetwork);
  try {
    const response = await Promise.race([fromNetwork, slow]);
    if (response.status >= 500) return (await stored) || response;
    return response;
  } catch (error) {
    return (await stored) || fallback(error);
  }
}

async function offlinePage() {
  const stored = (await caches.match(OFFLINE, {cacheName: SHELL})) || (await caches.match(OFFLINE));
  return stored || new Response("网络已断开", {status: 503, headers: {"Content-Type": "text/plain; charset=utf-8"}});
}

function page(event) {
  return network(event).catch(offlinePage);
}

function lesson(event, url) {
  const key = url.origin + url.pathname;     // a query or fragment shows the same lesson
  const fromNetwork = network(event);
  const stored = caches.open(LESSONS).then((cache) => cache.match(key));
  event.waitUntil(fromNetwork.then((response) => {
    if (response.status === 404) return caches.open(LESSONS).then((cache) => cache.delete(key));
    if (response.ok) return stored.then((copy) => keep(key, copy));
    return undefined;
  }, () => undefined));
  return networkFirst(fromNetwork, stored, offlinePage);
}

// The offline copy is fetched apart, without cookies: the page as anyone sees it, so it holds
// no student's name, navigation or CSRF token, and a shared phone shows nobody's account.
async function keep(key, copy) {
  const date = copy ? Date.parse(copy.headers.get("Date") || "") : NaN;
  if (copy && Date.now() - date < LESSON_REFRESH_MS) return;
  const response = await fetch(key, {credentials: "omit", cache: "no-store", redirect: "error"});
  const type = response.headers.get("Content-Type") || "";
  if (response.status === 200 && type.startsWith("text/html")) {
    await (await caches.open(LESSONS)).put(key, response);
  }
}

// Online, the server's copy (a 304 when unchanged), so a page never runs with an older script
// or sheet than it was written for; the stored shell when the network fails.
function staticFile(request) {
  const stored = caches.match(request, {cacheName: SHELL, ignoreSearch: true});
  return networkFirst(fetch(request), stored, (error) => { throw error; });
}
