"""The data catalogue ("what do we hold"): the registries and the connected sources the user's
jurisdiction overlaps, with owner unit, fields and their sensitivity, update frequency, last successful
sync and row counts (counted within the user's jurisdiction)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Model, QuerySet

from accounts.jurisdiction import jurisdiction_codes, scope_for
from accounts.models import User
from core.errors import NotFound
from datashare.grants import DATASET_FIELDS, PERSONAL_FIELDS
from datashare.models import Connector, DatasetGrant, PeopleExport, QuarantinedRow, SyncedRecord
from registry import sensitivity
from registry.models import Building, Entity, Household, KeyPlace, Person
from workflow.access import available_actions
from workflow.process_definition import ActionDef

LEVEL_LABELS = {
    0: "公开",
    sensitivity.INTERNAL: "内部",
    sensitivity.PERSONAL: "个人信息",
    sensitivity.SENSITIVE: "敏感个人信息",
}
REGISTRY_OWNER = "区大数据管理部门（一标三实）"
REGISTRIES: list[tuple[str, type[Model], str]] = [
    ("实有人口", Person, "person"),
    ("户", Household, ""),
    ("实有房屋", Building, ""),
    ("实有单位", Entity, "entity"),
    ("重点场所", KeyPlace, ""),
]


@dataclass
class Asset:
    kind: str  # "registry" or "source"
    name: str
    owner: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # (field, sensitivity label)
    frequency: str = ""
    last_sync: datetime | None = None
    rows: int = 0
    quarantined: int = 0
    connector_id: int | None = None
    category: str = ""


def overlaps(user: User, code: str) -> bool:
    """A dataset of `code` concerns the user when either territory contains the other."""
    return any(code.startswith(c) or c.startswith(code) for c in jurisdiction_codes(user))


def visible_connectors(user: User) -> list[Connector]:
    return [c for c in Connector.objects.select_related("owner_unit") if overlaps(user, c.territory_code)]


def catalogue(user: User) -> list[Asset]:
    if not jurisdiction_codes(user):
        return []
    assets = []
    for name, model, subject in REGISTRIES:
        fields = [
            (f.label, LEVEL_LABELS[f.level]) for f in sensitivity.FIELDS.values() if f.subject == subject
        ]
        rows = scope_for(user, model.objects.all(), "territory_code").count()  # type: ignore[attr-defined]
        assets.append(Asset("registry", name, REGISTRY_OWNER, fields, "实时", None, rows))
    for connector in visible_connectors(user):
        fields = [
            (f, LEVEL_LABELS[sensitivity.PERSONAL if f in PERSONAL_FIELDS else sensitivity.INTERNAL])
            for f in DATASET_FIELDS
        ]
        assets.append(
            Asset(
                "source",
                connector.name,
                connector.owner_unit.name,
                fields,
                f"每 {connector.frequency_minutes} 分钟" if connector.enabled else "已停用",
                connector.last_success_at,
                scope_for(user, SyncedRecord.objects.filter(connector=connector), "territory_code").count(),
                QuarantinedRow.objects.filter(
                    connector=connector, status=QuarantinedRow.Status.WAITING
                ).count(),
                connector.pk,
                connector.get_category_display(),
            )
        )
    return assets


# --- Grant requests (有条件使用) -------------------------------------------------------------------------


@dataclass
class PendingGrant:
    grant: DatasetGrant
    actions: list[ActionDef]  # what the engine lets this reviewer do now


def grants_requested_by(user: User) -> QuerySet[DatasetGrant]:
    return (
        DatasetGrant.objects.filter(requested_by=user)
        .select_related("connector", "unit", "work_item")
        .order_by("-requested_at", "-pk")
    )


def grants_to_review(user: User) -> list[PendingGrant]:
    """Requests waiting in the user's jurisdiction that the engine lets the user approve or reject (never
    the user's own: the bound handlers offer the requester no decision)."""
    pending = (
        DatasetGrant.objects.filter(status=DatasetGrant.Status.REQUESTED)
        .select_related("connector", "unit", "requested_by", "work_item__process_version")
        .order_by("requested_at", "pk")
    )
    rows = []
    for grant in pending:
        if not overlaps(user, grant.connector.territory_code):
            continue
        actions = available_actions(grant.work_item, user)
        if actions:
            rows.append(PendingGrant(grant, actions))
    return rows


def grant_for_reviewer(user: User, grant_id: int) -> DatasetGrant:
    """A grant of a dataset in the user's jurisdiction (else NotFound); the engine checks the rest."""
    grant = DatasetGrant.objects.select_related("connector").filter(pk=grant_id).first()
    if grant is None or not overlaps(user, grant.connector.territory_code):
        raise NotFound(field="grant")
    return grant


@dataclass
class PendingExport:
    export: PeopleExport
    actions: list[ActionDef]  # what the engine lets this reviewer do now


def people_exports_requested_by(user: User) -> QuerySet[PeopleExport]:
    return PeopleExport.objects.filter(requested_by=user).select_related("unit").order_by("-requested_at")


def people_exports_to_review(user: User) -> list[PendingExport]:
    """Export requests waiting in the user's jurisdiction that the engine lets the user decide (the
    requester never sees their own here: the bound handlers offer them no decision)."""
    pending = (
        scope_for(user, PeopleExport.objects.filter(status=PeopleExport.Status.REQUESTED), "territory_code")
        .select_related("unit", "requested_by", "work_item__process_version")
        .order_by("requested_at", "pk")
    )
    rows = []
    for export in pending:
        actions = available_actions(export.work_item, user)
        if actions:
            rows.append(PendingExport(export, actions))
    return rows
