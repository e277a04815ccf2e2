/* Draws the page's charts with the vendored Chart.js from the JSON next to each canvas
   (<canvas data-chart="ID"> reads <script type="application/json" id="ID">). Times are
   epoch milliseconds on a linear axis, labelled in the family's timezone: no date library.
   Every chart has a table twin on the page, so nothing here is the only copy of a number. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var RED = "#b3261e", BLUE = "#12355b", GREY = "#6b7480";
  var METHOD_STYLES = {oral: "circle", axillary: "triangle", ear: "rect", forehead: "rectRot",
                       rectal: "star"};
  var DOMAIN_COLOURS = {total: BLUE, physical: "#2e7d32", emotional: "#8e24aa",
                        social: "#ef6c00", school: "#00838f"};

  var HOUR = 3600 * 1000, DAY = 24 * HOUR;

  function timeTicks(zone, points) {
    var xs = points.map(function (p) { return p.x; });
    var low = Math.min.apply(null, xs), high = Math.max.apply(null, xs);
    var scale = {type: "linear"};
    if (xs.length && high - low < HOUR) {
      // One reading (or a burst): give the axis a day around it, not a zero-width span.
      scale.min = low - 12 * HOUR;
      scale.max = high + 12 * HOUR;
    }
    var long = high - low > 60 * DAY;
    var format = new Intl.DateTimeFormat("en-GB", long
      ? {timeZone: zone, month: "short", year: "numeric"}
      : {timeZone: zone, day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"});
    scale.ticks = {maxTicksLimit: 8, callback: function (value) {
      return format.format(new Date(value));
    }};
    return scale;
  }

  function flatLine(label, y, points, colour, axis) {
    var xs = points.map(function (p) { return p.x; });
    return {label: label, data: [{x: Math.min.apply(null, xs), y: y}, {x: Math.max.apply(null, xs), y: y}],
            borderColor: colour, borderDash: [6, 4], borderWidth: 2, pointRadius: 0,
            showLine: true, yAxisID: axis || "y"};
  }

  var tooltip = {callbacks: {title: function (items) { return items.length ? (items[0].raw.when || "") : ""; }}};

  function temperature(data) {
    var points = data.points;
    var datasets = [{
      label: "Temperature (°C)", data: points, showLine: true, borderColor: BLUE,
      pointStyle: points.map(function (p) { return METHOD_STYLES[p.method] || "crossRot"; }),
      pointRadius: 7, pointBackgroundColor: points.map(function (p) { return p.fever ? RED : BLUE; })
    }];
    if (data.threshold !== null && data.threshold !== undefined) {
      datasets.push(flatLine("Fever line " + data.threshold.toFixed(1) + " °C", data.threshold, points, RED));
    }
    return {datasets: datasets, scales: {x: timeTicks(data.timezone, points),
      y: {suggestedMin: 35.5, suggestedMax: 40, title: {display: true, text: "°C"}}},
      label: function (item) {
        var p = item.raw;
        return p.method === undefined ? item.dataset.label
          : p.y + " °C, " + p.method + (p.medicine !== null ? ", fever medicine " + p.medicine + " h before" : "");
      }};
  }

  function neuro(data) {
    var datasets = [], all = [], scales = {};
    data.series.forEach(function (series) {
      var capd = series.variant === "capd-style";
      var axis = capd ? "y2" : "y";
      all = all.concat(series.points);
      datasets.push({label: series.label, data: series.points, showLine: true, yAxisID: axis,
                     borderColor: capd ? "#8e24aa" : BLUE, pointRadius: 6,
                     pointStyle: capd ? "rect" : "circle"});
      if (series.baseline !== null && series.baseline !== undefined) {
        datasets.push(flatLine("Baseline " + series.baseline + " (" + series.variant + ")",
                               series.baseline, series.points, GREY, axis));
      }
      scales[axis] = capd
        ? {position: "right", min: 0, max: 32, reverse: true, title: {display: true, text: "CAPD-style (down is worse)"}}
        : {position: "left", min: 0, max: 10, title: {display: true, text: "ICE-style (down is worse)"}};
    });
    scales.x = timeTicks(data.timezone, all);
    return {datasets: datasets, scales: scales};
  }

  var bandMarks = {
    id: "bandMarks",
    afterDatasetsDraw: function (chart, args, options) {
      var ctx = chart.ctx, area = chart.chartArea, x = chart.scales.x;
      (options.marks || []).forEach(function (mark) {
        var px = x.getPixelForValue(mark.x);
        ctx.save();
        ctx.strokeStyle = GREY; ctx.setLineDash([4, 4]); ctx.lineWidth = 2;
        ctx.beginPath(); ctx.moveTo(px, area.top); ctx.lineTo(px, area.bottom); ctx.stroke();
        ctx.setLineDash([]); ctx.fillStyle = "#1b1f24"; ctx.font = "12px system-ui, sans-serif";
        ctx.fillText(mark.label, Math.min(px + 4, area.right - ctx.measureText(mark.label).width), area.top + 12);
        ctx.restore();
      });
    }
  };

  function qol(data) {
    var all = [];
    var datasets = data.series.map(function (series) {
      all = all.concat(series.points);
      var total = series.domain === "total";
      return {label: series.domain === "school" ? "school / daily life" : series.domain,
              data: series.points, showLine: true, spanGaps: true,
              borderColor: DOMAIN_COLOURS[series.domain], borderWidth: total ? 4 : 1.5,
              pointRadius: total ? 5 : 3, hidden: false};
    });
    return {datasets: datasets, marks: data.band_changes,
            scales: {x: timeTicks(data.timezone, all),
                     y: {min: 0, max: 100, title: {display: true, text: "score (higher is better)"}}}};
  }

  function distress(data) {
    return {datasets: [{label: "Caregiver distress (0-10)", data: data.points, showLine: true,
                        borderColor: "#8e24aa", pointRadius: 6}],
            scales: {x: timeTicks(data.timezone, data.points),
                     y: {min: 0, max: 10, title: {display: true, text: "distress"}}}};
  }

  var KINDS = {temperature: temperature, neuro: neuro, qol: qol, distress: distress};

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var built = KINDS[data.kind](data);
    var callbacks = {title: tooltip.callbacks.title};
    if (built.label) { callbacks.label = built.label; }
    var options = {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: built.scales,
      plugins: {legend: {position: "bottom"}, bandMarks: {marks: built.marks || []},
                tooltip: {callbacks: callbacks}}
    };
    new Chart(canvas, {type: "scatter", data: {datasets: built.datasets}, options: options,
                       plugins: [bandMarks]});
  });
})();
