"""Template filters that turn what the records hold (wire times, dates, codes) into what a
reader reads, so a template never prints a stored value raw: `at | site_time` is "Fri 20
Nov 14:00 EST", `alert.level | level_words` is "Same-day review", `c.registry |
registry_name` is "EBMT". Times are the site's (present.py: one clock for the ward)."""
import re

from markupsafe import Markup, escape

from ..web.context import get_config, now
from . import blueprint, cards, present
from .calls import WORDS as CALL_WORDS

# The registries a consent can name today (server/records/registry); any other code is
# shown in capitals, as registries write their own names.
REGISTRY_NAMES = {"ebmt": "EBMT", "cibmtr": "CIBMTR"}
# The family app's languages, and those a contact's language box most often holds; any
# other code is shown as typed.
LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "pt": "Portuguese",
                  "de": "German", "it": "Italian", "ar": "Arabic", "zh": "Chinese"}


def _moment(value):
    return present.parse(value) if isinstance(value, str) else value


@blueprint.app_template_filter("site_time")
def site_time(value, relative=False):
    """A stored time as "Fri 20 Nov 14:00 EST" (the year once it is not this year's), and
    how long ago with relative=True."""
    moment = _moment(value)
    if moment is None:
        return ""
    current = now()
    shown = present.local(moment, get_config().site_timezone, with_date=True,
                          with_year=moment.year != current.year)
    return f"{shown} ({present.relative(moment, current)})" if relative else shown


@blueprint.app_template_filter("level_words")
def level_words(level):
    return present.LEVEL_LABELS.get(level, str(level or "").replace("_", " "))


@blueprint.app_template_filter("reason_words")
def reason_words(reasons):
    return ", ".join(cards.reason_words(reasons or ()))


@blueprint.app_template_filter("disposition_words")
def disposition_words(disposition):
    return CALL_WORDS.get(disposition, str(disposition or "").replace("_", " ")).lower()


@blueprint.app_template_filter("language_name")
def language_name(code):
    code = str(code or "")
    return LANGUAGE_NAMES.get(code.lower().split("-")[0], code)


@blueprint.app_template_filter("registry_name")
def registry_name(code):
    return REGISTRY_NAMES.get(code, str(code or "").replace("_", " ").upper())


@blueprint.app_template_filter("settings_marked")
def settings_marked(sentence):
    """A sentence naming settings (HOMEWARD_EMERGENCY_NUMBER) with each name marked as
    something IT types, not words to read."""
    return Markup(re.sub(r"HOMEWARD_[A-Z_]+", lambda m: Markup("<kbd>%s</kbd>") % m.group(0),
                         str(escape(sentence))))
