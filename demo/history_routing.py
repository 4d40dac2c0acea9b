"""Routing decisions for the bulk-written demo history: the dispatcher's queues read the latest decision
of each event (routed unit preselected; 未路由 = the latest decision found no unit), so the demo records
one where a live event gets one — at `file` and at every `dispatch` — from the same routing result."""

from __future__ import annotations

from datetime import datetime

from accounts.models import User
from grid.events.selectors import SUBJECT_TYPE
from grid.models import GridEvent, RoutingDecision
from grid.standards.routing import RoutingResult

ROUTED_ACTIONS = ("file", "dispatch")


def decision_for(
    result: RoutingResult, event: GridEvent, *, at: datetime, actor: User | None
) -> RoutingDecision:
    """An unsaved decision as `grid.standards.actions.do_record_routing` writes it, for the event's own grid
    (the demo routes once per town and category: the responsibility list is kept at town level)."""
    return RoutingDecision(
        subject_type=SUBJECT_TYPE,
        subject_id=str(event.pk),
        grid_code=event.grid_id,
        kind=result.kind,
        category=result.category,
        category_code=result.category_code,
        chosen_unit=result.org_unit,
        level=result.level,
        basis=result.basis or "",
        reason=result.reason_text,
        trail=result.trail,
        decided_at=at,
        actor=actor,
    )
