/* The beat page's chart: the boundary (GeoJSON Polygon or MultiPolygon, holes included) drawn as
   filled polygons on a plain longitude/latitude chart — no map tiles — with the check-ins as
   points: counted ones in green, flagged ones in red. The axes are scaled so a metre east is as
   long as a metre north. Data come from the page (#beat-data, json_script); no inline script (CSP). */
(function () {
  "use strict";

  var dataEl = document.getElementById("beat-data");
  var chartEl = document.getElementById("beat-chart");
  if (!dataEl || !chartEl || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(dataEl.textContent);
  var labels = data.labels;
  var boundary = data.boundary;
  if (!boundary) {
    return;
  }

  // Polygons as lists of rings ([exterior, hole, hole…]), whatever the GeoJSON type.
  var polygons = boundary.type === "MultiPolygon" ? boundary.coordinates : [boundary.coordinates];

  var lons = [];
  var lats = [];
  polygons.forEach(function (rings) {
    rings[0].forEach(function (p) { lons.push(p[0]); lats.push(p[1]); });
  });
  data.check_ins.forEach(function (c) { lons.push(c.lon); lats.push(c.lat); });

  function bounds() {
    var minLon = Math.min.apply(null, lons), maxLon = Math.max.apply(null, lons);
    var minLat = Math.min.apply(null, lats), maxLat = Math.max.apply(null, lats);
    var midLat = (minLat + maxLat) / 2;
    var k = Math.cos(midLat * Math.PI / 180) || 1; // degrees of longitude are shorter
    var spanX = (maxLon - minLon) * k || 0.001;
    var spanY = (maxLat - minLat) || 0.001;
    spanX *= 1.15;
    spanY *= 1.15;
    var ratio = (chartEl.clientWidth || 400) / (chartEl.clientHeight || 300);
    if (spanX / spanY < ratio) { spanX = spanY * ratio; } else { spanY = spanX / ratio; }
    var cx = (minLon + maxLon) / 2, cy = midLat;
    return {
      minLon: cx - spanX / k / 2, maxLon: cx + spanX / k / 2,
      minLat: cy - spanY / 2, maxLat: cy + spanY / 2
    };
  }

  function renderPolygon(params, api) {
    var rings = polygons[params.dataIndex];
    var children = rings.map(function (ring, index) {
      return {
        type: "polygon",
        shape: { points: ring.map(function (p) { return api.coord(p); }) },
        style: index === 0
          ? { fill: "rgba(13, 110, 253, 0.12)", stroke: "#0d6efd", lineWidth: 2 }
          : { fill: "#ffffff", stroke: "#0d6efd", lineWidth: 1, lineDash: [4, 3] }
      };
    });
    return { type: "group", children: children };
  }

  function point(c) {
    return { value: [c.lon, c.lat], info: c };
  }

  var b = bounds();
  var chart = echarts.init(chartEl, null, { renderer: "canvas" });
  function fixed(v) { return Number(v).toFixed(4); }
  chart.setOption({
    animation: false,
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0, data: [labels.boundary, labels.counted, labels.flagged] },
    tooltip: {
      trigger: "item",
      formatter: function (p) {
        if (!p.data || !p.data.info) { return labels.boundary; }
        var c = p.data.info;
        var text = c.at + "<br>" + c.officer;
        if (c.flags.length) { text += "<br>" + c.flags.join("<br>"); }
        return text;
      }
    },
    xAxis: { type: "value", name: labels.lon, min: b.minLon, max: b.maxLon, axisLabel: { formatter: fixed },
             splitLine: { lineStyle: { type: "dashed" } } },
    yAxis: { type: "value", name: labels.lat, min: b.minLat, max: b.maxLat, axisLabel: { formatter: fixed },
             splitLine: { lineStyle: { type: "dashed" } } },
    series: [
      { name: labels.boundary, type: "custom", renderItem: renderPolygon, coordinateSystem: "cartesian2d",
        data: polygons.map(function (rings) { return rings[0][0]; }), z: 1, silent: true },
      { name: labels.counted, type: "scatter", symbolSize: 8, itemStyle: { color: "#198754" }, z: 3,
        data: data.check_ins.filter(function (c) { return c.counts; }).map(point) },
      { name: labels.flagged, type: "scatter", symbolSize: 9, symbol: "triangle", itemStyle: { color: "#dc3545" }, z: 4,
        data: data.check_ins.filter(function (c) { return !c.counts; }).map(point) }
    ]
  });
  window.addEventListener("resize", function () {
    var nb = bounds();
    chart.setOption({ xAxis: { min: nb.minLon, max: nb.maxLon }, yAxis: { min: nb.minLat, max: nb.maxLat } });
    chart.resize();
  });
}());
