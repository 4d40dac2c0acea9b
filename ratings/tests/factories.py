"""Test data for ratings: a 黄桥 service centre with two clerks, a 渭塘 centre (the outsider), the
district approval bureau, a supervisor, and applications at a chosen stage."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_org_unit, make_person
from approvals.models import (
    ApplicantKind,
    Application,
    Channel,
    HandlingType,
    ItemType,
    LimitUnit,
    ServiceItem,
    ServiceItemVersion,
    ServiceLevel,
)
from core.pii import encrypt, lookup_hash, mask_phone

PHONE = "13800138000"
_serial = itertools.count(1)


def make_rating_people() -> dict[str, Any]:
    hq_centre = make_org_unit(
        "320507003-service", "黄桥街道便民服务中心", OrgUnit.Kind.SERVICE_CENTRE, "320507003"
    )
    wt_centre = make_org_unit(
        "320507105-service", "渭塘镇便民服务中心", OrgUnit.Kind.SERVICE_CENTRE, "320507105"
    )
    bureau = make_org_unit("320507-approval", "相城区行政审批局", OrgUnit.Kind.AGENCY, "320507")
    command = make_org_unit("320507-command", "相城区集成指挥中心", OrgUnit.Kind.COMMAND_CENTRE, "320507")
    return {
        "hq_centre": hq_centre,
        "wt_centre": wt_centre,
        "bureau": bureau,
        "hq_clerk": make_person(
            "hq_clerk", unit=hq_centre, role=Role.WINDOW_CLERK, display_name="黄桥窗口甲"
        ),
        "hq_clerk2": make_person(
            "hq_clerk2", unit=hq_centre, role=Role.WINDOW_CLERK, display_name="黄桥窗口乙"
        ),
        "wt_clerk": make_person("wt_clerk", unit=wt_centre, role=Role.WINDOW_CLERK, display_name="渭塘窗口"),
        "bureau_approver": make_person(
            "bureau_approver", unit=bureau, role=Role.APPROVER, display_name="审批局"
        ),
        "supervisor": make_person("supervisor", unit=command, role=Role.SUPERVISOR, display_name="督办员"),
    }


def make_item(name: str = "城乡居民基本养老保险参保登记", *, now: datetime) -> ServiceItem:
    serial = next(_serial)
    item = ServiceItem.objects.create(
        basic_code=f"GG{serial:06d}",
        implementation_code=f"11320507MB{serial:08d}GG{serial:06d}",
        name=name,
        item_type=ItemType.PUBLIC_SERVICE,
        service_level=ServiceLevel.TOWN,
        created_at=now,
        updated_at=now,
    )
    ServiceItemVersion.objects.create(
        item=item,
        version=1,
        name=name,
        implementing_body="黄桥街道便民服务中心",
        implementing_body_credit_code="11320507MB1234567X",
        legal_limit_amount=20,
        legal_limit_unit=LimitUnit.WORK_DAYS,
        promised_limit_amount=5,
        promised_limit_unit=LimitUnit.WORK_DAYS,
        handling_type=HandlingType.PROMISED,
        content_hash=f"{serial:064d}",
        created_at=now,
    )
    return item


def make_application(
    *,
    centre: OrgUnit,
    clerk: User | None,
    item: ServiceItem,
    now: datetime,
    accepted: bool = True,
    completed: bool = True,
    phone: str = PHONE,
    territory_code: str | None = None,
    receipt_no: str = "",
    channel: str = "",
) -> Application:
    serial = next(_serial)
    version = item.versions.order_by("-version").first()
    assert version is not None
    return Application.objects.create(
        receipt_no=receipt_no or f"SL{now:%Y%m%d}{serial:06d}",
        item=item,
        item_version=version,
        centre=centre,
        clerk=clerk,
        channel=channel or (Channel.WINDOW if clerk else Channel.ONLINE),
        applicant_kind=ApplicantKind.NATURAL,
        applicant_name="张三",
        applicant_number_enc=encrypt("320507199001011234"),
        applicant_number_hash=lookup_hash("320507199001011234"),
        applicant_number_masked="320507********1234",
        applicant_phone_enc=encrypt(phone) if phone else "",
        applicant_phone_hash=lookup_hash(phone) if phone else "",
        applicant_phone_masked=mask_phone(phone) if phone else "",
        territory_code=territory_code or centre.territory_code,
        submitted_at=now,
        accepted_at=now if accepted else None,
        completed_at=now if completed else None,
    )


ONLINE_SCORES = {"overall": 5, "efficiency": 5, "guide_accuracy": 4, "convenience": 5, "usability": 4}
WINDOW_SCORES = {"overall": 5, "service_efficiency": 5, "service_level": 5, "service_attitude": 5}
BAD_WINDOW_SCORES = {"overall": 2, "service_efficiency": 1, "service_level": 2, "service_attitude": 2}
