// The team's answer to an alert, at the top of Today: "The team saw this at 14:05: Nina will
// call you in 10 minutes". The words after the colon are the team's own (or, before they
// wrote any, the server's what-to-do-now text in the family's language).
import {h} from "./dom.js";
import {formatTime, language, t} from "../i18n.js";

const SHOWN = new Set(["open", "acknowledged", "snoozed"]);

export function showTeamAnswers(alerts, timeZone) {
  const current = alerts.filter((alert) => SHOWN.has(alert.status))
    .sort((a, b) => String(b.acknowledged_at ?? b.alert_id).localeCompare(String(a.acknowledged_at ?? a.alert_id)));
  if (!current.length) return null;
  return h("section", {class: "team", "aria-labelledby": "team-title"},
    h("h2", {id: "team-title", class: "visually-hidden"}, t("team_saw_no_time")),
    current.map((alert) => {
      const seen = alert.status !== "open";
      return h("article", {class: `team-answer level-${alert.level}`, "data-alert": alert.alert_id},
        ["urgent", "emergency"].includes(alert.level) && !seen
          ? h("p", {class: "level"}, t(`alert_${alert.level}`)) : null,
        h("p", {class: "lead"}, leadOf(alert, timeZone)),
        messageOf(alert) ? h("p", {class: "message"}, messageOf(alert)) : null);
    }));
}

/** "The team saw this at 14:05", the time in the child's zone (named when the phone is on
 * another zone), or that the team has not seen it yet. */
export function leadOf(alert, timeZone) {
  if (alert.status === "open") return t("team_open");
  return alert.acknowledged_at ? t("team_saw", {time: formatTime(alert.acknowledged_at, timeZone)})
    : t("team_saw_no_time");
}

/** The server's own words come in every language it has (message_by_language), so they
 * follow the parent's choice; the team's own words come once, as they wrote them. */
export function messageOf(alert) {
  return alert.message_by_language?.[language()] ?? alert.message;
}
