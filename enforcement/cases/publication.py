"""三项制度 — publication of penalty decisions (行政执法公示): the deadlines, the actions that publish and
withdraw, what the public sees, and the sweeper-side check.

- A decision (a case with a decision number and decision time) must be published within 7 working days
  of the decision (`publication_due_at`). `ensure_publication` opens the row with that deadline; the
  check opens it too for any decided case that lacks one, so no decision escapes the count.
- Published entries come down after 2 years for a natural person and 5 years for others
  (`remove_due_at`); the check withdraws expired entries as the system, and the public list never shows
  one past that date even if the check has not run yet.
- A revoked decision (复议/诉讼撤销) must be withdrawn within 3 days of the revocation, with the reason.
- Late publications and late withdrawals raise a supervision notice (督办) to the town's supervisors and
  leaders and the squad's leader, once per publication and stage, and are listed on the command side.
- The public sees the decision number, matter, basis, result, the deciding organ and the party: a
  natural person by surname only (陈**: the surname and a * a character, core.pii.mask_name), a legal
  person by name and unified social credit code. Never a citizen ID number, a mobile number or a
  private person's full name: the row leaves through core.publication (named fields, free text
  scrubbed) and the facts text is not published."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from accounts.jurisdiction import scope_for, user_roles
from accounts.models import Assignment, Role, User
from audit.actions import record_event
from audit.models import AuditEvent
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from core.pii import mask_name
from core.publication import publish_many
from enforcement.cases.documents import LOCAL_TZ, issuing_authority
from enforcement.models import Case, OfficerPost, PartyKind, Publication
from outbox.actions import enqueue
from workcalendar.service import add_duration
from workflow.actors import system_actor

PUBLICATION_WORKING_DAYS = 7
NATURAL_PERSON_YEARS = 2
OTHER_PARTY_YEARS = 5
REVOKED_WITHDRAW_DAYS = 3

PUBLISH_ROLES: set[str] = {Role.OFFICER, Role.SQUAD_LEADER, Role.LEADER}
WITHDRAW_ROLES: set[str] = {Role.SQUAD_LEADER, Role.LEADER, Role.LEGAL_REVIEWER}
REVOKE_ROLES: set[str] = {Role.LEGAL_REVIEWER, Role.LEADER}
LATE_LIST_ROLES: set[str] = {
    Role.DISPATCHER,
    Role.SUPERVISOR,
    Role.LEADER,
    Role.SQUAD_LEADER,
    Role.LEGAL_REVIEWER,
}

NOTICE_PUBLICATION_LATE = "enforcement.publication_late"
NOTICE_WITHDRAWAL_LATE = "enforcement.withdrawal_late"


def publication_due_at(decided_at: datetime) -> datetime:
    """7 working days after the decision (the end of the 7th working day, work calendar)."""
    return add_duration(decided_at, PUBLICATION_WORKING_DAYS, "work_days").at


def years_later(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def remove_due_at(case: Case, published_at: datetime) -> datetime:
    years = NATURAL_PERSON_YEARS if case.party_kind == PartyKind.NATURAL else OTHER_PARTY_YEARS
    return years_later(published_at, years)


def is_decided(case: Case) -> bool:
    return bool(case.decision_number) and case.decided_at is not None


def ensure_publication(case: Case) -> Publication:
    """The case's publication row, opened with its deadline when missing. Runs inside the caller's
    transaction (e.g. the decision's); the deadline comes from the decision time, not from now."""
    if not is_decided(case):
        raise Conflict("not_decided", "案件尚未作出处罚决定，无需公示。", field="case")
    assert case.decided_at is not None
    publication, _ = Publication.objects.get_or_create(
        case=case, defaults={"due_at": publication_due_at(case.decided_at)}
    )
    return publication


def _access(actor: User, case_id: int, roles: set[str], message: str) -> Case:
    case = (
        scope_for(actor, Case.objects.select_related("matter"), "territory_code").filter(pk=case_id).first()
    )
    if case is None:
        raise NotFound("案件不存在，或不在您的管辖范围内。")
    if not actor.is_system and not (user_roles(actor) & roles):
        raise PermissionRefused("not_allowed", message)
    return case


def _snapshot(publication: Publication) -> dict[str, Any]:
    return {
        "due_at": publication.due_at,
        "published_at": publication.published_at,
        "remove_due_at": publication.remove_due_at,
        "withdrawn_at": publication.withdrawn_at,
        "revoked_at": publication.revoked_at,
        "withdraw_reason": publication.withdraw_reason,
    }


def _locked(case: Case) -> Publication:
    ensure_publication(case)
    return Publication.objects.select_for_update().get(case=case)


def do_publish_decision(case: Case, *, actor: User, now: datetime) -> Publication:
    """Publish the case's decision on the public page (公示)."""
    case = _access(actor, case.pk, PUBLISH_ROLES, "您的角色不能公示处罚决定。")
    if not is_decided(case):
        raise Conflict("not_decided", "案件尚未作出处罚决定，不能公示。", field="case")
    with transaction.atomic():
        publication = _locked(case)
        if publication.published_at is not None:
            raise Conflict("already_published", "该决定已公示。")
        if publication.revoked_at is not None:
            raise Conflict("revoked", "该决定已被撤销，不能公示。")
        before = _snapshot(publication)
        publication.published_at = now
        publication.remove_due_at = remove_due_at(case, now)
        publication.save(update_fields=["published_at", "remove_due_at"])
        record_event(
            actor=actor,
            action="enforcement.publish_decision",
            subject=publication,
            territory_code=case.territory_code,
            before=before,
            after={**_snapshot(publication), "late": now > publication.due_at},
            now=now,
        )
    return publication


def do_withdraw_publication(case: Case, reason: str, *, actor: User, now: datetime) -> Publication:
    """Take a published decision down (撤下), with the reason."""
    case = _access(
        actor, case.pk, WITHDRAW_ROLES, "您的角色不能撤下公示。"
    )  # before the input check: outsiders learn nothing
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("required", "请填写撤下理由。", field="reason")
    with transaction.atomic():
        publication = Publication.objects.select_for_update().filter(case=case).first()
        if publication is None or publication.published_at is None:
            raise Conflict("not_published", "该决定尚未公示。")
        if publication.withdrawn_at is not None:
            raise Conflict("already_withdrawn", "该公示已撤下。")
        before = _snapshot(publication)
        publication.withdrawn_at = now
        publication.withdraw_reason = reason
        publication.save(update_fields=["withdrawn_at", "withdraw_reason"])
        record_event(
            actor=actor,
            action="enforcement.withdraw_publication",
            subject=publication,
            territory_code=case.territory_code,
            before=before,
            after=_snapshot(publication),
            now=now,
        )
    return publication


def do_record_revocation(case: Case, reason: str, *, actor: User, now: datetime) -> Publication:
    """The decision was revoked (by reconsideration, a court or the organ itself): its publication must
    come down within 3 days (the check raises a notice after that)."""
    case = _access(
        actor, case.pk, REVOKE_ROLES, "您的角色不能登记决定撤销。"
    )  # before the input check: outsiders learn nothing
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("required", "请填写撤销决定的文书或理由。", field="reason")
    if not is_decided(case):
        raise Conflict("not_decided", "案件尚未作出处罚决定。", field="case")
    with transaction.atomic():
        publication = _locked(case)
        if publication.revoked_at is not None:
            raise Conflict("already_revoked", "已登记该决定被撤销。")
        before = _snapshot(publication)
        publication.revoked_at = now
        publication.save(update_fields=["revoked_at"])
        record_event(
            actor=actor,
            action="enforcement.record_revocation",
            subject=publication,
            territory_code=case.territory_code,
            before=before,
            after={**_snapshot(publication), "reason": reason},
            now=now,
        )
    return publication


# --- what the public sees ---------------------------------------------------------------------------


def public_publications(*, now: datetime) -> QuerySet[Publication]:
    """Published, not withdrawn, not past the removal date."""
    return (
        Publication.objects.filter(
            published_at__isnull=False, published_at__lte=now, withdrawn_at__isnull=True
        )
        .filter(Q(remove_due_at__isnull=True) | Q(remove_due_at__gt=now))
        .select_related("case__matter")
        .order_by("-published_at", "-id")
    )


def public_party_name(case: Case) -> str:
    name = case.party_name.strip()
    if case.party_kind == PartyKind.NATURAL:
        return mask_name(name)
    return name


@dataclass(frozen=True)
class PublicRow:
    decision_number: str
    party_name: str
    credit_code: str
    matter: str
    basis: str
    result: str
    authority: str
    decided_at: datetime | None
    published_at: datetime | None


def public_rows(publications: Sequence[Publication]) -> list[PublicRow]:
    """The published decisions through the publication path (channel enforcement.decision): the party's
    name (a natural person's masked), basis and result scrubbed of ID numbers, phone numbers, cards and
    names — the party's own name wherever it was typed, registered people's names (one lookup for the
    whole list), but not inside a legal party's name, which is public."""
    rows, names, public = [], [], []
    for publication in publications:
        case = publication.case
        natural = case.party_kind == PartyKind.NATURAL
        rows.append(
            {
                "decision_number": case.decision_number,
                "party_name": public_party_name(case),
                "credit_code": "" if natural else case.party_credit_code,
                "matter": case.matter.name,
                "basis": case.decision_basis or case.matter.penalty_basis,
                "result": case.penalty_summary,
                "authority": issuing_authority(case.town_code),
                "decided_at": case.decided_at,
                "published_at": publication.published_at,
            }
        )
        names.append([case.party_name] if natural else [])
        public.append([] if natural else [case.party_name])
    return [
        PublicRow(**row) for row in publish_many("enforcement.decision", rows, names=names, public=public)
    ]


# --- late ones: the command-side list and the sweeper-side check ---------------------------------


def late_filter(now: datetime) -> Q:
    """Unpublished past the deadline, or revoked and still up more than 3 days later."""
    unpublished = Q(published_at__isnull=True, due_at__lt=now, revoked_at__isnull=True)
    revoked = Q(
        revoked_at__isnull=False,
        revoked_at__lt=now - timedelta(days=REVOKED_WITHDRAW_DAYS),
        published_at__isnull=False,
        withdrawn_at__isnull=True,
    )
    return unpublished | revoked


def late_publications_for(user: User, *, now: datetime) -> QuerySet[Publication]:
    """The late publications and withdrawals in the user's jurisdiction (command side)."""
    if not (user_roles(user) & LATE_LIST_ROLES):
        raise PermissionRefused("not_allowed", "您的角色不能查看公示督办清单。")
    return scope_for(
        user,
        Publication.objects.filter(late_filter(now)).select_related("case__matter", "case__squad"),
        "case__territory_code",
    ).order_by("due_at", "id")


def late_stage(publication: Publication) -> str:
    return NOTICE_WITHDRAWAL_LATE if publication.revoked_at is not None else NOTICE_PUBLICATION_LATE


def _supervisors_of(case: Case) -> list[User]:
    """Supervisors and leaders whose jurisdiction covers the case, and the leaders of its squad."""
    codes = [case.territory_code[:n] for n in (6, 9, 12, 15) if len(case.territory_code) >= n]
    ids = set(
        Assignment.objects.filter(
            active=True, role__in=[Role.SUPERVISOR, Role.LEADER], territory_code__in=codes
        ).values_list("user_id", flat=True)
    )
    ids |= set(
        OfficerPost.objects.filter(squad_id=case.squad_id, is_leader=True, active=True).values_list(
            "officer_id", flat=True
        )
    )
    ids |= set(
        Assignment.objects.filter(active=True, role=Role.SQUAD_LEADER, org_unit_id=case.squad_id).values_list(
            "user_id", flat=True
        )
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


@dataclass
class PublicationCheck:
    opened: int = 0
    publication_late: int = 0
    withdrawal_late: int = 0
    expired_withdrawn: int = 0
    notices: int = 0


def _notify_late(publication: Publication, *, actor: User, now: datetime) -> int:
    stage = late_stage(publication)
    case = publication.case
    already = AuditEvent.objects.filter(
        action=stage, subject_type=Publication._meta.label_lower, subject_id=str(publication.pk)
    ).exists()
    if already:
        return 0
    if stage == NOTICE_PUBLICATION_LATE:
        due = publication.due_at.astimezone(LOCAL_TZ)
        body = f"处罚决定 {case.decision_number} 未在七个工作日内公示（期限 {due:%Y-%m-%d}），请督办。"
    else:
        body = f"处罚决定 {case.decision_number} 已被撤销，公示未在三日内撤下，请督办。"
    recipients = _supervisors_of(case)
    for recipient in recipients:
        enqueue(
            channel="console",
            kind=stage,
            recipient=recipient,
            subject=f"督办：{case.decision_number}",
            body=body,
            now=now,
            payload={"publication": publication.pk, "case": case.pk},
        )
    record_event(
        actor=actor,
        action=stage,
        subject=publication,
        territory_code=case.territory_code,
        after={"case": case.pk, "recipients": len(recipients)},
        now=now,
    )
    return len(recipients)


def check_publications(*, now: datetime) -> PublicationCheck:
    """The sweeper-side pass: open missing publication rows of decided cases, withdraw expired entries,
    and raise one supervision notice per late publication / late withdrawal. Safe to run repeatedly."""
    report = PublicationCheck()
    system = system_actor()
    missing = Case.objects.filter(decided_at__isnull=False, publication__isnull=True).exclude(
        decision_number=""
    )
    for case in missing.iterator():
        with transaction.atomic():
            ensure_publication(case)
            report.opened += 1
    expired = Publication.objects.filter(
        published_at__isnull=False, withdrawn_at__isnull=True, remove_due_at__lte=now
    ).select_related("case")
    for publication in expired:
        with transaction.atomic():
            claimed = Publication.objects.filter(pk=publication.pk, withdrawn_at__isnull=True).update(
                withdrawn_at=now, withdraw_reason="公示期满，依规撤下。"
            )
            if claimed:
                record_event(
                    actor=system,
                    action="enforcement.withdraw_publication",
                    subject=publication,
                    territory_code=publication.case.territory_code,
                    after={"withdrawn_at": now, "reason": "expired"},
                    now=now,
                )
                report.expired_withdrawn += 1
    for publication in Publication.objects.filter(late_filter(now)).select_related("case").order_by("id"):
        with transaction.atomic():
            sent = _notify_late(publication, actor=system, now=now)
        if late_stage(publication) == NOTICE_PUBLICATION_LATE:
            report.publication_late += 1
        else:
            report.withdrawal_late += 1
        report.notices += sent
    return report
