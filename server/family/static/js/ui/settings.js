// Settings: the language of the app (the profile's by default), this phone's name, and
// "Remove this phone", which wipes the token, the outbox and the journal from the phone.
import {h, show} from "./dom.js";
import {LANGUAGES, setLanguage, t} from "../i18n.js";
import {readStatus} from "./status.js";
import {closedReminderState, turnOnClosedReminders} from "./closed-reminders.js";

const REMINDER_WORDS = {periodic: "reminders_periodic", possible: "reminders_possible",
                        "open-only": "reminders_open_only", denied: "reminders_denied"};

/** What this phone can do about reminders, said plainly, with the button where it helps. */
async function remindersCard() {
  const state = await closedReminderState();
  const line = h("p", {id: "reminders-state", role: "status"}, t(REMINDER_WORDS[state]));
  let button = null;
  if (state === "possible") {
    button = h("button", {type: "button", class: "secondary"}, t("reminders_turn_on"));
    button.addEventListener("click", async () => {
      const now = await turnOnClosedReminders();
      line.textContent = t(REMINDER_WORDS[now]);
      if (now !== "possible") button.remove();
    });
  }
  return h("section", {class: "card", "aria-labelledby": "reminders-title"},
    h("h2", {id: "reminders-title"}, t("reminders_title")), line, button);
}

export async function showSettings(app) {
  const enrolment = await app.store.get("enrolment");
  const status = await readStatus(app);
  const select = h("select", {id: "language"}, LANGUAGES.map(([code, name]) =>
    h("option", {value: code, selected: document.documentElement.lang === code}, name)));
  select.addEventListener("change", async () => {
    await app.store.put("app_language", select.value);
    setLanguage(select.value);
    await app.route();
    document.getElementById("language")?.focus();
  });
  const remove = h("button", {type: "button", class: "danger"}, t("remove_phone"));
  remove.addEventListener("click", async () => {
    const unsent = status.waiting + status.rejected;
    const question = unsent === 1 ? t("remove_confirm_waiting_one")
      : unsent ? t("remove_confirm_waiting", {count: unsent}) : t("remove_confirm");
    if (!window.confirm(question)) return;
    await app.forget();
    await app.store.put("app_removed", true);
    history.replaceState(null, "", "#");
    await app.route();
  });
  show(app.main,
    h("h1", {}, t("settings_title")),
    h("section", {class: "card"}, h("label", {for: "language"}, t("language")), select),
    await remindersCard(),
    h("section", {class: "card", "aria-labelledby": "phone-title"},
      h("h2", {id: "phone-title"}, t("this_phone")),
      enrolment?.device_name ? h("p", {}, enrolment.device_name) : null,
      h("p", {class: "hint"}, t("app_version", {version: app.version})),
      remove));
}
