(function () {
  "use strict";
  var dataEl = document.getElementById("evaluation-dashboard-data");
  if (!dataEl || typeof echarts === "undefined") { return; }
  var data = JSON.parse(dataEl.textContent);
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.classList.add("w-100");
    el.setAttribute("role", "img");
    el.style.height = "320px";
    var c = echarts.init(el, null, { renderer: "canvas" });
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  chart("chart-scores", {
    tooltip: {}, grid: { left: 120, right: 20 },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: data.scores.map(function (s) { return s.name; }) },
    series: [{ type: "bar", data: data.scores.map(function (s) { return s.total; }) }]
  });
  chart("chart-quality", {
    tooltip: { trigger: "axis" }, legend: {},
    xAxis: { type: "category", data: data.quality.map(function (q) { return q.name; }) },
    yAxis: { type: "value", min: 0, max: 1 },
    series: ["complete", "accurate", "fresh"].map(function (f) {
      return { name: f, type: "bar", data: data.quality.map(function (q) { return q[f]; }),
        markLine: { data: [{ yAxis: data.target_quality }] } };
    })
  });
}());
