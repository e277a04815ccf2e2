// Settings: the language of the app (the profile's by default), this phone's name, and
// "Remove this phone", which wipes the token, the outbox and the journal from the phone.
import {h, show} from "./dom.js";
import {LANGUAGES, setLanguage, t} from "../i18n.js";
import {readStatus} from "./status.js";

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
    h("section", {class: "card", "aria-labelledby": "phone-title"},
      h("h2", {id: "phone-title"}, t("this_phone")),
      enrolment?.device_name ? h("p", {}, enrolment.device_name) : null,
      h("p", {class: "hint"}, t("app_version", {version: app.version})),
      remove));
}
