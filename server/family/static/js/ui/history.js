// History: what was recorded on this phone, newest first, each marked sent or waiting, and
// an entry the server quarantined or rejected explained in words with what to do.
import {h, show} from "./dom.js";
import {formatDayTime, t} from "../i18n.js";
import {readJournal} from "../journal.js";
import {entryStatus, readStatus} from "./status.js";
import {temperatureChart} from "./chart.js";

const WEEK_MS = 7 * 86400 * 1000;

function reasonOf(problem) {
  if (!problem) return "";
  if (typeof problem === "string") return problem;
  return problem.message ?? problem.code ?? "";
}

function entryItem(app, row, outbox, timeZone) {
  const {status, problem} = entryStatus(row, outbox);
  const temperature = row.summary.temperature_c;
  const help = status === "quarantined"
    ? h("p", {class: "problem"}, t("quarantined_help", {reason: reasonOf(problem)}))
    : status === "rejected"
      ? [h("p", {class: "problem"}, t("rejected_help", {reason: reasonOf(problem)})),
         h("button", {type: "button", class: "secondary", onclick: async () => {
           await app.client.retry?.(row.entry_id);
           app.syncSoon();
         }}, t("try_again"))]
      : null;
  return h("li", {class: `entry status-${status}`, "data-entry": row.entry_id},
    h("p", {class: "entry-head"},
      h("strong", {}, row.summary.title || t("unknown_form")), " ",
      h("span", {}, formatDayTime(row.recorded_at, timeZone))),
    typeof temperature === "number"
      ? h("p", {class: temperature >= 38 ? "hot" : null}, `${t("temperature")}: ${temperature.toFixed(1)} °C`) : null,
    h("p", {class: "entry-status"}, t(`status_${status}`)),
    help);
}

export async function showHistory(app) {
  const [journal, status] = await Promise.all([readJournal(app.store), readStatus(app)]);
  const timeZone = app.profile?.timezone;
  const since = Date.now() - WEEK_MS;
  const points = journal.filter((row) => typeof row.summary.temperature_c === "number" &&
                                         Date.parse(row.recorded_at) >= since)
    .map((row) => ({at: Date.parse(row.recorded_at), value: row.summary.temperature_c}));
  const chart = temperatureChart(points, timeZone);
  show(app.main,
    h("h1", {}, t("history_title")),
    chart ? h("figure", {class: "card"}, chart, h("figcaption", {}, t("history_chart"))) : null,
    journal.length
      ? h("ul", {class: "entries"}, journal.map((row) => entryItem(app, row, status.outbox, timeZone)))
      : h("p", {}, t("history_empty")));
}
