"""The seed catalogue of enforcement matters handed down to the towns (赋权清单), with discretion
benchmarks. Names and bases follow the Jiangsu town-level lists; amounts are in yuan. The rows live in
`enforcement/data/matters.csv`, in the columns of the XLSX import template, and are read by the same
parser as an import (`enforcement.imports.parse_rows`). Loaded by `seed_catalogue` (demo data and tests);
the same rows can be exported as the XLSX template."""

from __future__ import annotations

import csv
from pathlib import Path

from core.spreadsheets import SpreadsheetImportError
from enforcement.imports import MatterSpec, parse_rows, save_specs
from enforcement.models import EnforcementMatter

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "matters.csv"


def catalogue_specs(path: Path = CATALOGUE_FILE) -> list[MatterSpec]:
    """The catalogue file's matters, checked as an import checks them (a bad row refuses the file)."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = [tuple(row) for row in csv.reader(file)]
    specs, problems = parse_rows(rows)
    if problems:
        raise SpreadsheetImportError(problems)
    return specs


def seed_catalogue() -> int:
    """Create the catalogue matters that do not exist yet (inside the caller's transaction); returns
    how many were created. Existing matters (perhaps edited by an import) are left alone."""
    existing = set(EnforcementMatter.objects.values_list("code", flat=True))
    missing = [spec for spec in catalogue_specs() if spec.code not in existing]
    if not missing:
        return 0
    return save_specs(missing)["created"]
