/* The alert inbox keeps itself current: it asks /alerts/live every few seconds whether
   anything changed (an unchanged inbox answers 204) and swaps in the cards that did, leaving
   alone any card whose form a nurse has open. Emergencies show in a red banner, in the
   document title and through the screen reader. When it cannot update (network, sign-out,
   idle pause) it says so loudly: a silent, stale inbox is the worst failure. */
(function () {
  "use strict";
  var root = document.getElementById("inbox");
  if (!root) { return; }
  var pollMs = Number(root.dataset.pollSeconds || 5) * 1000;
  var idleMs = Number(root.dataset.idleSeconds || 1800) * 1000;
  var liveUrl = root.dataset.liveUrl;
  // The site's zone, not this browser's: a ward PC set to another zone must not show
  // another clock than the cards do.
  var clockFormat = new Intl.DateTimeFormat("en-GB", {timeZone: root.dataset.siteTimezone || undefined,
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short"});
  var connection = document.getElementById("inbox-connection");
  var announcer = document.getElementById("inbox-announce");
  var serverOffsetMs = 0;  // server clock minus this browser's clock
  var lastActivity = Date.now();
  var state = "live";      // live | paused | offline | signed-out
  var timer = null;
  var failures = 0;

  function live() { return document.getElementById("inbox-live"); }

  function knownIds() {
    var ids = {};
    live().querySelectorAll(".alert-card").forEach(function (card) {
      ids[card.dataset.alertId] = true;
    });
    return ids;
  }

  function setTitle() {
    var box = live();
    var parts = [];
    if (state === "signed-out") { parts.push("NOT UPDATING (signed out)"); }
    else if (state === "paused") { parts.push("PAUSED"); }
    else if (state === "offline") { parts.push("NOT UPDATING (offline)"); }
    if (Number(box.dataset.emergency) > 0) { parts.push("(" + box.dataset.emergency + " EMERGENCY)"); }
    if (Number(box.dataset.waiting) > 0) { parts.push("(" + box.dataset.waiting + " waiting)"); }
    parts.push("Alert inbox – Homeward");
    document.title = parts.join(" ");
  }

  function say(text, problem) {
    connection.textContent = text;
    connection.classList.toggle("problem", !!problem);
    root.classList.toggle("not-updating", !!problem);
    setTitle();
  }

  function formatWait(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) { return s + " s"; }
    var m = Math.floor(s / 60);
    if (m < 60) { return m + " min"; }
    var h = Math.floor(m / 60); m = m % 60;
    if (h < 24) { return m ? h + " h " + m + " min" : h + " h"; }
    var d = Math.floor(h / 24); h = h % 24;
    return h ? d + " d " + h + " h" : d + " d";
  }

  function formatRelative(ms) {
    if (Math.abs(ms) < 60000) { return "now"; }
    var spoken = formatWait(Math.floor(Math.abs(ms) / 60000) * 60000);
    return ms > 0 ? "in " + spoken : spoken + " ago";
  }

  function tickWaiting() {
    var now = Date.now() + serverOffsetMs;
    root.querySelectorAll(".waiting[data-since]").forEach(function (span) {
      var since = Date.parse(span.dataset.since);
      if (!isNaN(since)) { span.textContent = formatWait(now - since); }
    });
    root.querySelectorAll(".relative[data-at]").forEach(function (span) {
      var at = Date.parse(span.dataset.at);
      if (!isNaN(at)) { span.textContent = "(" + formatRelative(at - now) + ")"; }
    });
  }

  // A colleague changed a card whose forms are open: say who did what, above the forms,
  // in the server's words (the forms fragment, asked with the status this card showed).
  function explainChange(card) {
    var details = card.querySelector("details.actions");
    if (!details || !details.dataset.formsUrl) { return; }
    fetch(details.dataset.formsUrl, {credentials: "same-origin", redirect: "manual",
                                     cache: "no-store", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.status === 200 ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var template = document.createElement("template");
        template.innerHTML = html;
        var notes = template.content.querySelectorAll(".forms-notice");
        if (!notes.length) { return; }
        var box = card.querySelector(".colleague-change");
        if (!box) {
          box = document.createElement("div");
          box.className = "colleague-change";
          box.setAttribute("role", "alert");
          var forms = details.querySelector(".action-forms");
          forms.insertBefore(box, forms.firstChild);
        }
        box.replaceChildren.apply(box, Array.prototype.map.call(notes, function (note) {
          return document.importNode(note, true);
        }));
      })
      .catch(function () { /* the stale marker still says the card changed */ });
  }

  function markStale(card) {
    card.classList.add("stale");
    explainChange(card);
  }

  function busy(card) {
    return card.contains(document.activeElement) || card.querySelector("details[open]") !== null;
  }

  function mergeList(oldList, newList) {
    var current = {};
    oldList.querySelectorAll(":scope > .alert-card").forEach(function (card) {
      current[card.dataset.alertId] = card;
    });
    var wanted = [];
    newList.querySelectorAll(":scope > .alert-card").forEach(function (fresh) {
      var old = current[fresh.dataset.alertId] || document.getElementById(fresh.id);
      delete current[fresh.dataset.alertId];
      if (old && old.dataset.version === fresh.dataset.version) { wanted.push(old); }
      else if (old && busy(old)) { markStale(old); wanted.push(old); }
      else {
        if (old) { old.remove(); }  // or the outdated card stays in the list beside its update
        wanted.push(document.importNode(fresh, true));
      }
    });
    Object.keys(current).forEach(function (id) {
      var gone = current[id];
      if (busy(gone)) { markStale(gone); wanted.push(gone); } else { gone.remove(); }
    });
    wanted.forEach(function (card, index) {
      if (oldList.children[index] !== card) { oldList.insertBefore(card, oldList.children[index] || null); }
    });
  }

  function apply(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var fresh = template.content.getElementById("inbox-live");
    var box = live();
    if (!fresh) { return; }
    var before = knownIds();
    var added = [];
    fresh.querySelectorAll(".alert-card").forEach(function (card) {
      if (!before[card.dataset.alertId]) { added.push(card); }
    });
    box.querySelector("#inbox-banners").replaceWith(document.importNode(fresh.querySelector("#inbox-banners"), true));
    ["waiting-heading", "handled-heading"].forEach(function (id) {
      box.querySelector("#" + id).innerHTML = fresh.querySelector("#" + id).innerHTML;
    });
    mergeList(box.querySelector("#list-waiting"), fresh.querySelector("#list-waiting"));
    mergeList(box.querySelector("#list-handled"), fresh.querySelector("#list-handled"));
    ["version", "emergency", "urgent", "waiting"].forEach(function (key) {
      box.dataset[key] = fresh.dataset[key];
    });
    if (added.length) {
      announcer.textContent = added.map(function (card) {
        var title = card.querySelector(".alert-title");
        return "New alert: " + title.textContent.replace(/\s+/g, " ").trim() + ".";
      }).join(" ");
    }
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  function poll() {
    if (state === "signed-out") { return; }
    if (Date.now() - lastActivity > idleMs) {
      // The session's idle timeout protects a tablet left on a counter; polling must not
      // keep it alive forever, so the page stops asking until someone touches it.
      state = "paused";
      say("Paused after a while without activity: this inbox is NOT updating. Press a key or tap to resume.", true);
      return;
    }
    var url = liveUrl + "?v=" + encodeURIComponent(live().dataset.version);
    fetch(url, {credentials: "same-origin", redirect: "manual", cache: "no-store",
                headers: {"Accept": "text/html"}})
      .then(function (response) {
        if (response.status === 401 || response.type === "opaqueredirect") {
          state = "signed-out";
          live().querySelectorAll(".alert-list").forEach(function (list) { list.replaceChildren(); });
          say("Your session has ended: this inbox is NOT updating. Sign in again to see alerts.", true);
          var link = document.createElement("a");
          link.href = "/login?next=/alerts";
          link.textContent = "Sign in again";
          connection.append(" ", link);
          return null;
        }
        if (response.status !== 200 && response.status !== 204) { throw new Error("HTTP " + response.status); }
        var serverTime = Date.parse(response.headers.get("X-Server-Time") || "");
        if (!isNaN(serverTime)) { serverOffsetMs = serverTime - Date.now(); }
        return response.status === 200 ? response.text() : "";
      })
      .then(function (html) {
        if (html === null) { return; }
        if (html) { apply(html); }
        failures = 0;
        state = "live";
        tickWaiting();
        say("Up to date at " + clockFormat.format(new Date(Date.now() + serverOffsetMs)) + "; this page updates itself.", false);
        schedule(pollMs);
      })
      .catch(function () {
        failures += 1;
        state = "offline";
        say("Cannot reach Homeward: this inbox is NOT updating. Retrying…", true);
        schedule(Math.min(30000, pollMs * Math.pow(2, failures)));
      });
  }

  function activity() {
    lastActivity = Date.now();
    if (state === "paused") { state = "live"; say("Resuming…", false); poll(); }
  }

  // A card kept stale while its form was open catches up once the nurse leaves it: the next
  // poll asks for the whole inbox rather than waiting for the inbox to change again.
  function recheck(event) {
    if (event.target.closest && event.target.closest(".alert-card.stale")) { live().dataset.version = ""; }
  }
  document.addEventListener("focusout", recheck);
  document.addEventListener("toggle", recheck, true);

  ["keydown", "pointerdown", "wheel", "touchstart"].forEach(function (name) {
    document.addEventListener(name, activity, {passive: true});
  });
  setTitle();
  schedule(pollMs);
})();
