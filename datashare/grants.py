"""Conditional use (有条件使用): a unit requests a connected dataset (some of its fields) for a purpose and a
period on process `dataset_grant`; a steward or leader of the dataset's jurisdiction approves (the rules
of each step live in HANDLERS, bound to the engine). The requester then takes a token; reading the
dataset with it works only while the grant is live (it expires by itself at `ends_at`), and every read
is audited. Personal fields stay masked unless the grant covers unmasking."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from accounts.jurisdiction import may_see_code
from accounts.models import Assignment, User
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from core.pii import mask_name
from datashare.models import Connector, DatasetGrant, SyncedRecord
from workflow.engine import transition
from workflow.handlers import Handler, Step, bind, not_the_requester
from workflow.models import WorkItem
from workflow.start import do_start_item

PROCESS = "dataset_grant"
SUBJECT_TYPE = "datashare.datasetgrant"
MAX_PERIOD = timedelta(days=366)
# The fields of a connected dataset of entities, and which of them are personal (masked by default).
DATASET_FIELDS = ["uscc", "name", "legal_representative", "industry_code", "size", "territory_code"]
PERSONAL_FIELDS = frozenset({"legal_representative"})


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def visible_connector(actor: User, connector_id: int) -> Connector:
    connector = Connector.objects.filter(pk=connector_id).first()
    if connector is None or not (actor.is_system or may_see_code(actor, connector.territory_code)):
        raise NotFound(field="connector")
    return connector


def do_request_grant(
    connector: Connector,
    *,
    fields: list[str],
    purpose: str,
    starts_at: datetime,
    ends_at: datetime,
    unmask: bool = False,
    actor: User,
    now: datetime,
) -> DatasetGrant:
    if not (actor.is_system or may_see_code(actor, connector.territory_code)):
        raise NotFound(field="connector")
    if connector.target != Connector.Target.ENTITY:
        # Its records are people, households, houses or places: people go out only as a bulk export
        # request (people_exports), the others through the registry pages.
        raise DomainError(
            "not_a_dataset", "只有单位数据源可申请数据集授权；人口数据请申请批量导出。", field="connector"
        )
    assignment = Assignment.objects.filter(user=actor, active=True).select_related("org_unit").first()
    if assignment is None:
        raise PermissionRefused("not_allowed", "只有在岗单位人员可以申请使用数据。")
    purpose = purpose.strip()
    if not purpose:
        raise DomainError("required", "请说明用途。", field="purpose")
    unknown = [f for f in fields if f not in DATASET_FIELDS]
    if not fields or unknown:
        raise DomainError("invalid_fields", f"字段须取自 {'/'.join(DATASET_FIELDS)}。", field="fields")
    if not (starts_at < ends_at and ends_at > now):
        raise DomainError("invalid_period", "截止时间须晚于起始时间与当前时间。", field="ends_at")
    if ends_at - starts_at > MAX_PERIOD:
        raise DomainError("period_too_long", "一次授权最长一年。", field="ends_at")
    with transaction.atomic():
        item = do_start_item(
            PROCESS,
            actor=actor,
            now=now,
            title=f"数据使用申请：{connector.name}（{assignment.org_unit.name}）",
            territory_code=connector.territory_code,
            subject_type=SUBJECT_TYPE,
        )
        grant = DatasetGrant.objects.create(
            connector=connector,
            work_item=item,
            unit=assignment.org_unit,
            requested_by=actor,
            purpose=purpose[:300],
            fields=list(dict.fromkeys(fields)),
            unmask=unmask,
            starts_at=starts_at,
            ends_at=ends_at,
            requested_at=now,
        )
        item.subject_id = str(grant.pk)
        item.save(update_fields=["subject_id"])
    return grant


# ---------------------------------------------------------------------------------------- the handlers


def _requester(step: Step) -> int | None:
    return (
        DatasetGrant.objects.filter(work_item_id=step.item.pk)
        .values_list("requested_by_id", flat=True)
        .first()
    )


def _lock_grant(step: Step) -> None:
    grant = DatasetGrant.objects.select_for_update(of=("self",)).filter(work_item_id=step.item.pk).first()
    if grant is None:
        raise Conflict("no_subject", "该办件没有对应的数据使用申请。", field="action")
    step.scratch["grant"] = grant


def _decide(status: str) -> Any:
    def effect(step: Step) -> None:
        grant: DatasetGrant = step.scratch["grant"]
        grant.status = status
        grant.save(update_fields=["status"])
        record_event(
            actor=step.actor,
            action=f"datashare.grant_{status}",
            subject=grant,
            territory_code=grant.connector.territory_code,
            now=step.now,
        )

    return effect


# A steward or leader decides, never the person who asked (workflow.handlers.not_the_requester).
HANDLERS: dict[str, Handler] = {
    "approve": Handler(
        actors=not_the_requester(_requester), guard=_lock_grant, effect=_decide(DatasetGrant.Status.APPROVED)
    ),
    "reject": Handler(
        actors=not_the_requester(_requester), guard=_lock_grant, effect=_decide(DatasetGrant.Status.REJECTED)
    ),
}


# Where the stream starts this process's items (the generic create door refuses it and names this).
START_DOOR = gettext_lazy("数据使用申请（POST /api/v1/datashare/grants/）")


def register() -> None:
    bind(PROCESS, HANDLERS, owner="datashare", start_door=START_DOOR)


def do_review_grant(
    grant: DatasetGrant, action: str, *, actor: User, now: datetime, reason: str = ""
) -> DatasetGrant:
    """approve/reject, as the generic door takes it: the engine checks jurisdiction, the action, state and
    role, and runs the bound handler (the requester never decides); every refusal is theirs."""
    item = WorkItem.objects.select_related("process_version").get(pk=grant.work_item_id)
    transition(item, action, actor=actor, now=now, reason=reason)
    return DatasetGrant.objects.get(pk=grant.pk)


def do_issue_token(grant: DatasetGrant, *, actor: User, now: datetime) -> str:
    """A new scoped token for the requester of a live grant (shown once; only its hash is kept)."""
    if grant.requested_by_id != actor.pk:
        raise NotFound(field="grant")
    if not grant.live(now):
        raise PermissionRefused("not_allowed", "该授权未批准、未生效或已过期。")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        DatasetGrant.objects.filter(pk=grant.pk).update(token_hash=token_hash(token))
        record_event(actor=actor, action="datashare.token_issued", subject=grant, now=now)
    return token


def live_grant(token: str, connector_id: int, *, now: datetime) -> DatasetGrant:
    grant = (
        DatasetGrant.objects.select_related("connector", "requested_by")
        .filter(token_hash=token_hash(token), connector_id=connector_id)
        .first()
        if token
        else None
    )
    if grant is None or not grant.live(now):
        raise PermissionRefused(
            "not_allowed", "没有有效的数据使用授权（令牌无效、未生效或已过期）。", field="token"
        )
    return grant


def dataset_rows(grant: DatasetGrant) -> list[dict[str, str]]:
    records = SyncedRecord.objects.filter(connector=grant.connector).select_related("entity").order_by("key")
    rows = []
    for record in records:
        entity = record.entity
        row = {f: str(getattr(entity, f)) for f in grant.fields}
        for field in PERSONAL_FIELDS & set(row):
            if not grant.unmask:
                row[field] = mask_name(row[field])
        rows.append(row)
    return rows


def do_read_dataset(
    token: str, connector_id: int, *, now: datetime, door: str = "api"
) -> list[dict[str, str]]:
    """The granted fields of the dataset; every read is audited against the requester."""
    grant = live_grant(token, connector_id, now=now)
    rows = dataset_rows(grant)
    record_event(
        actor=grant.requested_by,
        action="datashare.dataset_read",
        subject=grant,
        territory_code=grant.connector.territory_code,
        after={"rows": len(rows), "fields": grant.fields, "door": door, "purpose": grant.purpose},
        now=now,
    )
    return rows
