// The mock exam countdown. The server holds the deadline; this only shows it and, at zero,
// sends the current answer and hands the paper in (the server refuses anything later).
(function () {
  "use strict";
  var timer = document.querySelector(".timer[data-remaining]");
  if (!timer) return;
  var clock = document.getElementById("clock");
  var end = Date.now() + Number(timer.getAttribute("data-remaining")) * 1000;
  var done = false;
  function finish() {
    if (done) return;
    done = true;
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
  }
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    clock.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    timer.classList.toggle("urgent", left <= 300);
    if (left === 0) finish(); else setTimeout(tick, 1000);
  }
  tick();
})();
