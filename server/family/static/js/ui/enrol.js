// Enrolment: the QR code opens /app/#enrol=CODE, so the code is already filled in; typing
// it works too (the server forgives case, dashes and spaces, and O/I/L for 0/1).
import {h, show} from "./dom.js";
import {t} from "../i18n.js";

export function readEnrolCode(hash) {
  const match = /(?:^|[&?])enrol=([^&]*)/.exec(hash ?? "");
  return match ? match[1].trim() : "";
}

function tidyCode(text) {
  const plain = text.toUpperCase().replace(/[^0-9A-Z]/g, "");
  return plain.length === 12 ? plain.match(/.{4}/g).join("-") : text.trim();
}

function explain(error) {
  const code = error?.code ?? error?.error?.code;
  const status = error?.status;
  if (code === "enrollment_code_used") return t("enrol_code_used");
  if (code === "enrollment_code_expired") return t("enrol_code_expired");
  if (code === "rate_limited" || status === 429) return t("enrol_too_many");
  if (code === "not_found" || code === "invalid_request" || status === 404 || status === 400) {
    return t("enrol_code_bad");
  }
  if (!navigator.onLine || code === "network_error" || code === "bad_answer") {
    return t("enrol_offline");
  }
  return t("enrol_failed");
}

export async function showEnrol(app, code = "") {
  const removed = await app.store.get("app_removed");
  const problem = h("p", {class: "problem", role: "alert", id: "enrol-problem"});
  const codeInput = h("input", {id: "enrol-code", name: "code", value: tidyCode(code),
    autocomplete: "one-time-code", autocapitalize: "characters", spellcheck: "false",
    "aria-describedby": "enrol-code-hint enrol-problem", required: true});
  const nameInput = h("input", {id: "enrol-name", name: "device_name",
    value: t("enrol_name_default"), autocomplete: "off", required: true});
  const who = (value, label, checked) => h("label", {class: "choice"},
    h("input", {type: "radio", name: "respondent", value, checked}), h("span", {}, label));
  const button = h("button", {type: "submit", class: "primary"}, t("enrol_button"));
  const form = h("form", {class: "card", novalidate: true},
    h("label", {for: "enrol-code"}, t("enrol_code")),
    h("p", {class: "hint", id: "enrol-code-hint"}, t("enrol_code_hint")),
    codeInput,
    h("label", {for: "enrol-name"}, t("enrol_name")),
    nameInput,
    h("fieldset", {}, h("legend", {}, t("enrol_who")),
      who("caregiver", t("enrol_who_parent"), true), who("patient", t("enrol_who_child"), false)),
    problem, button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const typed = codeInput.value.trim();
    if (!typed) {
      problem.textContent = t("enrol_code_missing");
      codeInput.focus();
      return;
    }
    const respondent = form.querySelector("input[name=respondent]:checked")?.value ?? "caregiver";
    button.disabled = true;
    button.textContent = t("enrolling");
    problem.textContent = "";
    try {
      const device = await app.client.enrol(typed, nameInput.value.trim() || t("enrol_name_default"),
                                            respondent);
      await app.store.put("app_removed", null);
      history.replaceState(null, "", "#today");
      if (device?.respondent && device.respondent !== respondent && respondent === "patient") {
        app.notice(t("enrol_child_mismatch"));
      }
      await app.sync().catch(() => null);
      await app.chooseLanguage();
      await app.route();
    } catch (error) {
      problem.textContent = explain(error);
      button.disabled = false;
      button.textContent = t("enrol_button");
      codeInput.focus();
    }
  });
  show(app.main,
    h("h1", {}, t("enrol_title")),
    removed ? h("p", {class: "card"}, t("removed")) : null,
    h("p", {}, t("enrol_intro")),
    form);
}
