"""Change requests to the registries (基础信息变更申请) on process registry_change: a grid worker proposes
a new household with its members (a RegistryChangeRequest), or a change to a registered record — a
person's details, a move out of or into a household, an entity, a key place, a house let out (a
registry RecordChange, whose trivial fields apply at once) — and the village reviews. `approve` applies
the change through registry actions in the same transaction as the transition, `reject` returns it. The
rules of each step live in the handler bound to it in HANDLERS, which finds what the item reviews
through SUBJECTS (by the item's subject type) — nothing else applies a change request."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from accounts.jurisdiction import may_see_code
from accounts.models import User
from core import pii
from core.errors import Conflict, DomainError, NotFound
from core.pii import mask_name
from grid.models import RegistryChangeRequest
from registry import actions as registry
from registry import crypto
from registry.models import Person, RecordChange
from territory.models import Grid
from workflow.engine import transition
from workflow.handlers import Handler, Step, bind
from workflow.models import WorkItem
from workflow.start import do_start_item

PROCESS = "registry_change"
SUBJECT_TYPE = "grid.registrychangerequest"
RECORD_SUBJECT_TYPE = "registry.recordchange"
ASSOCIATED = b"grid.registrychangerequest.payload_sealed"
MAX_MEMBERS = 12


@dataclass
class MemberProposal:
    name: str
    id_number: str
    relation: str
    kind: str = Person.Kind.REGISTERED
    phone: str = ""


def _clean_members(members: list[MemberProposal], now: datetime) -> list[MemberProposal]:
    """Checked at proposal time so the worker corrects mistakes on the spot (apply checks again)."""
    if not members:
        raise DomainError("required", "请至少填写户主。", field="members")
    if len(members) > MAX_MEMBERS:
        raise DomainError("too_many_members", f"一次最多 {MAX_MEMBERS} 名成员。", field="members")
    cleaned = []
    for index, member in enumerate(members):
        field = f"members[{index}]"
        if not member.name.strip():
            raise DomainError("required", "姓名不能为空。", field=f"{field}.name")
        if member.relation not in Person.Relation.values:
            raise DomainError("invalid_choice", "与户主关系无效。", field=f"{field}.relation")
        if member.kind not in Person.Kind.values:
            raise DomainError("invalid_choice", "人口类别无效。", field=f"{field}.kind")
        try:
            number = registry.clean_id_number(Person.IdType.RESIDENT_ID, member.id_number, today=now.date())
            phone = registry.clean_phone(member.phone)
        except DomainError as error:
            raise DomainError(error.code, error.message, field=f"{field}.{error.field}") from error
        cleaned.append(MemberProposal(member.name.strip(), number, member.relation, member.kind, phone))
    heads = sum(1 for m in cleaned if m.relation == Person.Relation.HEAD)
    if heads != 1:
        raise DomainError(
            "household_head_count", f"一户须有且只有一名户主（现有 {heads} 名）。", field="members"
        )
    if len({m.id_number for m in cleaned}) != len(cleaned):
        raise DomainError("duplicate_member", "同一证件号码填写了两次。", field="members")
    return cleaned


def do_propose_household(
    *, grid_code: str, number: str, members: list[MemberProposal], actor: User, now: datetime
) -> RegistryChangeRequest:
    """A grid worker proposes a new household in their grid; it waits for the village's review (the
    reviewers find it by jurisdiction: a grid worker may not assign work to the village unit)."""
    grid = Grid.objects.filter(code=grid_code).first()
    if grid is None or not (actor.is_system or may_see_code(actor, grid_code)):
        raise NotFound(field="grid")
    number = number.strip()
    if not number:
        raise DomainError("required", "户号不能为空。", field="number")
    cleaned = _clean_members(members, now)
    head = next(m for m in cleaned if m.relation == Person.Relation.HEAD)
    summary = f"新增户 {number}：户主 {mask_name(head.name)}，共 {len(cleaned)} 人"
    payload = {"number": number, "members": [asdict(m) for m in cleaned]}
    with transaction.atomic():
        item = do_start_item(
            PROCESS,
            actor=actor,
            now=now,
            title=summary,
            territory_code=grid_code,
            subject_type=SUBJECT_TYPE,
        )
        request = RegistryChangeRequest.objects.create(
            work_item=item,
            kind=RegistryChangeRequest.Kind.NEW_HOUSEHOLD,
            territory_code=grid_code,
            payload_sealed=pii.seal(json.dumps(payload, ensure_ascii=False), associated=ASSOCIATED),
            summary=summary,
            proposed_by=actor,
            proposed_at=now,
        )
        item.subject_id = str(request.pk)
        item.save(update_fields=["subject_id"])
    return request


def proposal_of(request: RegistryChangeRequest) -> dict[str, Any]:
    return dict(json.loads(pii.unseal(request.payload_sealed, associated=ASSOCIATED)))


# ---------------------------------------------------------------------------------------- the handlers


def _apply_new_household(request: RegistryChangeRequest, actor: User, now: datetime) -> None:
    proposal = proposal_of(request)
    members: list[tuple[Person, str]] = []
    for member in proposal["members"]:
        existing = Person.objects.filter(id_number_hash=crypto.lookup_hash(member["id_number"])).first()
        if existing is None:
            existing = registry.do_register_person(
                registry.PersonInput(
                    territory_code=request.territory_code,
                    kind=member["kind"],
                    name=member["name"],
                    id_number=member["id_number"],
                    phone=member["phone"],
                ),
                actor=actor,
                now=now,
            )
        members.append((existing, member["relation"]))
    request.household = registry.do_create_household(
        number=proposal["number"],
        territory_code=request.territory_code,
        members=members,
        actor=actor,
        now=now,
    )
    request.save(update_fields=["household"])


def _lock_household_request(item: WorkItem) -> RegistryChangeRequest | None:
    return RegistryChangeRequest.objects.select_for_update(of=("self",)).filter(work_item_id=item.pk).first()


def _lock_record_change(item: WorkItem) -> RecordChange | None:
    return RecordChange.objects.select_for_update().filter(pk=int(item.subject_id or 0)).first()


def _approve_household(request: RegistryChangeRequest, actor: User, now: datetime, reason: str) -> None:
    APPLIERS[request.kind](request, actor, now)


def _return_household(request: RegistryChangeRequest, actor: User, now: datetime, reason: str) -> None:
    """Nothing was applied; the reason is on the transition."""


def _approve_record_change(change: RecordChange, actor: User, now: datetime, reason: str) -> None:
    registry.do_apply_change(change, actor=actor, now=now)


def _return_record_change(change: RecordChange, actor: User, now: datetime, reason: str) -> None:
    registry.do_return_change(change, actor=actor, now=now, reason=reason)


@dataclass(frozen=True)
class Subject:
    """What one kind of item reviews: how its subject is found and locked, and what approve and reject
    do to it."""

    lock: Callable[[WorkItem], Any]
    approve: Callable[[Any, User, datetime, str], None]
    reject: Callable[[Any, User, datetime, str], None]


SUBJECTS: dict[str, Subject] = {
    SUBJECT_TYPE: Subject(_lock_household_request, _approve_household, _return_household),
    RECORD_SUBJECT_TYPE: Subject(_lock_record_change, _approve_record_change, _return_record_change),
}


def _lock_subject(step: Step) -> None:
    """The item's subject, locked (a change request, or a registry record change)."""
    subject = SUBJECTS.get(step.item.subject_type)
    found = subject.lock(step.item) if subject is not None else None
    if subject is None or found is None:
        raise Conflict("no_subject", "该办件没有对应的变更申请。", field="action")
    step.scratch["subject"] = (subject, found)


def _approve(step: Step) -> None:
    subject, found = step.scratch["subject"]
    subject.approve(found, step.actor, step.now, step.reason)


def _reject(step: Step) -> None:
    subject, found = step.scratch["subject"]
    subject.reject(found, step.actor, step.now, step.reason)


APPLIERS: dict[str, Callable[[RegistryChangeRequest, User, datetime], None]] = {
    RegistryChangeRequest.Kind.NEW_HOUSEHOLD: _apply_new_household,
}
# Whichever door takes the step (the review page, the generic work-item endpoint), these rules run.
HANDLERS: dict[str, Handler] = {
    "approve": Handler(guard=_lock_subject, effect=_approve),
    "reject": Handler(guard=_lock_subject, effect=_reject),  # the reason is on the transition
}


# Where the stream starts this process's items (the generic create door refuses it and names this).
START_DOOR = gettext_lazy("网格员的新增户申请和基础信息变更（/grid/m/households/new/、/grid/m/records/）")


def register() -> None:
    bind(PROCESS, HANDLERS, owner="grid", start_door=START_DOOR)


def do_review_change(
    request: RegistryChangeRequest, action: str, *, actor: User, now: datetime, reason: str = ""
) -> RegistryChangeRequest:
    """Take `action` (approve/reject) on the request, as the generic door takes it: the engine checks
    jurisdiction, the action, state and role, and the bound handler applies; every refusal is theirs.
    Any refusal rolls both back (the request stays proposed)."""
    item = WorkItem.objects.select_related("process_version").get(pk=request.work_item_id)
    transition(item, action, actor=actor, now=now, reason=reason)
    return RegistryChangeRequest.objects.select_related("work_item").get(pk=request.pk)


# ------------------------------------------------------------------------- changes to registered records


def do_propose_record_change(
    kind: str, record: Any, proposed: Mapping[str, Any], *, actor: User, now: datetime
) -> registry.Proposal:
    """Propose a change to a registered record (`registry.do_propose_change`: its kind's checks, the
    trivial fields at once); the rest is put before the village as an item of this process."""

    def start_review(change: RecordChange) -> None:
        do_start_item(
            PROCESS,
            actor=actor,
            now=now,
            title=change.summary,
            territory_code=change.territory_code,
            subject_type=RECORD_SUBJECT_TYPE,
            subject_id=str(change.pk),
        )

    return registry.do_propose_change(kind, record, proposed, actor=actor, now=now, start_review=start_review)


def review_item_of(change: RecordChange) -> WorkItem | None:
    """The review item of a change (none for a trivial change, which applied at once)."""
    return (
        WorkItem.objects.select_related("process_version")
        .filter(subject_type=RECORD_SUBJECT_TYPE, subject_id=str(change.pk))
        .first()
    )


def do_review_record_change(
    change: RecordChange, action: str, *, actor: User, now: datetime, reason: str = ""
) -> RecordChange:
    """Take `action` (approve/reject) on a record change's review item, as `do_review_change` (the engine
    checks jurisdiction, action, state and role)."""
    item = review_item_of(change)
    if item is None:
        raise Conflict("change_decided", "该变更已即时生效，无需审核。", field="change")
    transition(item, action, actor=actor, now=now, reason=reason)
    return RecordChange.objects.get(pk=change.pk)
