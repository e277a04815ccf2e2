// Recording: the questionnaire rendered from its pulled definition (js/forms/). On Save,
// before any network: the entry is scored and the safety rules run on the phone
// (ui/advice.js over js/advice/advise.js), the entry is sealed with what the phone advised
// in it (`phone_advice`) and queued, a reminder the advice asks for is kept, and the advice
// shows; then a sync is tried. Works offline.
import {h, show} from "./dom.js";
import {language, LANGUAGES, otherLanguageOf, pickLanguage, setLanguage, t} from "../i18n.js";
import {readHistory, remember} from "../journal.js";
import {rfc3339} from "../sync/sealing.js";
import {adviseOn, keptAdvice, needsScreen, showAdvice} from "./advice.js";
import {keepReminders} from "./reminders.js";
import {findTask} from "./tasks.js";
import {renderTabs} from "./tabs.js";
import {refreshDuePlan} from "./today.js";

let current = null;  // the form on screen, destroyed when the family leaves it

function formLanguage(definition) {
  const languages = definition.languages ?? [];
  return languages.includes(language()) ? language() : (languages[0] ?? language());
}

/** "This form is not in Spanish. It is shown in English." when the app's language is one
 * the questionnaire does not have; nothing when it has it. */
function languageNote(definition) {
  const shown = formLanguage(definition);
  if (shown === language()) return null;
  return h("p", {class: "card form-language", role: "note"},
    t("form_not_in_language", {language: t(`language_name_${language()}`),
                               shown: t(`language_name_${shown}`)}));
}

/** A big button to read the app and the questions in the other language, answers kept.
 * Its name says what it does in both languages, each marked with its own `lang`, so a
 * screen reader speaks "Español. Cambiar a español. Switch to Spanish." with the right
 * voice for each part. */
function languageSwitch(app, definition, answers, page) {
  const other = LANGUAGES.find(([code]) => code !== language());
  if (!other) return null;
  const [code, name] = other, here = language();
  const button = h("button", {type: "button", class: "secondary language-switch", lang: code},
    name,
    h("span", {class: "visually-hidden"}, `. ${t(`switch_to_${code}`, {}, code)}.`),
    h("span", {class: "visually-hidden", lang: here}, ` ${t(`switch_to_${code}`, {}, here)}.`));
  button.addEventListener("click", async () => {
    await app.store.put("app_language", code);  // the family's choice, kept on this phone
    setLanguage(code);
    renderTabs(app, "record");   // hidden under a form, but in the new language for after
    app.showOnline?.();
    await showRecord(app, definition.id, currentTaskId, answers(), page());
    app.main.querySelector(".language-switch")?.focus();
  });
  return button;
}

let currentTaskId = null;

export async function showRecord(app, questionnaireId, taskId, answers = undefined, page = undefined) {
  current?.destroy?.();
  current = null;
  currentTaskId = taskId ?? null;
  const store = app.store;
  // A pulled task, or one the phone made from the schedule (offline past the horizon).
  const task = await findTask(app, taskId);
  // A task may name a variant the phone no longer holds (a birthday moved the child on):
  // the definition on the phone is the one to show, and its variant is what is sent.
  const definition = await store.items.get("questionnaire", questionnaireId);
  if (!definition) {
    show(app.main, h("h1", {}, t("record_title")),
      h("p", {class: "card warning"}, t("record_missing")),
      h("a", {class: "big-action secondary", href: "#today"}, t("record_back")));
    return;
  }
  // A form shown in another language than the app's is marked so, for screen readers.
  const holder = h("div", {class: "form-holder", lang: formLanguage(definition)});
  // The form shows its own title; the page's heading is for screen readers and focus.
  show(app.main, h("h1", {class: "visually-hidden", lang: otherLanguageOf(definition.title)},
                         pickLanguage(definition.title)),
       languageSwitch(app, definition, () => current?.getAnswers?.() ?? {},
                      () => current?.getPage?.() ?? undefined),
       languageNote(definition), holder);
  const save = async (answers) => {
    performance.mark("homeward-save");
    const recordedAt = rfc3339(new Date());
    const entry = {questionnaire_id: definition.id, variant: definition.variant, answers,
                   recorded_at: recordedAt};
    const history_ = await readHistory(app);
    performance.mark("homeward-history-read");
    const advice = await adviseOn(app, entry, history_, definition);
    performance.mark("homeward-advice-found");
    // What the phone advised travels sealed in the entry (phone_advice), for drift counts.
    const record = await app.client.record(definition.id, definition.version, definition.variant,
                                           answers, {taskId: task?.task_id ?? null, recordedAt,
                                                     phoneAdvice: advice.phoneAdvice});
    performance.mark("homeward-sealed");
    await remember(store, record.entry_id, {title: pickLanguage(definition.title), answers,
                                            scores: advice.scores, advice: keptAdvice(advice)});
    await keepReminders(app, advice, {...entry, entry_id: record.entry_id});
    performance.mark("homeward-queued");
    performance.measure("homeward-save-to-queued", "homeward-save", "homeward-queued");
    current?.destroy?.();
    current = null;
    if (needsScreen(advice)) {
      history.replaceState(null, "", `#advice/${record.entry_id}`);
      await showAdvice(app, record.entry_id, {summary: {advice: keptAdvice(advice)}, record});
    } else {
      app.notice(t("saved"), "ok");
      history.replaceState(null, "", "#today");
      await app.route();
    }
    performance.mark("homeward-advised");
    app.syncSoon();
    // After the advice is on screen (it must not wait): the closed-app plan without the
    // task just done, since the advice screen does not redraw Today.
    await refreshDuePlan(app).catch((error) => console.warn("due plan", error));
    return record.entry_id;
  };
  // Loaded when first needed: the forms are the largest part of the app.
  const {renderQuestionnaire} = await import("../forms/render.js");
  current = renderQuestionnaire(holder, definition, {
    language: formLanguage(definition), picturesBase: "pictures/", answers, page,
    onSave: save,
    onCancel: () => { current?.destroy?.(); current = null; app.navigate("#today"); },
  });
  app.main.querySelector("h1")?.focus();
}
