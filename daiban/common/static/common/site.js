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
})();
