// Behaviour shared by every page, kept out of the markup so the Content-Security-Policy can forbid inline
// script: a <select data-autosubmit> submits its form when changed; a button with data-confirm asks first.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    var button = event.target instanceof Element ? event.target.closest("button[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // The menu: on phones the whole menu collapses behind one button; on desktops each group (办件, 监督, 资料)
  // opens as a drop-down. The markup starts expanded so the menu works without script; this collapses it.
  // Escape closes what is open and gives focus back to its button.
  var toggles = document.querySelectorAll(".menu-toggle, .group-toggle");
  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  Array.prototype.forEach.call(toggles, function (button) {
    setOpen(button, false);
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      if (button.classList.contains("group-toggle")) {
        Array.prototype.forEach.call(document.querySelectorAll(".group-toggle"), function (other) {
          if (other !== button) { setOpen(other, false); }
        });
      }
      setOpen(button, open);
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelectorAll(".group-toggle[aria-expanded=true]");
    Array.prototype.forEach.call(open, function (button) {
      setOpen(button, false);
      if (button.parentElement && button.parentElement.contains(document.activeElement)) { button.focus(); }
    });
  });
  document.addEventListener("click", function (event) {
    var inside = event.target instanceof Element ? event.target.closest(".group") : null;
    Array.prototype.forEach.call(document.querySelectorAll(".group-toggle[aria-expanded=true]"), function (button) {
      if (button.parentElement !== inside) { setOpen(button, false); }
    });
  });
})();
