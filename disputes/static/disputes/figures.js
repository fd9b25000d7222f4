/* Dispute figures: found and resolved as bars with the resolution rate (this year and last) as
   lines, and escalations (criminal cases, homicides) against last year. Clicking a unit drills
   down to it. Data come from the page (#figures-data, json_script); no inline script (CSP). */
(function () {
  "use strict";

  var dataEl = document.getElementById("figures-data");
  if (!dataEl || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(dataEl.textContent);
  var rows = data.rows;
  var labels = data.labels;
  var narrow = window.matchMedia("(max-width: 575.98px)").matches;
  var names = rows.map(function (r) { return r.name; });
  var axisLabel = { interval: 0, rotate: narrow || rows.length > 8 ? 40 : 0, hideOverlap: false };

  function pick(key) {
    return rows.map(function (r) { return r[key]; });
  }

  function drillable(chart) {
    chart.on("click", function (params) {
      var row = rows[params.dataIndex];
      if (row && row.url) {
        window.location.href = row.url;
      }
    });
    // A click anywhere in a unit's band (not only on a bar) drills down too.
    chart.getZr().on("click", function (event) {
      if (event.target) {
        return;
      }
      var point = [event.offsetX, event.offsetY];
      if (!chart.containPixel("grid", point)) {
        return;
      }
      var row = rows[chart.convertFromPixel({ seriesIndex: 0 }, point)[0]];
      if (row && row.url) {
        window.location.href = row.url;
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var valueFormatter = function (value) {
    return value === null || value === undefined ? "—" : String(value);
  };

  var main = document.getElementById("disputes-chart");
  if (main) {
    var chart = echarts.init(main, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: valueFormatter },
      legend: { top: 0, data: [labels.found, labels.resolved, labels.rate, labels.last_rate] },
      grid: { left: 8, right: 8, bottom: 8, top: 56, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: axisLabel },
      yAxis: [
        { type: "value", name: labels.count, minInterval: 1 },
        { type: "value", name: labels.rate, min: 0, max: 100, axisLabel: { formatter: "{value} %" }, splitLine: { show: false } }
      ],
      series: [
        { name: labels.found, type: "bar", data: pick("found") },
        { name: labels.resolved, type: "bar", data: pick("resolved") },
        { name: labels.rate, type: "line", yAxisIndex: 1, symbolSize: 8, data: pick("rate") },
        { name: labels.last_rate, type: "line", yAxisIndex: 1, symbolSize: 6, lineStyle: { type: "dashed" }, data: pick("last_rate") }
      ]
    });
    drillable(chart);
  }

  var escalations = document.getElementById("escalations-chart");
  if (escalations) {
    var chart2 = echarts.init(escalations, null, { renderer: "canvas" });
    chart2.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: valueFormatter },
      legend: { top: 0, data: [labels.criminal, labels.last_criminal, labels.homicide, labels.last_homicide] },
      grid: { left: 8, right: 8, bottom: 8, top: 56, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: axisLabel },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: labels.criminal, type: "bar", data: pick("criminal") },
        { name: labels.last_criminal, type: "bar", data: pick("last_criminal") },
        { name: labels.homicide, type: "bar", data: pick("homicide") },
        { name: labels.last_homicide, type: "bar", data: pick("last_homicide") }
      ]
    });
    drillable(chart2);
  }
}());
