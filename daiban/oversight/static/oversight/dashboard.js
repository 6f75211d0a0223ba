// Draws the dashboard's charts with the vendored Apache ECharts; a click on a bar opens the list behind it.
// Labels are unit, township and people's names: ECharts' HTML tooltips would parse them as markup, so the
// tooltips are drawn as chart text (renderMode "richText"), like the axes and legends, never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var labels = JSON.parse(document.getElementById("chart-labels").textContent);
  var charts = [];

  // A chart with nothing to count says so in words, not as empty axes.
  function nothing(values) {
    return !values.length || values.every(function (v) { return !v; });
  }

  function draw(id, option, urls, values) {
    var el = document.getElementById(id);
    if (!el) return;
    if (values && nothing(values)) {
      el.textContent = labels.no_data;
      el.className += " chart-empty";
      el.setAttribute("data-rendered", "empty");
      return;
    }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(Object.assign({ animation: false, tooltip: { trigger: "axis", renderMode: "richText" }, grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true } }, option));
    if (urls) {
      chart.on("click", function (p) { if (urls[p.dataIndex]) window.location.href = urls[p.dataIndex]; });
    }
    charts.push(chart);
    el.setAttribute("data-rendered", "true");
  }

  function bars(id, d, name) {
    draw(id, { xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 4 ? 30 : 0 } }, yAxis: { type: "value", minInterval: 1 },
      series: [{ name: name, type: "bar", data: d.values, itemStyle: { color: "#1d4f91" } }] }, d.urls, d.values);
  }

  function standing(id, d) {
    draw(id, { legend: { top: 0 }, yAxis: { type: "category", data: d.labels, inverse: true }, xAxis: { type: "value", minInterval: 1 },
      series: [
        { name: labels.overdue, type: "bar", stack: "s", data: d.overdue, itemStyle: { color: "#b42318" } },
        { name: labels.due_soon, type: "bar", stack: "s", data: d.due_soon, itemStyle: { color: "#a15c00" } }
      ] }, d.urls, d.overdue.concat(d.due_soon));
  }

  bars("chart-requests", data.requests, labels.requests);
  // Every stage's name shown (interval 0), wrapped rather than dropped on a narrow phone.
  draw("chart-stages", { legend: { top: 0, type: "scroll" }, xAxis: { type: "category", data: data.stages.labels, axisLabel: { interval: 0, width: 64, overflow: "break" } }, yAxis: { type: "value", minInterval: 1 },
    series: data.stages.series.map(function (s) { return { name: s.name, type: "bar", stack: "items", data: s.values }; }) },
    null, [].concat.apply([], data.stages.series.map(function (s) { return s.values; })));
  standing("chart-units", data.units);
  standing("chart-localities", data.localities);
  draw("chart-trend", { xAxis: { type: "category", data: data.trend.labels }, yAxis: { type: "value", minInterval: 1 },
    series: [{ name: labels.requests, type: "line", data: data.trend.values, itemStyle: { color: "#1d4f91" } }] }, null, data.trend.values);
  draw("chart-satisfaction", { tooltip: { trigger: "item", renderMode: "richText" }, series: [{ type: "pie", radius: ["35%", "65%"],
    data: data.satisfaction.labels.map(function (l, i) { return { name: l, value: data.satisfaction.values[i] }; }) }] },
    null, data.satisfaction.values);
  bars("chart-workload", data.workload, labels.items);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
