/* "Handle this alert" in place. Each card's summary is a link to the alert's own page, which
   works without JavaScript; here the link opens the card's disclosure instead, and the first
   time it opens the forms are fetched into it from /alerts/<id>/forms. The server renders
   forms only for the cards someone opens, not for every card of the page. */
(function () {
  "use strict";

  function say(details, text, href, linkText) {
    var note = document.createElement("p");
    note.className = "notice forms-notice";
    note.setAttribute("role", "alert");
    note.textContent = text + " ";
    var link = document.createElement("a");
    link.href = href;
    link.textContent = linkText;
    note.append(link);
    details.querySelector(".action-forms").replaceChildren(note);
  }

  function load(details) {
    var state = details.dataset.formsState;
    if (state === "loading" || state === "loaded") { return; }
    details.dataset.formsState = "loading";
    var page = details.querySelector("summary a").href;
    fetch(details.dataset.formsUrl, {credentials: "same-origin", redirect: "manual",
                                     cache: "no-store", headers: {"Accept": "text/html"}})
      .then(function (response) {
        if (response.status === 401 || response.type === "opaqueredirect") {
          details.dataset.formsState = "";
          say(details, "Your session has ended.",
              "/login?next=" + encodeURIComponent(location.pathname), "Sign in again");
          return null;
        }
        if (response.status !== 200) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        // The fragment is Homeward's own HTML; the page's CSP would stop any script in it.
        details.querySelector(".action-forms").innerHTML = html;
        details.dataset.formsState = "loaded";
      })
      .catch(function () {
        details.dataset.formsState = "";  // opening it again retries
        say(details, "The forms could not be loaded here.", page,
            "Open them on the alert's own page");
      });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("details.actions > summary a");
    // A new tab or window keeps the link's own behaviour: the alert's page.
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    var details = link.closest("details");
    details.open = !details.open;
  });

  // `toggle` does not bubble; capturing sees it for cards the inbox swaps in later too.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.matches && details.matches("details.actions") && details.open) { load(details); }
  }, true);

  document.querySelectorAll("details.actions[open]").forEach(load);
})();
