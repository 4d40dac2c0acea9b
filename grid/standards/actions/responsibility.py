"""The responsibility list (责任清单) and the routing decisions recorded against it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.models import OrgUnit, User
from audit.actions import record_event
from core.errors import DomainError
from core.snapshots import field_snapshot
from grid.models import Basis, Category, ResponsibilityEntry, RoutingDecision
from grid.standards.actions.common import require_reference_editor
from grid.standards.routing import RoutingResult

ENTRY_FIELDS = ("category_id", "territory_code", "basis", "org_unit_id", "active", "note")


def validate_responsibility(entry: ResponsibilityEntry) -> None:
    code = entry.territory_code
    if len(code) not in (6, 9, 12, 15) or not code.isdigit():
        raise DomainError("invalid_territory", "区划/网格代码应为6、9、12或15位数字", field="territory_code")
    if entry.basis not in Basis.values:
        raise DomainError("invalid_basis", "依据应为属地或属主", field="basis")


def do_save_responsibility(entry: ResponsibilityEntry, *, actor: Any, now: datetime) -> ResponsibilityEntry:
    """Create or edit one row of the responsibility list."""
    require_reference_editor(actor)
    validate_responsibility(entry)
    with transaction.atomic():
        before = None
        if entry.pk:
            before = field_snapshot(
                ResponsibilityEntry.objects.select_for_update().get(pk=entry.pk), ENTRY_FIELDS
            )
        elif ResponsibilityEntry.objects.filter(
            category_id=entry.category_id, territory_code=entry.territory_code, basis=entry.basis
        ).exists():
            raise DomainError("duplicate", "该分类在此区划已有同一依据的责任单位", field="territory_code")
        entry.save()
        record_event(
            actor=actor,
            action="grid.responsibility_saved",
            subject=entry,
            territory_code=entry.territory_code,
            before=before,
            after=field_snapshot(entry, ENTRY_FIELDS),
            now=now,
        )
    return entry


def do_set_responsibility(
    *,
    category: Category,
    territory_code: str,
    basis: str,
    org_unit: OrgUnit,
    actor: Any,
    now: datetime,
    note: str = "",
) -> ResponsibilityEntry:
    """Make `org_unit` responsible for `category` in `territory_code` on `basis` (creating or replacing)."""
    entry = ResponsibilityEntry.objects.filter(
        category=category, territory_code=territory_code, basis=basis
    ).first() or ResponsibilityEntry(category=category, territory_code=territory_code, basis=basis)
    entry.org_unit = org_unit
    entry.active = True
    entry.note = note or entry.note
    return do_save_responsibility(entry, actor=actor, now=now)


def do_delete_responsibility(entry: ResponsibilityEntry, *, actor: Any, now: datetime) -> None:
    require_reference_editor(actor)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="grid.responsibility_deleted",
            subject=entry,
            territory_code=entry.territory_code,
            before=field_snapshot(entry, ENTRY_FIELDS),
            now=now,
        )
        entry.delete()


def do_record_routing(
    result: RoutingResult, *, subject_type: str, subject_id: str, actor: Any, now: datetime
) -> RoutingDecision:
    """Record a routing decision (from `grid.standards.routing.route`) with its reason and trail. The caller
    has already checked the actor's right to the subject (an event being filed or re-dispatched)."""
    if not subject_type or not subject_id:
        raise DomainError("required", "路由决定必须指明对象", field="subject_id")
    with transaction.atomic():
        decision = RoutingDecision.objects.create(
            subject_type=subject_type,
            subject_id=str(subject_id),
            grid_code=result.grid_code,
            kind=result.kind,
            category=result.category,
            category_code=result.category_code,
            chosen_unit=result.org_unit,
            level=result.level,
            basis=result.basis or "",
            reason=result.reason_text,
            trail=result.trail,
            decided_at=now,
            actor=actor if isinstance(actor, User) else None,
        )
        record_event(
            actor=actor,
            action="grid.routing_decided",
            subject_type=subject_type,
            subject_id=str(subject_id),
            territory_code=result.grid_code,
            after={
                "decision": decision.pk,
                "category": result.category_code,
                "org_unit": result.org_unit.code if result.org_unit else None,
                "level": result.level,
                "basis": result.basis,
                "reason": result.reason_text,
            },
            now=now,
        )
    return decision
