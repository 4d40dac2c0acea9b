"""Demo 代办需求: on some of a town's logged 联户 visits the member records a need (a service the household
needs done for it), raised through the party action as on the phone, in every state a leader's desk and
the needs pages show — open (raised in the last days, with the grid worker), returned by the grid worker,
and late: past its limit, reminded and then escalated by the process's own escalation rules, applied as
the sweeper applies them at each deadline that has passed. Called by demo.party_data for a new town."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from accounts.models import Role, User
from party.models import Visit
from party.needs import do_raise_need
from workflow.engine import transition
from workflow.models import WorkItem
from workflow.publishing import definition_for
from workflow.sweeper import ESCALATION_REASON

NEEDS = (
    "老人需办理高龄津贴，行动不便，希望网格员上门代办。",
    "户主需补办残疾人证，家中无人接送。",
    "新生儿需办理城乡居民医保参保登记。",
    "户主需办理居住证明，本人在外地务工。",
)
MAX_PER_TOWN = 16
RETURN_REASON = "户主已自行到便民服务中心办理。"
# What becomes of each chosen visit's need, in turn, and how long ago at most it was raised: returned by
# the grid worker the next day; late long enough to be escalated (raised with the visit); late and
# reminded (about 6 working days ago); open (yesterday).
KINDS = ("returned", "escalated", "reminded", "open")
RAISED_AGO = {
    "returned": timedelta(days=365),
    "escalated": timedelta(days=365),
    "reminded": timedelta(days=8),
    "open": timedelta(days=1),
}


def _handler_of(grid: str) -> User | None:
    """The grid's worker, else its head: who returns a need of the grid."""
    for role in (Role.GRID_WORKER, Role.GRID_HEAD):
        user = (
            User.objects.filter(
                assignments__role=role,
                assignments__active=True,
                assignments__territory_code=grid,
                is_active=True,
            )
            .order_by("pk")
            .first()
        )
        if user is not None:
            return user
    return None


def _escalate_past_deadlines(item: WorkItem, *, now: datetime, system: User) -> int:
    """Apply the definition's escalation rule at each step deadline already passed, at that deadline (the
    sweeper's action, as it would have taken it then)."""
    taken = 0
    while item.closed_at is None and item.step_due_at is not None and item.step_due_at <= now:
        rule = definition_for(item).rule_for(item.state)
        if rule is None or rule.overdue_action is None:
            break
        transition(item, rule.overdue_action, actor=system, now=item.step_due_at, reason=ESCALATION_REASON)
        item.refresh_from_db()
        taken += 1
    return taken


def seed_needs(town: str, *, now: datetime, system: User) -> dict[str, int]:
    counts: Counter[str] = Counter()
    logged = (
        Visit.objects.filter(
            territory_code__startswith=town,
            visited_at__isnull=False,
            link__household__isnull=False,
            member__user__isnull=False,
        )
        .select_related("member__user", "link__household", "link__entity")
        .order_by("visited_at", "id")
    )
    candidates = list(logged)
    # Spread over the months, oldest first, so that old needs can have fallen late.
    chosen = candidates[:: max(1, len(candidates) // MAX_PER_TOWN)][:MAX_PER_TOWN]
    for index, visit in enumerate(chosen):
        assert visit.visited_at is not None and visit.member.user is not None
        kind = KINDS[index % len(KINDS)]
        # The member records it with the visit, or later on the visit's phone page (a recent need).
        raised_at = max(visit.visited_at + timedelta(minutes=5), now - RAISED_AGO[kind])
        if raised_at >= now:
            continue
        need = do_raise_need(visit, NEEDS[index % len(NEEDS)], actor=visit.member.user, now=raised_at)
        item = WorkItem.objects.get(pk=need.work_item_id)
        counts["needs"] += 1
        handler = _handler_of(need.territory_code)
        if kind == "returned" and handler is not None and raised_at + timedelta(days=1) < now:
            transition(
                item, "decline", actor=handler, now=raised_at + timedelta(days=1), reason=RETURN_REASON
            )
            counts["needs_returned"] += 1
            continue
        if _escalate_past_deadlines(item, now=now, system=system):
            counts["needs_late"] += 1
    return dict(counts)
