"""demo.approvals_data.seed_approvals: a ≥250-item catalogue through the import, centres authorised (one
standard centre short), village stations, approvers, applications in many states; idempotent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from accounts.models import OrgUnit, Role
from accounts.testing import make_org_unit, make_person
from approvals.models import Application, CentreAuthorisation, ItemType, ServiceItem, ServiceLevel
from approvals.report import build_report
from demo.approvals_data import seed_approvals
from workflow.models import WorkItem

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in Suzhou


@pytest.fixture
def units(personas: dict[str, Any]) -> dict[str, Any]:
    hq_gov = OrgUnit.objects.get(code="320507003-gov")
    centres = {}
    for code, level in (
        ("320507003", OrgUnit.ServiceLevel.DEMONSTRATION),
        ("320507105", OrgUnit.ServiceLevel.STANDARD),
        ("320507004", OrgUnit.ServiceLevel.STANDARD),
    ):
        unit = make_org_unit(f"{code}-service", f"{code}便民服务中心", OrgUnit.Kind.SERVICE_CENTRE, code)
        OrgUnit.objects.filter(pk=unit.pk).update(service_level=level)
        centres[code] = unit
    make_org_unit("320507-approval", "区行政审批局", OrgUnit.Kind.AGENCY, "320507")
    make_org_unit("320507003-social", "黄桥街道社会事业局", OrgUnit.Kind.AGENCY, "320507003", hq_gov)
    make_person("huangqiao_window", unit=centres["320507003"], role=Role.WINDOW_CLERK)
    return centres


def test_seed_approvals(
    personas: dict[str, Any], units: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    counts = seed_approvals(now=NOW, system=personas["system"])

    assert counts["items"] == ServiceItem.objects.count() >= 250
    assert set(ServiceItem.objects.values_list("item_type", flat=True)) == set(ItemType.values)
    assert set(ServiceItem.objects.values_list("service_level", flat=True)) == set(ServiceLevel.values)
    names = list(ServiceItem.objects.values_list("name", flat=True))
    assert "城乡居民基本养老保险参保登记（首次）" in names and "建设工程消防验收备案" in names
    assert len(set(names)) == len(names)

    report = build_report(OrgUnit.objects.all())
    lines = {c.code: c for c in report.centres}
    assert lines["320507003-service"].items >= 250 and not lines["320507003-service"].falls_short
    assert lines["320507105-service"].items >= 199 and not lines["320507105-service"].falls_short
    assert [c.code for c in report.centres_short] == ["320507004-service"]
    assert report.items_over_share == []  # the import refuses a promised limit over half the legal one
    station = lines["320507003201-vc"]
    assert 20 <= station.items <= 60

    applications = Application.objects.select_related("work_item")
    assert counts["applications"] == applications.count() >= 30
    states = {a.work_item.state for a in applications if a.work_item is not None}
    assert {
        "submitted",
        "intake_corrections",
        "reviewing",
        "review_corrections",
        "approved",
        "completed",
    } <= states
    assert {"refused", "not_accepted"} <= states
    assert {a.channel for a in applications} >= {"window", "online"}
    for online in applications.filter(channel="online"):
        # The demo resident uploaded every required material: received because a file came.
        required = [m["name"] for m in online.materials if m["required"]]
        assert sorted(a.material for a in online.attachments.all()) == sorted(required)
        assert all(m["received"] for m in online.materials if m["required"])
    assert WorkItem.objects.filter(process_name="approval_application").count() == applications.count()
    assert counts["approvers"] == 2

    again = seed_approvals(now=NOW, system=personas["system"])
    assert again == {"items": 0, "versions": 0, "authorisations": 0, "approvers": 0, "applications": 0}
    assert CentreAuthorisation.objects.count() == sum(c.items for c in report.centres)
