// The app itself, loaded by js/app.js once it knows the page can seal entries: the
// store, the sync client, routing between screens by the URL's hash (#today,
// #record/<questionnaire>/<task>, #history, #settings, #enrol=CODE), and sync on opening,
// on saving, when the browser comes back online and every few minutes.
import {openStore} from "../store.js";
import {createSyncClient} from "../sync/client.js";
import {setLanguage, t} from "../i18n.js";
import {h, redrawInPlace, show} from "./dom.js";
import {showEnrol, readEnrolCode} from "./enrol.js";
import {showToday} from "./today.js";
import {showRecord} from "./record.js";
import {entryWithHigherServerAdvice, showAdvice} from "./advice.js";
import {forgetOpened, readSummaries} from "../journal.js";
import {showHistory} from "./history.js";
import {showSettings} from "./settings.js";
import {renderTabs} from "./tabs.js";
import {watchInstall} from "./install.js";
import {watchReminders} from "./reminders.js";
import {forgetClosedReminders} from "./closed-reminders.js";

export const APP_VERSION = "1.0.0";
const SYNC_EVERY_MS = 5 * 60 * 1000;

export async function startApp(main) {
  if (!("indexedDB" in window)) {
    show(main, h("section", {class: "card warning"}, h("h1", {}, t("unsupported"))));
    return null;
  }
  const store = await openStore();
  const app = createApp(main, store);
  window.homeward = app;  // for the browser tests and for a curious developer's console
  await app.start();
  return app;
}

function createApp(main, store) {
  let client = makeClient(store);
  const app = {
    main, store, version: APP_VERSION,
    get client() { return client; },
    profile: null,
    journal: {summaries: () => readSummaries(store)},
    status: {online: navigator.onLine, syncing: false, lastReport: null},

    async start() {
      await app.chooseLanguage();
      window.addEventListener("hashchange", () => app.route());
      window.addEventListener("online", () => { app.status.online = true; app.showOnline(); app.syncSoon(); });
      window.addEventListener("offline", () => { app.status.online = false; app.showOnline(); });
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "visible") app.syncSoon();
      });
      setInterval(() => app.syncSoon(), SYNC_EVERY_MS);
      watchInstall(app);
      registerWorker(app);
      watchReminders(app).catch((error) => console.warn("reminders", error));
      app.showOnline();
      await app.route();
      app.syncSoon();
    },

    async enrolled() {
      return (await store.get("enrolment")) ?? null;
    },

    async chooseLanguage() {
      const chosen = await store.get("app_language");
      const profile = (await store.items.list("profile"))[0]?.data ?? null;
      app.profile = profile;
      const fallback = navigator.language?.startsWith("es") ? "es" : "en";
      setLanguage(chosen ?? profile?.language ?? fallback);
    },

    navigate(hash) {
      if (location.hash === hash) app.route();
      else location.hash = hash;
    },

    async route() {
      const hash = decodeURIComponent(location.hash.slice(1));
      const enrolment = await app.enrolled();
      document.getElementById("tabs").hidden = !enrolment;
      if (!enrolment) return showEnrol(app, readEnrolCode(hash));
      // A phone the team revoked enrols again with a new code; its outbox is kept and the
      // client proves it was the old device, so its entries still arrive.
      if (hash.startsWith("enrol") && (await store.get("needs_enrolment"))) {
        document.getElementById("tabs").hidden = true;
        return showEnrol(app, readEnrolCode(hash));
      }
      if (hash.startsWith("enrol=")) {
        history.replaceState(null, "", "#today");
        return app.route();
      }
      const [screen, ...rest] = hash.split("/");
      // A form fills the screen: its own Save and Cancel are the way out, and no tab bar
      // sits over the Save button.
      document.getElementById("tabs").hidden = screen === "record";
      renderTabs(app, screen || "today");
      if (screen === "record") return showRecord(app, rest[0], rest[1] || null);
      if (screen === "advice") return showAdvice(app, rest[0]);
      if (screen === "history") return showHistory(app);
      if (screen === "settings") return showSettings(app);
      return showToday(app);
    },

    /** Re-draws the current screen after data changed, unless the family is mid-form. */
    async refresh() {
      // Never under a half-filled form, nor under a code being typed.
      if (location.hash.startsWith("#record") || document.getElementById("enrol-code")) return;
      await app.chooseLanguage();
      await redrawInPlace(() => app.route());
    },

    notice(text, kind = "info") {
      const box = document.getElementById("notice");
      box.replaceChildren(h("p", {}, text));
      box.className = `notice ${kind}`;
      box.hidden = false;
      clearTimeout(app._noticeTimer);
      app._noticeTimer = setTimeout(() => { box.hidden = true; }, 8000);
    },

    showOnline() {
      const line = document.getElementById("online");
      line.textContent = app.status.online ? "" : t("offline_short");
      line.className = app.status.online ? "online" : "online offline";
    },

    syncSoon() {
      // With no network there is nothing to try: the "online" event brings us back.
      if (!navigator.onLine) return;
      app.sync().catch((error) => console.warn("sync failed", error));
    },

    /** Pushes the outbox and pulls; the client runs one sync at a time and never throws
     * for network trouble (the report says what happened). */
    async sync() {
      if (!(await app.enrolled())) return null;
      app.status.syncing = true;
      let report;
      try {
        report = await client.sync();
      } finally {
        app.status.syncing = false;
      }
      app.status.lastReport = report;
      scheduleRetry(app);
      // The server knew more than the phone (another phone's entries, a rule changed since
      // the last pull): its more severe advice is shown, unless a form is open.
      const higher = await entryWithHigherServerAdvice(app);
      if (higher && !location.hash.startsWith("#record")) {
        history.replaceState(null, "", `#advice/${higher}`);
        await app.route();  // a new screen: focus goes to its heading
        return report;
      }
      await app.refresh();
      return report;
    },

    async forget() {
      await client.forget();
      await store.clear();  // the journal and its key too, which the client does not know
      await forgetClosedReminders();
      forgetOpened();
      clearTimeout(app._reminderTimer);
      client = makeClient(store);
      app.profile = null;
    },
  };
  return app;
}

function makeClient(store) {
  return createSyncClient({
    baseUrl: location.origin, fetch: (...args) => fetch(...args), store,
    now: () => new Date(), random: () => Math.random(), sleep: wakeableSleep,
    appVersion: `homeward-family-app/${APP_VERSION}`, platform: "web",
  });
}

// A backoff wait that ends early when the browser says it is back online: a family
// landing after a flight should not sit out a backoff chosen while in the air. (A server's
// Retry-After comes only while online, so this never cuts one short.)
function wakeableSleep(seconds) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener("online", done);
      resolve();
    };
    const timer = setTimeout(done, seconds * 1000);
    window.addEventListener("online", done);
  });
}

// After a failed sync, the next one comes at the client's backoff (never before a
// Retry-After), besides the regular few minutes and the "online" event.
async function scheduleRetry(app) {
  clearTimeout(app._retryTimer);
  const delay = await app.client.nextSyncDelay();
  if (delay !== null) app._retryTimer = setTimeout(() => app.syncSoon(), delay * 1000);
}

function registerWorker(app) {
  if (!("serviceWorker" in navigator)) return;
  const hadController = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.register("sw.js", {scope: "./"}).catch((error) => {
    console.warn("the service worker could not be registered", error);
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // A new version took over. The family may be in the middle of a form: do not reload
    // under them; the new version is used the next time the app opens.
    if (hadController) app.notice(t("update_ready"));
  });
}

