// History: what was recorded on this phone, newest first, each marked sent or waiting, and
// an entry the server quarantined or rejected explained in words with what to do
// ("try again", "ask the team"): nothing is dropped without the family knowing.
import {h, show} from "./dom.js";
import {formatDayTime, language, t} from "../i18n.js";
import {readEntries} from "../journal.js";
import {describe} from "../sync/outbox.js";
import {temperatureChart} from "./chart.js";

const WEEK_MS = 7 * 86400 * 1000;
const STATUS_KEYS = {waiting: "status_waiting", sending: "status_sending",
                     accepted: "status_sent", duplicate: "status_sent",
                     quarantined: "status_quarantined", rejected: "status_rejected"};

function entryItem(app, entry, timeZone) {
  const shown = describe(entry, language());
  const temperature = entry.summary.temperature_c;
  const actions = shown.actions.map((action) => action === "retry"
    ? h("button", {type: "button", class: "secondary", onclick: async () => {
      await app.client.retry(entry.entry_id);
      await app.sync();
    }}, t("try_again"))
    : h("p", {class: "ask-team"}, t("ask_team_help")));
  return h("li", {class: `entry status-${entry.state}`, "data-entry": entry.entry_id},
    h("p", {class: "entry-head"},
      h("strong", {}, entry.summary.title || entry.questionnaire_id || t("unknown_form")), " ",
      h("span", {}, formatDayTime(entry.recorded_at, timeZone))),
    typeof temperature === "number"
      ? h("p", {class: temperature >= 38 ? "hot" : null},
          `${t("temperature")}: ${temperature.toFixed(1)} °C`) : null,
    h("p", {class: "entry-status"}, t(STATUS_KEYS[entry.state] ?? "status_waiting")),
    ["quarantined", "rejected"].includes(entry.state)
      ? h("div", {class: "problem-box", role: "note"},
          h("p", {}, shown.text), shown.detail ? h("p", {class: "detail"}, shown.detail) : null,
          actions)
      : null);
}

export async function showHistory(app) {
  const entries = await readEntries(app);
  const timeZone = app.profile?.timezone;
  const since = Date.now() - WEEK_MS;
  const points = entries.filter((entry) => typeof entry.summary.temperature_c === "number" &&
                                           Date.parse(entry.recorded_at) >= since)
    .map((entry) => ({at: Date.parse(entry.recorded_at), value: entry.summary.temperature_c}));
  const chart = temperatureChart(points, timeZone);
  show(app.main,
    h("h1", {}, t("history_title")),
    chart ? h("figure", {class: "card"}, chart, h("figcaption", {}, t("history_chart"))) : null,
    entries.length
      ? h("ul", {class: "entries"}, entries.map((entry) => entryItem(app, entry, timeZone)))
      : h("p", {}, t("history_empty")));
}
