// "Add to home screen": Chromium offers its own prompt (beforeinstallprompt), which the app
// keeps and shows as a button after enrolment; Safari has none, so iPhone families get the
// one sentence that tells them where Apple put it.
import {h} from "./dom.js";
import {t} from "../i18n.js";

let deferred = null;

export function watchInstall(app) {
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    deferred = event;
  });
  window.addEventListener("appinstalled", () => app.store.put("app_installed", true));
}

function standalone() {
  return window.matchMedia?.("(display-mode: standalone)").matches || navigator.standalone;
}

export async function offerInstall(app) {
  if (standalone() || (await app.store.get("app_install_offered"))) return;
  await app.store.put("app_install_offered", true);
  const ios = /iPhone|iPad|iPod/.test(navigator.userAgent);
  const box = h("section", {class: "card install", "aria-labelledby": "install-title"},
    h("h2", {id: "install-title"}, t("install_title")),
    h("p", {}, t("install_body")));
  if (deferred) {
    box.append(h("button", {type: "button", class: "primary", onclick: async () => {
      deferred.prompt();
      await deferred.userChoice.catch(() => null);
      deferred = null;
      box.remove();
    }}, t("install_button")));
  } else if (ios) {
    box.append(h("p", {}, t("install_ios")));
  }
  box.append(h("button", {type: "button", class: "secondary", onclick: () => box.remove()},
    t("install_later")));
  app.main.prepend(box);
}
