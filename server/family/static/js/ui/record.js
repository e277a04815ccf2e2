// Recording: the questionnaire rendered from its pulled definition (js/forms/), sealed and
// queued on Save before anything else happens, then a sync is tried. Works offline.
import {h, show} from "./dom.js";
import {language, pickLanguage, t} from "../i18n.js";
import {remember} from "../journal.js";

let current = null;  // the form on screen, destroyed when the family leaves it

function entryIdOf(result) {
  return typeof result === "string" ? result : result?.entry_id ?? result?.entryId;
}

function formLanguage(definition) {
  const languages = definition.languages ?? [];
  return languages.includes(language()) ? language() : (languages[0] ?? language());
}

export async function showRecord(app, questionnaireId, taskId) {
  current?.destroy?.();
  current = null;
  const store = app.store;
  const task = taskId ? await store.items.get("task", taskId) : null;
  const definition = await store.items.get("questionnaire", questionnaireId);
  // A task may name a variant the phone no longer holds (a birthday moved the child on):
  // the definition on the phone is the one to show, and its variant is what is sent.
  if (!definition) {
    show(app.main, h("h1", {}, t("record_title")),
      h("p", {class: "card warning"}, t("record_missing")),
      h("a", {class: "big-action secondary", href: "#today"}, t("record_back")));
    return;
  }
  const holder = h("div", {class: "form-holder"});
  // The form shows its own title; the page's heading is for screen readers and focus.
  show(app.main, h("h1", {class: "visually-hidden"}, pickLanguage(definition.title)), holder);
  const save = async (answers) => {
    performance.mark("homeward-save");
    const result = await app.client.record(questionnaireId, definition.version,
                                           definition.variant, answers,
                                           {taskId: task?.task_id ?? null});
    const entryId = entryIdOf(result);
    await remember(store, entryId, {title: pickLanguage(definition.title), answers});
    performance.mark("homeward-queued");
    performance.measure("homeward-save-to-queued", "homeward-save", "homeward-queued");
    current?.destroy?.();
    current = null;
    app.notice(t("saved"), "ok");
    history.replaceState(null, "", "#today");
    await app.route();
    app.syncSoon();
    return entryId;
  };
  // Loaded when first needed: the forms are the largest part of the app.
  const {renderQuestionnaire} = await import("../forms/render.js");
  current = renderQuestionnaire(holder, definition, {
    language: formLanguage(definition), picturesBase: "pictures/",
    onSave: save,
    onCancel: () => { current?.destroy?.(); current = null; app.navigate("#today"); },
  });
  holder.querySelector("input, button, select, textarea")?.focus?.({preventScroll: true});
  app.main.querySelector("h1")?.focus();
}
