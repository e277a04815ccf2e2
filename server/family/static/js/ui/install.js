// "Add to home screen", offered on Today after enrolment until the family installs the app
// or says "Not now". Chromium offers its own prompt (beforeinstallprompt), which the app
// keeps for the button; Safari has none, so iPhone families get the one sentence that
// tells them where Apple put it.
import {h} from "./dom.js";
import {t} from "../i18n.js";

let deferred = null;

export function watchInstall(app) {
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    deferred = event;
    app.refresh();
  });
  window.addEventListener("appinstalled", () => app.store.put("app_install_done", true));
}

function standalone() {
  return window.matchMedia?.("(display-mode: standalone)").matches || navigator.standalone;
}

export async function installCard(app) {
  if (standalone() || (await app.store.get("app_install_done"))) return null;
  const ios = /iPhone|iPad|iPod/.test(navigator.userAgent);
  const done = async () => {
    await app.store.put("app_install_done", true);
    box.remove();
  };
  const box = h("section", {class: "card install", "aria-labelledby": "install-title"},
    h("h2", {id: "install-title"}, t("install_title")),
    h("p", {}, t("install_body")));
  if (deferred) {
    box.append(h("button", {type: "button", class: "primary", onclick: async () => {
      deferred.prompt();
      const choice = await deferred.userChoice.catch(() => null);
      deferred = null;
      if (choice?.outcome === "accepted") await done();
    }}, t("install_button")));
  } else if (ios) {
    box.append(h("p", {}, t("install_ios")));
  }
  box.append(h("button", {type: "button", class: "secondary", onclick: done}, t("install_later")));
  return box;
}
