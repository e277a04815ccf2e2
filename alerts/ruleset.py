"""Rule files: their marshmallow schemas, the checks that need the whole file, loading,
and the layers laid over their defaults (a site's parameters, one patient's overrides).

A broken rule file must never load half-way: a rule that silently never fires is a missed
fever. Every problem is reported as "file: rule 'id': where: what".
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from questionnaires.loading import read_json_file
from questionnaires.schema_fields import StrictNumber

from .conditions import compile_condition
from .grammar import problems_in_rules, walk_tests
from .parameters import (
    TYPES, ParameterError, check_patient_overrides, layer_parameters, normalise_value,
)
from .teams import ANY_TIME, DEFAULT_TEAM, ESCALATE

FORMAT = "homeward-rules/1"
DEFAULT_PATH = Path(__file__).parent / "rules" / "default.json"
LEVELS = ("emergency", "urgent", "attention", "info")  # most severe first
KINDS = ("entry", "time")
NAME = r"^[a-z][a-z0-9_]{0,62}$"
RULE_ID = r"^[a-z][a-z0-9_-]{0,62}$"
SEMVER = r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$"
MAX_FILE_BYTES = 1_000_000
MAX_REMEASURE_MINUTES = 24 * 60


class RulesError(ValueError):
    """A rule file, site parameter file or override that cannot be used, said in one line."""


class _Base(Schema):
    class Meta:
        unknown = RAISE


class _ParameterSchema(_Base):
    type = fields.Str(required=True, validate=validate.OneOf(TYPES))
    default = fields.Raw(required=True, allow_none=False)
    min = StrictNumber()
    max = StrictNumber()
    unit = fields.Str(validate=validate.Length(min=1, max=16))
    description = fields.Str(required=True, validate=validate.Length(min=1, max=2000))


class _RuleSchema(_Base):
    id = fields.Str(required=True, validate=validate.Regexp(RULE_ID))
    kind = fields.Str(load_default="entry", validate=validate.OneOf(KINDS))
    questionnaires = fields.List(fields.Str(validate=validate.Length(min=1)))
    reason = fields.Str(required=True, validate=validate.Regexp(NAME))
    level = fields.Str(required=True, validate=validate.OneOf(LEVELS))
    escalate_now = fields.Bool(required=True, truthy={True}, falsy={False})
    # Whom the alert is for, and whether it may wait for working hours (alerts/teams.py).
    # Staff routing only: the family's app ignores both.
    team = fields.Str(load_default=DEFAULT_TEAM, validate=validate.Regexp(NAME))
    escalate = fields.Str(load_default=ANY_TIME, validate=validate.OneOf(ESCALATE))
    description = fields.Str(required=True, validate=validate.Length(min=1, max=2000))
    when = fields.Dict(required=True)
    evidence = fields.List(fields.Raw(), load_default=list)
    suppressed_by = fields.List(fields.Str(validate=validate.Regexp(NAME)), load_default=list)
    advice = fields.Dict(keys=fields.Str(), values=fields.Str(validate=validate.Length(min=1, max=600)),
                         required=True)
    # When the advice asks the family to measure again: the app's reminder reads this number,
    # never the advice's words (which a site may reword, in any language).
    measure_again_minutes = fields.Int(strict=True, validate=validate.Range(min=1, max=MAX_REMEASURE_MINUTES))


class _RuleSetSchema(_Base):
    format = fields.Str(required=True, validate=validate.Equal(FORMAT))
    id = fields.Str(required=True, validate=validate.Regexp(RULE_ID))
    version = fields.Str(required=True, validate=validate.Regexp(SEMVER))
    title = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    parameters = fields.Dict(keys=fields.Str(validate=validate.Regexp(NAME)),
                             values=fields.Nested(_ParameterSchema), required=True)
    rules = fields.List(fields.Nested(_RuleSchema), required=True, validate=validate.Length(min=1))
    site_overridden = fields.List(fields.Str())
    signature = fields.Str(validate=validate.Length(min=1, max=64))  # as served (docs/rules.md)
    patient_overrides = fields.Dict()


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    reason: str
    level: str
    escalate_now: bool
    description: str
    when: dict
    questionnaires: tuple = ()
    evidence: tuple = ()
    suppressed_by: tuple = ()
    advice: dict = field(default_factory=dict, hash=False)
    measure_again_minutes: int | None = None
    team: str = DEFAULT_TEAM
    escalate: str = ANY_TIME
    order: int = 0
    holds: object = field(default=None, compare=False, repr=False)  # compiled `when`

    @property
    def severity(self) -> int:
        return LEVELS.index(self.level)


@dataclass(frozen=True, eq=False)
class RuleSet:
    id: str
    version: str
    source: str
    parameters: dict          # name → declaration {"type", "default", ...}, defaults normalised
    rules: tuple
    document: dict            # the checked document, for ruleset_document
    patient_overrides: dict   # only in a document served for one patient

    @cached_property
    def defaults(self) -> dict:
        return {name: declared["default"] for name, declared in self.parameters.items()}

    def rules_of(self, kind: str) -> tuple:
        return self._by_kind.get(kind, ())

    @cached_property
    def _by_kind(self) -> dict:
        return {kind: tuple(rule for rule in self.rules if rule.kind == kind) for kind in KINDS}

    def entry_rules_for(self, questionnaire_id) -> tuple:
        """The entry rules that apply to one questionnaire, in file order."""
        return self._entry_rules.get(questionnaire_id, ()) if isinstance(questionnaire_id, str) \
            else ()

    @cached_property
    def _entry_rules(self) -> dict:
        named = {name for rule in self.rules_of("entry") for name in rule.questionnaires}
        return {name: tuple(rule for rule in self.rules_of("entry")
                            if name in rule.questionnaires) for name in named}

    @cached_property
    def prepared_cache(self) -> dict:
        """alerts.evaluate's checked parameters and overrides for this rule set."""
        return {}

    @cached_property
    def watched_signs(self) -> dict:
        return watched_signs(self.rules)


def watched_signs(rules) -> dict:
    """linkId → the values some "new since last" test watches (what overrides may name)."""
    watched: dict[str, set] = {}
    for rule in rules:
        for test in walk_tests(rule.when):
            if test.get("op") == "new_since_last":
                watched.setdefault(test["left"]["answer"], set()).update(test["right"])
    return watched


def parse_ruleset(document, source: str = "<memory>") -> RuleSet:
    if not isinstance(document, dict):
        raise RulesError(f"{source}: a rule file is a JSON object")
    try:
        loaded = _RuleSetSchema().load(document)
    except ValidationError as error:
        raise RulesError(f"{source}: " + "; ".join(_describe(error.messages, document)[:12])) from None
    declarations = {}
    for name, declared in loaded["parameters"].items():
        try:
            declared["default"] = normalise_value(name, declared, declared["default"])
        except ParameterError as error:
            raise RulesError(f"{source}: parameter {error}") from None
        declarations[name] = declared
    rules = tuple(Rule(**{key: tuple(value) if isinstance(value, list) else value
                          for key, value in raw.items()}, order=index)
                  for index, raw in enumerate(loaded["rules"]))
    problems = problems_in_rules(rules, declarations)
    if problems:
        raise RulesError(f"{source}: " + "; ".join(problems[:12]))
    rules = tuple(replace(rule, holds=compile_condition(rule.when)) for rule in rules)
    overrides = loaded.get("patient_overrides")
    if overrides is not None:
        try:
            overrides = _checked_overrides(watched_signs(rules), declarations, overrides)
        except RulesError as error:
            raise RulesError(f"{source}: {error}") from None
    return RuleSet(loaded["id"], loaded["version"], source, declarations, rules,
                   copy.deepcopy(document), overrides or {})


def _describe(messages, document, path=()) -> list[str]:
    if isinstance(messages, dict):
        return [line for key, value in messages.items()
                for line in _describe(value, document, path + (key,))]
    if isinstance(messages, list):
        return [line for message in messages for line in _describe(message, document, path)]
    parts = list(path)
    if len(parts) >= 2 and parts[0] == "rules" and isinstance(parts[1], int):
        rules = document.get("rules")
        rule = rules[parts[1]] if isinstance(rules, list) and parts[1] < len(rules) else None
        name = rule.get("id") if isinstance(rule, dict) else None
        parts[:2] = [f"rule '{name}'" if isinstance(name, str) else f"rule #{parts[1] + 1}"]
    elif len(parts) >= 2 and parts[0] == "parameters":
        parts[:2] = [f"parameter '{parts[1]}'"]
    return [": ".join(str(p) for p in parts if p not in ("_schema", "value")) + f": {messages}"]


def load_ruleset(path) -> RuleSet:
    return parse_ruleset(read_json_file(Path(path), RulesError, MAX_FILE_BYTES), str(path))


@lru_cache(maxsize=1)
def load_default_ruleset() -> RuleSet:
    """The shipped rule set; read once per process."""
    return load_ruleset(DEFAULT_PATH)


def effective_parameters(ruleset: RuleSet, site=None, patient_overrides=None) -> dict:
    """Rule-file defaults, then the site's settings, then one patient's; each value checked."""
    try:
        values = layer_parameters(ruleset.parameters, ruleset.defaults, site, "site parameters")
        patient = patient_overrides.get("parameters") if isinstance(patient_overrides, dict) else None
        return layer_parameters(ruleset.parameters, values, patient, "patient overrides: parameters")
    except ParameterError as error:
        raise RulesError(str(error)) from None


def load_site_parameters(path, ruleset: RuleSet) -> dict:
    """A site's parameter file (an object of name → value), checked against the rule set."""
    document = read_json_file(Path(path), RulesError, MAX_FILE_BYTES)
    try:
        layer_parameters(ruleset.parameters, {}, document, "site parameters")
    except ParameterError as error:
        raise RulesError(f"{path}: {error}") from None
    return document


def checked_patient_overrides(ruleset: RuleSet, overrides) -> dict:
    """A physician's overrides for one child, normalised, or RulesError saying what is wrong."""
    return _checked_overrides(ruleset.watched_signs, ruleset.parameters, overrides)


def _checked_overrides(watched, declarations, overrides) -> dict:
    try:
        signs = check_patient_overrides(overrides, watched)
        parameters = layer_parameters(declarations, {}, (overrides or {}).get("parameters"),
                                      "patient overrides: parameters")
    except ParameterError as error:
        raise RulesError(str(error)) from None
    return {**signs, "parameters": parameters}
