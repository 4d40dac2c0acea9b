"""Penalty decisions not published within their statutory limit, or revoked and still up
(enforcement.publication's own definition of late, `late_filter`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from enforcement.cases.publication import (
    NOTICE_PUBLICATION_LATE,
    REVOKED_WITHDRAW_DAYS,
    late_filter,
    late_stage,
)
from enforcement.models import Publication

from ..models import Level, Rule
from .base import Finding, Owners, RuleFn


def late_publications(now: datetime, owners: Owners) -> list[Finding]:
    """Decisions past their publication deadline (or revoked and not withdrawn in time), per stage; the
    owner is the squad that decided. 橙: a statutory duty (三项制度) is already breached. The situation
    ends when the decision is published (or taken down)."""
    found = []
    rows = (
        Publication.objects.filter(late_filter(now)).select_related("case", "case__squad").order_by("due_at")
    )
    for publication in rows:
        case = publication.case
        stage = late_stage(publication)
        unpublished = stage == NOTICE_PUBLICATION_LATE
        due = (
            publication.due_at
            if unpublished
            else (publication.revoked_at or now) + timedelta(days=REVOKED_WITHDRAW_DAYS)
        )
        hours_late = (now - due).total_seconds() / 3600
        what = "未按时公示" if unpublished else "已被撤销但未按时撤下"
        found.append(
            Finding(
                rule=Rule.PUBLICATION_LATE,
                level=Level.ORANGE,
                fingerprint=f"publication_late:{publication.pk}:{'publish' if unpublished else 'withdraw'}",
                territory_code=case.territory_code,
                owner_unit=case.squad or owners.of(case.territory_code),
                title=f"处罚决定{what}：{case.decision_number or case.pk}"[:200],
                summary=f"期限 {timezone.localtime(due):%m-%d %H:%M}，已超过 {hours_late:.1f} 小时。",
                evidence={
                    "decision_number": case.decision_number,
                    "stage": "publish" if unpublished else "withdraw",
                    "due_at": due.isoformat(),
                    "hours_late": round(hours_late, 2),
                },
                item_ids=[case.work_item_id] if case.work_item_id else [],
            )
        )
    return found


RULES: dict[str, RuleFn] = {Rule.PUBLICATION_LATE: late_publications}
