// What pages hand to chart libraries is data, never markup. frappe-gantt writes a task's name with
// innerHTML and ECharts' HTML tooltips render names as markup, so every user-influenced string passes
// through here first: escapeHtml for a sink that parses HTML, safeId for values used as ids or selectors.
(function () {
  "use strict";
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };
  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"'`]/g, function (c) { return ENTITIES[c]; });
  }
  window.daibanSafeText = Object.freeze({ escapeHtml: escapeHtml });
})();
