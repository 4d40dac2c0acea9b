"""GET /api/v1/people/ and /api/v1/people/{username}/"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts import actions
from accounts.models import OrgUnit, Role, User
from accounts.tests.conftest import NOW, client_for

pytestmark = pytest.mark.django_db


def usernames(response: object) -> set[str]:
    return {p["username"] for p in response.json()["results"]}  # type: ignore[attr-defined]


def test_dispatcher_sees_everyone_with_an_assignment(personas: dict[str, User]) -> None:
    response = client_for(personas["dispatcher"]).get("/api/v1/people/")
    assert response.status_code == 200
    assert usernames(response) == {
        "dispatcher",
        "hq_leader",
        "hq_agency",
        "hq_agency_colleague",
        "hq_officer",
        "hq_grid",
        "wt_grid",
    }


def test_town_leader_sees_own_town_only(personas: dict[str, User]) -> None:
    response = client_for(personas["hq_leader"]).get("/api/v1/people/")
    assert usernames(response) == {"hq_leader", "hq_agency", "hq_agency_colleague", "hq_officer", "hq_grid"}


def test_only_visible_assignments_are_shown(personas: dict[str, User]) -> None:
    # hq_agency also gets a 渭塘 assignment: a 黄桥 viewer must not learn of it.
    wt_unit = OrgUnit.objects.get(code="320507105201-vc")
    actions.do_assign_role(
        user=personas["hq_agency"],
        org_unit=wt_unit,
        role=Role.AGENCY_STAFF,
        actor=personas["system"],
        now=NOW,
    )
    body = client_for(personas["hq_leader"]).get("/api/v1/people/hq_agency/").json()
    assert [a["org_unit"]["code"] for a in body["assignments"]] == ["320507003-urban"]


def test_person_detail(personas: dict[str, User]) -> None:
    response = client_for(personas["hq_leader"]).get("/api/v1/people/hq_grid/")
    assert response.status_code == 200
    assert response.json()["assignments"][0]["role_label"] == "网格员"


def test_outsider_gets_404_for_huangqiao_people(personas: dict[str, User]) -> None:
    client = client_for(personas["wt_grid"])
    assert usernames(client.get("/api/v1/people/")) == {"wt_grid"}
    response = client.get("/api/v1/people/hq_grid/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_unknown_person_404(personas: dict[str, User]) -> None:
    assert client_for(personas["dispatcher"]).get("/api/v1/people/nobody/").status_code == 404


def test_unauthenticated(api: APIClient, personas: dict[str, User]) -> None:
    assert api.get("/api/v1/people/").status_code == 401
    assert api.get("/api/v1/people/hq_grid/").status_code == 401


def test_pagination_and_filters(personas: dict[str, User]) -> None:
    client = client_for(personas["dispatcher"])
    response = client.get("/api/v1/people/?limit=2&offset=1")
    assert response.status_code == 200 and len(response.json()["results"]) == 2
    assert response.json()["count"] == 7
    assert usernames(client.get("/api/v1/people/?role=grid_worker")) == {"hq_grid", "wt_grid"}
    assert usernames(client.get("/api/v1/people/?org_unit=320507003-urban")) == {
        "hq_agency",
        "hq_agency_colleague",
    }
    assert usernames(client.get("/api/v1/people/?territory=320507105")) == {"wt_grid"}


@pytest.mark.parametrize(("query", "field"), [("role=king", "role"), ("territory=12", "territory")])
def test_bad_filter_is_400_with_field(personas: dict[str, User], query: str, field: str) -> None:
    response = client_for(personas["dispatcher"]).get(f"/api/v1/people/?{query}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_query_count_does_not_grow_with_rows(
    personas: dict[str, User], django_assert_max_num_queries: object
) -> None:
    client = client_for(personas["dispatcher"])
    specs = [
        actions.StaffSpec(f"extra{i}", "x", "320507003201-vc", Role.GRID_WORKER, "320507003201001")
        for i in range(20)
    ]
    actions.do_bulk_create_staff(specs, actor=personas["system"], now=NOW)
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        assert client.get("/api/v1/people/").status_code == 200
