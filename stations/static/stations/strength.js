/* Police-strength chart: police total and police in stations as bars, the share in stations as a
   line on a second axis. Clicking a bar (or anywhere in its band) drills down to that unit.
   On a phone the bars lie horizontally, one unit per line, so every name stays readable.
   Data come from the page through json_script (#strength-data); no inline script (CSP). */
(function () {
  "use strict";

  var dataEl = document.getElementById("strength-data");
  var chartEl = document.getElementById("strength-chart");
  if (!dataEl || !chartEl || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(dataEl.textContent);
  var rows = data.rows;
  var labels = data.labels;
  var narrowQuery = window.matchMedia("(max-width: 575.98px)");

  function values(key) {
    return rows.map(function (r) { return r[key]; });
  }

  function option(narrow) {
    var names = values("name");
    var countAxis = { type: "value", name: labels.count, minInterval: 1 };
    var shareAxis = {
      type: "value", name: labels.share_axis, min: 0, max: 100,
      axisLabel: { formatter: "{value} %" }, splitLine: { show: false }
    };
    var categoryAxis = {
      type: "category", data: names,
      axisLabel: narrow ? { interval: 0 } : { interval: 0, rotate: rows.length > 8 ? 40 : 0 }
    };
    var series = [
      { name: labels.police_total, type: "bar", data: values("police_total") },
      { name: labels.police_in_stations, type: "bar", data: values("police_in_stations") },
      { name: labels.share, type: "line", symbolSize: 8, data: values("share") }
    ];
    if (narrow) {
      categoryAxis.inverse = true; // first unit on top, as in the table
      series[2].xAxisIndex = 1;
      countAxis.nameLocation = "middle";
      countAxis.nameGap = 24;
      shareAxis.position = "top";
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0, itemGap: 8, textStyle: { fontSize: 11 } },
        grid: { left: 4, right: 16, bottom: 28, top: 64, containLabel: true },
        yAxis: categoryAxis,
        xAxis: [countAxis, shareAxis],
        series: series
      };
    }
    series[2].yAxisIndex = 1;
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 56, containLabel: true },
      xAxis: categoryAxis,
      yAxis: [countAxis, shareAxis],
      series: series
    };
  }

  var chart = null;
  var narrow = null;

  function drillTo(index) {
    var row = rows[index];
    if (row && row.url) {
      window.location.href = row.url;
    }
  }

  function render() {
    var nowNarrow = narrowQuery.matches;
    if (chart && nowNarrow === narrow) {
      chart.resize();
      return;
    }
    narrow = nowNarrow;
    if (chart) {
      chart.dispose();
    }
    // A phone gets one band per unit; CSSOM height (not a style attribute) is allowed by the CSP.
    chartEl.style.height = narrow ? Math.max(320, rows.length * 44 + 110) + "px" : "";
    chart = echarts.init(chartEl, null, { renderer: "canvas" });
    chart.setOption(option(narrow));
    chart.on("click", function (params) { drillTo(params.dataIndex); });
    // Clicks anywhere in a unit's band, not only on the bar itself, drill down too.
    chart.getZr().on("click", function (event) {
      var point = [event.offsetX, event.offsetY];
      if (event.target || !chart.containPixel("grid", point)) {
        return;
      }
      var converted = chart.convertFromPixel({ seriesIndex: 0 }, point);
      drillTo(narrow ? converted[1] : converted[0]);
    });
  }

  render();
  window.addEventListener("resize", render);
}());
