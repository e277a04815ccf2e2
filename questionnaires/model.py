"""The parsed shape of an instrument definition, and the errors the package raises.

Definitions are immutable once loaded: the same object validates entries from many
threads, and an entry must be checked against exactly the text the family saw.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT = "homeward-questionnaire/1"
# Who fills a variant in. `staff`: a nurse entering what they assessed by phone (e.g. the
# neuro check's staff variants); never sent to a family's device, never scheduled.
FAMILY_RESPONDENTS = ("caregiver", "patient")
RESPONDENTS = (*FAMILY_RESPONDENTS, "staff")
ITEM_TYPES = (
    "decimal", "integer", "boolean", "choice", "multi-choice",
    "scale-0-4", "faces", "text", "date-time",
)
NUMERIC_TYPES = ("decimal", "integer")
OPTION_TYPES = ("choice", "multi-choice", "scale-0-4", "faces")
# Types whose answer is a number on a known scale, so they can be averaged and reversed.
SCALED_TYPES = ("decimal", "integer", "boolean", "scale-0-4", "faces")
OPERATORS = ("exists", "=", "!=", ">", "<", ">=", "<=")
SCORE_METHODS = ("mean", "sum", "count")
STATUSES = ("active", "retired")


class DefinitionError(ValueError):
    """A definition (file, document or FHIR resource) is broken; the message names where."""


class UnknownQuestionnaireError(LookupError):
    """No definition with that id, version (and variant) is in the catalog."""


class NoVariantError(LookupError):
    """No variant of an instrument fits this patient's age and this respondent."""


@dataclass(frozen=True)
class Unit:
    code: str  # UCUM, because FHIR exports and lab systems speak it
    display: str


@dataclass(frozen=True)
class Option:
    value: str | int
    text: dict[str, str]
    picture: str | None = None


@dataclass(frozen=True)
class Condition:
    question: str
    operator: str
    answer: Any = True


@dataclass(frozen=True)
class Item:
    link_id: str
    type: str
    text: dict[str, str]
    required: bool = False
    help: dict[str, str] | None = None
    unit: Unit | None = None
    min: int | float | None = None
    max: int | float | None = None
    max_length: int | None = None
    options: tuple[Option, ...] = ()
    enable_when: tuple[Condition, ...] = ()
    enable_behavior: str = "all"

    def option_values(self) -> tuple:
        return tuple(option.value for option in self.options)

    def bounds(self) -> tuple[float, float] | None:
        """The lowest and highest possible answer, which reverse scoring mirrors around."""
        if self.type == "boolean":
            return (0, 1)
        if self.type in ("scale-0-4", "faces"):
            return (0, 4)
        if self.type in NUMERIC_TYPES and self.min is not None and self.max is not None:
            return (self.min, self.max)
        return None


@dataclass(frozen=True)
class Transform:
    source: tuple[float, float]
    target: tuple[float, float]

    def apply(self, value: float) -> float:
        (a, b), (c, d) = self.source, self.target
        return c + (value - a) * (d - c) / (b - a)


@dataclass(frozen=True)
class Score:
    id: str
    method: str
    items: tuple[str, ...]
    reverse: tuple[str, ...] = ()
    min_answered: float = 1.0
    transform: Transform | None = None


@dataclass(frozen=True)
class Definition:
    id: str
    variant: str
    version: str
    respondent: str
    age_min: int
    age_max: int | None
    languages: tuple[str, ...]
    title: dict[str, str]
    items: tuple[Item, ...]
    status: str = "active"
    description: dict[str, str] | None = None
    presentation: str = "standard"
    min_answers: int = 0
    scores: tuple[Score, ...] = ()
    source: str = field(default="<memory>", compare=False)

    def __post_init__(self):
        # Validation looks items up once per answer; a dict keeps big pushes fast.
        object.__setattr__(self, "_by_link_id", {item.link_id: item for item in self.items})

    @property
    def key(self) -> str:
        return f"{self.id}/{self.variant}@{self.version}"

    @property
    def version_tuple(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("."))

    def item(self, link_id: str) -> Item | None:
        return self._by_link_id.get(link_id)

    def fits_age(self, age_years: int) -> bool:
        return self.age_min <= age_years and (self.age_max is None or age_years < self.age_max)

    def to_dict(self, language: str | None = None) -> dict:
        """The JSON document (what the pull feed sends); with `language`, texts in that one."""
        from .schemas import dump_definition
        return dump_definition(self, language)
