import {h} from "./dom.js";
import {t} from "../i18n.js";

const TABS = [["today", "nav_today"], ["history", "nav_history"], ["settings", "nav_settings"]];

export function renderTabs(app, current) {
  const nav = document.getElementById("tabs");
  nav.setAttribute("aria-label", t("app_name"));
  nav.replaceChildren(h("ul", {}, TABS.map(([name, key]) => h("li", {},
    h("a", {href: `#${name}`, "aria-current": name === current ? "page" : null}, t(key))))));
}
