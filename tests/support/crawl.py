"""A crawler for the staff pages and the page rules it checks on every page it reaches.

The pages to visit come from the app's URL map, not a hand list: every GET route of the
pages blueprint, its <placeholders> filled with the ids a seeded database holds, and then
every link on those pages that leads to another page of the blueprint. A page added
tomorrow is crawled tomorrow.

The rules, as a reader meets them (docs/pages.md): no machine timestamps or ISO dates, no
codes where Homeward has words for them, no internal ids as text, one time zone (the
site's; the family's own clock only as a "family's time" line), and never a 5xx.
"""
import re
from collections import deque
from html import unescape
from urllib.parse import urljoin, urlsplit

from server.pages import present
from server.records import closures, vocabulary, worklist

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2})?")
SNAKE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")
DOTTED_CODE = re.compile(r"\b[a-z_]+\.[a-z_]+(?:\.[a-z_]+)*\b")
INTERNAL_ID = re.compile(r"\b(?:pt|tox|usr|al|alert|dev|call)_[A-Za-z0-9_-]{6,}|"
                         r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
CLOCK = re.compile(r"(?<![\w.:/])([0-2]?\d:[0-5]\d)(?![\w:])(?:\s+([A-Z][A-Za-z]{1,5}|[+-]\d{2}))?")
FAMILY_TIME = re.compile(r"family's time [^()]*?\d{1,2}:\d{2} [A-Z][A-Za-z]{1,5}")
HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]+)', re.S)
# What a reader does not read as the page's text: scripts and styles; the <pre> of what a
# phone sent (raw on purpose, for the review of a quarantined entry); what the reader types
# (form values, <kbd> examples of what to type); the admin-only ids of the audit log, which
# are marked as such and allowed on that page only (machine_ids below).
HIDDEN = re.compile(r"<(script|style|pre|textarea|kbd)\b.*?</\1>", re.S)
MACHINE_ID = re.compile(r'<code class="machine-id">.*?</code>', re.S)


def visible(html: str) -> str:
    html = MACHINE_ID.sub(" ", HIDDEN.sub(" ", html))
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _code_words() -> set[str]:
    """Codes Homeward has words for, that a reader would not read as English: `sle`, `crs`,
    `jdm`; `kidney` or `other` are words already."""
    tables = [vocabulary.DIAGNOSES, vocabulary.ORGANS, vocabulary.CAR_TARGETS,
              vocabulary.LYMPHODEPLETION, vocabulary.SEX_AT_BIRTH, vocabulary.KINDS,
              vocabulary.GRADING, vocabulary.TREATMENTS, worklist.OUTCOMES, closures.REASONS,
              present.LEVEL_LABELS, present.OUTCOME_LABELS]
    codes = set()
    for table in tables:
        for code, label in table.items():
            if not re.search(rf"\b{re.escape(code)}\b", label.lower()):
                codes.add(code)
    return codes


CODE_WORDS = _code_words()
CODE_WORD = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, CODE_WORDS))) + r")\b")


def problems(html: str, site_zones: set[str], allow_machine_ids=False,
             names=(), codes=()) -> list[str]:
    """What breaks the page rules on this page, as short phrases with the offending text.
    `names`: usernames, which may hold dots and underscores ("ann.lee") and are names;
    `codes`: more codes that have words, such as the questionnaires' ids ("neuro-check")."""
    text = visible(html)
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.]){re.escape(name)}(?![\w])", "(name)", text)
    found = [f"ISO date {m}" for m in ISO_DATE.findall(text)]
    found += [f"code {m}" for m in SNAKE.findall(text)]
    found += [f"code {m}" for m in DOTTED_CODE.findall(text)
              if not re.fullmatch(r"e\.g|i\.e|[a-z]+\.(?:com|org|net|example|js|css|md)", m)]
    found += [f"code {m}" for m in CODE_WORD.findall(text)]
    found += [f"code {code}" for code in codes
              if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)]
    found += [f"id {m}" for m in INTERNAL_ID.findall(text)]
    if MACHINE_ID.search(html) and not allow_machine_ids:
        found.append("machine ids outside the audit log")
    # The family's own clock comes second, after the site's reading of the same moment.
    for line in FAMILY_TIME.finditer(text):
        before = CLOCK.findall(text[max(0, line.start() - 80):line.start()])
        if not before or before[-1][1] not in site_zones:
            found.append(f"family's time first: {line.group(0)}")
    # The family's own clock is allowed only as its "family's time ..." line.
    for clock, zone in CLOCK.findall(FAMILY_TIME.sub(" ", text)):
        if zone not in site_zones:
            found.append(f"time {clock} {zone or '(no zone)'}")
    return found


class Crawl:
    """Breadth-first through the blueprint's pages for one signed-in browser."""

    def __init__(self, client, is_page, limit=400):
        self.client, self.is_page, self.limit = client, is_page, limit
        self.seen: dict[str, int] = {}  # address -> status

    def run(self, seeds, check):
        queue = deque(seeds)
        while queue and len(self.seen) < self.limit:
            address = queue.popleft()
            if address in self.seen:
                continue
            response = self.client.get(address)
            self.seen[address] = response.status_code
            html = response.get_data(as_text=True)
            check(address, response, html)
            if response.status_code == 200 and "html" in response.content_type:
                for link in HREF.findall(html):
                    target = urljoin(address, unescape(link))
                    parts = urlsplit(target)
                    if parts.scheme or parts.netloc:
                        continue
                    if self.is_page(parts.path) and target not in self.seen:
                        queue.append(target)
        return self.seen
