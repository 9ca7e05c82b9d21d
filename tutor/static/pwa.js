// Installable app (docs/offline.md): registers the service worker, says when the connection is
// gone, and lists the lessons kept for reading offline on the offline page. Without this script,
// or in a browser without service workers, every page works as before, online only.
(function () {
  "use strict";
  var script = document.currentScript;

  if ("serviceWorker" in navigator && script && script.dataset.worker) {
    // After the page has loaded: storing the app shell must not slow the first page down.
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(script.dataset.worker, {scope: "/"}).catch(function () {
        // No worker (private mode, blocked storage): the site simply stays online-only.
      });
    });
  }

  // A note at the top of the page while the connection is gone: a lesson shown from the
  // phone's copy looks like any other page, and links to other pages will not open.
  var note = null;
  function connection() {
    var main = document.querySelector("main");
    if (!main || document.querySelector("[data-offline-page]")) return;
    if (navigator.onLine === false && !note) {
      note = document.createElement("p");
      note.className = "flash flash-error";
      note.setAttribute("role", "status");
      note.setAttribute("data-offline-note", "");
      note.textContent = "网络已断开：打开过的课文可以继续阅读，答题需要联网。";
      main.insertBefore(note, main.firstChild);
    } else if (navigator.onLine !== false && note) {
      note.remove();
      note = null;
    }
  }
  window.addEventListener("offline", connection);
  window.addEventListener("online", connection);
  document.addEventListener("DOMContentLoaded", connection);

  // The offline page: the lessons this phone keeps, by their titles, so a student can go on reading.
  function listLessons() {
    var list = document.querySelector("[data-cached-lessons]");
    if (!list || !window.caches) return;
    caches.open(list.dataset.cache).then(function (cache) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.map(function (request) {
          return cache.match(request).then(function (response) { return response.text(); }).then(function (html) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            var heading = doc.querySelector("main h1");
            return {href: new URL(request.url).pathname, title: heading ? heading.textContent.trim() : request.url};
          });
        }));
      });
    }).then(function (lessons) {
      lessons.sort(function (a, b) { return a.title.localeCompare(b.title, "zh-CN"); });
      lessons.forEach(function (lesson) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = lesson.href;
        link.textContent = lesson.title;
        item.appendChild(link);
        list.appendChild(item);
      });
      var none = document.querySelector("[data-no-lessons]");
      if (none && lessons.length) none.hidden = true;
    }).catch(function () { /* no storage: the page keeps its "no lessons" line */ });
  }
  document.addEventListener("DOMContentLoaded", listLessons);
})();
