"""demo.licences_data.seed_licences: licence types, ~300 demo property records, a few certificates (one
revoked, one self-service 无房证明); idempotent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from accounts.models import OrgUnit
from accounts.testing import make_org_unit
from demo.licences_data import OWNER_WITH_FLAT, RESIDENT_WITHOUT_FLAT, seed_licences
from licences import identifiers
from licences.models import Certificate, LicenceType, PropertyRecord
from licences.reference import LICENCE_TYPES, NO_HOUSING_TYPE_CODE
from licences.selectors import active_properties_of

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(personas: dict[str, Any]) -> None:
    hq_gov = OrgUnit.objects.get(code="320507003-gov")
    make_org_unit(
        "320507003-service", "黄桥街道便民服务中心", OrgUnit.Kind.SERVICE_CENTRE, "320507003", hq_gov
    )
    make_org_unit("320507-approval", "区行政审批局", OrgUnit.Kind.AGENCY, "320507")


def test_seed_licences(personas: dict[str, Any], units: None) -> None:
    counts = seed_licences(now=NOW, system=personas["system"])
    assert counts == {
        "licence_types": len(LICENCE_TYPES),
        "property_records": 301,
        "certificates": 4,
        "revoked": 1,
    }
    assert LicenceType.objects.get(code=NO_HOUSING_TYPE_CODE).default_issuer is not None
    assert PropertyRecord.objects.filter(is_demo=True).count() == 301
    assert PropertyRecord.objects.filter(cancelled_at__isnull=False).exists()
    assert active_properties_of(OWNER_WITH_FLAT).exists()
    assert not active_properties_of(RESIDENT_WITHOUT_FLAT).exists()
    assert Certificate.objects.filter(revoked_at__isnull=False).count() == 1
    assert all(identifiers.is_valid(i) for i in Certificate.objects.values_list("identifier", flat=True))
    assert Certificate.objects.filter(licence_type__code=NO_HOUSING_TYPE_CODE).count() == 1

    again = seed_licences(now=NOW, system=personas["system"])
    assert again == {"licence_types": 0, "property_records": 0, "certificates": 0, "revoked": 0}
    assert Certificate.objects.count() == 4
