"""Writes of the officer-points app: computing a period's points (idempotent: a recomputation replaces
the period's entries and rotation flags inside the actor's jurisdiction) and recording assessments.

What earns or costs points (rules in evaluation.rules, values in PointRule):
- every step of a case's work item that one of the case's officers completed (a transition out of a
  state with a step limit, into another state): on time if it happened by the step's deadline, counted
  from the moment the case entered that state with the work calendar and the squad's working hours
  (add_duration, as the engine computes it); late otherwise. Steps done by others (legal reviewers,
  leaders, the system) score nobody.
- a decision published after its publication deadline (Publication.due_at): the lead officer, in the
  period of the deadline.
- assessments recorded on a case (legal-review findings, overturned decisions, upheld complaints, file
  quality): the officer named in the assessment, in the period it was recorded.
The period of an entry is the local (Asia/Shanghai) month in which it happened."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum

from accounts.jurisdiction import jurisdiction_codes, scope_for, user_roles
from accounts.models import OrgUnit, Role, User
from audit.actions import record_event
from audit.models import AuditEvent
from core.errors import DomainError, NotFound, PermissionRefused
from enforcement.models import Case, CaseOfficer, CaseOfficerRole, OfficerPost, Publication
from evaluation.models import (
    PERIOD_RE,
    CaseAssessment,
    PeriodComputation,
    PointEntry,
    PointRule,
    RotationFlag,
    RotationPolicy,
    RuleBasis,
)
from evaluation.rules import (
    DEFAULT_CONSECUTIVE_PERIODS,
    DEFAULT_THRESHOLD,
    LEGAL_REVIEW_FINDING,
    PUBLICATION_LATE,
    STEP_LATE,
    STEP_ON_TIME,
)
from workflow.models import Transition, WorkItem

LOCAL_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")

COMPUTE_ROLES: set[str] = {Role.LEADER, Role.SUPERVISOR, Role.DISPATCHER, Role.SQUAD_LEADER}
# Transitions of the case processes that are a legal-review finding against the case (退回补充调查).
LEGAL_REVIEW_RETURN_ACTIONS: frozenset[str] = frozenset({"legal_review_return"})
ASSESS_ROLES: set[str] = {Role.LEGAL_REVIEWER, Role.SUPERVISOR, Role.LEADER, Role.SQUAD_LEADER}


def parse_period(value: str | None, *, field: str = "period") -> str:
    value = (value or "").strip()
    if not PERIOD_RE.match(value):
        raise DomainError("invalid", "考核期须为 YYYY-MM 格式，例如 2026-11。", field=field)
    return value


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """[start, end) of the local month, as aware datetimes."""
    year, month = (int(part) for part in period.split("-"))
    start = datetime(year, month, 1, tzinfo=LOCAL_TZ)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=LOCAL_TZ)
    return start, end


def period_of(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m")


def previous_period(period: str) -> str:
    year, month = (int(part) for part in period.split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def rotation_policy() -> RotationPolicy:
    policy = RotationPolicy.objects.order_by("pk").first()
    if policy is None:
        return RotationPolicy(threshold=DEFAULT_THRESHOLD, consecutive_periods=DEFAULT_CONSECUTIVE_PERIODS)
    return policy


@dataclass(frozen=True)
class _Draft:
    officer_id: int
    case: Case | None
    rule: PointRule
    reason: str
    source: str
    at: datetime


def _is_district_wide(actor: User) -> bool:
    return bool(actor.is_system)


def _scoped(actor: User, queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
    return queryset if _is_district_wide(actor) else scope_for(actor, queryset, field)


def _check_may_compute(actor: User) -> None:
    if actor.is_system:
        return
    if not (user_roles(actor) & COMPUTE_ROLES):
        raise PermissionRefused("not_allowed", "只有领导、督办员、调度员或中队长可以计算执法积分。")


def _case_officers(cases: list[Case]) -> dict[int, set[int]]:
    officers: dict[int, set[int]] = defaultdict(set)
    for case in cases:
        officers[case.pk].add(case.lead_officer_id)
    # The hearing chair is on the case to be independent of the investigation; the steps they take
    # (often as legal reviewer) are not the investigating officers' work.
    investigating = CaseOfficer.objects.filter(case__in=cases).exclude(role=CaseOfficerRole.HEARING_CHAIR)
    for case_id, officer_id in investigating.values_list("case_id", "officer_id"):
        officers[case_id].add(officer_id)
    return officers


def _parse_instant(value: Any) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def step_deadlines(item_ids: list[int]) -> dict[int, datetime | None]:
    """transition id → the step deadline (`step_due_at`) the item had just before that transition, as
    the engine's audit row recorded it (so pauses, extensions and `clock: keep` are what the engine
    applied). None when the step had no running limit."""
    events = AuditEvent.objects.filter(
        subject_type=WorkItem._meta.label_lower,
        subject_id__in=[str(pk) for pk in item_ids],
        action__startswith="workflow.",
    ).values_list("before", "after")
    deadlines: dict[int, datetime | None] = {}
    for before, after in events:
        if isinstance(after, dict) and after.get("transition") is not None and isinstance(before, dict):
            deadlines[int(after["transition"])] = _parse_instant(before.get("step_due_at"))
    return deadlines


def step_outcomes(
    transitions: list[Transition], deadlines: dict[int, datetime | None]
) -> list[tuple[Transition, bool]]:
    """(transition, on_time) for every transition that moved a work item on (into another state) from a
    step whose clock was running: on time when it happened by that step's deadline."""
    outcomes = []
    for record in transitions:
        if not record.from_state or record.to_state == record.from_state:
            continue
        deadline = deadlines.get(record.pk)
        if deadline is None:
            continue
        outcomes.append((record, record.occurred_at <= deadline))
    return outcomes


def _step_drafts(
    cases: list[Case], rules: dict[str, PointRule], start: datetime, end: datetime
) -> list[_Draft]:
    on_time, late = rules.get(STEP_ON_TIME), rules.get(STEP_LATE)
    if on_time is None and late is None:
        return []
    officers = _case_officers(cases)
    by_item = {case.work_item_id: case for case in cases if case.work_item_id is not None}
    records = list(
        Transition.objects.filter(item_id__in=list(by_item), occurred_at__gte=start, occurred_at__lt=end)
        .exclude(from_state="")
        .exclude(to_state=F("from_state"))
        .order_by("item_id", "id")
    )
    deadlines = step_deadlines(sorted({record.item_id for record in records}))
    drafts: list[_Draft] = []
    finding = rules.get(LEGAL_REVIEW_FINDING)
    for record in records:
        if finding is not None and record.action in LEGAL_REVIEW_RETURN_ACTIONS:
            case = by_item[record.item_id]
            drafts.append(
                _Draft(
                    officer_id=case.lead_officer_id,
                    case=case,
                    rule=finding,
                    reason=f"{case.number or case.pk}：法制审核退回（{record.reason[:120]}）",
                    source=f"transition:{record.pk}",
                    at=record.occurred_at,
                )
            )
    for record, in_time in step_outcomes(records, deadlines):
        case = by_item[record.item_id]
        if record.actor_id in officers[case.pk]:
            rule = on_time if in_time else late
            if rule is None:
                continue
            verb = "按时" if in_time else "超期"
            drafts.append(
                _Draft(
                    officer_id=record.actor_id,
                    case=case,
                    rule=rule,
                    reason=f"{case.number or case.pk}：{record.action}（{verb}）",
                    source=f"transition:{record.pk}",
                    at=record.occurred_at,
                )
            )
    return drafts


def _publication_drafts(
    actor: User, rules: dict[str, PointRule], start: datetime, end: datetime
) -> list[_Draft]:
    rule = rules.get(PUBLICATION_LATE)
    if rule is None:
        return []
    late = _scoped(
        actor,
        Publication.objects.filter(due_at__gte=start, due_at__lt=end)
        .filter(Q(published_at__isnull=True) | Q(published_at__gt=F("due_at")))
        .select_related("case"),
        "case__territory_code",
    )
    return [
        _Draft(
            officer_id=publication.case.lead_officer_id,
            case=publication.case,
            rule=rule,
            reason=f"{publication.case.decision_number or publication.case.pk}：决定未按期公示",
            source=f"publication:{publication.pk}",
            at=publication.due_at,
        )
        for publication in late
    ]


def _assessment_drafts(actor: User, start: datetime, end: datetime) -> list[_Draft]:
    assessments = _scoped(
        actor,
        CaseAssessment.objects.filter(
            recorded_at__gte=start, recorded_at__lt=end, rule__active=True
        ).select_related("case", "rule"),
        "case__territory_code",
    )
    return [
        _Draft(
            officer_id=assessment.officer_id,
            case=assessment.case,
            rule=assessment.rule,
            reason=f"{assessment.case.number or assessment.case.pk}："
            f"{assessment.rule.description}（{assessment.note}）",
            source=f"assessment:{assessment.pk}",
            at=assessment.recorded_at,
        )
        for assessment in assessments
    ]


def _squads_of(officer_ids: set[int], fallback: dict[int, OrgUnit]) -> dict[int, OrgUnit | None]:
    posts = (
        OfficerPost.objects.filter(officer_id__in=officer_ids, active=True)
        .select_related("squad")
        .order_by("officer_id", "-started_at", "id")
    )
    squads: dict[int, OrgUnit | None] = {}
    for post in posts:
        squads.setdefault(post.officer_id, post.squad)
    for officer_id in officer_ids:
        squads.setdefault(officer_id, fallback.get(officer_id))
    return squads


def _period_totals(period: str, officer_ids: set[int]) -> dict[int, int]:
    rows = (
        PointEntry.objects.filter(period=period, officer_id__in=officer_ids)
        .values("officer_id")
        .annotate(total=Sum("points"))
    )
    return {row["officer_id"]: int(row["total"] or 0) for row in rows}


def _history(period: str, officer_id: int) -> dict[str, Any]:
    entries = PointEntry.objects.filter(period=period, officer_id=officer_id).select_related("rule", "case")
    rows = [
        {
            "rule": entry.rule.code,
            "points": entry.points,
            "reason": entry.reason,
            "case": entry.case_id,
            "at": entry.at.isoformat(),
        }
        for entry in entries
    ]
    return {"period": period, "points": sum(row["points"] for row in rows), "entries": rows}


def _flag_rotations(
    period: str, officers: dict[int, OrgUnit | None], policy: RotationPolicy, *, now: datetime
) -> list[RotationFlag]:
    """Officers below the threshold in `period` and each of the previous (consecutive_periods − 1)
    computed periods. A period that was never computed breaks the chain (no evidence, no flag)."""
    periods = [period]
    for _ in range(max(1, policy.consecutive_periods) - 1):
        periods.append(previous_period(periods[-1]))
    computed = set(PeriodComputation.objects.filter(period__in=periods).values_list("period", flat=True))
    computed.add(period)
    if any(p not in computed for p in periods):
        return []
    below: set[int] | None = None
    for each in periods:
        totals = _period_totals(each, set(officers))
        low = {officer_id for officer_id in officers if totals.get(officer_id, 0) < policy.threshold}
        below = low if below is None else below & low
    flags = []
    for officer_id in sorted(below or set()):
        squad = officers[officer_id]
        flags.append(
            RotationFlag(
                period=period,
                officer_id=officer_id,
                squad=squad,
                town_code=squad.territory_code[:9] if squad else "",
                threshold=policy.threshold,
                history=[_history(each, officer_id) for each in reversed(periods)],
                flagged_at=now,
            )
        )
    return flags


@dataclass(frozen=True)
class ComputeReport:
    period: str
    entries: int
    officers: int
    flagged: int


def do_compute_points(period: str, *, actor: User, now: datetime) -> ComputeReport:
    """(Re)compute `period`'s point entries and rotation flags for the cases in the actor's jurisdiction
    (the whole platform for the system actor). Replaces what an earlier computation wrote there."""
    period = parse_period(period)
    _check_may_compute(actor)
    start, end = period_bounds(period)
    if start > now:
        raise DomainError("invalid", "不能计算尚未开始的考核期。", field="period")
    rules = {rule.code: rule for rule in PointRule.objects.filter(active=True)}
    policy = rotation_policy()
    with transaction.atomic():
        cases = list(
            _scoped(actor, Case.objects.filter(work_item__isnull=False), "territory_code")
            .filter(
                work_item__transitions__occurred_at__gte=start, work_item__transitions__occurred_at__lt=end
            )
            .distinct()
            .select_related("work_item__process_version", "squad")
        )
        drafts = _step_drafts(cases, rules, start, end)
        drafts += _publication_drafts(actor, rules, start, end)
        drafts += _assessment_drafts(actor, start, end)
        fallback = {draft.officer_id: draft.case.squad for draft in drafts if draft.case is not None}
        squads = _squads_of({draft.officer_id for draft in drafts}, fallback)
        old_entries = _scoped(actor, PointEntry.objects.filter(period=period), "town_code")
        replaced = old_entries.count()
        old_entries.delete()
        PointEntry.objects.bulk_create(
            [
                PointEntry(
                    period=period,
                    officer_id=draft.officer_id,
                    squad=squads.get(draft.officer_id),
                    town_code=_town_of(squads.get(draft.officer_id), draft.case),
                    case=draft.case,
                    rule=draft.rule,
                    points=draft.rule.points,
                    reason=draft.reason[:300],
                    source=draft.source,
                    at=draft.at,
                )
                for draft in sorted(drafts, key=lambda d: (d.at, d.source))
            ]
        )
        PeriodComputation.objects.update_or_create(
            period=period,
            defaults={
                "computed_at": now,
                "computed_by": actor,
                "entries": PointEntry.objects.filter(period=period).count(),
                "threshold": policy.threshold,
                "consecutive_periods": policy.consecutive_periods,
            },
        )
        # Every officer in scope counts for rotation, including those without any entry this period.
        posted = _scoped(
            actor, OfficerPost.objects.filter(active=True).select_related("squad"), "squad__territory_code"
        )
        officers: dict[int, OrgUnit | None] = {post.officer_id: post.squad for post in posted}
        for officer_id, squad in squads.items():
            officers.setdefault(officer_id, squad)
        _scoped(actor, RotationFlag.objects.filter(period=period), "town_code").delete()
        flags = RotationFlag.objects.bulk_create(_flag_rotations(period, officers, policy, now=now))
        report = ComputeReport(period=period, entries=len(drafts), officers=len(officers), flagged=len(flags))
        record_event(
            actor=actor,
            action="evaluation.compute_points",
            subject_type="evaluation.period",
            subject_id=period,
            territory_code="" if _is_district_wide(actor) else ",".join(jurisdiction_codes(actor)),
            before={"entries": replaced},
            after={"entries": report.entries, "officers": report.officers, "flagged": report.flagged},
            now=now,
        )
    return report


def _town_of(squad: OrgUnit | None, case: Case | None) -> str:
    if squad is not None:
        return squad.territory_code[:9]
    return case.town_code if case is not None else ""


def do_record_assessment(
    case: Case,
    rule_code: str,
    note: str,
    *,
    actor: User,
    now: datetime,
    officer: User | None = None,
) -> CaseAssessment:
    """Record a finding on a case (scored by the rule `rule_code`, of basis assessment) for `officer`,
    by default the case's lead officer."""
    if not scope_for(actor, Case.objects.filter(pk=case.pk), "territory_code").exists():
        raise NotFound()
    if not (user_roles(actor) & ASSESS_ROLES):
        raise PermissionRefused("not_allowed", "只有法制审核员、督办员、领导或中队长可以记录案件评查结果。")
    rule = PointRule.objects.filter(code=rule_code, basis=RuleBasis.ASSESSMENT, active=True).first()
    if rule is None:
        raise DomainError("invalid", "评查规则不存在或未启用。", field="rule")
    note = (note or "").strip()
    if not note:
        raise DomainError("required", "请填写评查说明。", field="note")
    target = officer or case.lead_officer
    involved = target.pk == case.lead_officer_id or case.officers.filter(officer=target).exists()
    if not involved:
        raise DomainError("invalid", "该人员不是本案办案人员。", field="officer")
    with transaction.atomic():
        assessment = CaseAssessment.objects.create(
            case=case, rule=rule, officer=target, note=note, recorded_by=actor, recorded_at=now
        )
        record_event(
            actor=actor,
            action="evaluation.record_assessment",
            subject=assessment,
            territory_code=case.territory_code,
            after={"case": case.pk, "rule": rule.code, "officer": target.pk, "points": rule.points},
            now=now,
        )
    return assessment
