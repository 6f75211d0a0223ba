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
    // Chinese header labels: the library's own formats put the day before an English-ordered month name.
    function two(n) { return n < 10 ? "0" + n : String(n); }
    var week = {
      name: "Week", padding: "1m", step: "7d", date_format: "YYYY-MM-DD", column_width: 140,
      lower_text: function (d) { return (d.getMonth() + 1) + "月" + d.getDate() + "日"; },
      upper_text: function (d, prev) {
        return !prev || d.getMonth() !== prev.getMonth() ? d.getFullYear() + "年" + two(d.getMonth() + 1) + "月" : "";
      },
      thick_line: function (d) { return d.getDate() >= 1 && d.getDate() <= 7; },
      upper_text_frequency: 4
    };
    new Gantt(holder, safe, { view_modes: [week], view_mode: "Week", language: "zh", readonly: true, popup_on: "click", popup: popup, today_button: false, container_height: "auto", scroll_to: "start" });
    // The chart scrolls sideways: a keyboard user reaches it (tab) and scrolls it with the arrow keys.
    Array.prototype.forEach.call(holder.querySelectorAll(".gantt-container"), function (box) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", holder.getAttribute("aria-label") || "");
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
