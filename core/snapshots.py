"""The before/after picture of a row written to the audit trail: the named fields, as they are now."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def field_snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}
