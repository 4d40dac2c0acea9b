"""The phone form proposing a household and the village's review list: the done-when flow through pages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from grid.models import RegistryChangeRequest
from registry.models import Household
from registry.testing import synthetic_id_number

pytestmark = pytest.mark.django_db

GRID = "320507003201001"
HEAD = synthetic_id_number("320507", date(1970, 2, 3), 21)
CHILD = synthetic_id_number("320507", date(2001, 2, 3), 22)


@pytest.fixture
def people(personas: dict[str, Any], reference: dict[str, int]) -> dict[str, User]:
    village = OrgUnit.objects.get(code="320507003201-vc")
    return {**personas, "hq_head": make_person("hq_head", unit=village, role=Role.GRID_HEAD)}


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(**extra: str) -> dict[str, str]:
    data = {
        "grid": GRID,
        "number": "HQ-200",
        "name_0": "林大山",
        "id_number_0": HEAD,
        "relation_0": "head",
        "kind_0": "registered",
        "name_1": "林小山",
        "id_number_1": CHILD,
        "relation_1": "child",
        "kind_1": "registered",
    }
    for i in range(2, 5):
        data.update({f"relation_{i}": "child", f"kind_{i}": "registered"})
    return {**data, **extra}


def test_worker_proposes_on_the_phone_and_the_village_approves(people: dict[str, User]) -> None:
    worker = as_user(people["hq_grid"])
    assert worker.get("/grid/m/households/new/").status_code == 200
    response = worker.post("/grid/m/households/new/", form())
    assert response.status_code == 302
    listing = worker.get("/grid/registry-changes/").content.decode()
    assert "林**" in listing and HEAD not in listing and "审核通过" not in listing
    change = RegistryChangeRequest.objects.get()
    head = as_user(people["hq_head"])
    assert "审核通过" in head.get("/grid/registry-changes/").content.decode()
    head.post(f"/grid/registry-changes/{change.pk}/review/", {"action": "approve"})
    assert Household.objects.get(number="HQ-200").members.count() == 2
    lists = worker.get(f"/grid/grids/{GRID}/lists/").content.decode()
    assert "<td>1</td>" in lists  # 户数 from the registries


def test_bad_id_two_heads_and_refusals(people: dict[str, User]) -> None:
    worker = as_user(people["hq_grid"])
    bad = worker.post(
        "/grid/m/households/new/", form(id_number_0=HEAD[:-1] + ("1" if HEAD[-1] != "1" else "2"))
    )
    assert bad.status_code == 200 and "身份证号码无效" in bad.content.decode()
    two = worker.post("/grid/m/households/new/", form(relation_1="head"))
    assert "有且只有一名户主" in two.content.decode()
    assert not RegistryChangeRequest.objects.exists()
    worker.post("/grid/m/households/new/", form())
    change = RegistryChangeRequest.objects.get()
    assert (
        worker.post(f"/grid/registry-changes/{change.pk}/review/", {"action": "approve"}).status_code == 403
    )
    assert as_user(people["hq_agency"]).get("/grid/m/households/new/").status_code == 403
    outsider = as_user(people["wt_grid"])
    assert "林**" not in outsider.get("/grid/registry-changes/").content.decode()
    assert outsider.post("/grid/m/households/new/", form()).status_code == 200  # their grid list lacks GRID
    assert RegistryChangeRequest.objects.count() == 1
    assert not Household.objects.exists()
