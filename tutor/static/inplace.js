// Practice in place (docs/one-request.md). An answer is posted with fetch (the same form, its
// CSRF token included) and the server answers with the feedback card, which takes the question
// card's place, with the next question's card (inert, in a <template>), so 下一题 shows it at
// once (a feedback page loaded whole fetches it while the 解析 is read). Either way the address
// bar gets the page's own URL (reload, back and share work) and focus moves to the verdict or
// the question. Without this script (or without fetch) the form posts, the server redirects to
// the feedback page, and 下一题 is a link, as before.
// htmx could post and swap, but not prefetch the next card and swap it on a click with no
// request, and its history cache keeps pages (with answers) in localStorage: hence this file.
(function () {
  "use strict";
  if (!window.fetch || !window.DOMParser || !window.history || !history.pushState) return;
  var FRESH_MS = 10 * 60 * 1000;   // a prefetched question older than this is asked for again
  var FAILED = "提交没有成功，请刷新页面后再试。";
  var ahead = null;                // the next question's card: {url, at, result: Promise}
  // The URL of the card on the page: its own, as the server gave it. A step back or forward
  // taken before this script ran leaves the address on another card's URL.
  var shown = card() ? card().getAttribute("data-url") || location.pathname : location.pathname;

  function mark(name) {
    if (window.performance && performance.mark) performance.mark("practice:" + name);
  }

  function card() {
    return document.querySelector("main section[data-practice]");
  }

  // The page's words for a refusal: the refused answer's line, else an error page's heading
  // and first paragraph (作业已截止, 请求无效: the full page's own message).
  function message(doc) {
    var refused = doc.querySelector("[data-refused]");
    if (refused) return refused.textContent.trim();
    var heading = doc.querySelector("main h1");
    var text = doc.querySelector("main h1 ~ p");
    var words = [heading, text].filter(Boolean).map(function (el) { return el.textContent.trim(); });
    return words.length ? words.join("：") : FAILED;
  }

  // {card, url} for a card; {navigate} for a page to load instead; {error} for a refusal.
  function ask(url, options) {
    var init = {credentials: "same-origin", headers: {"X-Fragment": "1"}};
    for (var key in options) init[key] = options[key];
    return fetch(url, init).then(function (response) {
      var go = response.headers.get("X-Fragment-Navigate");
      if (go) return {navigate: go};
      var at = response.headers.get("X-Fragment-Url");
      if (response.ok && !at) return {navigate: response.url};     // e.g. signed out: the log-in page
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var found = doc.querySelector("section[data-practice]");
        if (response.ok && found) return {card: document.adoptNode(found), url: at, ahead: following(doc)};
        return {error: message(doc)};
      });
    });
  }

  // The next question's card that came with a feedback card (the answer's POST): {card, url}.
  function following(doc) {
    var template = doc.querySelector("template[data-ahead]");
    var found = template && template.content.querySelector("section[data-practice]");
    return found ? {card: document.adoptNode(found), url: template.getAttribute("data-url")} : null;
  }

  function show(next, url, after) {
    var old = card();
    document.dispatchEvent(new CustomEvent("practice:leave"));
    old.replaceWith(next);
    // a flash of the page first loaded (注册成功, 题目已移除) is about that page, not this one
    document.querySelectorAll("main > .flash:not([data-offline-note])").forEach(function (el) { el.remove(); });
    document.title = next.getAttribute("data-title") + document.title.replace(/^.*?( · )/, "$1");
    history.pushState({practice: true}, "", url);
    shown = location.pathname;
    window.scrollTo(0, 0);
    var target = next.querySelector(".verdict") || next.querySelector("h1");
    if (target) {
      target.setAttribute("tabindex", "-1");
      target.focus({preventScroll: true});
    }
    document.dispatchEvent(new CustomEvent("practice:swap", {detail: next.getAttribute("data-practice")}));
    prefetch(after);
  }

  // What 下一题 will show: the card that came with this one (`after`), else one fetched now.
  function prefetch(after) {
    var link = document.querySelector("main a[data-prefetch]");
    if (link && after && new URL(after.url, location.href).href === link.href) {
      ahead = {url: link.href, at: Date.now(), result: Promise.resolve(after)};
      return;
    }
    ahead = link ? {url: link.href, at: Date.now(), result: ask(link.href).catch(function () { return null; })} : null;
  }

  function refuse(form, text) {
    form.removeAttribute("data-busy");
    form.removeAttribute("data-sent");             // onetap.js: the form may be sent again
    form.querySelectorAll(".sending").forEach(function (el) { el.classList.remove("sending"); });
    if (window.TutorPractice) window.TutorPractice.say(form, text);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // practice.js refused it already (offline), or it is not an answer of a practice set
    if (event.defaultPrevented || !(form instanceof HTMLFormElement) || !form.hasAttribute("data-answer-form") ||
        form.hasAttribute("data-exam") || !card()) return;
    event.preventDefault();
    if (form.hasAttribute("data-busy")) return;    // a double click sends one answer
    form.setAttribute("data-busy", "");
    mark("answer");
    ask(form.action, {method: "POST", body: new FormData(form)}).then(function (result) {
      if (result.navigate) { location.assign(result.navigate); return; }
      if (result.error) { refuse(form, result.error); return; }
      show(result.card, result.url, result.ahead);
      mark("feedback");
    }, function () {
      refuse(form, window.TutorPractice ? window.TutorPractice.OFFLINE : FAILED);
    });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-prefetch]") : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) return;
    var next = ahead;
    if (!next || next.url !== link.href || Date.now() - next.at > FRESH_MS) return;   // an ordinary link
    event.preventDefault();
    ahead = null;                                  // a card is shown once
    mark("next");
    next.result.then(function (result) {
      if (!result || !result.card) { location.assign((result && result.navigate) || link.href); return; }
      show(result.card, result.url);
      mark("question");
    });
  });

  // Back and forward between cards of this page: the server's page for that URL (a question
  // answered since is shown as the server shows it now); a change of #anchor alone is no page.
  // A page kept by the browser (back-forward cache) comes back as it was left: with another
  // card than its URL's, if it was left after a swap.
  function agree() {
    if (location.pathname !== shown) location.reload();
  }
  window.addEventListener("popstate", agree);
  window.addEventListener("pageshow", function (event) { if (event.persisted) agree(); });

  if (location.pathname !== shown) { location.reload(); return; }
  if (card() && card().getAttribute("data-practice") === "feedback") prefetch();
})();
