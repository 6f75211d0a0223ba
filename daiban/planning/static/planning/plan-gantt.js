// Draws the request's 预排工期 with the vendored frappe-gantt; the data comes from the page (json_script).
// frappe-gantt writes names into the chart and its popup with innerHTML, so they are escaped here (an item
// name is typed by an administrator and must show as text); ids are replaced by our own plain ones.
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("gantt");
    var data = document.getElementById("plan-tasks");
    if (!holder || !data || typeof Gantt === "undefined" || !window.daibanSafeText) { return; }
    var esc = window.daibanSafeText.escapeHtml;
    var tasks = JSON.parse(data.textContent);
    if (!tasks.length) { return; }
    var ids = {};
    tasks.forEach(function (t, i) { ids[t.id] = "task-" + i; });
    var safe = tasks.map(function (t) {
      return {
        id: ids[t.id],
        name: esc(t.name),
        start: t.start,
        end: t.end,
        progress: Number(t.progress) || 0,
        custom_class: t.custom_class === "bar-critical" ? "bar-critical" : "",
        dependencies: String(t.dependencies || "").split(",").map(function (d) { return ids[d.trim()]; })
          .filter(Boolean).join(", ")
      };
    });
    var dates = {};
    safe.forEach(function (t) { dates[t.id] = esc(t.start) + " – " + esc(t.end); });
    // The library's own popup adds English words ("Progress"); ours shows the name and the dates only.
    function popup(ctx) {
      ctx.set_title(ctx.task.name);
      ctx.set_subtitle("");
      ctx.set_details(dates[ctx.task.id] || "");
    }
    new Gantt(holder, safe, { view_mode: "Week", readonly: true, popup_on: "click", popup: popup, today_button: false, container_height: "auto", scroll_to: "start" });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
