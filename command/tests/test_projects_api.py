"""/api/v1/command/projects/: scoped by jurisdiction (a town leader sees their town's projects, the
district dispatcher all, the outsider none and 404 on another town's), other roles refused, milestones
late or on time, linked items with their traffic light; and the register's shape checks (outline, point,
progress, territory) refuse bad input."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from audit.models import AuditEvent
from command.projects.actions import do_record_project_links, do_save_project
from command.projects.models import KeyProject, Milestone
from grid.tests.test_pages_support import NOW, act, report

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[120.55, 31.40], [120.56, 31.40], [120.56, 31.41], [120.55, 31.41], [120.55, 31.40]]],
}


@pytest.fixture
def wt_leader(personas: dict[str, User]) -> User:
    unit = OrgUnit.objects.get(code="320507105201-vc")
    return make_person("wt_leader", unit=unit, role=Role.LEADER, territory_code="320507105")


@pytest.fixture
def projects(personas: dict[str, User]) -> dict[str, KeyProject]:
    hq = KeyProject.objects.create(
        name="黄桥大道改造工程",
        owner_unit=OrgUnit.objects.get(code="320507003-gov"),
        territory_code="320507003",
        lon=120.555,
        lat=31.405,
        outline=SQUARE,
        progress=40,
    )
    opened = date(2026, 1, 9)
    Milestone.objects.create(project=hq, name="开工", planned_on=date(2026, 1, 10), actual_on=opened)
    Milestone.objects.create(project=hq, name="主体完工", planned_on=date(2026, 2, 28))
    Milestone.objects.create(project=hq, name="竣工验收", planned_on=date(2026, 6, 30))
    wt = KeyProject.objects.create(
        name="渭塘河整治", owner_unit=OrgUnit.objects.get(code="320507105201-vc"), territory_code="320507105"
    )
    return {"hq": hq, "wt": wt}


def get(user: User | None, path: str = "") -> Any:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api.get(f"/api/v1/command/projects/{path}")


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["name"] for p in response.json()]


def test_each_sees_the_projects_of_their_jurisdiction(
    personas: dict[str, User], wt_leader: User, projects: dict[str, KeyProject]
) -> None:
    assert names(get(personas["hq_leader"])) == ["黄桥大道改造工程"]
    assert names(get(wt_leader)) == ["渭塘河整治"]
    assert names(get(personas["dispatcher"])) == ["黄桥大道改造工程", "渭塘河整治"]


def test_the_outsider_gets_404_and_other_roles_are_refused(
    personas: dict[str, User], wt_leader: User, projects: dict[str, KeyProject]
) -> None:
    response = get(wt_leader, f"{projects['hq'].pk}/")
    assert response.status_code == 404 and "黄桥" not in response.content.decode()
    assert get(personas["hq_leader"], "999999/").status_code == 404
    for who in ("hq_grid", "hq_agency"):
        refused = get(personas[who])
        assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "not_allowed"
        assert get(personas[who], f"{projects['hq'].pk}/").status_code == 403
    assert get(None).status_code in (401, 403)


def test_detail_milestones_and_linked_items(
    personas: dict[str, User], reference: Any, projects: dict[str, KeyProject]
) -> None:
    event = report(personas)
    act(event, "file", personas, "dispatcher")
    assert event.work_item is not None
    projects["hq"].work_items.add(event.work_item)
    with time_machine.travel(NOW, tick=False):
        body = get(personas["hq_leader"], f"{projects['hq'].pk}/").json()
    assert body["outline"] == SQUARE and body["progress"] == 40
    assert body["owner_unit"] == "320507003-gov" and body["owner_unit_name"] == "黄桥街道党工委办事处"
    # 2026-03-02: the opening was early, the structure is overdue, acceptance is still ahead.
    assert [(m["name"], m["late"]) for m in body["milestones"]] == [
        ("开工", False),
        ("主体完工", True),
        ("竣工验收", False),
    ]
    assert [(i["id"], i["state"]) for i in body["work_items"]] == [(event.work_item.pk, "filed")]
    assert body["work_items"][0]["light"] in ("green", "yellow", "red", None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outline": {"type": "Point", "coordinates": [120.5, 31.4]}}, "outline"),
        ({"outline": {"type": "Polygon", "coordinates": [[[120.5, 31.4], [120.6, 31.4]]]}}, "outline"),
        ({"outline": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0.5]]]}}, "outline"),
        ({"lon": 120.5, "lat": None}, "lat"),
        ({"lat": 95.0, "lon": 120.5}, "lat"),
        ({"progress": 101}, "progress"),
        ({"territory_code": "3205"}, "territory_code"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_is_refused_beside_its_field(
    personas: dict[str, User], projects: dict[str, KeyProject], changes: dict[str, Any], field: str
) -> None:
    system = personas["system"]
    project = projects["hq"]
    for key, value in changes.items():
        setattr(project, key, value)
    audited = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        do_save_project(project, actor=system, now=NOW)
    assert field in raised.value.message_dict
    project.refresh_from_db()
    assert project.progress == 40 and project.outline == SQUARE  # nothing saved
    assert AuditEvent.objects.count() == audited


def test_saving_a_project_and_its_links_is_audited(
    personas: dict[str, User], projects: dict[str, KeyProject]
) -> None:
    project = projects["hq"]
    project.progress = 55
    do_save_project(project, actor=personas["system"], now=NOW)
    saved = AuditEvent.objects.filter(action="command.project_saved").get()
    assert saved.before["progress"] == 40 and saved.after["progress"] == 55  # type: ignore[index]
    do_record_project_links(project, actor=personas["system"], now=NOW)
    links = AuditEvent.objects.filter(action="command.project_links_saved").get()
    assert [m[0] for m in links.after["milestones"]] == ["开工", "主体完工", "竣工验收"]  # type: ignore[index]


def test_openapi_names_the_projects_endpoints(personas: dict[str, User]) -> None:
    api = APIClient()
    api.force_authenticate(personas["hq_leader"])
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/command/projects/" in schema["paths"]
    assert "/api/v1/command/projects/{project_id}/" in schema["paths"]
