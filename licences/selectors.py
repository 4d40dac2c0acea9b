"""Reads of the licences app: certificates by identifier (public status, never a full ID number) and
scoped for staff, and the property register checks of the no-housing self-service."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils import timezone

from accounts.jurisdiction import scope_for
from accounts.models import User
from core.errors import NotFound
from core.pii import lookup_hash, mask_name
from core.publication import publish
from licences import identifiers
from licences.models import Certificate, CertificateStatus, HolderKind, PropertyRecord


def _certificates() -> models.QuerySet[Certificate]:
    return Certificate.objects.select_related("licence_type", "issuer")


def certificate_by_identifier(identifier: str) -> Certificate:
    """Any certificate by its identifier (public verification); NotFound when there is none."""
    found = _certificates().filter(identifier=identifiers.normalize(identifier)).first()
    if found is None:
        raise NotFound("证照不存在。")
    return found


def certificates_visible_to(user: User | AnonymousUser) -> models.QuerySet[Certificate]:
    return scope_for(user, _certificates(), "territory_code")


def get_certificate_for(user: User | AnonymousUser, identifier: str) -> Certificate:
    """A certificate the user's jurisdiction covers; otherwise NotFound (404, never 403)."""
    found = certificates_visible_to(user).filter(identifier=identifiers.normalize(identifier)).first()
    if found is None:
        raise NotFound("证照不存在。")
    return found


def certificates_for_subject(subject_type: str, subject_id: str) -> models.QuerySet[Certificate]:
    """Certificates issued for one subject (e.g. an application), newest first. Unscoped: callers scope."""
    return _certificates().filter(subject_type=subject_type, subject_id=str(subject_id))


@dataclass(frozen=True)
class PublicCertificate:
    """What the public verification page and API show."""

    identifier: str
    status: str
    status_label: str
    licence_type: str
    title: str
    holder_name: str
    holder_number: str
    issuer: str
    issued_on: date
    valid_until: date | None
    revoked_at: datetime | None
    revoke_reason: str
    identifier_valid: bool


def public_certificate(certificate: Certificate, now: datetime) -> PublicCertificate:
    """The verification page and API, through the publication path (channel licences.verification): the
    title and the revocation reason staff typed are scrubbed, a natural holder's name masked in them."""
    status = certificate.status_at(now)
    revoked = status == CertificateStatus.REVOKED
    natural = certificate.holder_kind == HolderKind.NATURAL
    row = {
        "identifier": certificate.identifier,
        "status": status,
        "status_label": str(CertificateStatus(status).label),
        "licence_type": certificate.licence_type.name,
        "title": certificate.title,
        "holder_name": (mask_name(certificate.holder_name) if natural else certificate.holder_name),
        "holder_number": certificate.holder_number_display,
        "issuer": certificate.issuer.name,
        "issued_on": timezone.localdate(certificate.issued_at),
        "valid_until": certificate.valid_until,
        "revoked_at": certificate.revoked_at if revoked else None,
        "revoke_reason": certificate.revoke_reason if revoked else "",
        "identifier_valid": identifiers.is_valid(certificate.identifier),
    }
    published = publish(
        "licences.verification",
        row,
        names=[certificate.holder_name] if natural else [],
        public=[] if natural else [certificate.holder_name],  # a legal holder's name is public
    )
    return PublicCertificate(**published)


def active_properties_of(id_number: str, *, territory_prefix: str = "") -> models.QuerySet[PropertyRecord]:
    """Active (not cancelled) property records whose owner ID matches, optionally within a territory."""
    records = PropertyRecord.objects.filter(owner_id_hash=lookup_hash(id_number), cancelled_at__isnull=True)
    if territory_prefix:
        records = records.filter(territory_code__startswith=territory_prefix)
    return records.order_by("registered_at", "pk")


def mask_address(address: str) -> str:
    """Every house, building and room number hidden: 胡湾路88号3幢502室 → 胡湾路**号*幢***室."""
    return re.sub(r"[0-9０-９]", "*", address)
