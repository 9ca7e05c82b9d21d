// Mock exam pages. Everything works without this file; it adds:
// - the countdown: the server holds the deadline; this only shows it and, at zero, sends the
//   current answer and hands the paper in (the server refuses anything later);
// - a leave-page warning while a paper is open, except for the exam's own navigation (saving,
//   上一题/下一题, the 答题卡, 交卷, the confirm page's links);
// - on the result page: 只看错题 in place, and a question opened when the 答题卡 jumps to it.
(function () {
  "use strict";

  // --- leave warning ------------------------------------------------------------------------
  var guard = document.querySelector("[data-exam-guard]");
  var leaving = false;
  if (guard) {
    var base = guard.getAttribute("data-exam-guard");
    var own = function (link) {
      try {
        var url = new URL(link.href, location.href);
        return url.origin === location.origin && (url.pathname === base || url.pathname.indexOf(base + "/") === 0);
      } catch (e) { return false; }
    };
    // Any form on these pages is the exam's own (save and move, 交卷, 确认交卷).
    document.addEventListener("submit", function () { leaving = true; });
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (link && own(link)) leaving = true;
    });
    window.addEventListener("beforeunload", function (event) {
      if (leaving) return;
      event.preventDefault();
      event.returnValue = "";   // older browsers need a value to ask
      return "";
    });
    // Back from another page (the page restored from the cache): ask again from now on.
    window.addEventListener("pageshow", function () { leaving = false; });
  }

  // --- countdown ----------------------------------------------------------------------------
  var timer = document.querySelector(".timer[data-remaining]");
  if (timer) {
    var clock = document.getElementById("clock");
    var end = Date.now() + Number(timer.getAttribute("data-remaining")) * 1000;
    var done = false;
    var finish = function () {
      if (done) return;
      done = true;
      leaving = true;
      var form = document.querySelector("form[data-exam]");
      if (form) {
        var go = document.createElement("input");
        go.type = "hidden"; go.name = "go"; go.value = "finish";
        form.appendChild(go);
        form.submit();
        return;
      }
      var submit = document.querySelector("form[data-exam-submit]");
      if (submit) submit.submit();
    };
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      clock.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      timer.classList.toggle("urgent", left <= 300);
      if (left === 0) finish(); else setTimeout(tick, 1000);
    };
    tick();
  }

  // --- result page --------------------------------------------------------------------------
  var reviews = document.querySelector("[data-reviews]");
  if (!reviews) return;
  var toggle = document.querySelector("a[data-only-wrong]");
  var note = document.querySelector("[data-filter-note]");
  var WRONG = ["wrong", "partial", "unanswered"];
  var onlyWrong = false;
  function filter(on) {
    onlyWrong = on;
    reviews.querySelectorAll("section.review").forEach(function (section) {
      section.hidden = on && WRONG.indexOf(section.getAttribute("data-status")) < 0;
    });
    if (note) note.hidden = !on;
    if (toggle) toggle.textContent = on ? "显示全部题目" : "只看错题";
    var url = on ? toggle.getAttribute("href").split("#")[0] : toggle.getAttribute("data-all-url");
    history.replaceState(null, "", url + "#review");
  }
  if (toggle) {
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      filter(!onlyWrong);
    });
  }
  function reveal(hash) {
    var section = /^#item-\d+$/.test(hash) && document.getElementById(hash.slice(1));
    if (!section || !reviews.contains(section)) return false;
    if (section.hidden) filter(false);
    var details = section.querySelector("details");
    if (details) details.open = true;
    return section;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".overview a.cell");
    if (!link) return;
    var hash = new URL(link.href, location.href).hash;
    var section = reveal(hash);
    if (section) {
      event.preventDefault();
      section.scrollIntoView();
      history.replaceState(null, "", location.pathname + location.search + hash);
      var summary = section.querySelector("summary");
      if (summary) summary.focus({ preventScroll: true });
    }
  });
  window.addEventListener("hashchange", function () { reveal(location.hash); });
  if (location.hash) {
    var target = reveal(location.hash);
    if (target) target.scrollIntoView();
  }
})();
