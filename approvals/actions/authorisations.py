"""Centre authorisations (进驻授权): which items a service centre or village station may handle."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from accounts.models import OrgUnit, User
from approvals.actions.common import CENTRE_KINDS, _chunks, require_catalogue_editor
from approvals.models import CentreAuthorisation, ServiceItem
from audit.actions import record_event
from core.errors import DomainError


def do_authorise_items(
    centre: OrgUnit, implementation_codes: Iterable[str], *, actor: User, now: datetime
) -> int:
    """Let `centre` handle the items directly (进驻授权). Returns how many were new."""
    require_catalogue_editor(actor)
    if centre.kind not in CENTRE_KINDS:
        raise DomainError("invalid", "只能授权便民服务中心或村（社区）便民服务站。", field="centre")
    codes = sorted(set(implementation_codes))
    with transaction.atomic():
        items = {}
        for chunk in _chunks(codes):
            items.update(
                dict(
                    ServiceItem.objects.filter(implementation_code__in=chunk).values_list(
                        "implementation_code", "pk"
                    )
                )
            )
        missing = [c for c in codes if c not in items]
        if missing:
            raise DomainError("not_found", f"事项不存在：{'、'.join(missing[:10])}", field="items")
        have = set(CentreAuthorisation.objects.filter(centre=centre).values_list("item_id", flat=True))
        new = [
            CentreAuthorisation(centre=centre, item_id=pk, created_at=now)
            for pk in items.values()
            if pk not in have
        ]
        CentreAuthorisation.objects.bulk_create(new, batch_size=1000)
        record_event(
            actor=actor,
            action="approvals.authorise_items",
            subject=centre,
            territory_code=centre.territory_code,
            after={"added": len(new), "total": len(have) + len(new)},
            now=now,
        )
    return len(new)


def do_revoke_authorisation(
    centre: OrgUnit, implementation_codes: Iterable[str], *, actor: User, now: datetime
) -> int:
    require_catalogue_editor(actor)
    codes = list(set(implementation_codes))
    with transaction.atomic():
        removed, _detail = CentreAuthorisation.objects.filter(
            centre=centre, item__implementation_code__in=codes
        ).delete()
        record_event(
            actor=actor,
            action="approvals.revoke_authorisation",
            subject=centre,
            territory_code=centre.territory_code,
            after={"removed": removed, "codes": codes[:50]},
            now=now,
        )
    return removed
