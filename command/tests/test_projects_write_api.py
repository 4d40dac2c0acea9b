"""Writing the key-project register through /api/v1/command/projects/: a town leader and the centre's
dispatcher create, update and set milestones inside their jurisdiction (audited); the supervisor, the
grid worker and the anonymous caller are refused; the outsider cannot see, change or create in another
town; bad input is refused beside its field and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from audit.models import AuditEvent
from command.projects.models import KeyProject, Milestone
from command.tests import test_projects_api as reads
from grid.tests.test_pages_support import NOW

pytestmark = pytest.mark.django_db
BASE = "/api/v1/command/projects/"
projects, wt_leader = reads.projects, reads.wt_leader  # fixtures
SQUARE = reads.SQUARE
NEW = {"name": "黄桥菜场改造", "owner_unit": "320507003-gov", "territory_code": "320507003201"}


def call(user: User | None, method: str, path: str = "", body: Any = None) -> Any:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    with time_machine.travel(NOW, tick=False):
        return getattr(api, method)(f"{BASE}{path}", body, format="json")


def error(response: Any) -> tuple[int, str, str | None]:
    first = response.json()["errors"][0]
    return response.status_code, first["code"], first["field"]


@pytest.fixture
def supervisor(personas: dict[str, User]) -> User:
    centre = OrgUnit.objects.get(code="320507-command")
    return make_person("supervisor", unit=centre, role=Role.SUPERVISOR)


def test_leader_creates_updates_and_sets_milestones(personas: dict[str, User]) -> None:
    leader = personas["hq_leader"]
    created = call(leader, "post", body={**NEW, "lon": 120.555, "lat": 31.405, "outline": SQUARE})
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["name"], data["owner_unit"], data["progress"], data["milestones"]) == (
        "黄桥菜场改造",
        "320507003-gov",
        0,
        [],
    )
    pk = data["id"]
    updated = call(leader, "patch", f"{pk}/", {"progress": 35, "description": "一期"})
    assert updated.status_code == 200 and updated.json()["progress"] == 35
    assert updated.json()["name"] == "黄桥菜场改造"  # untouched fields stay
    rows = [
        {"name": "开工", "planned_on": "2026-01-10", "actual_on": "2026-01-09"},
        {"name": "竣工", "planned_on": "2026-06-30"},
    ]
    set_ = call(leader, "put", f"{pk}/milestones/", {"milestones": rows})
    assert set_.status_code == 200, set_.content
    assert [(m["name"], m["late"]) for m in set_.json()["milestones"]] == [("开工", False), ("竣工", False)]
    again = call(leader, "put", f"{pk}/milestones/", {"milestones": rows[1:]})
    assert [m["name"] for m in again.json()["milestones"]] == ["竣工"]  # replaced, not appended
    actions = list(
        AuditEvent.objects.filter(subject_id=str(pk)).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "command.project_saved",
        "command.project_saved",
        "command.project_links_saved",
        "command.project_links_saved",
    ]
    # The district dispatcher may write in any town of the district.
    other = call(personas["dispatcher"], "post", body={**NEW, "territory_code": "320507105"})
    assert other.status_code == 201, other.content


def test_roles_that_may_not_write_are_refused(
    personas: dict[str, User], supervisor: User, projects: dict[str, KeyProject]
) -> None:
    pk = projects["hq"].pk
    before = KeyProject.objects.count()
    for user in (supervisor, personas["hq_grid"]):
        assert error(call(user, "post", body=NEW))[:2] == (403, "not_allowed")
        assert call(user, "patch", f"{pk}/", {"progress": 1}).status_code in (403, 404)
        assert call(user, "put", f"{pk}/milestones/", {"milestones": []}).status_code in (403, 404)
    assert call(supervisor, "get", f"{pk}/").status_code == 200  # the supervisor still reads
    assert call(None, "post", body=NEW).status_code in (401, 403)
    assert KeyProject.objects.count() == before
    assert KeyProject.objects.get(pk=pk).progress == 40
    assert Milestone.objects.filter(project_id=pk).count() == 3


def test_the_outsider_cannot_touch_another_town(wt_leader: User, projects: dict[str, KeyProject]) -> None:
    hq = projects["hq"]
    assert call(wt_leader, "patch", f"{hq.pk}/", {"progress": 99}).status_code == 404
    assert call(wt_leader, "put", f"{hq.pk}/milestones/", {"milestones": []}).status_code == 404
    assert error(call(wt_leader, "post", body=NEW)) == (403, "not_allowed", "territory_code")
    moved = call(wt_leader, "patch", f"{projects['wt'].pk}/", {"territory_code": "320507003"})
    assert error(moved) == (403, "not_allowed", "territory_code")
    foreign_unit = {**NEW, "territory_code": "320507105", "owner_unit": "320507003-gov"}
    assert error(call(wt_leader, "post", body=foreign_unit)) == (400, "unknown_unit", "owner_unit")
    hq.refresh_from_db()
    assert hq.progress == 40 and hq.milestones.count() == 3
    assert KeyProject.objects.get(pk=projects["wt"].pk).territory_code == "320507105"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"owner_unit": "320507003-gov", "territory_code": "320507003"}, "name"),
        ({**NEW, "progress": 101}, "progress"),
        ({**NEW, "progress": "half"}, "progress"),
        ({**NEW, "lon": 120.5}, "lat"),
        ({**NEW, "outline": {"type": "Point", "coordinates": [120.5, 31.4]}}, "outline"),
        ({**NEW, "territory_code": "32050700"}, "territory_code"),
        ({**NEW, "owner_unit": "no-such-unit"}, "owner_unit"),
        ({**NEW, "updated_at": "2026-01-01"}, "updated_at"),
    ],
)
def test_bad_project_input_is_refused_beside_its_field(
    personas: dict[str, User], body: dict[str, Any], field: str
) -> None:
    response = call(personas["hq_leader"], "post", body=body)
    status, _code, got = error(response)
    assert status in (400, 403) and got == field, response.content
    assert not KeyProject.objects.exists()


@pytest.mark.parametrize(
    ("milestones", "field"),
    [
        ([{"name": "", "planned_on": "2026-01-10"}], "milestones[0].name"),
        ([{"name": "开工"}], "milestones[0].planned_on"),
        ([{"name": "开工", "planned_on": "2026-13-01"}], "milestones[0].planned_on"),
        (
            [
                {"name": "开工", "planned_on": "2026-01-10"},
                {"name": "验收", "planned_on": "2026-05-01", "actual_on": "2027-01-01"},
            ],
            "milestones[1].actual_on",
        ),
        ([{"name": "开工", "planned_on": "2026-01-10", "owner": "x"}], "milestones[0]"),
        ("开工", "milestones"),
    ],
)
def test_bad_milestones_are_refused_and_nothing_changes(
    personas: dict[str, User], projects: dict[str, KeyProject], milestones: Any, field: str
) -> None:
    hq = projects["hq"]
    response = call(personas["hq_leader"], "put", f"{hq.pk}/milestones/", {"milestones": milestones})
    assert response.status_code == 400 and error(response)[2] == field, response.content
    assert list(hq.milestones.values_list("name", flat=True)) == ["开工", "主体完工", "竣工验收"]
    missing = call(personas["hq_leader"], "put", f"{hq.pk}/milestones/", {"rows": []})
    assert error(missing)[0] == 400


def test_the_write_endpoints_are_in_the_openapi_document(personas: dict[str, User]) -> None:
    api = APIClient()
    api.force_authenticate(personas["hq_leader"])
    schema = api.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/command/projects/"]
    assert "patch" in paths["/api/v1/command/projects/{project_id}/"]
    assert "put" in paths["/api/v1/command/projects/{project_id}/milestones/"]
