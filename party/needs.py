"""代办需求: a need found on a 联户联企 visit (a service the household or enterprise needs done for it, not a
problem to fix) becomes a proxy-service request on process party_service_need for the grid worker of the
visited household's or enterprise's grid. The member raises it on the phone (`do_raise_need`, or with the
visit's log); the grid worker files the application through the approvals' proxy service (代办, with its
own rules) and links it (`file`), or returns the need with a reason (`decline`). The rules of each step
live in the handler bound to it in HANDLERS, whichever door took it (the party page or /work/).

Party and approvals are sibling layers and never import each other: a proxy application is found in the
ledger (the start transition of its `approval_application` work item records the receipt number, the
channel and the proxy worker), and its state is read from the engine."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts.jurisdiction import scope_for
from accounts.models import Role, User
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound
from outbox.actions import enqueue
from party.models import PartyMember, Visit, VisitNeed
from workflow.actors import system_actor
from workflow.handlers import Handler, Step, bind
from workflow.models import Transition, WorkItem
from workflow.process_definition import definition_of_version
from workflow.publishing import current_version
from workflow.start import do_start_item

PROCESS = "party_service_need"
SUBJECT_TYPE = "party.visitneed"
# The approvals' application process and what its start records of a proxy filing (approvals/actions/
# intake.py: inputs receipt_no, channel, proxy_worker): read from the ledger, never imported.
APPLICATION_PROCESS = "approval_application"
PROXY_CHANNEL = "proxy"
# The states of a request past its limit (the sweeper's escalation rules moved it there).
LATE_STATES = ("reminded", "escalated")
MAX_NEED = 500
MAX_NEEDS_PER_VISIT = 5
CANDIDATES = 20  # the grid worker's own recent proxy applications offered to link


def clean_need(text: str) -> str:
    need = (text or "").strip()
    if not need:
        raise DomainError("required", _("请填写需求内容。"), field="need")
    if len(need) > MAX_NEED:
        raise DomainError("too_long", _("需求内容不能超过 %(n)s 字。") % {"n": MAX_NEED}, field="need")
    return need


def beneficiary_label(visit: Visit) -> str:
    """The household number or the enterprise's name (a legal person's name is public); no resident's name."""
    link = visit.link
    if link.household is not None:
        return " ".join((pgettext("party", "户"), link.household.number))
    return link.entity.name if link.entity is not None else ""


def do_raise_need(visit: Visit, need: str, *, actor: User, now: datetime) -> VisitNeed:
    """The member records a need found on their own logged visit; it starts the proxy-service request."""
    if visit.member.user_id != actor.pk:
        raise NotFound()
    text = clean_need(need)
    with transaction.atomic():
        locked = (
            Visit.objects.select_for_update(of=("self",))
            .select_related("link__household", "link__entity", "member")
            .get(pk=visit.pk)
        )
        return raise_need_on_locked_visit(locked, text, actor=actor, now=now)


def raise_need_on_locked_visit(visit: Visit, text: str, *, actor: User, now: datetime) -> VisitNeed:
    """Inside the caller's transaction, the visit locked and `text` cleaned (`clean_need`): the one rule
    path of raising a need, for `do_raise_need` and for a need logged with the visit (`do_log_visit`)."""
    if visit.visited_at is None:
        raise Conflict("not_visited", _("请先登记走访，再登记走访中发现的需求。"), field="need")
    if VisitNeed.objects.filter(visit=visit).count() >= MAX_NEEDS_PER_VISIT:
        raise DomainError(
            "too_many_needs",
            _("一次走访最多登记 %(n)s 项需求。") % {"n": MAX_NEEDS_PER_VISIT},
            field="need",
        )
    link = visit.link
    target = {"household": link.household_id} if link.household_id else {"entity": link.entity_id}
    title = f"代办需求：{beneficiary_label(visit)}"
    # Started by the system on the member's behalf (the party action is the gate); the request lies in
    # the beneficiary's grid, where its grid worker finds it (/work/ and /party/needs/).
    item = do_start_item(
        PROCESS,
        actor=system_actor(),
        now=now,
        title=title,
        territory_code=visit.territory_code,
        subject_type=SUBJECT_TYPE,
        inputs={"party_visit": visit.pk, "party_member": visit.member_id, **target},
    )
    need = VisitNeed.objects.create(
        visit=visit,
        member=visit.member,
        territory_code=visit.territory_code,
        description=text,
        work_item=item,
        raised_at=now,
    )
    item.subject_id = str(need.pk)
    item.save(update_fields=["subject_id"])
    record_event(
        actor=actor,
        action="party.need_raised",
        subject=need,
        territory_code=need.territory_code,
        after={"visit": visit.pk, "work_item": item.pk, **target},
        now=now,
    )
    for worker in _staff(Role.GRID_WORKER, [need.territory_code]):
        enqueue(
            channel="console",
            kind="party_need_raised",
            recipient=worker,
            subject="代办需求",
            body=f"党员联户走访发现代办需求（{beneficiary_label(visit)}），请上门代办。",
            now=now,
            payload={"work_item": item.pk, "need": need.pk},
        )
    return need


def _staff(role: str, codes: list[str]) -> QuerySet[User]:
    """Active users holding `role` by an active assignment at one of `codes` (a grid, its village)."""
    return (
        User.objects.filter(
            assignments__role=role,
            assignments__active=True,
            assignments__territory_code__in=codes,
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


# --- Reads --------------------------------------------------------------------------------------------


def needs_visible_to(user: User) -> QuerySet[VisitNeed]:
    return scope_for(
        user,
        VisitNeed.objects.select_related(
            "visit__link__household__house__building",
            "visit__link__entity",
            "member__person",
            "member__organisation",
            "work_item__process_version",
            "application__process_version",
        ),
        "territory_code",
    )


def states(*, now: datetime) -> list[str]:
    """The states of the published definition (what the API's state filter accepts)."""
    version = current_version(PROCESS, now=now)
    return list(definition_of_version(version.pk, version.content_hash, version.definition).states)


def need_for(user: User, need_id: int) -> VisitNeed:
    need = needs_visible_to(user).filter(pk=need_id).first()
    if need is None:
        raise NotFound()
    return need


def _own_proxy_starts(worker: User, since: datetime) -> QuerySet[Transition]:
    """The start transitions of the proxy applications `worker` filed since `since`, in the worker's
    jurisdiction (a proxy application lies in the worker's own grid: approvals' intake), newest first."""
    items = scope_for(
        worker,
        WorkItem.objects.filter(process_name=APPLICATION_PROCESS, created_at__gte=since),
        "territory_code",
    )
    return (
        Transition.objects.filter(
            item__in=items,
            action="start",
            inputs__channel=PROXY_CHANNEL,
            inputs__proxy_worker=worker.username,
        )
        .select_related("item")
        .order_by("-occurred_at", "-id")
    )


def proxy_candidates(worker: User, need: VisitNeed) -> list[tuple[str, WorkItem]]:
    """(receipt number, work item) of the worker's own proxy applications filed since the need was
    raised and not linked to another need: what the need page offers to link."""
    starts = _own_proxy_starts(worker, need.raised_at).filter(item__party_need_filed__isnull=True)
    return [(str(t.inputs.get("receipt_no", "")), t.item) for t in starts[:CANDIDATES]]


# --- The handlers of process party_service_need ---------------------------------------------------------


def _lock(step: Step) -> VisitNeed:
    need = (
        VisitNeed.objects.select_for_update(of=("self",))
        .select_related("member__user")
        .filter(work_item_id=step.item.pk)
        .first()
    )
    if need is None:
        raise Conflict("no_subject", _("该办件没有对应的走访需求。"), field="action")
    step.scratch["need"] = need
    return need


def _guard_file(step: Step) -> None:
    """The receipt number names one of the actor's own proxy applications (channel proxy, the actor its
    proxy worker) filed since the need was raised, in the actor's jurisdiction, not linked to another need."""
    need = _lock(step)
    receipt = str(step.inputs.get("receipt_no", "")).strip()
    if not receipt:
        raise DomainError("required", _("请填写代办件的受理编号。"), field="receipt_no")
    start = _own_proxy_starts(step.actor, need.raised_at).filter(inputs__receipt_no=receipt).first()
    if start is None:
        raise DomainError(
            "not_own_proxy_application",
            _("受理编号 %(no)s 不是您在该需求登记后代办的办件。") % {"no": receipt},
            field="receipt_no",
        )
    if VisitNeed.objects.filter(application=start.item).exists():
        raise Conflict("application_taken", _("该代办件已关联其他需求。"), field="receipt_no")
    step.inputs["receipt_no"] = receipt
    step.scratch["application"] = start.item


def _tell_member(need: VisitNeed, body: str, step: Step) -> None:
    user = need.member.user
    if user is not None and user.is_active:
        enqueue(
            channel="console",
            kind=f"party_need_{step.name}",
            recipient=user,
            subject="代办需求",
            body=body,
            now=step.now,
            payload={"need": need.pk, "work_item": step.item.pk},
        )


def _effect_file(step: Step) -> None:
    need: VisitNeed = step.scratch["need"]
    application: WorkItem = step.scratch["application"]
    need.application = application
    need.receipt_no = step.inputs["receipt_no"]
    need.save(update_fields=["application", "receipt_no"])
    record_event(
        actor=step.actor,
        action="party.need_filed",
        subject=need,
        territory_code=need.territory_code,
        after={"application": application.pk, "receipt_no": need.receipt_no},
        now=step.now,
    )
    _tell_member(need, f"您走访登记的代办需求已由网格员代办，受理编号 {need.receipt_no}。", step)


def _guard_decline(step: Step) -> None:
    _lock(step)


def _effect_decline(step: Step) -> None:
    need: VisitNeed = step.scratch["need"]
    _tell_member(need, f"您走访登记的代办需求已退回：{step.reason}", step)


def _tell(need: VisitNeed, recipients: list[User], body: str, step: Step) -> None:
    for user in recipients:
        enqueue(
            channel="console",
            kind=f"party_need_{step.name}",
            recipient=user,
            subject="代办需求逾期",
            body=body,
            now=step.now,
            payload={"need": need.pk, "work_item": step.item.pk},
        )


def _guard_late(step: Step) -> None:
    _lock(step)


def _effect_remind(step: Step) -> None:
    """逾期提醒 (the sweeper, at the request's limit): the member who raised it, to follow it up with
    the household, and the grid's workers, to take it up."""
    need: VisitNeed = step.scratch["need"]
    label = beneficiary_label(need.visit)
    _tell_member(need, f"您走访登记的代办需求（{label}）已超过办理时限，网格员尚未代办，请跟进。", step)
    workers = list(_staff(Role.GRID_WORKER, [need.territory_code]))
    _tell(need, workers, f"代办需求（{label}）已超过办理时限，请尽快上门代办或退回。", step)


def _effect_escalate(step: Step) -> None:
    """逾期上报 (the sweeper, when the reminder went unanswered): the secretary of the member's branch
    and the village — the grid heads (网格长/村书记) of the need's grid and village — each told once."""
    need: VisitNeed = step.scratch["need"]
    member = PartyMember.objects.select_related("organisation__secretary__user").get(pk=need.member_id)
    secretary = member.organisation.secretary
    recipients = {u.pk: u for u in _staff(Role.GRID_HEAD, [need.territory_code, need.territory_code[:12]])}
    if secretary is not None and secretary.user is not None and secretary.user.is_active:
        recipients.setdefault(secretary.user.pk, secretary.user)
    body = f"党员联户走访发现的代办需求（{beneficiary_label(need.visit)}）提醒后仍未办理，请督促网格员代办。"
    _tell(need, [recipients[pk] for pk in sorted(recipients)], body, step)


HANDLERS = {
    "file": Handler(guard=_guard_file, effect=_effect_file),
    "decline": Handler(guard=_guard_decline, effect=_effect_decline),
    "remind": Handler(guard=_guard_late, effect=_effect_remind),
    "escalate": Handler(guard=_guard_late, effect=_effect_escalate),
}


# Where the stream starts this process's items (the generic create door refuses it and names this).
START_DOOR = gettext_lazy("党员走访中记录的需求（/party/m/visits/）")


def register() -> None:
    bind(PROCESS, HANDLERS, owner="party", start_door=START_DOOR)
