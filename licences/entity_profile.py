"""The entity page's (一企一档) section of electronic licences: the certificates held by the entity (found
by the keyed hash of its credit code), newest first, with their status today; scoped to the viewer's
jurisdiction like the certificate pages (which any staff member in it may read)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.pii import lookup_hash
from licences.models import CertificateStatus, HolderKind
from licences.selectors import certificates_visible_to
from registry import profile
from registry.models import Entity

STATUS_LABELS = dict(CertificateStatus.choices)


def certificates_of(entity: object, user: User) -> list[profile.Row]:
    assert isinstance(entity, Entity)
    now = timezone.now()
    rows = (
        certificates_visible_to(user)
        .select_related(None)
        .filter(holder_kind=HolderKind.LEGAL, holder_number_hash=lookup_hash(entity.uscc))
        .order_by("-issued_at", "-id")[: profile.SECTION_LIMIT]
    )
    return [
        profile.Row(
            label=c.title,
            url=reverse("licences:certificate", args=[c.identifier]),
            status=str(STATUS_LABELS[c.status_at(now)]),
            at=c.issued_at,
        )
        for c in rows
    ]


def register() -> None:
    profile.register_section("licences", _("电子证照"), certificates_of, position=10)
