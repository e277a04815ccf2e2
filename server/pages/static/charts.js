/* Draws the page's charts with the vendored Chart.js from the JSON next to each canvas
   (<canvas data-chart="ID"> reads <script type="application/json" id="ID">). Times are
   epoch milliseconds on a linear axis, ticked at midnights of the site's time zone: no date library.
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

  // Epoch ms of the midnight that starts `ms`'s day in `zone` (no date library: Intl gives
  // the wall clock there; two rounds settle a day that changes its offset).
  function midnight(ms, zone) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {timeZone: zone, year: "numeric", month: "numeric",
      day: "numeric", hour: "numeric", minute: "numeric", second: "numeric", hourCycle: "h23"})
      .formatToParts(new Date(ms)).forEach(function (part) { parts[part.type] = Number(part.value); });
    var wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    var guess = Date.UTC(parts.year, parts.month - 1, parts.day) - (wall - ms);
    var again = {};
    new Intl.DateTimeFormat("en-US", {timeZone: zone, hour: "numeric", minute: "numeric", hourCycle: "h23"})
      .formatToParts(new Date(guess)).forEach(function (part) { again[part.type] = Number(part.value); });
    var past = (again.hour * HOUR + again.minute * 60000) % DAY;
    return past > 12 * HOUR ? guess + (DAY - past) : guess - past;
  }

  // Ticks at midnights of the site's zone, a day (or a few days, or a month) apart, so a
  // reading sits visibly in its day; the axis runs from the midnight before the first
  // reading to the one after the last.
  function timeTicks(zone, points) {
    var xs = points.map(function (p) { return p.x; });
    var low = Math.min.apply(null, xs), high = Math.max.apply(null, xs);
    var start = midnight(low, zone), end = midnight(high, zone) + DAY + 2 * HOUR;
    end = midnight(end, zone);
    var days = Math.round((end - start) / DAY);
    var step = Math.max(1, Math.ceil(days / 8));
    var long = days > 60;
    var format = new Intl.DateTimeFormat("en-GB", long
      ? {timeZone: zone, month: "short", year: "numeric"}
      : {timeZone: zone, weekday: "short", day: "numeric", month: "short"});
    var ticks = [];
    if (long) {
      // Months and years: a tick on the first of every month or few months.
      var first = new Date(start), months = Math.ceil(days / 30.4), every = Math.max(1, Math.ceil(months / 8));
      for (var m = 0; m <= months + 1; m += every) {
        var at = midnight(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + m, 1, 12), zone);
        if (at >= start && at <= end) { ticks.push({value: at}); }
      }
    } else {
      for (var day = start; day <= end; day = midnight(day + step * DAY + 2 * HOUR, zone)) { ticks.push({value: day}); }
    }
    return {type: "linear", min: start, max: end,
            title: {display: true, text: "Times in " + zone.replace(/_/g, " ")},
            afterBuildTicks: function (axis) { axis.ticks = ticks; },
            ticks: {autoSkip: true, maxRotation: 0, callback: function (value) {
              return format.format(new Date(value));
            }}};
  }

  // Fixed ticks on a value axis padded beyond its range, so a line at the best score is
  // not drawn on the chart's edge where the eye loses it.
  function paddedAxis(low, high, pad, ticks, extra) {
    var axis = {min: low - pad, max: high + pad,
                afterBuildTicks: function (scale) { scale.ticks = ticks.map(function (v) { return {value: v}; }); }};
    Object.keys(extra).forEach(function (key) { axis[key] = extra[key]; });
    return axis;
  }

  function flatLine(label, y, points, colour, axis, zone) {
    var xs = points.map(function (p) { return p.x; });
    var low = Math.min.apply(null, xs), high = Math.max.apply(null, xs);
    if (zone) { low = midnight(low, zone); high = midnight(high + DAY + 2 * HOUR, zone); }
    return {label: label, data: [{x: low, y: y}, {x: high, y: y}],
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
      datasets.push(flatLine("Fever line " + data.threshold.toFixed(1) + " °C", data.threshold, points, RED, "y", data.timezone));
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
                               series.baseline, data.series.reduce(function (all, s) { return all.concat(s.points); }, []),
                               GREY, axis, data.timezone));
      }
      scales[axis] = capd
        ? paddedAxis(0, 32, 2, [0, 8, 16, 24, 32], {position: "right", reverse: true,
                     title: {display: true, text: "CAPD-style (down is worse)"}})
        : paddedAxis(0, 10, 0.7, [0, 2, 4, 6, 8, 10], {position: "left",
                     title: {display: true, text: "ICE-style (down is worse)"}});
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
