"""How a figure reads, the same on the desk, the items page and in the periodic reports: a rate as a
percentage, a change of a count as a percentage, of a rate in percentage points, "—" for no value."""

from __future__ import annotations

from typing import Any


def show(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    return f"{value:g}" if isinstance(value, float) else str(value)


def show_change(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "count":
        return f"{value * 100:+.1f}%"
    if kind == "rate":
        return f"{value * 100:+.1f}个百分点"
    return f"{value:+g}"
