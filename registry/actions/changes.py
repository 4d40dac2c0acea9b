"""Changes to registry records proposed from the field (基础信息变更). A proposal is checked against the
record (its kind's spec in `change_kinds.KINDS`), split into the fields declared trivial
(`access.TRIVIAL_FIELDS`), which apply at once as a change of their own, and the rest, which waits for
review: the caller passes `start_review`, which puts the waiting change before the village (grid's
process registry_change). Applying re-checks the record: a value changed since the proposal refuses the
change (it stays proposed, the reviewer returns it). Every change keeps who, when, before and after."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, DomainError
from registry import access, crypto
from registry.actions.change_kinds import KINDS, KindSpec, Values
from registry.actions.common import audit_write
from registry.models import RecordChange


@dataclass(frozen=True)
class Proposal:
    applied: RecordChange | None  # the trivial part, in effect already
    pending: RecordChange | None  # the part waiting for review


def spec_of(kind: str) -> KindSpec:
    spec = KINDS.get(kind)
    if spec is None:
        raise DomainError(
            "invalid_choice", _("变更类型无效：%(kind)s。") % {"kind": repr(kind)}, field="kind"
        )
    return spec


def values_of(change: RecordChange) -> dict[str, Values]:
    """{"before": {field: value}, "after": {field: value}} of the change, unsealed (clear: never log it)."""
    return dict(json.loads(crypto.unseal(change, "values_sealed")))


def record_of(change: RecordChange) -> models.Model:
    record: models.Model = getattr(change, spec_of(change.kind).record)
    return record


def _summary(spec: KindSpec, record: models.Model, fields: list[str]) -> str:
    """The masked one-line summary kept in clear (and the review item's title), in Chinese."""
    with translation.override("zh-hans"):
        labels = "、".join(spec.fields[name].label for name in fields)
        return f"{RecordChange.Kind(spec.kind).label}：{spec.name_of(record)}（{labels}）"[:300]


def _keep(
    spec: KindSpec,
    record: models.Model,
    before: Values,
    after: Values,
    *,
    trivial: bool,
    actor: User,
    now: datetime,
) -> RecordChange:
    fields = [name for name in spec.fields if name in after]
    sealed = json.dumps(
        {"before": {name: before.get(name) for name in fields}, "after": after}, ensure_ascii=False
    )
    change = RecordChange.objects.create(
        kind=spec.kind,
        territory_code=record.territory_code,  # type: ignore[attr-defined]
        **{spec.record: record},
        fields=fields,
        values_sealed=crypto.seal(RecordChange, "values_sealed", sealed),
        summary=_summary(spec, record, fields),
        trivial=trivial,
        proposed_by=actor,
        proposed_at=now,
    )
    audit_write(actor, "registry.change_proposed", change, now, {"kind": spec.kind, "fields": fields})
    return change


def _decide(change: RecordChange, outcome: str, actor: User, now: datetime, reason: str = "") -> None:
    change.outcome, change.decided_by, change.decided_at = outcome, actor, now
    change.save(update_fields=["outcome", "decided_by", "decided_at"])
    after = {"outcome": outcome, "reason": reason} if reason else {"outcome": outcome}
    audit_write(actor, "registry.change_decided", change, now, after)


def do_propose_change(
    kind: str,
    record: models.Model,
    proposed: Mapping[str, Any],
    *,
    actor: User,
    now: datetime,
    start_review: Callable[[RecordChange], None],
) -> Proposal:
    """Propose `proposed` (field → raw value; a field left out stays as it is) for `record`. Who may
    propose: the grid workers, grid heads and data stewards of the record's territory (others: refused;
    outside the jurisdiction: NotFound). A value equal to the current one is dropped; nothing left is
    refused (`nothing_changed`). The trivial fields apply at once, with their own change and history;
    the others are kept as a proposed change handed to `start_review` in the same transaction."""
    spec = spec_of(kind)
    if not isinstance(record, spec.model):
        raise DomainError("invalid", _("该记录不能做此类变更。"), field="kind")
    territory = record.territory_code  # type: ignore[attr-defined]
    access.access_write(actor, territory, field=spec.record, trivial=True)
    before = spec.read(record)
    after = spec.clean(record, proposed, timezone.localdate(now))
    changed = {name: value for name, value in after.items() if value != before.get(name)}
    if not changed:
        raise DomainError("nothing_changed", _("没有需要变更的内容。"), field="values")
    trivial_names = access.TRIVIAL_FIELDS.get(kind, frozenset())
    trivial = {name: value for name, value in changed.items() if name in trivial_names}
    reviewed = {name: value for name, value in changed.items() if name not in trivial_names}
    applied = pending = None
    with transaction.atomic():
        if trivial:
            applied = _keep(spec, record, before, trivial, trivial=True, actor=actor, now=now)
            spec.apply(record, trivial, actor, now)
            _decide(applied, RecordChange.Outcome.APPLIED, actor, now)
        if reviewed:
            pending = _keep(spec, record, before, reviewed, trivial=False, actor=actor, now=now)
            start_review(pending)
    return Proposal(applied, pending)


def _locked(change: RecordChange) -> tuple[RecordChange, KindSpec, models.Model]:
    change = RecordChange.objects.select_for_update().get(pk=change.pk)
    if change.outcome != RecordChange.Outcome.PROPOSED:
        raise Conflict("change_decided", _("该变更已审核。"), field="change")
    spec = spec_of(change.kind)
    record_id = getattr(change, f"{spec.record}_id")
    record = spec.model.objects.select_for_update().get(pk=record_id)  # type: ignore[attr-defined]
    return change, spec, record


def do_apply_change(change: RecordChange, *, actor: User, now: datetime) -> RecordChange:
    """Apply a proposed change (the review's `approve`): by an editor of the record's territory, only
    while the record still holds the values it had when proposed (else `changed_meanwhile`, naming the
    field, and nothing applies)."""
    with transaction.atomic():
        change, spec, record = _locked(change)
        access.access_write(actor, change.territory_code, field="change")
        values = values_of(change)
        current = spec.read(record)
        stale = [name for name, value in values["before"].items() if current.get(name) != value]
        if stale:
            labels = "、".join(_(spec.fields[name].label) for name in stale)
            raise Conflict(
                "changed_meanwhile",
                _("%(fields)s在提出变更后已被修改，请退回后重新提出。") % {"fields": labels},
                field=stale[0],
            )
        spec.apply(record, values["after"], actor, now)
        _decide(change, RecordChange.Outcome.APPLIED, actor, now)
    return change


def do_return_change(change: RecordChange, *, actor: User, now: datetime, reason: str) -> RecordChange:
    """Return a proposed change (the review's `reject`): nothing applies; the reason is kept."""
    with transaction.atomic():
        change, _spec, _record = _locked(change)
        access.access_write(actor, change.territory_code, field="change")
        _decide(change, RecordChange.Outcome.RETURNED, actor, now, reason)
    return change
