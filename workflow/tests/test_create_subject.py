"""`POST /api/v1/work-items/` with a subject: the generic door links an item only to a row the caller may
see and that no item handles yet; a row elsewhere and a missing row answer the same 404, and nothing is
written on a refusal."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import OrgUnit, User
from workflow.models import WorkItem
from workflow.tests.conftest import GRID, URBAN

pytestmark = pytest.mark.django_db

WT_GRID = "320507105201001"  # 渭塘测试村第1网格 (wt_grid, the outsider)
BODY = {"process": "sample_complaint", "title": "占道经营投诉", "territory_code": GRID}


def post(user: User, body: dict[str, Any]) -> Any:
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/v1/work-items/", body, format="json")


def subject(unit: OrgUnit) -> dict[str, str]:
    return {"subject_type": "accounts.orgunit", "subject_id": str(unit.pk)}


def test_a_visible_subject_is_linked_once(personas: dict[str, Any]) -> None:
    urban = OrgUnit.objects.get(code=URBAN)
    created = post(personas["dispatcher"], {**BODY, **subject(urban)})
    assert created.status_code == 201, created.json()
    assert (created.json()["subject_type"], created.json()["subject_id"]) == (
        "accounts.orgunit",
        str(urban.pk),
    )
    again = post(personas["dispatcher"], {**BODY, "title": "再发一件", **subject(urban)})
    assert again.status_code == 409
    assert again.json()["errors"][0] == {
        "code": "subject_taken",
        "message": "该对象已有办件，不能再发起。",
        "field": "subject_id",
    }
    assert WorkItem.objects.count() == 1


def test_no_subject_is_still_allowed(personas: dict[str, Any]) -> None:
    created = post(personas["hq_grid"], BODY)
    assert created.status_code == 201
    assert (created.json()["subject_type"], created.json()["subject_id"]) == ("", "")


def test_outsider_cannot_tell_a_subject_elsewhere_from_a_missing_one(personas: dict[str, Any]) -> None:
    outsider = personas["wt_grid"]
    huangqiao = OrgUnit.objects.get(code=URBAN)
    own = {**BODY, "territory_code": WT_GRID}
    elsewhere = post(outsider, {**own, **subject(huangqiao)})
    missing = post(outsider, {**own, "subject_type": "accounts.orgunit", "subject_id": "987654"})
    garbage = post(outsider, {**own, "subject_type": "accounts.orgunit", "subject_id": "E-1"})
    assert elsewhere.status_code == missing.status_code == garbage.status_code == 404
    assert elsewhere.json() == missing.json() == garbage.json()
    assert elsewhere.json()["errors"][0]["field"] == "subject_id"
    assert not WorkItem.objects.exists()


def test_a_grid_worker_may_not_name_a_row_of_the_district(personas: dict[str, Any]) -> None:
    # The district's command centre lies outside a grid worker's grid, in the worker's own town or not.
    centre = OrgUnit.objects.get(code="320507-command")
    refused = post(personas["hq_grid"], {**BODY, **subject(centre)})
    assert refused.status_code == 404 and not WorkItem.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"subject_type": "grid.event", "subject_id": "1"}, "subject_type", "invalid"),
        ({"subject_type": "nonsense", "subject_id": "1"}, "subject_type", "invalid"),
        ({"subject_type": "workflow.transition", "subject_id": "1"}, "subject_type", "invalid"),
        ({"subject_type": "accounts.orgunit"}, "subject_id", "required"),
        ({"subject_id": "1"}, "subject_type", "required"),
    ],
)
def test_bad_subject_is_400_with_the_field(
    personas: dict[str, Any], extra: dict[str, str], field: str, code: str
) -> None:
    refused = post(personas["dispatcher"], {**BODY, **extra})
    assert refused.status_code == 400, refused.json()
    assert (refused.json()["errors"][0]["field"], refused.json()["errors"][0]["code"]) == (field, code)
    assert not WorkItem.objects.exists()
