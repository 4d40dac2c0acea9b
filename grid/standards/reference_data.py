"""Seed values of the category tree, the filing/closing standard and the town agency mapping, read from
`grid/data/reference.yaml`.

Class names and codes follow CJ/T 214 / GB/T 30428.2 where known; time limits are (local) seed values
except those DOMAIN.md records (exposed garbage 4 working hours, road cleaning 2 working hours, illegal
construction stop 4 working hours / penalty 7 working days / demolition 20 working days), which are the
A- and B-class limits here. Every class also has its English name (`en`), shown in an English session.
Everything is configuration: a new standard version replaces it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import yaml

REFERENCE_FILE = Path(__file__).resolve().parents[1] / "data" / "reference.yaml"


class Row(NamedTuple):
    filing: str
    a: int
    b: int
    c: int
    unit: str
    closing: str
    urgent: bool = False
    unit_name: str = ""  # overrides the major class's default responsible unit


class Minor(NamedTuple):
    code: str
    name: str
    en: str  # the English name shown in an English session
    rows: list[Row]


class Major(NamedTuple):
    code: str
    name: str
    en: str
    responsible_unit: str  # the default responsible unit of its rows
    minors: list[Minor]


Classes = list[Major]


def _classes(majors: list[dict[str, Any]]) -> Classes:
    return [
        Major(
            str(major["code"]),
            major["name"],
            str(major.get("en") or ""),
            major["responsible_unit"],
            [
                Minor(
                    str(minor["code"]),
                    minor["name"],
                    str(minor.get("en") or ""),
                    [Row(**row) for row in minor["rows"]],
                )
                for minor in major["minors"]
            ],
        )
        for major in majors
    ]


_DATA: dict[str, Any] = yaml.safe_load(REFERENCE_FILE.read_text(encoding="utf-8"))

SEED_NOTE: str = _DATA["note"]
EVENT_CLASSES: Classes = _classes(_DATA["event_classes"])
COMPONENT_CLASSES: Classes = _classes(_DATA["component_classes"])
# Town agencies: how to find them among the org units the demo seeder created. An agency is looked up
# by code `<town>-<suffix>` first, then by kind and a name keyword inside the town.
# key: (code suffixes, org-unit kinds, name keywords)
AGENCIES: dict[str, tuple[list[str], list[str], list[str]]] = {
    key: (spec["suffixes"], spec["kinds"], spec["keywords"]) for key, spec in _DATA["agencies"].items()
}
# (kind, major or minor code) → basis and agency preference (the first agency that exists wins).
TOWN_RESPONSIBILITIES: list[tuple[str, str, str, list[str]]] = [
    (entry["kind"], str(entry["code"]), entry["basis"], entry["agencies"])
    for entry in _DATA["town_responsibilities"]
]
