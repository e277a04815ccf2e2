// The family app's first module: it checks that this page can keep entries safe before
// loading anything else, so a family on a plain-http link is told why, in words.
import {setLanguage, t} from "./i18n.js";
import {h, show} from "./ui/dom.js";

function explain(main, title, body) {
  setLanguage(navigator.language?.startsWith("es") ? "es" : "en");
  show(main, h("section", {class: "card warning", id: "cannot-start"},
    h("h1", {}, t(title)), body ? h("p", {}, body) : null));
}

async function boot() {
  const main = document.getElementById("main");
  // WebCrypto, which seals every entry, exists only in a secure context (HTTPS, or
  // localhost while developing): anywhere else the app must say so, not half work.
  if (!window.isSecureContext || !globalThis.crypto?.subtle) {
    return explain(main, "insecure_title", t("insecure_body"));
  }
  try {
    const {startApp} = await import("./ui/shell.js");
    await startApp(main);
  } catch (error) {
    console.error(error);
    explain(main, "enrol_failed", String(error?.message ?? error));
  }
}

boot();
