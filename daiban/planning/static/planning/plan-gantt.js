// Draws the request's 预排工期 with the vendored frappe-gantt; the data comes from the page (json_script).
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("gantt");
    var data = document.getElementById("plan-tasks");
    if (!holder || !data || typeof Gantt === "undefined") { return; }
    var tasks = JSON.parse(data.textContent);
    if (!tasks.length) { return; }
    new Gantt(holder, tasks, { view_mode: "Week", readonly: true, popup_on: "click", today_button: false, container_height: "auto", scroll_to: "start" });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
