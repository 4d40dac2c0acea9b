"""The member's phone client (/api/v1/party/my/visits/): this month's visits with the member's coverage
figures, and logging one through the phone page's action (party/visits.py): a problem becomes a grid
event with source 党员联户, a need a 代办需求. Refused: staff who are not party members (403), the member
of another town (404 for a visit, bad input for a household: never another town's data), bad input with
the field named and nothing written; a retried POST with the same Idempotency-Key logs one visit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AuditEvent
from grid.models import GridEvent
from party import selectors, visits
from party.actions import do_link_member
from party.models import Visit, VisitNeed
from party.tests.conftest import NOW, WT_GRID, enrol
from party.tests.test_visits import POINT, planned, png  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
OWN = "/api/v1/party/my/visits/"


@pytest.fixture(autouse=True)
def _clock(frozen: Any) -> None:
    """The API reads the clock: frozen at the fixtures' NOW (2 March 2026)."""


def as_user(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error(response: Any) -> tuple[int, str, str | None]:
    first = response.json()["errors"][0]
    return response.status_code, first["code"], first["field"]


def body(**extra: Any) -> dict[str, Any]:
    return {"lon": POINT[0], "lat": POINT[1], "note": "入户走访，老人身体好。", **extra}


def nothing_logged() -> bool:
    return not Visit.objects.filter(visited_at__isnull=False).exists() and not GridEvent.objects.exists()


@pytest.fixture
def wt_member(planned: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """A member of 渭塘 (the other town) with an account, linked to 渭塘's household, March planned."""
    system = planned["users"]["system"]
    user = User.objects.create_user(username="wt_member", password="x")
    member = enrol(planned, 9, grid=WT_GRID, branch="wt_branch", user_id=user.pk)
    do_link_member(member, household=planned["wt_household"], actor=system, now=NOW)
    plan = visits.do_plan_month(member, NOW.date(), actor=system, now=NOW)
    return {"user": user, "member": member, "plan": plan}


def test_in_the_openapi_document() -> None:
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = schema["paths"]["/api/v1/party/my/visits/"]
    assert {"get", "post"} <= set(operations)
    assert "multipart/form-data" in operations["post"]["requestBody"]["content"]
    assert any(p["name"] == "Idempotency-Key" for p in operations["post"]["parameters"])


def test_the_member_lists_this_months_visits(planned: dict[str, Any]) -> None:  # noqa: F811
    answer = as_user(planned["member_user"]).get(OWN)
    assert answer.status_code == 200
    data = answer.json()
    assert data["month"] == "2026-03-01"
    households = planned["households"]
    assert [(v["id"], v["household_id"], v["target"]) for v in data["visits"]] == [
        (planned["plan"][0].pk, households[0].pk, "户 HQ-0"),
        (planned["plan"][1].pk, households[1].pk, "户 HQ-1"),
    ]
    assert all(v["due_on"] == "2026-03-31" and not v["done"] and not v["overdue"] for v in data["visits"])
    assert (data["figures"]["links"], data["figures"]["done"], data["figures"]["problems_raised"]) == (
        2,
        0,
        0,
    )
    assert "户主甲" not in answer.content.decode()  # the household's number, never the resident's name


def test_an_earlier_months_open_visit_is_listed_as_overdue(planned: dict[str, Any], frozen: Any) -> None:  # noqa: F811
    frozen.move_to("2026-04-02T02:00:00Z")
    system = planned["users"]["system"]
    visits.do_plan_month(planned["member"], NOW.date().replace(month=4), actor=system, now=NOW)
    rows = as_user(planned["member_user"]).get(OWN).json()["visits"]
    assert [(v["month"], v["overdue"]) for v in rows] == [("2026-03-01", True)] * 2 + [
        ("2026-04-01", False)
    ] * 2


def test_the_member_logs_a_visit_with_photo_problem_and_need(planned: dict[str, Any]) -> None:  # noqa: F811
    leader = planned["users"]["hq_leader"]
    before = selectors.command_figures(leader, now=NOW)["visits"]
    household = planned["households"][0]
    logged = as_user(planned["member_user"]).post(
        OWN,
        body(
            household_id=household.pk,
            photo=png(),
            problem="楼道堆放杂物，堵塞消防通道。",
            category_code="0402",
            need="老人行动不便，需代办高龄津贴申领。",
        ),
        format="multipart",
    )
    assert logged.status_code == 201, logged.json()
    row = logged.json()
    visit = Visit.objects.get(pk=planned["plan"][0].pk)
    event = GridEvent.objects.get()
    assert (row["id"], row["done"], row["event_id"], row["needs_raised"]) == (visit.pk, True, event.pk, 1)
    assert event.channel == "party_link" and event.get_channel_display() == "党员联户"
    assert (
        visit.visited_at == NOW and (visit.lon, visit.lat) == POINT and str(visit.photo.name).endswith(".png")
    )
    assert VisitNeed.objects.get().visit == visit
    figures = as_user(planned["member_user"]).get(OWN).json()["figures"]
    assert (figures["done"], figures["households_reached"], figures["problems_raised"]) == (1, 1, 1)
    after = selectors.command_figures(leader, now=NOW)["visits"]
    assert (after["done"] - before["done"], after["problems_raised"] - before["problems_raised"]) == (1, 1)


def test_by_visit_id_and_by_linked_enterprise(planned: dict[str, Any]) -> None:  # noqa: F811
    system, member = planned["users"]["system"], planned["member"]
    do_link_member(member, entity=planned["entity"], actor=system, now=NOW)
    visits.do_plan_month(member, NOW.date(), actor=system, now=NOW)
    client = as_user(planned["member_user"])
    by_id = client.post(OWN, body(visit_id=planned["plan"][1].pk), format="json")
    assert by_id.status_code == 201 and by_id.json()["household_id"] == planned["households"][1].pk
    by_entity = client.post(OWN, body(entity_id=planned["entity"].pk), format="json")
    assert by_entity.status_code == 201
    assert (by_entity.json()["entity_id"], by_entity.json()["target"]) == (
        planned["entity"].pk,
        "黄桥精密机械有限公司",
    )
    assert Visit.objects.filter(visited_at=NOW).count() == 2


@pytest.mark.parametrize("persona", ["hq_grid", "hq_leader", "dispatcher", "hq_agency"])
def test_staff_who_are_not_members_are_refused(planned: dict[str, Any], persona: str) -> None:  # noqa: F811
    client = as_user(planned["users"][persona])
    assert error(client.get(OWN)) == (403, "not_allowed", None)
    refused = client.post(OWN, body(visit_id=planned["plan"][0].pk), format="json")
    assert error(refused) == (403, "not_allowed", None)
    assert APIClient().get(OWN).status_code in (401, 403)
    assert nothing_logged()


def test_the_member_of_another_town_sees_and_logs_none_of_these_visits(
    planned: dict[str, Any],  # noqa: F811
    wt_member: dict[str, Any],
) -> None:
    client = as_user(wt_member["user"])
    rows = client.get(OWN).json()["visits"]
    assert [v["id"] for v in rows] == [wt_member["plan"][0].pk]
    hq_visit, hq_household = planned["plan"][0], planned["households"][0]
    assert error(client.post(OWN, body(visit_id=hq_visit.pk), format="json")) == (
        404,
        "not_found",
        "visit_id",
    )
    by_household = client.post(OWN, body(household_id=hq_household.pk), format="json")
    assert error(by_household) == (400, "not_linked", "household_id")
    assert nothing_logged()
    # Nor does the 黄桥 member reach 渭塘's visit.
    own = as_user(planned["member_user"]).post(OWN, body(visit_id=wt_member["plan"][0].pk), format="json")
    assert error(own) == (404, "not_found", "visit_id")
    assert nothing_logged()


def test_bad_input_is_refused_with_its_field_and_nothing_logged(planned: dict[str, Any]) -> None:  # noqa: F811
    client = as_user(planned["member_user"])
    visit_id = planned["plan"][0].pk
    no_location = client.post(OWN, {"visit_id": visit_id, "note": "入户走访。"}, format="json")
    assert no_location.status_code == 400 and {e["field"] for e in no_location.json()["errors"]} == {
        "lon",
        "lat",
    }
    assert error(client.post(OWN, body(visit_id=visit_id, lon=200), format="json")) == (
        400,
        "invalid_lon",
        "lon",
    )
    not_an_image = SimpleUploadedFile("visit.png", b"%PDF-1.4 not a picture", content_type="image/png")
    assert error(client.post(OWN, body(visit_id=visit_id, photo=not_an_image), format="multipart")) == (
        400,
        "invalid_type",
        "photo",
    )
    unlinked = planned["households"][2]  # in the member's village, but not linked to this member
    assert error(client.post(OWN, body(household_id=unlinked.pk), format="json")) == (
        400,
        "not_linked",
        "household_id",
    )
    english = client.post(OWN, body(household_id=unlinked.pk), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["errors"][0]["message"] == "This household is not linked to you."
    assert error(client.post(OWN, body(household_id=999999), format="json")) == (
        400,
        "not_linked",
        "household_id",
    )
    assert error(client.post(OWN, body(), format="json")) == (400, "one_target_required", "visit_id")
    both = body(visit_id=visit_id, household_id=planned["households"][0].pk)
    assert error(client.post(OWN, both, format="json")) == (400, "one_target_required", "household_id")
    assert error(client.post(OWN, body(visit_id=visit_id, note=" "), format="json")) == (
        400,
        "required",
        "note",
    )
    problem = body(visit_id=visit_id, problem="路灯不亮。")
    assert error(client.post(OWN, problem, format="json")) == (400, "required", "category_code")
    assert nothing_logged() and not VisitNeed.objects.exists()


def test_a_retried_post_logs_one_visit(planned: dict[str, Any]) -> None:  # noqa: F811
    client = as_user(planned["member_user"])
    household = planned["households"][0]

    def send(key: str | None, **extra: Any) -> Any:
        data = body(
            household_id=household.pk, photo=png(), problem="路灯不亮。", category_code="0402", **extra
        )
        headers: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        return client.post(OWN, data, format="multipart", **headers)

    first = send("visit-7f3a")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = send("visit-7f3a")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert GridEvent.objects.count() == 1
    assert AuditEvent.objects.filter(action="party.visit_logged").count() == 1
    # The same key with another body is refused; a retry without a key meets the logged visit.
    assert error(send("visit-7f3a", need="需代办。"))[:2] == (422, "idempotency_key_reused")
    assert error(send(None)) == (409, "already_logged", "visit_id")
    assert Visit.objects.filter(visited_at__isnull=False).count() == 1 and GridEvent.objects.count() == 1


def desk_party_tiles(client: Client) -> dict[str, str]:
    """The values of the 党建引领 module's tiles on the desk page, as the leader reads them."""
    html = client.get("/command/").content.decode()
    module = html.split('data-module="party"', 1)[1]
    tiles = re.findall(r'data-figure="(party_\w+)">.*?<span class="cmd-value">([^<]*)', module, re.S)
    return {code: value.strip() for code, value in tiles}


def test_a_visit_logged_through_the_api_moves_the_desks_party_module(planned: dict[str, Any]) -> None:  # noqa: F811
    desk = Client()
    desk.force_login(planned["users"]["hq_leader"])
    before = desk_party_tiles(desk)
    assert (before["party_households_reached"], before["party_problems_raised"]) == ("0", "0")
    problem = {"problem": "楼道堆放杂物。", "category_code": "0402"}
    logged = as_user(planned["member_user"]).post(
        OWN, body(household_id=planned["households"][0].pk, **problem), format="json"
    )
    assert logged.status_code == 201
    after = desk_party_tiles(desk)
    assert (after["party_households_reached"], after["party_problems_raised"]) == ("1", "1")
    assert after["party_members"] == before["party_members"] == "1"


def test_the_list_reads_a_fixed_number_of_queries(planned: dict[str, Any]) -> None:  # noqa: F811
    client, system, member = as_user(planned["member_user"]), planned["users"]["system"], planned["member"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(OWN).status_code == 200
        return len(captured)

    queries()  # warms the caches a first request fills
    two = queries()
    do_link_member(member, household=planned["households"][2], actor=system, now=NOW)
    do_link_member(member, entity=planned["entity"], actor=system, now=NOW)
    visits.do_plan_month(member, NOW.date(), actor=system, now=NOW)
    assert len(client.get(OWN).json()["visits"]) == 4
    assert queries() == two


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"note": ""}, "note"),
        ({"note": "走访" * 501}, "note"),
        ({"problem": "井盖缺失"}, "category_code"),
        ({"photo": "not-an-image"}, "photo"),
    ],
)
def test_the_page_and_the_api_refuse_alike(
    planned: dict[str, Any],  # noqa: F811
    extra: dict[str, Any],
    field: str,
) -> None:
    """One rule path: the phone page and the API hand the same input to `do_log_visit` and show the same
    refusal (the API's message is the one the page shows at the field)."""
    visit_id = planned["plan"][0].pk

    def data() -> dict[str, Any]:
        if extra.get("photo") == "not-an-image":
            return body(photo=SimpleUploadedFile("visit.png", b"GIF89a broken", content_type="image/png"))
        return body(**extra)

    api = as_user(planned["member_user"]).post(OWN, {**data(), "visit_id": visit_id}, format="multipart")
    assert api.status_code == 400 and api.json()["errors"][0]["field"] == field
    message = api.json()["errors"][0]["message"]
    page = Client()
    page.force_login(planned["member_user"])
    answer = page.post(f"/party/m/visits/{visit_id}/", data())
    assert answer.status_code == 400 and escape(message) in answer.content.decode()
    assert nothing_logged()
