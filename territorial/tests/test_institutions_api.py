"""The institutions API: the town's office creates a post, fills it, moves it with its duties (the holder
goes with it) and records the yearly evaluation through the same actions as the pages; the refused role
(a town officer keeps no 三资 or institutions), the outsider from 渭塘 (404, nothing of 黄桥 listed), and bad
input refused in the one error envelope with nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import OrgUnit, User
from territorial import institutions
from territorial.models import InstitutionEvaluation, Post, PostHolding, PostMove
from territorial.tests.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
BASE = "/api/v1/territorial/institutions/"


def as_user(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def errors(response: Any) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in response.json()["errors"]]


def written() -> tuple[int, int, int, int]:
    return (
        Post.objects.count(),
        PostHolding.objects.count(),
        PostMove.objects.count(),
        InstitutionEvaluation.objects.count(),
    )


def test_documented_in_the_openapi_document() -> None:
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (
        "",
        "{unit_id}/",
        "{unit_id}/posts/",
        "{unit_id}/posts/{post_id}/holders/",
        "{unit_id}/posts/{post_id}/moves/",
        "{unit_id}/evaluations/",
        "{unit_id}/duties/",
        "{unit_id}/duties/{duty_id}/retire/",
    ):
        assert f"{BASE}{path}" in schema["paths"], path


def test_post_holder_move_and_evaluation(people: dict[str, Any], stations: dict[str, OrgUnit]) -> None:
    api = as_user(people["hq_agency"])
    animal, water = stations["animal"], stations["water"]
    created = api.post(f"{BASE}{animal.pk}/posts/", {"title": "动物检疫员", "category": "public_service"})
    assert created.status_code == 201, created.content
    post_id = created.json()["id"]
    assert created.json()["holder"] is None

    filled = api.post(
        f"{BASE}{animal.pk}/posts/{post_id}/holders/", {"holder_name": "王芳", "started_on": "2024-03-01"}
    )
    assert filled.status_code == 201 and filled.json()["holder"] == "王芳"
    second = api.post(
        f"{BASE}{animal.pk}/posts/{post_id}/holders/", {"holder_name": "赵强", "started_on": "2025-09-01"}
    )
    assert [(h["holder_name"], h["ended_on"]) for h in second.json()["holdings"]] == [
        ("王芳", "2025-09-01"),
        ("赵强", None),
    ]

    moved = api.post(
        f"{BASE}{animal.pk}/posts/{post_id}/moves/",
        {"to_unit": water.pk, "moved_on": "2026-05-01", "reason": "水产检疫职责划入水务站"},
        format="json",
    )
    assert moved.status_code == 201, moved.content
    body = moved.json()
    assert body["org_unit_id"] == water.pk and body["holder"] == "赵强"  # 人随编走
    assert [(m["from_unit"], m["to_unit"]) for m in body["moves"]] == [(animal.code, water.code)]

    evaluated = api.post(
        f"{BASE}{water.pk}/evaluations/",
        {"year": 2025, "grade": "good", "town_opinion": "完成年度任务", "sector_opinion": "业务规范"},
        format="json",
    )
    assert evaluated.status_code == 201 and evaluated.json()["grade"] == "good"

    listed = {row["code"]: row for row in api.get(BASE).json()}
    assert (listed[water.code]["posts"], listed[water.code]["filled"]) == (1, 1)
    assert listed[animal.code]["guiding_department"] == "区农业农村局" and listed[animal.code]["posts"] == 0
    assert stations["wt"].code not in listed
    detail = api.get(f"{BASE}{water.pk}/").json()
    assert [p["title"] for p in detail["post_list"]] == ["动物检疫员"]
    assert [(e["year"], e["grade"]) for e in detail["evaluations"]] == [(2025, "good")]
    # The same rows the pages' actions write.
    assert PostMove.objects.get().recorded_by == people["hq_agency"]
    assert as_user(people["hq_leader"]).get(f"{BASE}{water.pk}/").status_code == 200


def test_refused_role_and_outsider(people: dict[str, Any], stations: dict[str, OrgUnit]) -> None:
    animal, wt_school = stations["animal"], stations["wt"]
    post = institutions.do_create_post(
        animal, title="防疫员", category="other", actor=people["hq_agency"], now=NOW
    )
    before = written()
    officer = as_user(people["hq_officer"])  # a town role that keeps no 三资 or institutions
    assert officer.get(BASE).status_code == 403
    refused = officer.post(f"{BASE}{animal.pk}/posts/", {"title": "x", "category": "other"})
    assert refused.status_code == 403 and errors(refused)[0][0] == "not_allowed"

    outsider = as_user(people["wt_head"])  # 渭塘's village head
    assert outsider.get(BASE).json() == []
    assert outsider.get(f"{BASE}{animal.pk}/").status_code == 404
    for path, data in (
        (f"{BASE}{animal.pk}/posts/", {"title": "x", "category": "other"}),
        (f"{BASE}{animal.pk}/posts/{post.pk}/holders/", {"holder_name": "x", "started_on": "2026-01-01"}),
        (
            f"{BASE}{animal.pk}/evaluations/",
            {"year": 2025, "grade": "pass", "town_opinion": "x", "sector_opinion": "x"},
        ),
    ):
        assert outsider.post(path, data).status_code == 404, path
    # 黄桥's office cannot move a post into 渭塘's school, nor reach it.
    api = as_user(people["hq_agency"])
    into_other_town = api.post(
        f"{BASE}{animal.pk}/posts/{post.pk}/moves/",
        {"to_unit": wt_school.pk, "moved_on": "2026-05-01", "reason": "x"},
    )
    assert into_other_town.status_code == 404
    assert api.get(f"{BASE}{wt_school.pk}/").status_code == 404
    # A village's head is a 三资 keeper but no town office: institutions are not theirs.
    head = as_user(people["hq_head"])
    assert head.post(f"{BASE}{animal.pk}/posts/", {"title": "x", "category": "other"}).status_code == 404
    assert written() == before


def test_bad_input_is_refused_and_nothing_written(
    people: dict[str, Any], stations: dict[str, OrgUnit]
) -> None:
    animal, water = stations["animal"], stations["water"]
    api = as_user(people["hq_agency"])
    post = institutions.do_create_post(
        animal, title="防疫员", category="other", actor=people["hq_agency"], now=NOW
    )
    institutions.do_fill_post(
        post, holder_name="王芳", started_on=NOW.date(), actor=people["hq_agency"], now=NOW
    )
    institutions.do_record_evaluation(
        animal,
        year=2025,
        grade="pass",
        town_opinion="x",
        sector_opinion="y",
        actor=people["hq_agency"],
        now=NOW,
    )
    before = written()
    cases = [
        (f"{BASE}{animal.pk}/posts/", {"title": "", "category": "other"}, 400, ("required", "title")),
        (
            f"{BASE}{animal.pk}/posts/",
            {"title": "x", "category": "tenure"},
            400,
            ("invalid_choice", "category"),
        ),
        (
            f"{BASE}{animal.pk}/posts/{post.pk}/holders/",
            {"holder_name": "赵强", "started_on": "01/03/2026"},
            400,
            ("invalid_date", "started_on"),
        ),
        (  # not after the current holder's start
            f"{BASE}{animal.pk}/posts/{post.pk}/holders/",
            {"holder_name": "赵强", "started_on": "2026-01-01"},
            400,
            ("date_before_current", "started_on"),
        ),
        (
            f"{BASE}{animal.pk}/posts/999999/holders/",
            {"holder_name": "x", "started_on": "2026-07-01"},
            404,
            None,
        ),
        (
            f"{BASE}{water.pk}/posts/{post.pk}/holders/",
            {"holder_name": "x", "started_on": "2026-07-01"},
            404,
            None,
        ),
        (
            f"{BASE}{animal.pk}/posts/{post.pk}/moves/",
            {"to_unit": animal.pk, "moved_on": "2026-07-01", "reason": "x"},
            400,
            ("same_unit", "to_unit"),
        ),
        (
            f"{BASE}{animal.pk}/posts/{post.pk}/moves/",
            {"to_unit": "water", "moved_on": "2026-07-01", "reason": "x"},
            400,
            ("invalid_number", "to_unit"),
        ),
        (
            f"{BASE}{animal.pk}/posts/{post.pk}/moves/",
            {"to_unit": water.pk, "moved_on": "2026-07-01", "reason": ""},
            400,
            ("required", "reason"),
        ),
        (
            f"{BASE}{animal.pk}/evaluations/",
            {"year": 2025, "grade": "good", "town_opinion": "x", "sector_opinion": "y"},
            409,
            ("duplicate", "year"),
        ),
        (
            f"{BASE}{animal.pk}/evaluations/",
            {"year": 2031, "grade": "good", "town_opinion": "x", "sector_opinion": "y"},
            400,
            ("invalid_year", "year"),
        ),
        (
            f"{BASE}{animal.pk}/evaluations/",
            {"year": 2024, "grade": "top", "town_opinion": "x", "sector_opinion": "y"},
            400,
            ("invalid_choice", "grade"),
        ),
        (
            f"{BASE}{animal.pk}/evaluations/",
            {"year": 2024, "grade": "good", "town_opinion": "x", "sector_opinion": ""},
            400,
            ("required", "sector_opinion"),
        ),
    ]
    for path, data, status, error in cases:
        response = api.post(path, data, format="json")
        assert response.status_code == status, (path, data, response.content)
        if error:
            assert errors(response) == [error], (path, data)
    assert written() == before
    assert Post.objects.get().org_unit == animal and PostHolding.objects.get().holder_name == "王芳"
