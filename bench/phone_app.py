"""The family app on a phone-sized Chromium against a real `homeward serve` (issue 11):

1. bytes of the first load: what the page fetches to show the enrolment screen, and the
   whole shell the service worker caches on the first visit, raw and gzip -9 each;
2. tapping Save to the entry sealed and queued in IndexedDB, with the CPU throttled 4×
   (Chromium's DevTools CPU throttling: a mid-range phone), over N saves; and on a fever,
   tapping Save to the safety rules' advice on screen (issue 12), offline;
3. a push of 50 entries queued over three days offline, when the network comes back:
   the sync as the family waits for it (push + pull), and the push request alone.

    .venv/bin/python bench/phone_app.py [--size small|full]   # ~30 s | ~1 min
"""
import gzip
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Http, Server, arguments, data_folder, percentiles, print_machine  # noqa: E402
from families import child, staff_token  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
SIZES = {"small": {"saves": 10, "queued": 50}, "full": {"saves": 40, "queued": 50},
         "toy": {"saves": 2, "queued": 5}}  # tests/test_bench_smoke.py
TAP_TO = """(mark) => {
    const taps = performance.getEntriesByName("bench-tap-save");
    const done = performance.getEntriesByName(mark);
    return done.length ? done[done.length - 1].startTime - taps[taps.length - 1].startTime
                       : null;
}"""


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def first_load(page, url, link):
    """Bytes the page itself fetched until the enrolment screen shows."""
    seen = []
    page.on("response", lambda response: seen.append(response))
    page.goto(url + "/app/" + link.split("/app/", 1)[1])
    page.get_by_role("heading", name="Connect this phone").wait_for()
    bodies = [response.body() for response in seen if response.ok]
    return {"requests": len(bodies), "raw": sum(map(len, bodies)),
            "gzip": sum(gzipped(body) for body in bodies)}


def shell_bytes(http):
    """Every file the service worker caches on the first visit (its SHELL list)."""
    status, worker = http.request("GET", "/app/sw.js")
    shell = json.loads(worker.decode().split("const SHELL = ", 1)[1].split(";\n", 1)[0])
    raw = gz = 0
    for file in ["", "sw.js", *shell["files"]]:
        status, body = http.request("GET", "/app/" + file)
        assert status == 200, file
        raw, gz = raw + len(body), gz + gzipped(body)
    return {"files": len(shell["files"]) + 2, "raw": raw, "gzip": gz}


def enrol(page):
    page.get_by_label("A name for this phone").fill("Bench phone")
    page.get_by_role("button", name="Connect", exact=True).click()
    page.locator("#sync-line").wait_for()
    for _ in range(150):
        if page.evaluate("navigator.serviceWorker.controller !== null"):
            return
        page.wait_for_timeout(100)
    raise RuntimeError("the service worker never took control")


def save_once(page, celsius, mark="homeward-queued"):
    page.get_by_role("link", name="Record a temperature now").click()
    temperature = page.get_by_label("Temperature (°C)")
    temperature.fill(f"{celsius:.1f}")
    temperature.blur()
    page.locator("label", has_text="Under the arm").click()
    save = page.get_by_role("button", name="Save")
    save.evaluate("""(button) => button.addEventListener("pointerdown",
        () => performance.mark("bench-tap-save"), {once: true, capture: true})""")
    count = f"performance.getEntriesByName('{mark}').length"
    before = page.evaluate(count)
    save.click()
    for _ in range(300):
        if page.evaluate(count) > before:
            taken = page.evaluate(TAP_TO, mark)
            if page.locator(".advice").count():  # a fever's advice: back to Today
                page.get_by_role("link", name="Back to Today").click()
            return taken
        page.wait_for_timeout(20)
    raise RuntimeError(f"{mark} never came")


def queue_three_days(page, count):
    """count entries recorded over the last 72 hours, sealed by the app's own client."""
    return page.evaluate("""async (count) => {
        const now = Date.now();
        for (let i = 0; i < count; i += 1) {
            const at = new Date(now - (72 * 3600e3) * (count - i) / count);
            await window.homeward.client.record("symptom-diary", "1.0.0", "caregiver",
                {temperature_c: 36.5 + (i % 10) / 10, temperature_method: "axillary"},
                {recordedAt: at.toISOString().replace("Z", "+00:00")});
        }
        return (await window.homeward.client.status()).waiting;
    }""", count)


def run(size="small", report=print):
    from playwright.sync_api import sync_playwright

    sizes = SIZES[size]
    figures = {}
    with data_folder() as data_dir, Server(data_dir, workers=2) as server:
        http = Http(server.port)
        staff = staff_token(data_dir)
        patient = http.json("POST", "/api/v1/patients", {**child(0), "language": "en"},
                            token=staff)
        link = http.json("POST", f"/api/v1/patients/{patient['patient_id']}/enrollments",
                         {"respondent": "caregiver"}, token=staff)["app_link"]
        figures["shell"] = shell_bytes(http)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                          device_scale_factor=2)
            page = context.new_page()
            figures["first_load"] = first_load(page, server.url, link)
            enrol(page)
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            context.set_offline(True)  # saving never waits for a network
            taps = [save_once(page, 36.6 + (i % 8) / 10) for i in range(sizes["saves"])]
            figures["save"] = {"first": taps[0], **percentiles(taps[1:] or taps),
                               "count": len(taps)}
            fevers = [save_once(page, 38.6, "homeward-advised")
                      for _ in range(max(2, sizes["saves"] // 4))]
            figures["advice"] = {**percentiles(fevers), "count": len(fevers)}

            context.set_offline(False)  # send those, so the next figure is 50 entries only
            page.evaluate("window.homeward.sync().then(() => true)")
            context.set_offline(True)
            waiting = queue_three_days(page, sizes["queued"])
            timings = {}
            page.on("requestfinished", lambda request: timings.setdefault(
                request.url.rsplit("/", 1)[-1].split("?")[0], []).append(request.timing)
                if "/api/v1/sync/" in request.url else None)
            context.set_offline(False)
            started = time.perf_counter()
            result = page.evaluate("window.homeward.sync().then((r) => ({pushed: r.pushed,"
                                   " accepted: r.accepted, error: r.error}))")
            elapsed = time.perf_counter() - started
            push = timings.get("push", [{}])[-1]
            figures["push"] = {"waiting": waiting, **result, "sync_ms": elapsed * 1000,
                               "push_ms": push.get("responseEnd", 0) - push.get("requestStart", 0)}
            browser.close()
        memory = server.memory_line()
    report(f"first load (enrolment screen): {figures['first_load']['requests']} requests, "
           f"{figures['first_load']['raw']:,} bytes, gzip {figures['first_load']['gzip']:,}")
    report(f"service worker shell (first visit): {figures['shell']['files']} files, "
           f"{figures['shell']['raw']:,} bytes, gzip {figures['shell']['gzip']:,}")
    save = figures["save"]
    report(f"tap Save -> sealed and queued, CPU 4x slower: first {save['first']:.0f} ms; "
           f"then p50 {save[50]:.0f} ms, p95 {save[95]:.0f} ms, p99 {save[99]:.0f} ms "
           f"over {save['count'] - 1} saves")
    advice = figures["advice"]
    report(f"tap Save on a fever -> the rules' urgent advice on screen, CPU 4x slower, offline: "
           f"p50 {advice[50]:.0f} ms, p95 {advice[95]:.0f} ms over {advice['count']} fevers")
    push = figures["push"]
    figures["memory"] = memory
    report(f"{push['waiting']} entries queued over 3 days, back online, CPU 4x slower: "
           f"sync (push + pull) {push['sync_ms']:.0f} ms, the push request "
           f"{push['push_ms']:.0f} ms; pushed {push['pushed']}, accepted {push['accepted']}, "
           f"error {push['error']}")
    report(memory)
    return figures


if __name__ == "__main__":
    args = arguments(__doc__.splitlines()[0])
    print_machine()
    run(args.size)
