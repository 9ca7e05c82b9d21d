// ☆ 收藏 in place: the star form posts with fetch (its CSRF token travels in the form data), so
// the page keeps what the student has chosen; the button and a live region say what happened.
// Without this script the form posts and the page comes back to itself.
(function () {
  "use strict";
  function show(form, starred, message) {
    var button = form.querySelector("button");
    button.textContent = starred ? "★ 已收藏" : "☆ 收藏";
    button.setAttribute("aria-pressed", starred ? "true" : "false");
    button.title = starred ? "取消收藏" : "收藏这道题";
    button.classList.toggle("on", starred);
    var status = form.querySelector("[data-star-status]");
    if (status) status.textContent = message;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-star") || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector("button");
    if (button.disabled) return;
    button.disabled = true;
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                        headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) { button.disabled = false; show(form, data.starred, data.message); })
      .catch(function () { button.disabled = false; form.submit(); });   // the plain post says why
  });
})();

// 网络已断开 while answering: the submit is refused on the page, which says so and keeps the
// chosen answer; the student submits again once the connection is back. An answer is never
// kept to be sent later: it is graded on the server, and an assignment's due time is the
// server's, so a queued answer could be refused after the page had said it would count.
// Without this script (or without navigator.onLine) the form posts as before. inplace.js says
// its refusals (a failed fetch, 作业已截止, a form refused) on the same line: TutorPractice.say.
(function () {
  "use strict";
  var OFFLINE = "网络已断开，答案还没有提交，恢复连接后再点提交。";
  var ONLINE = "网络已恢复，请再点“提交答案”。";
  function say(form, text) {
    var line = form.querySelector("[data-offline-status]");
    if (!line) {
      line = document.createElement("p");
      line.setAttribute("data-offline-status", "");
      line.setAttribute("role", "alert");
      var button = form.querySelector("button[type=submit]");
      form.insertBefore(line, button ? button.nextSibling : null);
    }
    line.className = "flash flash-error";
    line.textContent = text;
  }
  window.TutorPractice = {say: say, OFFLINE: OFFLINE};
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-answer-form") ||
        form.hasAttribute("data-exam")) return;
    if (navigator.onLine !== false) return;      // online (or unknown): the ordinary post
    event.preventDefault();
    say(form, OFFLINE);
  });
  window.addEventListener("online", function () {
    var line = document.querySelector("form[data-answer-form] [data-offline-status]");
    if (!line || line.textContent !== OFFLINE) return;
    line.className = "flash";
    line.textContent = ONLINE;
  });
})();

// 答题卡: a <details> opens and closes by itself, without a reload and without this script;
// this only keeps the student's choice (open or closed) from one question to the next in the
// tab, also when inplace.js puts the next card in place (practice:swap).
(function () {
  "use strict";
  var KEY = "tutor.answercard.open";
  function remember() {
    var card = document.querySelector("details[data-card]");
    if (!card) return;
    try { if (window.sessionStorage.getItem(KEY) === "1") card.open = true; } catch (e) { return; }
    card.addEventListener("toggle", function () {
      try { window.sessionStorage.setItem(KEY, card.open ? "1" : "0"); } catch (e) { /* storage off: fine */ }
    });
  }
  remember();
  document.addEventListener("practice:swap", remember);
})();
