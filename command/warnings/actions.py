"""Writes of the early warnings: raising one per situation (`do_raise_warning`, idempotent by its
fingerprint), evaluating every rule (`evaluate_warnings`, what the periodic job and the command run:
raise the new situations, withdraw the warnings whose situation has cleared), and the warnings' door to
the engine (`do_act_on_warning`), whose step rules live in command/warnings/steps.py."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.models import User
from audit.actions import record_event
from core.errors import Conflict
from workflow.actors import system_actor
from workflow.engine import transition
from workflow.models import Priority
from workflow.start import do_start_item

from .models import EarlyWarning, Level, Rule
from .rules import RULES, WARNING_PROCESS, Finding, Holds, Owners
from .selectors import get_warning_for

logger = logging.getLogger(__name__)

PRIORITY = {Level.RED: Priority.URGENT, Level.ORANGE: Priority.HIGH, Level.YELLOW: Priority.NORMAL}


def _limits(level: str) -> dict[str, dict[str, Any]]:
    """How long a warning of `level` may wait for 签收 and then for 处置 before the sweeper's 督办."""
    return {
        "raised": {"amount": int(settings.COMMAND_WARN_ACK_HOURS[level]), "unit": "work_hours"},
        "acknowledged": {"amount": int(settings.COMMAND_WARN_HANDLE_DAYS), "unit": "work_days"},
    }


WITHDRAW = "withdraw"
WITHDRAWN = "withdrawn"


def _fingerprint_for(finding: Finding) -> tuple[EarlyWarning | None, str]:
    """The warning that already stands for `finding` (open, or finished by a person in this period), or
    None and the fingerprint a new one takes: the finding's own, or `<fingerprint>#<n>` when the
    situation came back after its warnings of this period were withdrawn (自动解除)."""
    existing = (
        EarlyWarning.objects.select_related("work_item").filter(fingerprint=finding.fingerprint).first()
    )
    if existing is None:
        return None, finding.fingerprint
    again = list(
        EarlyWarning.objects.select_related("work_item")
        .filter(situation=existing.situation, fingerprint__startswith=f"{finding.fingerprint}#")
        .order_by("-raised_at", "-id")
    )
    latest = again[0] if again else existing
    if latest.finished_at is None or latest.work_item.state != WITHDRAWN:
        return latest, ""
    return None, f"{finding.fingerprint}#{len(again) + 1}"


def do_raise_warning(finding: Finding, *, actor: User, now: datetime) -> tuple[EarlyWarning, bool]:
    """The warning of `finding`'s situation: the existing one, or a new work item (which notifies the
    owner unit through the outbox) with its warning row. Returns (warning, created). Two evaluations at
    once: the unique fingerprint lets one insert win; the other rolls back and returns the winner's."""
    existing, fingerprint = _fingerprint_for(finding)
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
                subject_id=fingerprint[:80],
                assigned_unit=finding.owner_unit,
                priority=PRIORITY[Level(finding.level)],
                reason=finding.summary,
                limits=_limits(finding.level),
            )
            warning = EarlyWarning.objects.create(
                work_item=item,
                rule=finding.rule,
                level=finding.level,
                fingerprint=fingerprint,
                situation=finding.situation,
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
        raced = EarlyWarning.objects.filter(fingerprint=fingerprint).first()
        if raced is None:
            raise
        return raced, False
    return warning, True


def withdrawal_reason(warning: EarlyWarning, now: datetime) -> str:
    """The note of an automatic withdrawal, kept on its transition (the warning's history)."""
    when = f"{timezone.localtime(now):%Y-%m-%d %H:%M}"
    state = warning.work_item.state
    done = {
        "acknowledged": "；已签收的处置随之结束",
        "handled": f"；已采取的处置措施保留：{warning.measures}"[:400],
    }.get(state, "")
    return f"预警条件已解除：{when} 评估时“{Rule(warning.rule).label}”的情形已不存在，系统自动解除{done}。"


def do_withdraw_warning(warning: EarlyWarning, *, now: datetime) -> EarlyWarning:
    """Withdraw (自动解除) an open warning whose situation has cleared: the system's step `withdraw` on
    the engine, with the reason in its history; the engine tells the owner unit."""
    return do_act_on_warning(
        warning,
        WITHDRAW,
        actor=system_actor(),
        now=now,
        reason=withdrawal_reason(warning, now),
        inputs={"situation": warning.situation},
    )


@translation.override(settings.LANGUAGE_CODE)
def evaluate_warnings(*, now: datetime, rules: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Run the rules (all, or those named) at `now`, in the site's language (the summaries are stored and
    read by everyone, whatever language the run was started from): raise a warning per situation that
    has none open, and withdraw each open warning of the rule whose situation the rule no longer yields.
    A rule that fails is logged and counted and withdraws nothing; the others still run. Safe to run
    twice or on two workers at once (a warning another run withdrew or a person finished meanwhile is
    left alone)."""
    actor = system_actor()
    owners = Owners()
    report: dict[str, dict[str, int]] = {}
    for name, rule in RULES.items():
        if rules is not None and name not in rules:
            continue
        counts = {"found": 0, "raised": 0, "withdrawn": 0, "failed": 0}
        report[str(name)] = counts
        try:
            results: list[Finding | Holds] = list(rule(now, owners))
        except Exception:
            logger.exception("early warnings: rule %s failed", name)
            counts["failed"] += 1
            continue
        # Open warnings by situation (a list: warnings raised before situations were kept may share one).
        open_now: dict[str, list[EarlyWarning]] = defaultdict(list)
        for w in EarlyWarning.objects.select_related("work_item").filter(rule=name, finished_at__isnull=True):
            open_now[w.situation or w.fingerprint].append(w)
        holding: dict[str, Finding | Holds] = {}
        for result in results:  # a situation found anew outranks the same one merely holding
            if isinstance(result, Finding) or result.situation not in holding:
                holding[result.situation] = result
        counts["found"] = len(holding)
        for key, result in holding.items():
            if isinstance(result, Holds) or key in open_now:
                continue
            try:
                _warning, created = do_raise_warning(result, actor=actor, now=now)
            except Exception:
                logger.exception("early warnings: raising %s failed", result.fingerprint)
                counts["failed"] += 1
                continue
            counts["raised"] += int(created)
        for warning in (w for key, ws in open_now.items() if key not in holding for w in ws):
            try:
                do_withdraw_warning(warning, now=now)
            except Conflict:
                continue  # another run withdrew it, or a person finished it, meanwhile
            except Exception:
                logger.exception("early warnings: withdrawing %s failed", warning.fingerprint)
                counts["failed"] += 1
                continue
            counts["withdrawn"] += 1
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
