"""The case's own numbers: 立案编号 (the documents' scheme, serial per town and year) and the archive number
(归档号). Document numbers (文号) are enforcement.cases.documents.next_number."""

from __future__ import annotations

from datetime import datetime

from enforcement.actions.common import _local_date
from enforcement.cases.documents import district_abbreviation, town_abbreviation
from enforcement.models import Case


def _next_serial(town_code: str, field: str, prefix: str) -> int:
    existing = Case.objects.filter(town_code=town_code, **{f"{field}__startswith": prefix}).count()
    return existing + 1


def filing_number(case: Case, now: datetime) -> str:
    """立案编号: 相黄综执立字〔2026〕第0001号 (the documents' scheme, serial per town and year)."""
    year = _local_date(now).year
    prefix = f"{district_abbreviation(case.town_code)}{town_abbreviation(case.town_code)}综执立字〔{year}〕"
    serial = _next_serial(case.town_code, "number", prefix)
    return f"{prefix}第{serial:04d}号"


def archive_number(case: Case, now: datetime) -> str:
    year = _local_date(now).year
    prefix = f"{year}"
    serial = _next_serial(case.town_code, "archive_number", prefix)
    return f"{prefix}{serial:04d}"
