// A small temperature chart in SVG, drawn from the journal: the last few days, with the
// 38 °C fever line. It is a picture for the eye; the list below it says the same in words.
import {svg} from "./dom.js";
import {formatDayTime, t} from "../i18n.js";

const WIDTH = 340, HEIGHT = 160, PAD = {left: 34, right: 10, top: 10, bottom: 22};
const LOW = 35.5, HIGH = 40.5, FEVER = 38.0;

export function temperatureChart(points, timeZone) {
  if (points.length === 0) return null;
  const sorted = [...points].sort((a, b) => a.at - b.at);
  const first = sorted[0].at, last = sorted[sorted.length - 1].at;
  const span = Math.max(last - first, 3600 * 1000);
  const x = (at) => PAD.left + ((at - first) / span) * (WIDTH - PAD.left - PAD.right);
  const y = (value) => {
    const clamped = Math.min(HIGH, Math.max(LOW, value));
    return PAD.top + (1 - (clamped - LOW) / (HIGH - LOW)) * (HEIGHT - PAD.top - PAD.bottom);
  };
  const summary = sorted.map((p) => `${p.value.toFixed(1)} °C, ${formatDayTime(new Date(p.at).toISOString(), timeZone)}`).join("; ");
  const chart = svg("svg", {viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "chart", role: "img",
                           "aria-label": `${t("history_chart")}: ${summary}`});
  for (const value of [36, 37, 38, 39, 40]) {
    chart.append(svg("line", {x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value),
                              class: value === FEVER ? "fever-line" : "grid"}),
                 svg("text", {x: PAD.left - 6, y: y(value) + 4, "text-anchor": "end",
                              class: "axis"}, String(value)));
  }
  if (sorted.length > 1) {
    chart.append(svg("polyline", {class: "trace",
      points: sorted.map((p) => `${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ")}));
  }
  for (const p of sorted) {
    chart.append(svg("circle", {cx: x(p.at).toFixed(1), cy: y(p.value).toFixed(1), r: 5,
                                class: p.value >= FEVER ? "dot hot" : "dot"}));
  }
  return chart;
}
