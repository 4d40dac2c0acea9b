"""Change requests to the registries (基础信息变更申请) on process registry_change: a grid worker proposes
(now: a new household with its members), the village reviews; `approve` applies the change through
registry actions in the same transaction as the transition. The rules of each step live in the handler
bound to it in HANDLERS — nothing else applies a change request."""

from __future__ import annotations

import json
from collections.abc import Callable
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
from registry.models import Person
from territory.models import Grid
from workflow.engine import transition
from workflow.handlers import Handler, Step, bind
from workflow.models import WorkItem
from workflow.start import do_start_item

PROCESS = "registry_change"
SUBJECT_TYPE = "grid.registrychangerequest"
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


def _request_of(step: Step) -> RegistryChangeRequest:
    """The change request of the locked work item, locked too."""
    request = (
        RegistryChangeRequest.objects.select_for_update(of=("self",))
        .filter(work_item_id=step.item.pk)
        .first()
    )
    if request is None:
        raise Conflict("no_subject", "该办件没有对应的变更申请。", field="action")
    step.scratch["request"] = request
    return request


def _lock_request(step: Step) -> None:
    _request_of(step)


def _approve(step: Step) -> None:
    request: RegistryChangeRequest = step.scratch["request"]
    APPLIERS[request.kind](request, step.actor, step.now)


APPLIERS: dict[str, Callable[[RegistryChangeRequest, User, datetime], None]] = {
    RegistryChangeRequest.Kind.NEW_HOUSEHOLD: _apply_new_household,
}
# Whichever door takes the step (the review page, the generic work-item endpoint), these rules run.
HANDLERS: dict[str, Handler] = {
    "approve": Handler(guard=_lock_request, effect=_approve),
    "reject": Handler(guard=_lock_request),  # nothing applies; the reason is on the transition
}


# Where the stream starts this process's items (the generic create door refuses it and names this).
START_DOOR = gettext_lazy("网格员的新增户申请（/grid/m/households/new/）")


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
