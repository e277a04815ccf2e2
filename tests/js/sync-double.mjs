// A small real HTTP server on 127.0.0.1 standing in for Homeward in the sync client's
// tests: it opens every envelope with a real key (a wrongly sealed entry is rejected),
// records every request, and answers what a test scripts (5xx, 429 with Retry-After, 413,
// 401, a lost answer, any pull page). tests/test_js_sync_e2e.py uses the real server.
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";

import { createSyncClient } from "../../server/family/static/js/sync/client.js";
import { createMemoryStore } from "../../server/family/static/js/sync/memory-store.js";
import { fromBase64url, openSealed, SUITE_NAME } from "../../server/family/static/js/sync/sealing.js";

export function newKey(kid) {
  const jwk = generateKeyPairSync("x25519").privateKey.export({ format: "jwk" });
  return { kid, suite: SUITE_NAME, public_key: jwk.x, private_key: fromBase64url(jwk.d),
    created_at: "2026-11-01T00:00:00Z" };
}

// `answerNext(path, fn)` scripts the next answer on that path; `feed(cursor)` makes pull
// pages (or an answer: {drop: true} loses it, {status, body} answers that).
export async function startDouble() {
  const double = {
    keys: [newKey("k1")], requests: [], stored: new Map(), alerts: new Map(), answers: [], device: "dev_1",
    token: "hwd_secret", feed: null,
    keySet() {
      return { current: this.keys[0].kid, keys: this.keys.map(({ private_key: _, ...key }) => key) };
    },
    answerNext(path, answer) { this.answers.push({ path, answer }); },
    pushes() { return this.requests.filter((r) => r.path === "/api/v1/sync/push"); },
  };
  double.feed = (cursor) => ({ cursor: "c1", has_more: false,
    changes: cursor ? [] : [{ type: "keys", op: "upsert", id: "keys", data: double.keySet() }] });

  async function answerPush(body) {
    const results = [];
    for (const { entry_id: entryId, kid, sealed } of body.entries) {
      const key = double.keys.find((item) => item.kid === kid);
      if (!key) {
        results.push({ entry_id: entryId, status: "rejected", error: { code: "unknown_key", message: "?" } });
        continue;
      }
      let document;
      try {
        document = JSON.parse(new TextDecoder().decode(await openSealed({
          privateKey: key.private_key, sealed, entryId, deviceId: double.device }))); // eslint-disable-line
      } catch {
        results.push({ entry_id: entryId, status: "rejected", error: { code: "decrypt_failed", message: "no" } });
        continue;
      }
      if (double.stored.has(entryId)) {
        results.push({ entry_id: entryId, status: "duplicate", alert: double.alerts.get(entryId) ?? null });
        continue;
      }
      double.stored.set(entryId, document);
      if (document.answers.temperature_c >= 38) {
        double.alerts.set(entryId, { alert_id: `al_${entryId.slice(0, 4)}`, level: "urgent" });
      }
      results.push({ entry_id: entryId, status: "accepted", alert: double.alerts.get(entryId) ?? null });
    }
    return { status: 200, body: { server_time: "2026-11-20T19:00:00Z", results } };
  }

  double.storeThenLoseAnswer = async (request) => { await answerPush(request.body); return { drop: true }; };

  async function answer(request) {
    const scripted = double.answers.findIndex((item) => request.path.startsWith(item.path));
    if (scripted >= 0) return double.answers.splice(scripted, 1)[0].answer(request);
    if (request.path === "/api/v1/devices") {
      return { status: 201, body: { device_id: double.device, device_token: double.token,
        patient_id: "pt_1", respondent: "caregiver", keys: double.keySet() } };
    }
    if (request.path === "/api/v1/keys") return { status: 200, body: double.keySet() };
    if (request.headers.authorization !== `Bearer ${double.token}`) {
      return { status: 401, body: { error: { code: "unauthorized", message: "Who?", details: {} } } };
    }
    if (request.path === "/api/v1/sync/push") return answerPush(request.body);
    const page = double.feed(request.query.get("cursor"));
    return page.drop || page.status ? page : { status: 200, body: { server_time: "t", ...page } };
  }

  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", async () => {
      const url = new URL(req.url, "http://127.0.0.1");
      const raw = Buffer.concat(chunks);
      const request = { method: req.method, path: url.pathname, query: url.searchParams,
        headers: req.headers, bytes: raw.length, body: raw.length ? JSON.parse(raw) : null };
      double.requests.push(request);
      const reply = await answer(request);
      if (reply.drop) return req.socket.destroy(); // the answer is lost on the way
      const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status, { "Content-Type": "application/json", ...reply.headers });
      res.end(text);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  double.url = `http://127.0.0.1:${server.address().port}`;
  double.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); });
  return double;
}

// A phone: the client over a memory store, a clock that moves a second per reading, and
// waits recorded instead of slept.
export function phone(double, options = {}) {
  const store = options.store ?? createMemoryStore();
  let tick = 0;
  const waits = [];
  const client = createSyncClient({ baseUrl: double.url, store, random: () => 0.5,
    sleep: async (seconds) => { waits.push(seconds); },
    now: () => new Date(Date.UTC(2026, 10, 20, 19, 0, tick++)), ...options });
  return { client, store, waits };
}

export async function enrolledPhone(double, options) {
  const made = phone(double, options);
  await made.client.enrol("1b4d ehnj-cfv5", "Test phone");
  return made;
}

