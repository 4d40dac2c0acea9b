"""English display names of the process definitions. Each state and action of a `processes/*.yaml` may carry
`en: <English name>` beside its Chinese `title`; the pages show it in an English session. The names are for
display only: not part of a published version or its hash, so items pinned to any version show them, and
an action or state without one keeps its Chinese title."""

from __future__ import annotations

from functools import cache

import yaml
from django.utils.translation import get_language

from workflow.definitions import discover_files

KINDS = ("states", "actions")


@cache
def english_names() -> dict[tuple[str, str, str], str]:
    """(process, "states" | "actions", name) → English name, from the definition files; the process's own
    (`en:` at the top) under (process, "process", "")."""
    names: dict[tuple[str, str, str], str] = {}
    for path in discover_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        process = str(data.get("name") or "")
        if isinstance(data.get("en"), str) and data["en"].strip():
            names[(process, "process", "")] = data["en"].strip()
        for kind in KINDS:
            for name, spec in (data.get(kind) or {}).items():
                if isinstance(spec, dict) and isinstance(spec.get("en"), str) and spec["en"].strip():
                    names[(process, kind, str(name))] = spec["en"].strip()
    return names


def in_english() -> bool:
    return (get_language() or "").startswith("en")


def state_title(process: str, state: str, title: str) -> str:
    """The state's title in the session's language (`title`: its Chinese title)."""
    if in_english():
        return english_names().get((process, "states", state), title)
    return title


def process_title(process: str, title: str) -> str:
    if in_english():
        return english_names().get((process, "process", ""), title)
    return title


def action_title(process: str, action: str, title: str) -> str:
    if in_english():
        return english_names().get((process, "actions", action), title)
    return title
