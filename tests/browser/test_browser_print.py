"""A patient's timeline on paper: printed by Chromium (page.pdf, print media) on A4 and on
Letter, the record fits the page width, navigation, forms and buttons are not printed, each
page is headed by the patient's name and MRN and when the page was produced, and the big
parts of the record start on a page of their own."""
import re

import pytest

from browsing import SCREENSHOTS, sign_in
from support.family import enrolled_family

pytestmark = pytest.mark.browser

# Points (1/72 inch): what a PDF page's MediaBox says for each paper size.
PAPER = {"A4": (595, 842), "Letter": (612, 792)}
CSS_PX_PER_MM = 96 / 25.4
PRINTABLE_WIDTH_MM = {"A4": 210 - 24, "Letter": 215.9 - 24}  # print.css: 12 mm each side


def at(day, hour, minute=0):
    return f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00-05:00"


@pytest.fixture
def timeline(page, live, phone, staff, clock):
    """A nurse's browser on a child's timeline holding three days of readings, signs and
    alerts: enough for several printed pages."""
    nurse = staff("nurse")
    family = enrolled_family(phone, nurse.headers, clock=clock)
    documents = []
    for day, hour in [(18, 7), (18, 11), (18, 15), (18, 19), (19, 7), (19, 11), (19, 15),
                      (19, 19), (20, 7), (20, 11)]:
            documents.append(family.document(
                {"temperature_c": round(36.8 + (hour - 7) / 10 + (day - 18) / 5, 1),
                 "temperature_method": "oral" if hour < 12 else "axillary",
                 "organ_signs": ["rash"] if hour == 19 else [],
                 "notes": "Ate a little, slept well after the paracetamol dose at noon"},
                recorded_at=at(day, hour)))
    family.push([family.envelope(document) for document in documents])
    sign_in(page, nurse, f"/patients/{family.patient_id}")
    return page


def pdf_pages(pdf: bytes) -> list[tuple[int, int]]:
    """Each page's size in points, read from the PDF's page dictionaries."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(round(float(w)), round(float(h))) for w, h in boxes]


def print_view(page, paper):
    """The page laid out for `paper` with print media, as Chromium prints it."""
    page.set_viewport_size({"width": int(PRINTABLE_WIDTH_MM[paper] * CSS_PX_PER_MM),
                            "height": 1000})
    page.emulate_media(media="print")


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_it_prints_the_timeline_to_fit_the_page_without_nav_or_forms(timeline, paper):
    page = timeline
    print_view(page, paper)
    printed = page.evaluate("""() => {
        const shown = el => el.getClientRects().length > 0
            && getComputedStyle(el).visibility !== 'hidden';
        const all = sel => [...document.querySelectorAll(sel)];
        const width = document.documentElement.clientWidth;
        return {
            scrollWidth: document.documentElement.scrollWidth, width,
            wider: all('main *').filter(el => shown(el)
                && el.getBoundingClientRect().right > width + 1)
                .map(el => `${el.tagName}#${el.id}.${el.className}`),
            visibleForms: all('form, button, nav, select, input, textarea').filter(shown).length,
            header: getComputedStyle(document.querySelector('.patient-header')).position,
            repeatedRoom: getComputedStyle(document.querySelector('main')).boxDecorationBreak,
            headerText: document.querySelector('.patient-header').innerText,
            stamp: shown(document.querySelector('.print-stamp'))
                ? document.querySelector('.print-stamp').innerText : null,
            breaks: ['temperature', 'symptoms', 'alerts'].map(id =>
                getComputedStyle(document.getElementById(id)).breakBefore),
        };
    }""")
    assert printed["scrollWidth"] <= printed["width"] and printed["wider"] == []
    assert printed["visibleForms"] == 0
    # Chromium repeats a fixed element on every printed page: the running header.
    # main's top padding, repeated on every page, is the room it takes.
    assert printed["header"] == "fixed" and printed["repeatedRoom"] == "clone"
    assert "Mateo Ruiz" in printed["headerText"] and "MRN-5550123" in printed["headerText"]
    assert printed["stamp"].startswith("Page produced Friday 20 November 2026 at 14:00 EST")
    assert printed["breaks"] == ["page", "page", "page"]

    pdf = page.pdf(format=paper, print_background=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS.parent / f"timeline-{paper}.pdf").write_bytes(pdf)
    sizes = pdf_pages(pdf)
    wide, high = PAPER[paper]
    assert len(sizes) >= 3
    assert all(abs(w - wide) <= 1 and abs(h - high) <= 1 for w, h in sizes), sizes


CONTACT = {"name": "Ana Ruiz", "relationship": "mother", "phone": "+1 (617) 555-0101"}
FINDINGS = {"temperature_c": 38.7, "temperature_method": "axillary", "breathing": "normal",
            "spo2_percent": 97, "drinking": "less", "passing_urine": "normal",
            "dizziness": "none"}


def test_it_prints_an_alerts_call_log_whole_without_its_forms(page, live, phone, staff,
                                                              clock):
    nurse = staff("nurse")
    family = enrolled_family(phone, nurse.headers, clock=clock, contacts=[CONTACT])
    [result] = family.push([family.envelope(family.document(
        {"temperature_c": 38.6, "temperature_method": "oral"}))]).get_json()["results"]
    alert_id = result["alert"]["alert_id"]
    for body in ({"reached": None, "note": "Rang twice, no answer"},
                 {"reached": "Ana, mother", "findings": FINDINGS, "disposition": "recheck",
                  "recheck_minutes": 60, "note": "Paracetamol given at 14:00"}):
        answer = phone.post(f"/api/v1/alerts/{alert_id}/calls", json=body,
                            headers=nurse.headers)
        assert answer.status_code == 201, answer.get_json()
    sign_in(page, nurse, f"/alerts/{alert_id}")
    print_view(page, "A4")
    printed = page.evaluate("""() => {
        const shown = el => el.getClientRects().length > 0;
        const width = document.documentElement.clientWidth;
        return {
            calls: [...document.querySelectorAll('.call-log > li')].filter(shown)
                .map(li => [li.innerText, getComputedStyle(li).breakInside]),
            controls: [...document.querySelectorAll('form, button, nav, .action-forms')]
                .filter(shown).length,
            whatYouCanDo: shown(document.getElementById('forms-heading')),
            tel: [...document.querySelectorAll('a.tel')].filter(shown).map(a => {
                const style = getComputedStyle(a);
                return [style.borderTopWidth, style.backgroundColor];
            }),
            wider: [...document.querySelectorAll('main *')].filter(el => shown(el)
                && el.getBoundingClientRect().right > width + 1).length,
        };
    }""")
    assert [text.split("\n")[0] for text, _ in printed["calls"]][1].endswith(
        "spoke to Ana, mother; Call back to recheck in 60 minutes")
    assert all(rule == "avoid-page" for _, rule in printed["calls"])
    assert printed["controls"] == 0 and printed["wider"] == 0
    assert not printed["whatYouCanDo"]  # a panel of forms alone is left out whole
    # The tel: buttons (on the card and by the call) print as plain text.
    assert printed["tel"] and all(tel == ["0px", "rgba(0, 0, 0, 0)"] for tel in printed["tel"])
    pdf = page.pdf(format="A4", print_background=True)
    (SCREENSHOTS.parent / "alert-call-log-A4.pdf").write_bytes(pdf)
    assert pdf_pages(pdf) and all(abs(w - 595) <= 1 for w, _h in pdf_pages(pdf))
