"""Signed chain heads: exported to a file, checked back by `verify_audit --heads`; a cut-off tail and
a forged line are named."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from audit.heads import check_heads, export_head
from audit.models import AuditBlock
from audit.sealing import seal_pending
from audit.tasks import export_audit_heads
from audit.tests.helpers import NOW, raw, write_events


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_export_appends_each_new_head_once(tmp_path: Path) -> None:
    path = tmp_path / "heads.jsonl"
    assert export_head(path, now=NOW) is None  # nothing sealed yet
    write_events(3)
    seal_pending(now=NOW)
    line = export_head(path, now=NOW)
    assert line is not None
    block = AuditBlock.objects.get()
    assert {k: line[k] for k in ("block", "row_id", "head", "key_id")} == {
        "block": 1,
        "row_id": block.last_event_id,
        "head": block.head,
        "key_id": block.key_id,
    }
    assert export_head(path, now=NOW) is None
    write_events(1, start=3)
    call_command("export_audit_heads", "--out", str(path), stdout=StringIO())  # seals, then exports
    assert [json.loads(x)["block"] for x in path.read_text().splitlines()] == [1, 2]
    assert "2 exported heads found" in verify("--heads", str(path))


@pytest.mark.django_db
def test_truncated_tail_is_detected_only_with_the_heads(tmp_path: Path) -> None:
    path = tmp_path / "heads.jsonl"
    events = write_events(4)
    seal_pending(block_size=2, now=NOW)
    export_head(path, now=NOW)
    # The attacker cuts off the tail: the last block and its rows. The chain alone still looks intact.
    raw("DELETE FROM audit_auditblock WHERE number = %s", [2])
    raw("DELETE FROM audit_auditevent WHERE id >= %s", [events[2].pk])
    assert "2 events verified" in verify()
    with pytest.raises(CommandError, match=r"block 2 \(rows up to id \d+\) is missing: tail truncated"):
        verify("--heads", str(path))


@pytest.mark.django_db
def test_forged_head_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "heads.jsonl"
    write_events(2)
    seal_pending(now=NOW)
    line: dict[str, Any] = export_head(path, now=NOW) or {}
    path.write_text(json.dumps(line | {"row_id": line["row_id"] + 5}) + "\nnot json\n")
    checked, problems = check_heads(path)
    assert checked == 2
    assert [p.message for p in problems] == ["block 1: signature does not verify", "not a head line"]


@pytest.mark.django_db
def test_periodic_task_exports_to_the_configured_file(settings: Any, tmp_path: Path) -> None:
    settings.AUDIT_HEADS_FILE = str(tmp_path / "var" / "heads.jsonl")
    write_events(1)
    assert export_audit_heads.call_local() is True
    assert export_audit_heads.call_local() is False
    assert len(Path(settings.AUDIT_HEADS_FILE).read_text().splitlines()) == 1
