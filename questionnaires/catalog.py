"""The set of definitions a server knows: the shipped ones plus any a site adds.

Every version ever shipped stays in the catalog, because an entry filled on an old app
must be checked against the text that family saw.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from .choosing import Choice, age_at, choose_variant, current_variants, overlapping_variants
from .loading import SHIPPED_DIR, load_directory
from .model import Definition, DefinitionError, NoVariantError, UnknownQuestionnaireError


class Catalog:
    def __init__(self, definitions):
        self._by_key: dict[tuple[str, str, str], Definition] = {}
        for definition in definitions:
            key = (definition.id, definition.variant, definition.version)
            if key in self._by_key:
                raise DefinitionError(
                    f"{definition.source}: {definition.key} is already defined in "
                    f"{self._by_key[key].source}")
            self._by_key[key] = definition
        clashes = overlapping_variants(self._by_key.values())
        if clashes:
            first, second = clashes[0]
            raise DefinitionError(
                f"{second.source}: variant '{second.variant}' of '{second.id}' covers the same "
                f"ages for the same respondent as '{first.variant}' ({first.source})")

    def __iter__(self):
        return iter(sorted(self._by_key.values(), key=lambda d: (d.id, d.variant, d.version_tuple)))

    def __len__(self):
        return len(self._by_key)

    def ids(self) -> list[str]:
        return sorted({key[0] for key in self._by_key})

    def get(self, questionnaire_id: str, version: str, variant: str | None = None) -> Definition:
        """The exact definition an entry names; without a variant, only if (id, version) is unique."""
        if variant is not None:
            found = self._by_key.get((questionnaire_id, variant, version))
            if found is None:
                raise UnknownQuestionnaireError(
                    f"no questionnaire {questionnaire_id}/{variant} version {version}")
            return found
        matches = self._with(questionnaire_id, version)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UnknownQuestionnaireError(f"no questionnaire {questionnaire_id} version {version}")
        names = ", ".join(d.variant for d in matches)
        raise UnknownQuestionnaireError(
            f"{questionnaire_id} version {version} has several variants ({names}); name one")

    def variants(self, questionnaire_id: str) -> list[Definition]:
        return current_variants(self._by_key.values(), questionnaire_id)

    def choose(self, questionnaire_id: str, *, date_of_birth: date, timezone: str,
               at: date | datetime, respondent: str, language: str | None = None) -> Choice:
        return choose_variant(self._by_key.values(), questionnaire_id, date_of_birth=date_of_birth,
                              timezone=timezone, at=at, respondent=respondent, language=language)

    def for_entry(self, questionnaire_id: str, version: str, *, respondent: str,
                  date_of_birth: date, timezone: str, recorded_at: datetime,
                  variant: str | None = None) -> Definition:
        """The definition an entry was most likely filled on, when the entry does not name a variant.

        Among the variants of that version for that respondent, the one for the patient's age
        when the entry was recorded; failing that (an app that had not pulled since a birthday)
        the one whose ages end closest before, since apps only ever lag behind.
        """
        if variant is not None:
            return self.get(questionnaire_id, version, variant)
        matches = [d for d in self._with(questionnaire_id, version) if d.respondent == respondent]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UnknownQuestionnaireError(
                f"no questionnaire {questionnaire_id} version {version} for a {respondent}")
        try:
            age = age_at(date_of_birth, timezone, recorded_at)
        except ValueError as error:  # recorded before birth, or no usable time: no variant fits
            raise NoVariantError(f"no variant of {questionnaire_id} for this entry: {error}") from None
        fitting = [d for d in matches if d.fits_age(age)]
        if fitting:
            return fitting[0]
        younger = [d for d in matches if d.age_max is not None and d.age_max <= age]
        if younger:
            return max(younger, key=lambda d: d.age_max)
        raise NoVariantError(
            f"no variant of {questionnaire_id} version {version} for a {respondent} aged {age}")

    def _with(self, questionnaire_id: str, version: str) -> list[Definition]:
        return [d for (qid, _, ver), d in sorted(self._by_key.items()) if qid == questionnaire_id and ver == version]


def load_catalog(extra_dirs=()) -> Catalog:
    """The shipped definitions plus those in `extra_dirs` (e.g. HOMEWARD_INSTRUMENTS_DIR), cached.

    Files are read once per process; call `load_catalog.cache_clear()` after changing them.
    """
    if isinstance(extra_dirs, (str, Path)):
        extra_dirs = (extra_dirs,)
    return _cached_catalog(tuple(str(Path(d)) for d in extra_dirs if d))


@lru_cache(maxsize=8)
def _cached_catalog(extra_dirs: tuple[str, ...]) -> Catalog:
    definitions = load_directory(SHIPPED_DIR)
    for directory in extra_dirs:
        definitions += load_directory(Path(directory))
    return Catalog(definitions)


load_catalog.cache_clear = _cached_catalog.cache_clear
