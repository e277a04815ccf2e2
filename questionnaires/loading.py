"""Reading definition files and turning every kind of breakage into one DefinitionError.

A site drops files into an extra directory and restarts; if one is wrong, the message
must say which file, which item and what, without anyone reading a traceback.
"""
from __future__ import annotations

import json
from pathlib import Path

from marshmallow import ValidationError

from .checks import problems_in
from .model import FORMAT, Definition, DefinitionError
from .schemas import load_definition_document

SHIPPED_DIR = Path(__file__).parent / "definitions"
MAX_FILE_BYTES = 2_000_000


def parse_definition(document, source: str = "<memory>") -> Definition:
    """A definition document (already parsed JSON) → Definition, or DefinitionError."""
    if not isinstance(document, dict):
        raise DefinitionError(f"{source}: a definition is a JSON object")
    try:
        definition = load_definition_document(document, source)
    except ValidationError as error:
        lines = describe_errors(error.messages, document)
        raise DefinitionError(f"{source}: " + "; ".join(lines[:12])) from None
    problems = problems_in(definition)
    if problems:
        raise DefinitionError(f"{source}: " + "; ".join(problems[:12]))
    return definition


def load_definition_file(path: Path) -> Definition:
    """One file: a Homeward definition, or a FHIR Questionnaire carrying Homeward's extensions."""
    path = Path(path)
    source = str(path)
    document = read_json_file(path)
    if isinstance(document, dict) and document.get("resourceType") == "Questionnaire":
        from .fhir_import import from_fhir_questionnaire
        return from_fhir_questionnaire(document, source=source)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DefinitionError(
            f"{source}: not a questionnaire definition (expected \"format\": \"{FORMAT}\" "
            "or a FHIR Questionnaire)")
    definition = parse_definition(document, source)
    expected = f"{definition.id}.{definition.variant}.{definition.version}.json"
    if path.name != expected:
        # The name is how people find a version on disk; a mismatch means a copy-paste slip.
        raise DefinitionError(f"{source}: the file name should be {expected}")
    return definition


def load_directory(directory: Path) -> list[Definition]:
    directory = Path(directory)
    if not directory.is_dir():
        raise DefinitionError(f"{directory}: not a directory of definitions")
    return [load_definition_file(path) for path in sorted(directory.rglob("*.json"))]


def read_json_file(path: Path, error_class=DefinitionError, max_bytes=MAX_FILE_BYTES):
    """A site's JSON file (definitions, rules, thresholds), or `error_class` with a sentence
    naming the file and what is wrong: NaN and Infinity are refused, since no JSON reader
    on a phone accepts them."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise error_class(f"{path}: cannot be read ({error.strerror})") from None
    if len(raw) > max_bytes:
        raise error_class(f"{path}: larger than {max_bytes} bytes")
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise error_class(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise error_class(f"{path}: not valid JSON (line {error.lineno}: {error.msg})") from None


def _refuse_constant(name):
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


def describe_errors(messages, document, path=()) -> list[str]:
    """marshmallow's nested {"items": {3: {"max": [...]}}} → "item 'spo2_percent': max: ..."."""
    if isinstance(messages, dict):
        return [line for key, value in messages.items()
                for line in describe_errors(value, document, path + (key,))]
    if isinstance(messages, list):
        return [line for message in messages for line in describe_errors(message, document, path)]
    return [f"{_where(path, document)}: {messages}"]


# Lists whose entries people know by a name rather than by their position in the file.
NAMED_LISTS = {"items": ("item", "linkId"), "scoring": ("score", "id"),
               "questionnaires": ("questionnaire", "questionnaire")}


def _where(path, document) -> str:
    parts = []
    if len(path) >= 2 and path[0] in NAMED_LISTS and isinstance(path[1], int):
        entry = _step(document.get(path[0]), path[1])
        label, name_key = NAMED_LISTS[path[0]]
        name = entry.get(name_key) if isinstance(entry, dict) else None
        parts.append(f"{label} '{name}'" if isinstance(name, str) else f"{label} #{path[1] + 1}")
        path = path[2:]
    parts += [str(key) for key in path if key != "_schema"]
    return ": ".join(parts) or "definition"


def _step(node, key):
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return None
