"""The escalation sweeper: finds open work items whose `warn_at` or `step_due_at` has passed and applies
the definition's escalation rule as the system actor.

- Finding: an index range scan on the partial indexes `workitem_warn_idx` (warn_at WHERE warned_at IS
  NULL) and `workitem_step_due_idx` (step_due_at WHERE overdue_at IS NULL), so a pass costs what the
  due rows cost, not what the table holds.
- Claiming: `UPDATE ... SET warned_at = now WHERE id = ? AND warn_at = <old> AND warned_at IS NULL`
  (and the same for step_due_at / overdue_at), in the same transaction as the rule's effects. Of two
  sweepers racing for a row, the second UPDATE waits for the first to commit, re-checks the WHERE and
  matches nothing, so each escalation happens exactly once; a row whose deadline moved meanwhile (a
  person acted) no longer matches either.
- Failing: when applying the rule raises, the transaction rolls back and the row is backed off
  (`sweep_failures` + 1, `sweep_retry_at` = now + 2^failures minutes, at most a day) so one bad row is
  not retried on every pass.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet

from accounts.models import User
from audit.actions import audit_row, record_audit_rows, record_event
from core.bulk import insert_new
from workflow.actors import system_actor
from workflow.engine import transition, transition_many
from workflow.listing import attach_item_references
from workflow.models import WorkItem
from workflow.notices import notify_item, notify_items
from workflow.process_definition import EscalationRule
from workflow.publishing import definition_for

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(days=1)
ESCALATION_REASON = "本环节已超期，系统自动处理。"


@dataclass
class SweepReport:
    warned: int = 0
    overdue: int = 0
    escalated: int = 0  # overdue items on which the rule's action ran
    skipped: int = 0  # claimed by someone else first
    failed: int = 0


def _retry_allowed(now: datetime) -> Q:
    return Q(sweep_retry_at__isnull=True) | Q(sweep_retry_at__lte=now)


def warning_candidates(now: datetime) -> QuerySet[WorkItem]:
    """Range scan of workitem_warn_idx (warn_at WHERE warned_at IS NULL)."""
    return (
        WorkItem.objects.filter(warned_at__isnull=True, warn_at__lte=now)
        .filter(_retry_allowed(now))
        .order_by("warn_at")
    )


def overdue_candidates(now: datetime) -> QuerySet[WorkItem]:
    """Range scan of workitem_step_due_idx (step_due_at WHERE overdue_at IS NULL)."""
    return (
        WorkItem.objects.filter(overdue_at__isnull=True, step_due_at__lte=now)
        .filter(_retry_allowed(now))
        .order_by("step_due_at")
    )


def due_for_warning(now: datetime, batch: int) -> list[tuple[int, datetime]]:
    rows = warning_candidates(now).values_list("pk", "warn_at")[:batch]
    return [(pk, at) for pk, at in rows if at is not None]


def due_for_overdue(now: datetime, batch: int) -> list[tuple[int, datetime]]:
    rows = overdue_candidates(now).values_list("pk", "step_due_at")[:batch]
    return [(pk, at) for pk, at in rows if at is not None]


def backoff_delay(failures: int) -> timedelta:
    return min(timedelta(minutes=2 ** min(failures, 11)), MAX_BACKOFF)


def _back_off(pk: int, now: datetime, error: Exception) -> None:
    with transaction.atomic():
        failures = WorkItem.objects.filter(pk=pk).values_list("sweep_failures", flat=True).first() or 0
        WorkItem.objects.filter(pk=pk).update(
            sweep_failures=F("sweep_failures") + 1,
            sweep_retry_at=now + backoff_delay(failures + 1),
            last_sweep_error=f"{type(error).__name__}: {error}"[:2000],
        )


def _warn_audit(item: WorkItem, old_warn_at: datetime, system: User, now: datetime) -> dict[str, Any]:
    """The audit row of a warning, the same on the one-by-one and the batch path."""
    return {
        "actor": system,
        "action": "workflow.warn",
        "subject": item,
        "territory_code": item.territory_code,
        "after": {"state": item.state, "warn_at": old_warn_at, "step_due_at": item.step_due_at},
        "now": now,
    }


def _overdue_audit(
    item: WorkItem, old_due_at: datetime, rule: EscalationRule | None, system: User, now: datetime
) -> dict[str, Any]:
    """The audit row of an overdue mark, the same on the one-by-one and the batch path."""
    return {
        "actor": system,
        "action": "workflow.overdue",
        "subject": item,
        "territory_code": item.territory_code,
        "after": {
            "state": item.state,
            "step_due_at": old_due_at,
            "rule_action": rule.overdue_action if rule else None,
        },
        "now": now,
    }


def _warn(pk: int, old_warn_at: datetime, now: datetime, system: User) -> bool:
    with transaction.atomic():
        claimed = WorkItem.objects.filter(pk=pk, warn_at=old_warn_at, warned_at__isnull=True).update(
            warned_at=now, sweep_failures=0, sweep_retry_at=None
        )
        if not claimed:
            return False
        item = WorkItem.objects.get(pk=pk)
        attach_item_references([item])  # version, unit, assignee from the process cache: no joins
        rule = definition_for(item).rule_for(item.state)
        if rule is not None and rule.warn:
            record_event(**_warn_audit(item, old_warn_at, system, now))
            notify_item(item, kind="workflow.warn", body=f"即将超期（已用时80%）：{item.title}", now=now)
    return True


def _overdue(pk: int, old_due_at: datetime, now: datetime, system: User) -> tuple[bool, bool]:
    """Returns (claimed, escalated)."""
    with transaction.atomic():
        claimed = WorkItem.objects.filter(pk=pk, step_due_at=old_due_at, overdue_at__isnull=True).update(
            overdue_at=now, sweep_failures=0, sweep_retry_at=None
        )
        if not claimed:
            return False, False
        item = WorkItem.objects.get(pk=pk)
        attach_item_references([item])  # version, unit, assignee from the process cache: no joins
        rule = definition_for(item).rule_for(item.state)
        record_event(**_overdue_audit(item, old_due_at, rule, system, now))
        if rule is None or rule.overdue_action is None:
            notify_item(item, kind="workflow.overdue", body=f"已超期：{item.title}", now=now)
            return True, False
        transition(item, rule.overdue_action, actor=system, now=now, reason=ESCALATION_REASON)
    return True, True


CHUNK = 200  # rows escalated together in one transaction


def _claim(
    due: list[tuple[int, datetime]], *, now: datetime, marked: str, at: str
) -> list[tuple[WorkItem, datetime]]:
    """Lock the unmarked rows of `due` (in id order: two sweepers never deadlock) and keep those whose
    deadline (`at`) is still the one found — the same compare-and-swap as `_warn`/`_overdue`: a second
    sweeper waits for the first's commit and then finds the rows marked; a row whose deadline moved
    (a person acted) is left alone. Runs inside the caller's transaction."""
    found = dict(due)
    locked = WorkItem.objects.select_for_update().filter(pk__in=list(found), **{f"{marked}__isnull": True})
    return [(item, found[item.pk]) for item in locked.order_by("pk") if getattr(item, at) == found[item.pk]]


def _warn_batch(rows: list[tuple[int, datetime]], now: datetime, system: User) -> tuple[int, int]:
    """Warn `rows` in one transaction: (warned, skipped). Raises when anything fails (all rolled back)."""
    with transaction.atomic():
        claimed = _claim(rows, now=now, marked="warned_at", at="warn_at")
        items = [item for item, _ in claimed]
        WorkItem.objects.filter(pk__in=[item.pk for item in items]).update(
            warned_at=now, sweep_failures=0, sweep_retry_at=None
        )
        attach_item_references(items)
        events, notices = [], []
        for item, old_warn_at in claimed:
            item.warned_at, item.sweep_failures, item.sweep_retry_at = now, 0, None
            rule = definition_for(item).rule_for(item.state)
            if rule is None or not rule.warn:
                continue
            events.append(audit_row(**_warn_audit(item, old_warn_at, system, now)))
            notices.append((item, {"kind": "workflow.warn", "body": f"即将超期（已用时80%）：{item.title}"}))
        record_audit_rows(events, insert=insert_new)
        notify_items(notices, now=now)
    return len(claimed), len(rows) - len(claimed)


def _overdue_batch(rows: list[tuple[int, datetime]], now: datetime, system: User) -> tuple[int, int, int]:
    """Mark `rows` overdue and run each rule's action, in one transaction: (overdue, escalated, skipped).
    Raises when anything fails (all rolled back)."""
    with transaction.atomic():
        claimed = _claim(rows, now=now, marked="overdue_at", at="step_due_at")
        items = [item for item, _ in claimed]
        attach_item_references(items)
        events, notices, moves, plain = [], [], [], []
        for item, old_due_at in claimed:
            item.overdue_at, item.sweep_failures, item.sweep_retry_at = now, 0, None
            rule = definition_for(item).rule_for(item.state)
            events.append(audit_row(**_overdue_audit(item, old_due_at, rule, system, now)))
            if rule is None or rule.overdue_action is None:
                plain.append(item.pk)
                notices.append((item, {"kind": "workflow.overdue", "body": f"已超期：{item.title}"}))
            else:
                moves.append((item, rule.overdue_action))
        WorkItem.objects.filter(pk__in=plain).update(overdue_at=now, sweep_failures=0, sweep_retry_at=None)
        record_audit_rows(
            events, insert=insert_new
        )  # before the actions' own rows, as the one-by-one path writes them
        notify_items(notices, now=now)
        transition_many(moves, actor=system, now=now, reason=ESCALATION_REASON)
    return len(claimed), len(moves), len(rows) - len(claimed)


def _chunks(rows: list[tuple[int, datetime]]) -> list[list[tuple[int, datetime]]]:
    return [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]


def sweep(*, now: datetime, batch: int = 500) -> SweepReport:
    """One pass: warn then mark overdue (and escalate) every due row, up to `batch` of each. Rows are
    taken CHUNK at a time in one transaction each, written in bulk (`transition_many`); when a chunk
    fails, it is rolled back and its rows are taken one by one, so one bad row is backed off alone."""
    report = SweepReport()
    warn_rows = due_for_warning(now, batch)
    due_rows = due_for_overdue(now, batch)
    if not warn_rows and not due_rows:
        return report
    system = system_actor()
    for chunk in _chunks(warn_rows):
        try:
            warned, skipped = _warn_batch(chunk, now, system)
        except Exception:
            logger.warning(
                "workflow sweeper: a warning batch failed; taking its rows one by one", exc_info=True
            )
            _warn_one_by_one(chunk, now, system, report)
            continue
        report.warned += warned
        report.skipped += skipped
    for chunk in _chunks(due_rows):
        try:
            overdue, escalated, skipped = _overdue_batch(chunk, now, system)
        except Exception:
            logger.warning(
                "workflow sweeper: an overdue batch failed; taking its rows one by one", exc_info=True
            )
            _overdue_one_by_one(chunk, now, system, report)
            continue
        report.overdue += overdue
        report.escalated += escalated
        report.skipped += skipped
    return report


def _warn_one_by_one(
    rows: list[tuple[int, datetime]], now: datetime, system: User, report: SweepReport
) -> None:
    for pk, warn_at in rows:
        try:
            if _warn(pk, warn_at, now, system):
                report.warned += 1
            else:
                report.skipped += 1
        except Exception as error:
            logger.exception("workflow sweeper: warning work item %s failed", pk)
            report.failed += 1
            _back_off(pk, now, error)


def _overdue_one_by_one(
    rows: list[tuple[int, datetime]], now: datetime, system: User, report: SweepReport
) -> None:
    for pk, due_at in rows:
        try:
            claimed, escalated = _overdue(pk, due_at, now, system)
        except Exception as error:
            logger.exception("workflow sweeper: escalating work item %s failed", pk)
            report.failed += 1
            _back_off(pk, now, error)
            continue
        if claimed:
            report.overdue += 1
            report.escalated += int(escalated)
        else:
            report.skipped += 1
