"""Writes of the early warnings: raising one per situation (`do_raise_warning`, idempotent by its
fingerprint), evaluating every rule (`evaluate_warnings`, what the periodic job and the command run), and
the warnings' door to the engine (`do_act_on_warning`), whose step rules live in command/warnings/steps.py."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import User
from audit.actions import record_event
from workflow.actors import system_actor
from workflow.engine import do_start_item, transition
from workflow.models import Priority

from .models import EarlyWarning, Level
from .rules import RULES, WARNING_PROCESS, Finding, Owners
from .selectors import get_warning_for

logger = logging.getLogger(__name__)

PRIORITY = {Level.RED: Priority.URGENT, Level.ORANGE: Priority.HIGH, Level.YELLOW: Priority.NORMAL}


def _limits(level: str) -> dict[str, dict[str, Any]]:
    """How long a warning of `level` may wait for 签收 and then for 处置 before the sweeper's 督办."""
    return {
        "raised": {"amount": int(settings.COMMAND_WARN_ACK_HOURS[level]), "unit": "work_hours"},
        "acknowledged": {"amount": int(settings.COMMAND_WARN_HANDLE_DAYS), "unit": "work_days"},
    }


def do_raise_warning(finding: Finding, *, actor: User, now: datetime) -> tuple[EarlyWarning, bool]:
    """The warning of `finding`'s situation: the existing one, or a new work item (which notifies the
    owner unit through the outbox) with its warning row. Returns (warning, created). Two evaluations at
    once: the unique fingerprint lets one insert win; the other rolls back and returns the winner's."""
    existing = EarlyWarning.objects.filter(fingerprint=finding.fingerprint).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            item = do_start_item(
                WARNING_PROCESS,
                actor=actor,
                now=now,
                title=f"【{Level(finding.level).label}】{finding.title}"[:200],
                territory_code=finding.territory_code,
                subject_type="command.earlywarning",
                subject_id=finding.fingerprint[:80],
                assigned_unit=finding.owner_unit,
                priority=PRIORITY[Level(finding.level)],
                reason=finding.summary,
                limits=_limits(finding.level),
            )
            warning = EarlyWarning.objects.create(
                work_item=item,
                rule=finding.rule,
                level=finding.level,
                fingerprint=finding.fingerprint,
                territory_code=finding.territory_code,
                owner_unit=finding.owner_unit,
                title=finding.title,
                summary=finding.summary,
                evidence=finding.evidence,
                item_ids=finding.item_ids,
                raised_at=now,
            )
            record_event(
                actor=actor,
                action="command.raise_warning",
                subject=warning,
                territory_code=warning.territory_code,
                after={"rule": warning.rule, "level": warning.level, "fingerprint": warning.fingerprint},
                now=now,
            )
    except IntegrityError:
        raced = EarlyWarning.objects.filter(fingerprint=finding.fingerprint).first()
        if raced is None:
            raise
        return raced, False
    return warning, True


def evaluate_warnings(*, now: datetime, rules: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Run the rules (all, or those named) at `now` and raise a warning per new situation. A rule that
    fails is logged and counted; the others still run. Safe to run twice or on two workers at once."""
    actor = system_actor()
    owners = Owners()
    report: dict[str, dict[str, int]] = {}
    for name, rule in RULES.items():
        if rules is not None and name not in rules:
            continue
        counts = {"found": 0, "raised": 0, "failed": 0}
        try:
            findings = rule(now, owners)
        except Exception:
            logger.exception("early warnings: rule %s failed", name)
            counts["failed"] += 1
            report[str(name)] = counts
            continue
        for finding in findings:
            counts["found"] += 1
            try:
                _warning, created = do_raise_warning(finding, actor=actor, now=now)
            except Exception:
                logger.exception("early warnings: raising %s failed", finding.fingerprint)
                counts["failed"] += 1
                continue
            counts["raised"] += int(created)
        report[str(name)] = counts
    return report


def do_act_on_warning(
    warning: EarlyWarning,
    action: str,
    *,
    actor: User,
    now: datetime,
    reason: str = "",
    inputs: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> EarlyWarning:
    """The command centre's door to a warning's step (签收, 处置, 办结, 误报, 督办): the engine takes it with
    the rules bound in command/warnings/steps.py — the same path as the generic work-item door."""
    # The system (the sweeper's 督办) acts everywhere; a person only within their jurisdiction (else 404).
    warning = (
        EarlyWarning.objects.select_related("work_item").get(pk=warning.pk)
        if actor.is_system
        else get_warning_for(actor, warning.pk)
    )
    transition(
        warning.work_item,
        action,
        actor=actor,
        now=now,
        reason=reason,
        inputs=inputs,
        expected_version=expected_version,
    )
    warning.refresh_from_db()
    return warning
