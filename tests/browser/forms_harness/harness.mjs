// Loads one served definition (?definition=name&language=xx&layout=...&answers={...}) into the form, and
// writes what onSave received into #saved, so the browser test reads what the app would get.
import { renderQuestionnaire } from '/static/js/forms/render.js';

const params = new URLSearchParams(location.search);
const response = await fetch(`/definitions/${encodeURIComponent(params.get('definition'))}`);
const definition = await response.json();
const saved = document.getElementById('saved');
const saves = [];
window.formSaveShouldFail = false;
window.form = renderQuestionnaire(document.getElementById('form'), definition, {
  language: params.get('language') || 'en',
  layout: params.get('layout') || undefined,
  answers: params.has('answers') ? JSON.parse(params.get('answers')) : undefined,
  picturesBase: '/static/pictures/',
  async onSave(answers) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (window.formSaveShouldFail) { window.formSaveShouldFail = false; throw new Error('disk full'); }
    saves.push(answers);
    saved.textContent = JSON.stringify(saves);
  },
  onCancel() { document.getElementById('cancelled').hidden = false; },
});
document.body.dataset.ready = 'yes';
