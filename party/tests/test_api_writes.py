"""The party write API (/api/v1/party/…): each endpoint's happy path, the refused role (a grid worker),
the outsider from another town (404, nothing written) and bad input (the error envelope with its field)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from audit.models import AuditEvent
from grid.tests.test_pages_support import png_bytes
from party.models import Attendance, Meeting, MemberLink, Organisation, Pairing, PartyMember, Visit
from party.tests.conftest import HQ_GRID, NOW, enrol, register

pytestmark = pytest.mark.django_db


def as_user(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error(response: Any) -> tuple[int, str, str | None]:
    first = response.json()["errors"][0]
    return response.status_code, first["code"], first["field"]


def test_write_endpoints_in_the_openapi_document() -> None:
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/party/organisations/"]
    assert "post" in paths["/api/v1/party/members/"]
    for path in (
        "/api/v1/party/organisations/{org_id}/secretary/",
        "/api/v1/party/pairings/",
        "/api/v1/party/members/{member_id}/links/",
        "/api/v1/party/members/{member_id}/visit-plans/",
        "/api/v1/party/meetings/",
        "/api/v1/party/meetings/{meeting_id}/attendance/",
        "/api/v1/party/meetings/{meeting_id}/record/",
    ):
        assert "post" in paths[path], path
    assert "get" in paths["/api/v1/party/meetings/completeness/"]


def test_create_organisation(party_world: dict[str, Any], frozen: Any) -> None:
    users = party_world["users"]
    body = {
        "name": "第一党小组",
        "kind": "group",
        "territory_code": HQ_GRID,
        "parent_id": party_world["hq_branch"].pk,
    }
    assert error(as_user(users["hq_agency"]).post("/api/v1/party/organisations/", body, format="json"))[
        :2
    ] == (
        403,
        "not_allowed",
    )
    assert (
        as_user(users["wt_leader"]).post("/api/v1/party/organisations/", body, format="json").status_code
        == 404
    )
    bad = as_user(users["hq_leader"]).post(
        "/api/v1/party/organisations/", {**body, "kind": "club"}, format="json"
    )
    assert error(bad) == (400, "invalid_choice", "kind")
    action = {**body, "kind": "action_branch", "name": "产业行动支部"}
    assert error(as_user(users["hq_leader"]).post("/api/v1/party/organisations/", action, format="json")) == (
        400,
        "action_type_required",
        "action_type",
    )
    missing = as_user(users["hq_leader"]).post(
        "/api/v1/party/organisations/", {"kind": "group"}, format="json"
    )
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "name"
    assert not Organisation.objects.filter(name__in=["第一党小组", "产业行动支部"]).exists()
    created = as_user(users["hq_leader"]).post("/api/v1/party/organisations/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["parent_id"] == party_world["hq_branch"].pk
    assert AuditEvent.objects.filter(
        action="party.organisation_created", subject_id=str(created.json()["id"])
    ).exists()


def test_set_secretary(party_world: dict[str, Any], frozen: Any) -> None:
    users = party_world["users"]
    member = enrol(party_world, 1, user_id=users["hq_sec"].pk)
    url = f"/api/v1/party/organisations/{party_world['hq_branch'].pk}/secretary/"
    assert as_user(users["hq_agency"]).post(url, {"member_id": member.pk}, format="json").status_code == 403
    assert as_user(users["wt_leader"]).post(url, {"member_id": member.pk}, format="json").status_code == 404
    assert error(as_user(users["hq_leader"]).post(url, {"member_id": 999999}, format="json")) == (
        404,
        "not_found",
        "member_id",
    )
    assert error(as_user(users["hq_leader"]).post(url, {}, format="json"))[0] == 400
    wt_member = enrol(party_world, 2, grid="320507105201001", branch="wt_branch")
    other_town = as_user(users["hq_leader"]).post(url, {"member_id": wt_member.pk}, format="json")
    assert error(other_town) == (404, "not_found", "member_id")
    done = as_user(users["hq_leader"]).post(url, {"member_id": member.pk}, format="json")
    assert done.status_code == 200 and done.json()["secretary_id"] == member.pk
    cleared = as_user(users["hq_leader"]).post(url, {"member_id": None}, format="json")
    assert cleared.json()["secretary_id"] is None


def test_pairings(party_world: dict[str, Any], frozen: Any) -> None:
    users = party_world["users"]
    hq, wt = party_world["hq_branch"], party_world["wt_branch"]
    body = {"first_id": hq.pk, "second_id": wt.pk, "started_on": "2026-01-10", "activities": "联合开展党课"}
    assert as_user(users["hq_agency"]).post("/api/v1/party/pairings/", body, format="json").status_code == 403
    outsider = as_user(users["wt_leader"]).post("/api/v1/party/pairings/", body, format="json")
    assert error(outsider) == (404, "not_found", "first_id")
    self_pair = as_user(users["hq_leader"]).post(
        "/api/v1/party/pairings/", {**body, "second_id": hq.pk}, format="json"
    )
    assert error(self_pair) == (400, "pair_self", "second_id")
    bad_date = as_user(users["hq_leader"]).post(
        "/api/v1/party/pairings/", {**body, "started_on": "soon"}, format="json"
    )
    assert error(bad_date)[0] == 400 and error(bad_date)[2] == "started_on"
    assert not Pairing.objects.exists()
    created = as_user(users["hq_leader"]).post("/api/v1/party/pairings/", body, format="json")
    assert created.status_code == 201 and created.json()["second"] == "渭塘测试村党支部"
    again = as_user(users["hq_leader"]).post("/api/v1/party/pairings/", body, format="json")
    assert error(again)[:2] == (409, "already_paired")
    # Both towns see the pairing; a third party does not.
    assert len(as_user(users["wt_leader"]).get("/api/v1/party/pairings/").json()) == 1
    assert len(as_user(users["hq_leader"]).get("/api/v1/party/pairings/").json()) == 1
    assert as_user(users["hq_agency"]).get("/api/v1/party/pairings/").json() == [
        created.json()
    ]  # the town's agency staff read in the town


def test_enrol_member(party_world: dict[str, Any], frozen: Any) -> None:
    users = party_world["users"]
    person = register(11)
    body = {
        "person_id": person.pk,
        "organisation_id": party_world["hq_branch"].pk,
        "status": "probationary",
        "joined_on": "2025-07-01",
        "grid_code": HQ_GRID,
        "mobile": True,
    }
    assert as_user(users["hq_agency"]).post("/api/v1/party/members/", body, format="json").status_code == 403
    assert as_user(users["wt_leader"]).post("/api/v1/party/members/", body, format="json").status_code == 404
    bad = as_user(users["hq_leader"]).post(
        "/api/v1/party/members/", {**body, "status": "honorary"}, format="json"
    )
    assert error(bad) == (400, "invalid_choice", "status")
    future = as_user(users["hq_leader"]).post(
        "/api/v1/party/members/", {**body, "joined_on": "2027-01-01"}, format="json"
    )
    assert error(future) == (400, "joined_in_future", "joined_on")
    assert not PartyMember.objects.exists()
    created = as_user(users["hq_leader"]).post("/api/v1/party/members/", body, format="json")
    assert created.status_code == 201
    assert created.json()["name"] == "张**" and created.json()["mobile"] is True


def test_link_member(party_world: dict[str, Any], frozen: Any) -> None:
    users = party_world["users"]
    member = enrol(party_world, 1)
    url = f"/api/v1/party/members/{member.pk}/links/"
    household = party_world["households"][0]
    assert (
        as_user(users["hq_agency"]).post(url, {"household_id": household.pk}, format="json").status_code
        == 403
    )
    assert (
        as_user(users["wt_leader"]).post(url, {"household_id": household.pk}, format="json").status_code
        == 404
    )
    assert error(as_user(users["hq_leader"]).post(url, {}, format="json")) == (
        400,
        "one_target",
        "household_id",
    )
    assert error(as_user(users["hq_leader"]).post(url, {"household_id": 999999}, format="json")) == (
        404,
        "not_found",
        "household_id",
    )
    # A household outside the village of the member's grid: refused unless configured.
    # A district data steward sees both towns: the rule, not the jurisdiction, refuses.
    steward = make_person(
        "district_steward", unit=OrgUnit.objects.get(code="320507-command"), role=Role.DATA_STEWARD
    )
    outside = {"household_id": party_world["wt_household"].pk}
    assert error(as_user(steward).post(url, outside, format="json")) == (
        400,
        "outside_village",
        "household_id",
    )
    assert not MemberLink.objects.exists()
    with override_settings(PARTY_LINK_OUTSIDE_VILLAGE=True):
        assert as_user(steward).post(url, outside, format="json").status_code == 201
    created = as_user(users["hq_sec"]).post(url, {"household_id": household.pk}, format="json")
    assert created.status_code == 201 and created.json()["territory_code"] == HQ_GRID
    entity = as_user(users["hq_leader"]).post(url, {"entity_id": party_world["entity"].pk}, format="json")
    assert entity.status_code == 201
    listed = as_user(users["hq_leader"]).get(url).json()
    assert len(listed) == 3
    assert as_user(users["wt_leader"]).get(url).status_code == 404


def test_visit_plan(party_world: dict[str, Any], frozen: Any) -> None:
    users = party_world["users"]
    member = enrol(party_world, 1)
    for household in party_world["households"][:2]:
        as_user(users["hq_leader"]).post(
            f"/api/v1/party/members/{member.pk}/links/", {"household_id": household.pk}, format="json"
        )
    url = f"/api/v1/party/members/{member.pk}/visit-plans/"
    assert as_user(users["hq_agency"]).post(url, {"month": "2026-03-01"}, format="json").status_code == 403
    assert as_user(users["wt_leader"]).post(url, {"month": "2026-03-01"}, format="json").status_code == 404
    assert error(as_user(users["hq_leader"]).post(url, {"month": "March"}, format="json"))[::2] == (
        400,
        "month",
    )
    assert not Visit.objects.exists()
    planned = as_user(users["hq_leader"]).post(url, {"month": "2026-03-15"}, format="json")
    assert planned.status_code == 201
    assert [v["due_on"] for v in planned.json()] == ["2026-03-31", "2026-03-31"]
    # Planning twice adds nothing.
    assert len(as_user(users["hq_leader"]).post(url, {"month": "2026-03-02"}, format="json").json()) == 2
    assert Visit.objects.count() == 2
    # Read back: the month's visits; another month none; the outsider 404; a bad month 400.
    leader = as_user(users["hq_leader"])
    read = leader.get(url, {"month": "2026-03-20"})
    assert read.status_code == 200 and [v["visited_at"] for v in read.json()] == [None, None]
    assert leader.get(url, {"month": "2026-04-01"}).json() == []
    assert as_user(users["wt_leader"]).get(url, {"month": "2026-03-01"}).status_code == 404
    assert error(leader.get(url, {"month": "March"}))[::2] == (400, "month")
    assert error(leader.get(url))[::2] == (400, "month")


def test_meetings_schedule_sign_record(party_world: dict[str, Any], frozen: Any) -> None:
    users = party_world["users"]
    member_user = User.objects.create_user(username="hq_member", password=None)
    member = enrol(party_world, 1, user_id=member_user.pk)
    other = enrol(party_world, 2)
    when = (NOW + timedelta(hours=1)).isoformat()
    body = {
        "organisation_id": party_world["hq_branch"].pk,
        "kind": "lecture",
        "topic": "专题党课",
        "scheduled_for": when,
    }
    assert as_user(users["hq_agency"]).post("/api/v1/party/meetings/", body, format="json").status_code == 403
    outsider = as_user(users["wt_leader"]).post("/api/v1/party/meetings/", body, format="json")
    assert error(outsider) == (404, "not_found", "organisation_id")
    bad = as_user(users["hq_leader"]).post(
        "/api/v1/party/meetings/", {**body, "kind": "party"}, format="json"
    )
    assert error(bad) == (400, "invalid_choice", "kind")
    past = as_user(users["hq_leader"]).post(
        "/api/v1/party/meetings/", {**body, "scheduled_for": "2026-01-01T08:00:00Z"}, format="json"
    )
    assert error(past) == (400, "in_the_past", "scheduled_for")
    assert not Meeting.objects.exists()
    created = as_user(users["hq_leader"]).post("/api/v1/party/meetings/", body, format="json")
    assert created.status_code == 201
    meeting_id = created.json()["id"]
    sign = f"/api/v1/party/meetings/{meeting_id}/attendance/"
    # The member signs in themselves (no jurisdiction needed); an organiser signs for another member.
    assert as_user(member_user).post(sign, {"member_id": member.pk}, format="json").status_code == 201
    assert as_user(member_user).post(sign, {"member_id": other.pk}, format="json").status_code == 404
    assert as_user(users["wt_leader"]).post(sign, {"member_id": other.pk}, format="json").status_code == 404
    assert as_user(users["hq_leader"]).post(sign, {"member_id": other.pk}, format="json").status_code == 201
    assert error(as_user(users["hq_leader"]).post(sign, {"member_id": other.pk}, format="json"))[:2] == (
        409,
        "already_signed",
    )
    assert Attendance.objects.filter(meeting_id=meeting_id).count() == 2
    record = f"/api/v1/party/meetings/{meeting_id}/record/"
    assert error(as_user(users["hq_leader"]).post(record, {"minutes": "记录"}, format="json")) == (
        400,
        "not_yet_held",
        "meeting_id",
    )
    frozen.shift(timedelta(hours=2))
    assert as_user(users["hq_agency"]).post(record, {"minutes": "记录"}, format="json").status_code == 403
    assert as_user(users["wt_leader"]).post(record, {"minutes": "记录"}, format="json").status_code == 404
    assert error(as_user(users["hq_leader"]).post(record, {"minutes": ""}, format="json"))[::2] == (
        400,
        "minutes",
    )
    photo = SimpleUploadedFile("m.png", png_bytes(8, 8), content_type="image/png")
    done = as_user(users["hq_leader"]).post(
        record, {"minutes": "学习了党章。", "photo": photo}, format="multipart"
    )
    assert done.status_code == 200, done.json()
    assert done.json()["has_photo"] is True and sorted(done.json()["attendance"]) == sorted(
        [member.pk, other.pk]
    )
    listed = as_user(users["hq_leader"]).get(
        "/api/v1/party/meetings/", {"organisation": party_world["hq_branch"].pk}
    )
    assert [m["id"] for m in listed.json()] == [meeting_id]
    assert as_user(users["wt_leader"]).get("/api/v1/party/meetings/").json() == []
    assert error(as_user(users["hq_leader"]).get("/api/v1/party/meetings/", {"organisation": "x"}))[::2] == (
        400,
        "organisation",
    )
    quarter = as_user(users["hq_leader"]).get("/api/v1/party/meetings/completeness/").json()
    row = next(r for r in quarter["rows"] if r["organisation_id"] == party_world["hq_branch"].pk)
    assert row["kinds"]["lecture"] == {"required": 1, "held": 1}
    assert [
        r["name"]
        for r in as_user(users["wt_leader"]).get("/api/v1/party/meetings/completeness/").json()["rows"]
    ] == ["渭塘测试村党支部"]
