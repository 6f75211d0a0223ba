// Behaviour shared by every page, kept out of the markup so the Content-Security-Policy can forbid inline
// script: a <select data-autosubmit> submits its form when changed.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
  });
})();
