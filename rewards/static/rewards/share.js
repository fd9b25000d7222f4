/* The share page's chart: the station officers' share of individual awards per issuing unit, as bars,
   against the 30 % line. Data come from the page (#share-data, json_script); no inline script (CSP). */
(function () {
  "use strict";
  var dataEl = document.getElementById("share-data");
  var chartEl = document.getElementById("share-chart");
  if (!dataEl || !chartEl || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(dataEl.textContent);
  if (!data.units.length) {
    chartEl.classList.add("d-none");
    return;
  }
  chartEl.classList.add("w-100");
  chartEl.setAttribute("aria-label", data.label_share);
  var chart = echarts.init(chartEl, null, { height: 360 });
  chart.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 20, bottom: 90, top: 30 },
    xAxis: { type: "category", data: data.units, axisLabel: { rotate: 45 } },
    yAxis: { type: "value", max: 100, name: "%" },
    series: [{
      name: data.label_share,
      type: "bar",
      data: data.shares.map(function (v) {
        return { value: v, itemStyle: { color: v < data.threshold ? "#dc3545" : "#198754" } };
      }),
      markLine: { symbol: "none", data: [{ yAxis: data.threshold, name: data.label_line }],
                  label: { formatter: data.label_line }, lineStyle: { color: "#fd7e14", type: "dashed" } }
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
}());
