import copy
import json
from pathlib import Path

import pytest

from questionnaires import load_catalog, load_schedule

DEFINITIONS_DIR = Path(__file__).resolve().parents[2] / "questionnaires" / "definitions"


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def schedule():
    return load_schedule()


@pytest.fixture
def diary(catalog):
    return catalog.get("symptom-diary", "1.0.0", "caregiver")


@pytest.fixture
def shipped_document():
    """A fresh copy of a shipped definition file, to break in a test."""
    def read(name):
        return copy.deepcopy(json.loads((DEFINITIONS_DIR / name).read_text(encoding="utf-8")))
    return read
