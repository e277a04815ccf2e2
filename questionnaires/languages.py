"""Language tags and the fallback from a family's language to one a definition has.

A phone set to es-MX should get Spanish, not English, when the instrument has plain `es`;
English is the last resort because every shipped instrument has it.
"""
from __future__ import annotations

import re

LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
LAST_RESORT = "en"


def language_chain(requested: str | None) -> list[str]:
    """`es-MX` → ["es-mx", "es", "en"]: each subtag dropped in turn, then English."""
    chain: list[str] = []
    tag = (requested or "").strip().replace("_", "-").lower()
    while tag:
        chain.append(tag)
        tag = tag.rpartition("-")[0]
    if LAST_RESORT not in chain:
        chain.append(LAST_RESORT)
    return chain


def pick_language(available, requested: str | None) -> str:
    """The first language of the chain that `available` has, spelled as `available` spells it.

    When even English is missing (a licensed instrument in one language only), the
    definition's first language is better than nothing.
    """
    available = list(available)
    by_lower = {code.lower(): code for code in available}
    for tag in language_chain(requested):
        if tag in by_lower:
            return by_lower[tag]
    if not available:
        raise ValueError("no languages to choose from")
    return available[0]


def text_in(texts: dict[str, str] | None, language: str | None) -> str | None:
    if not texts:
        return None
    return texts[pick_language(texts, language)]
