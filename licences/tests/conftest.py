"""Licences fixtures: licence types, service-centre staff in 黄桥 (window clerk, approver, leader), the
district approval bureau, and an outsider window clerk in 渭塘."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from accounts.models import OrgUnit, Role
from accounts.testing import make_org_unit, make_person
from licences.actions import do_issue_certificate
from licences.models import Certificate
from licences.reference import (
    APPROVAL_BUREAU,
    NO_HOUSING_TYPE_CODE,
    do_seed_licence_types,
    synthetic_credit_code,
)

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
HQ_SERVICE_CREDIT = synthetic_credit_code("11", "320507", "MB1A0003")
WT_SERVICE_CREDIT = synthetic_credit_code("11", "320507", "MB1A0105")
DISTRICT_APPROVAL_CREDIT = synthetic_credit_code("11", "320507", "MB176824")
PERMIT_TYPE = f"{APPROVAL_BUREAU}001"
ID_NUMBER = "11010519491231002X"
OTHER_ID = "320507199001011236"


@pytest.fixture
def staff(personas: dict[str, Any]) -> dict[str, Any]:
    hq_gov = OrgUnit.objects.get(code="320507003-gov")
    hq_service = make_org_unit(
        "320507003-service", "黄桥街道便民服务中心", OrgUnit.Kind.SERVICE_CENTRE, "320507003", hq_gov
    )
    wt_service = make_org_unit(
        "320507105-service", "渭塘镇便民服务中心", OrgUnit.Kind.SERVICE_CENTRE, "320507105"
    )
    approval = make_org_unit("320507-approval", "相城区行政审批局", OrgUnit.Kind.AGENCY, "320507")
    people = {
        **personas,
        "hq_clerk": make_person("hq_clerk", unit=hq_service, role=Role.WINDOW_CLERK, display_name="李晓燕"),
        "hq_approver": make_person("hq_approver", unit=hq_service, role=Role.APPROVER),
        "wt_clerk": make_person("wt_clerk", unit=wt_service, role=Role.WINDOW_CLERK),
        "district_approver": make_person("district_approver", unit=approval, role=Role.APPROVER),
        "hq_service": hq_service,
        "wt_service": wt_service,
        "approval": approval,
    }
    do_seed_licence_types(
        actor=personas["system"],
        now=T0,
        no_housing_issuer=approval,
        issuer_credit_code=DISTRICT_APPROVAL_CREDIT,
    )
    return people


def issue(
    staff: dict[str, Any], *, actor: str = "hq_clerk", holder_name: str = "王小明", **overrides: Any
) -> Certificate:
    arguments: dict[str, Any] = {
        "actor": staff[actor],
        "now": T0,
        "licence_type": PERMIT_TYPE,
        "holder_name": holder_name,
        "holder_kind": "natural",
        "holder_number": ID_NUMBER,
        "issuer": staff["hq_service"],
        "issuer_credit_code": HQ_SERVICE_CREDIT,
        "title": "准予行政许可决定书",
        "body": [("许可事项", "门头招牌设置许可"), ("许可内容", "黄桥街道胡湾路88号门头招牌一块")],
        "subject_type": "approvals.application",
        "subject_id": "42",
    }
    arguments.update(overrides)
    return do_issue_certificate(**arguments)


__all__ = ["NO_HOUSING_TYPE_CODE", "T0", "issue"]
