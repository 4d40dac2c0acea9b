"""Signed chain heads: the newest block's head appended, one JSON line per export, to a file the
operator ships elsewhere (another server, WORM storage, a printout). A database whose tail was cut
off — rows and blocks deleted after the last export — no longer holds a head the file lists, so
`verify_audit --heads FILE` names the truncation that the chain alone cannot see."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from audit import keys
from audit.chain import canonical_time, sign_head
from audit.models import AuditBlock


def head_line(block: AuditBlock, *, now: datetime) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "block": block.number,
        "row_id": block.last_event_id,
        "head": block.head,
        "sealed_at": canonical_time(block.sealed_at),
        "exported_at": canonical_time(now),
        "key_id": block.key_id,
    }
    key = keys.key_for(block.key_id)
    assert key is not None  # the block was sealed with a configured key
    return {**fields, "sig": sign_head(key, fields)}


def export_head(path: Path, *, now: datetime) -> dict[str, Any] | None:
    """Append the newest head unless the file's last line already holds it; returns the line written."""
    block = AuditBlock.objects.order_by("-number").first()
    if block is None:
        return None
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    if lines and json.loads(lines[-1]).get("block") == block.number:
        return None
    line = head_line(block, now=now)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, sort_keys=True) + "\n")
    return line


@dataclass(frozen=True)
class HeadProblem:
    line: int
    message: str


def check_heads(path: Path) -> tuple[int, list[HeadProblem]]:
    """Every head in the file must be signed by a configured key and present, unchanged, in the
    database. Returns (heads checked, problems)."""
    problems: list[HeadProblem] = []
    checked = 0
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        checked += 1
        try:
            line = json.loads(raw)
            fields = {k: line[k] for k in ("block", "row_id", "head", "sealed_at", "exported_at", "key_id")}
            sig = line["sig"]
        except (ValueError, KeyError, TypeError):
            problems.append(HeadProblem(n, "not a head line"))
            continue
        key = keys.key_for(str(fields["key_id"]))
        if key is None or sign_head(key, fields) != sig:
            problems.append(HeadProblem(n, f"block {fields['block']}: signature does not verify"))
            continue
        block = AuditBlock.objects.filter(number=fields["block"]).first()
        if block is None:
            problems.append(
                HeadProblem(
                    n,
                    f"block {fields['block']} (rows up to id {fields['row_id']}) is missing: tail truncated",
                )
            )
        elif (block.head, block.last_event_id) != (fields["head"], fields["row_id"]):
            problems.append(HeadProblem(n, f"block {fields['block']}: head differs from the exported one"))
    return checked, problems
