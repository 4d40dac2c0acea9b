"""The entity page's (一企一档) section of 三资: the collective contracts with the entity as counterparty,
newest first, scoped to the viewer's jurisdiction as the contract pages are, and left out for roles
that may not read 三资 (territorial.selectors.check_viewer)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.errors import PermissionRefused
from registry import profile
from registry.models import Entity
from territorial import selectors
from territorial.models import Contract


def _label(contract: Contract) -> str:
    subject = contract.asset.name if contract.asset else (contract.resource.name if contract.resource else "")
    return gettext("%(number)s %(subject)s（%(starts)s — %(ends)s）") % {
        "number": contract.number,
        "subject": subject,
        "starts": contract.starts_on,
        "ends": contract.ends_on,
    }


def _status(contract: Contract) -> str:
    if contract.state == Contract.State.ACTIVE and contract.ends_on < timezone.localdate():
        return gettext("已到期未处理")  # neither renewed nor terminated (the 到期未处理合同 figure)
    return contract.get_state_display()


def contracts_of(entity: object, user: User) -> list[profile.Row] | None:
    assert isinstance(entity, Entity)
    try:
        selectors.check_viewer(user)
    except PermissionRefused:
        return None
    rows = (
        selectors.contracts(user)
        .select_related(None)
        .select_related("asset", "resource")
        .filter(entity=entity)
        .order_by("-starts_on", "-id")[: profile.SECTION_LIMIT]
    )
    return [
        profile.Row(
            label=_label(c),
            url=reverse("territorial:contract", args=[c.pk]),
            status=_status(c),
            at=c.starts_on,
        )
        for c in rows
    ]


def register() -> None:
    profile.register_section("territorial_contracts", _("集体合同"), contracts_of, position=60)
