// 一键作答 and 答对后自动下一题, the practice settings of 设置 (docs/goals-and-settings.md).
// Without this script both pages work as before: the 提交 button submits, 下一题 is a link.
(function () {
  "use strict";
  // 'auto' means on a phone or tablet. The server cannot tell, so the browser decides: the
  // primary pointer is coarse (a finger). There only a finger's (or a pen's) tap answers: a
  // mouse-like click there comes from an assistive tool or an automated test, which choose first
  // and press 提交 after.
  function touchDevice() {
    return !!window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  }

  // One tap on an option of a 单选 or 判断 question submits it. Only a pointer choosing counts:
  // arrow keys also change a radio group and fire `change`, and a keyboard user must be free to
  // move through the options and press Enter (keys.js) or 提交.
  var pointed = false;
  document.addEventListener("keydown", function () { pointed = false; }, true);
  function oneTap() {
    var form = document.querySelector("form[data-answer-form][data-one-tap]");
    if (!form) return;
    var mode = form.getAttribute("data-one-tap");
    if (mode !== "on" && !(mode === "auto" && touchDevice())) return;
    form.classList.add("onetap");
    form.addEventListener("pointerdown", function (event) {
      var finger = event.pointerType === "touch" || event.pointerType === "pen";
      pointed = !!(event.target.closest && event.target.closest(".option")) && (mode === "on" || finger);
    });
    form.addEventListener("change", function (event) {
      var input = event.target;
      if (!pointed || input.type !== "radio" || !input.checked || form.hasAttribute("data-sent")) return;
      pointed = false;
      form.setAttribute("data-sent", "");      // a second tap while the answer is sent sends nothing more
      var option = input.closest(".option");
      if (option) option.classList.add("sending");
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });
  }
  // Back from the feedback page (bfcache): the form may be used again.
  window.addEventListener("pageshow", function () {
    var form = document.querySelector("form[data-answer-form][data-sent]");
    if (form) form.removeAttribute("data-sent");
  });

  // After a right answer: a visible countdown, then 下一题 (a click: inplace.js shows the
  // question it fetched ahead, else the link loads it). The answer is stored already, so there
  // is nothing to undo; 停留, a key, a scroll or a touch anywhere else keeps the page, and so
  // does leaving it (practice:leave, when inplace.js swaps the card first).
  function autoNext() {
    var auto = document.querySelector("[data-auto-next]");
    var next = document.querySelector("a[data-next]");
    if (!auto || !next) return;
    var left = Number(auto.getAttribute("data-auto-next")) || 1500;
    var shown = auto.querySelector(".countdown");
    var text = auto.querySelector("[data-auto-next-text]");
    var stayButton = auto.querySelector("[data-stay]");
    var timer = null;
    var quiet = function () {
      if (timer !== null) window.clearInterval(timer);
      timer = null;
      document.removeEventListener("keydown", onKey, true);
      window.removeEventListener("wheel", stay);
      document.removeEventListener("touchstart", onTouch, true);
      document.removeEventListener("practice:leave", quiet);
    };
    var stay = function () {
      if (timer === null) return;
      quiet();
      text.textContent = "已停留在本页，看完后点“下一题”。";
      stayButton.hidden = true;
      auto.classList.add("stopped");
    };
    var onKey = function (event) {
      if (event.key !== "Enter" && event.key !== "ArrowRight") stay();    // those go on at once (keys.js)
    };
    var onTouch = function (event) {
      if (!next.contains(event.target)) stay();
    };
    auto.hidden = false;
    stayButton.addEventListener("click", stay);
    document.addEventListener("keydown", onKey, true);
    window.addEventListener("wheel", stay, {passive: true});
    document.addEventListener("touchstart", onTouch, {capture: true, passive: true});
    document.addEventListener("practice:leave", quiet);
    timer = window.setInterval(function () {
      left -= 100;
      if (left > 0) { shown.textContent = (left / 1000).toFixed(1); return; }
      quiet();
      text.textContent = "正在进入下一题…";
      stayButton.hidden = true;
      next.click();
    }, 100);
  }

  function init() { oneTap(); autoNext(); }
  init();
  document.addEventListener("practice:swap", init);
})();
