"""Nothing but workflow.engine writes a work item's state: a scan of the source tree, and the model's
save() guard at run time."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from workflow.models import StateWriteRefused, WorkItem, engine_writes

ROOT = Path(__file__).resolve().parents[2]
SKIP_PARTS = {".venv", "migrations", "tests", "node_modules", "staticfiles", "var", "bench", "__pycache__"}
# The engine's modules: the engine itself (transitions, starts), its bulk writes (imports, bulk starts)
# and the model.
ENGINE_MODULES = {ROOT / "workflow" / name for name in ("engine.py", "start.py", "bulk.py", "models.py")}
# Writes of a `state` attribute/keyword on something that is (or may be) a WorkItem.
WRITES = [
    re.compile(r"\.state\s*=(?!=)"),
    re.compile(r"\bupdate\([^)]*\bstate\s*="),
    re.compile(r"WorkItem\((?:[^)]|\n)*\bstate\s*="),
    re.compile(r"WorkItem\.objects\.(?:create|bulk_create|get_or_create|update_or_create)\("),
    re.compile(r"\bengine_writes\("),
]

# A line that writes another model's `state` in a file that also handles work items says so.
WAIVER = "# not a work item"


def _python_files() -> list[Path]:
    return [p for p in ROOT.rglob("*.py") if not SKIP_PARTS & set(p.relative_to(ROOT).parts)]


def _mentions_work_items(text: str) -> bool:
    """Files that can reach a work item: by the model, or through the workflow's selectors, the engine,
    its start and the actions it offers. (Other models have states too, e.g. OutboxMessage in
    notifications; those files are not flagged.)"""
    reaches = (
        "WorkItem",
        "work_item",
        "workflow.selectors",
        "workflow.engine",
        "workflow.start",
        "workflow.access",
    )
    return any(word in text for word in reaches)


def test_no_state_writes_outside_the_engine() -> None:
    offenders = []
    for path in _python_files():
        if path in ENGINE_MODULES:
            continue
        text = path.read_text(encoding="utf-8")
        if not _mentions_work_items(text):
            continue
        lines = text.splitlines()
        for pattern in WRITES:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                if WAIVER in lines[line - 1]:  # another model's own state, said so on the line
                    continue
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)!r}")
    assert offenders == [], (
        "work item state written outside the engine (workflow/engine.py, start.py, bulk.py):\n"
        + "\n".join(offenders)
    )


def test_the_scan_catches_a_write(tmp_path: Path) -> None:
    sample = (
        "from workflow.models import WorkItem\nitem = WorkItem.objects.get(pk=1)\nitem.state = 'closed'\n"
    )
    assert any(p.search(sample) for p in WRITES)
    assert _mentions_work_items(sample)


@pytest.mark.django_db
def test_save_refuses_a_state_change_outside_the_engine(handling_item: WorkItem) -> None:
    item = WorkItem.objects.get(pk=handling_item.pk)
    item.title = "改标题可以"
    item.save()
    item.state = "closed"
    with pytest.raises(StateWriteRefused):
        item.save()
    assert WorkItem.objects.get(pk=item.pk).state == "handling"


@pytest.mark.django_db
def test_save_refuses_creating_an_item_outside_the_engine(handling_item: WorkItem) -> None:
    fields: dict[str, Any] = {
        f.attname: getattr(handling_item, f.attname)
        for f in WorkItem._meta.concrete_fields
        if f.attname != "id"
    }
    with pytest.raises(StateWriteRefused):
        WorkItem(**fields).save()
    with engine_writes():
        WorkItem(**fields).save()  # what the engine does
    assert WorkItem.objects.count() == 2
