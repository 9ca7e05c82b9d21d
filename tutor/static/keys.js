// Keyboard practice: number keys pick options, Enter submits, arrows page through study mode.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
      (el.tagName === "INPUT" && (el.type === "text" || el.type === "password")));
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) return;
    var form = document.querySelector("form[data-answer-form]");
    if (form && /^[1-9]$/.test(event.key)) {
      var inputs = form.querySelectorAll("fieldset[data-keys] input");
      var input = inputs[Number(event.key) - 1];
      if (input) {
        if (input.type === "checkbox") input.checked = !input.checked; else input.checked = true;
        input.focus();
        event.preventDefault();
      }
      return;
    }
    if (event.key === "Enter") {
      if (document.activeElement && document.activeElement.tagName === "BUTTON") return;
      if (form) { event.preventDefault(); form.requestSubmit(); return; }
      var next = document.querySelector("a[data-next]");
      if (next && document.activeElement.tagName !== "A") { event.preventDefault(); next.click(); }
      return;
    }
    if (event.key === "ArrowRight") { var n = document.querySelector("a[data-next]"); if (n) n.click(); }
    if (event.key === "ArrowLeft") { var p = document.querySelector("a[data-prev]"); if (p) p.click(); }
  });
})();
