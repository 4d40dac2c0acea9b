"""Service codes: one per minor class of the category standard, the kind's letter before its code —
E0102 for the event minor class 0102 (暴露垃圾), C0101 for the component minor class 0101."""

from __future__ import annotations

import re

from grid.models import Category, CategoryKind

_PREFIX = {CategoryKind.EVENT: "E", CategoryKind.COMPONENT: "C"}
_KIND = {letter: kind for kind, letter in _PREFIX.items()}
_CODE = re.compile(r"^([EC])(\d{4})$")


def service_code_of(category: Category) -> str:
    return _PREFIX[CategoryKind(category.kind)] + category.code


def parse_service_code(service_code: str) -> tuple[str, str] | None:
    """(kind, minor class code), or None when the text is not a service code."""
    match = _CODE.match((service_code or "").strip().upper())
    if match is None:
        return None
    return str(_KIND[match.group(1)]), match.group(2)
