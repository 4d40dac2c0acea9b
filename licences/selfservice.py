"""24-hour self-service (24小时自助服务): the no-housing certificate (无房证明). A resident who has confirmed
their phone gives name and citizen ID; with no active property record on that ID in the district they get
a certificate signed by the 无房证明 type's default issuer, else the list of what was found (addresses with
their numbers hidden). One certificate per ID per day: a retry returns the same one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from audit.actions import record_event
from core.errors import DomainError
from core.idnumbers import is_valid_citizen_id
from core.pii import lookup_hash, mask_id_number
from licences.actions import do_issue_certificate
from licences.models import Certificate, LicenceType
from licences.reference import NO_HOUSING_TYPE_CODE
from licences.selectors import active_properties_of, mask_address
from territory.models import Division
from workflow.actors import system_actor

PHONE_PURPOSE = "selfservice_no_housing"
DISTRICT_CODE_LENGTH = 6


@dataclass(frozen=True)
class FoundProperty:
    address: str  # numbers hidden
    registered_on: str


@dataclass(frozen=True)
class NoHousingOutcome:
    certificate: Certificate | None
    properties: list[FoundProperty] = field(default_factory=list)
    reused: bool = False


def normalize_id_number(id_number: str) -> str:
    number = (id_number or "").strip().replace(" ", "").upper()
    if not is_valid_citizen_id(number):
        raise DomainError("invalid_id_number", "公民身份号码不正确，请核对。", field="id_number")
    return number


def no_housing_type() -> LicenceType:
    found = (
        LicenceType.objects.select_related("default_issuer")
        .filter(code=NO_HOUSING_TYPE_CODE, active=True, default_issuer__isnull=False)
        .first()
    )
    if found is None:
        raise DomainError("service_unavailable", "无房证明自助开具暂未开通。", status=503)
    return found


def do_issue_no_housing_certificate(*, name: str, id_number: str, now: datetime) -> NoHousingOutcome:
    """Check the property register and issue (or re-use today's) 无房证明. The caller has confirmed the
    resident's phone; the actor is the system user."""
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise DomainError("invalid_name", "请填写姓名。", field="name")
    number = normalize_id_number(id_number)
    kind = no_housing_type()
    issuer = kind.default_issuer
    assert issuer is not None
    district = issuer.territory_code[:DISTRICT_CODE_LENGTH]
    system = system_actor()
    area = Division.objects.filter(code=district).values_list("name", flat=True).first() or district
    today = timezone.localdate(now)
    with transaction.atomic():
        LicenceType.objects.select_for_update().filter(pk=kind.pk).first()  # one issue per ID at a time
        properties = list(active_properties_of(number, territory_prefix=district))
        if properties:
            record_event(
                actor=system,
                action="licences.no_housing_refused",
                subject=kind,
                territory_code=district,
                after={"holder_number": mask_id_number(number), "properties": len(properties)},
                now=now,
            )
            return NoHousingOutcome(
                certificate=None,
                properties=[
                    FoundProperty(mask_address(p.property_address), p.registered_at.isoformat())
                    for p in properties
                ],
            )
        start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
        existing = (
            Certificate.objects.select_related("licence_type", "issuer")
            .filter(
                licence_type=kind,
                holder_number_hash=lookup_hash(number),
                issued_at__gte=start,
                issued_at__lt=start + timedelta(days=1),
                revoked_at__isnull=True,
            )
            .order_by("-issued_at")
            .first()
        )
        if existing is not None:
            return NoHousingOutcome(certificate=existing, reused=True)
        valid_until = today + timedelta(days=kind.validity_days) if kind.validity_days else None
        certificate = do_issue_certificate(
            actor=system,
            now=now,
            licence_type=kind.code,
            holder_name=name,
            holder_kind="natural",
            holder_number=number,
            issuer=issuer,
            issuer_credit_code=kind.default_issuer_credit_code,
            title="无房证明",
            body=[
                (
                    "证明事项",
                    f"经查询不动产登记信息，截至{today.year}年{today.month}月{today.day}日，"
                    f"{name}在{area}范围内无登记在其名下的住房。",
                ),
                ("查询范围", f"{area}（{district}）不动产登记信息"),
                ("办理渠道", "24小时自助服务"),
            ],
            subject_type="licences.selfservice",
            subject_id=today.isoformat(),
            valid_until=valid_until,
        )
    return NoHousingOutcome(certificate=certificate)
