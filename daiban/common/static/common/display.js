// 适老化 display modes (larger text, high contrast), remembered in this browser. Loaded in <head> without
// defer so the remembered mode applies before the page is drawn; the CSP forbids doing this inline.
(function () {
  "use strict";
  var MODES = ["large-text", "high-contrast"];
  var root = document.documentElement;
  function stored(mode) {
    try { return window.localStorage.getItem("daiban-" + mode) === "on"; } catch (e) { return false; }
  }
  function remember(mode, on) {
    try { window.localStorage.setItem("daiban-" + mode, on ? "on" : "off"); } catch (e) { /* private mode */ }
  }
  MODES.forEach(function (mode) { root.classList.toggle(mode, stored(mode)); });
  root.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-display-mode]");
    Array.prototype.forEach.call(buttons, function (button) {
      var mode = button.getAttribute("data-display-mode");
      button.setAttribute("aria-pressed", root.classList.contains(mode) ? "true" : "false");
      button.addEventListener("click", function () {
        var on = !root.classList.contains(mode);
        root.classList.toggle(mode, on);
        button.setAttribute("aria-pressed", on ? "true" : "false");
        remember(mode, on);
      });
    });
  });
})();
