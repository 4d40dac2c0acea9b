"""Town-managed institutions: posts (编制), the people in them, posts moving with their duties and their
holder with them (编随事走，人随编走), yearly evaluations with the sector's opinion; the page's refused role,
the outsider and bad input (nothing written)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from accounts.models import OrgUnit, User
from core.errors import DomainError
from territorial import institutions
from territorial.models import InstitutionEvaluation, Post, PostHolding, PostMove
from territorial.tests.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_post_holder_moves_with_the_post(people: dict[str, Any], stations: dict[str, OrgUnit]) -> None:
    agency = people["hq_agency"]
    post = institutions.do_create_post(
        stations["animal"], title="动物检疫员", category="public_service", actor=agency, now=NOW
    )
    institutions.do_fill_post(post, holder_name="王检疫", started_on=date(2024, 3, 1), actor=agency, now=NOW)
    institutions.do_fill_post(post, holder_name="李检疫", started_on=date(2025, 9, 1), actor=agency, now=NOW)
    assert list(post.holdings.values_list("holder_name", "ended_on")) == [
        ("王检疫", date(2025, 9, 1)),
        ("李检疫", None),
    ]
    with pytest.raises(DomainError) as earlier:
        institutions.do_fill_post(post, holder_name="赵", started_on=date(2025, 1, 1), actor=agency, now=NOW)
    assert earlier.value.code == "date_before_current"
    institutions.do_move_post(
        post,
        to_unit=stations["water"],
        moved_on=date(2026, 6, 1),
        reason="检疫职责划入水务站",
        actor=agency,
        now=NOW,
    )
    post.refresh_from_db()
    assert post.org_unit == stations["water"]
    assert PostHolding.objects.get(ended_on__isnull=True).holder_name == "李检疫"  # 人随编走
    with pytest.raises(DomainError) as outside:
        institutions.do_move_post(
            post, to_unit=stations["wt"], moved_on=date(2026, 6, 2), reason="x", actor=agency, now=NOW
        )
    assert outside.value.status == 404
    with pytest.raises(DomainError) as village:
        institutions.do_create_post(
            stations["animal"], title="x", category="other", actor=people["hq_head"], now=NOW
        )
    assert village.value.status == 404  # a village's jurisdiction does not cover the town's stations


def test_institution_pages(people: dict[str, Any], stations: dict[str, OrgUnit]) -> None:
    agency = as_user(people["hq_agency"])
    listing = agency.get("/territorial/institutions/").content.decode()
    assert "黄桥街道动物防疫站" in listing and "区农业农村局" in listing and "渭塘中心小学" not in listing
    url = f"/territorial/institutions/{stations['animal'].pk}/"
    assert (
        agency.post(f"{url}post/", {"title": "动物检疫员", "category": "public_service"}).status_code == 302
    )
    post = Post.objects.get()
    assert (
        agency.post(
            f"{url}fill/", {"post": post.pk, "holder_name": "王检疫", "started_on": "2024-03-01"}
        ).status_code
        == 302
    )
    moved = agency.post(
        f"{url}move/",
        {"post": post.pk, "to_unit": stations["water"].pk, "moved_on": "2026-06-01", "reason": "职责调整"},
    )
    assert moved.status_code == 302 and PostMove.objects.count() == 1
    evaluation = {
        "year": "2025",
        "grade": "good",
        "town_opinion": "完成年度防疫任务",
        "sector_opinion": "同意",
    }
    water = f"/territorial/institutions/{stations['water'].pk}/"
    assert agency.post(f"{water}evaluation/", evaluation).status_code == 302
    page = agency.get(water).content.decode()
    assert "王检疫" in page and "职责调整" in page and "完成年度防疫任务" in page
    again = agency.post(f"{water}evaluation/", evaluation)
    assert again.status_code == 409 and "该机构本年度已考核。" in again.content.decode()
    blank = agency.post(f"{water}evaluation/", {**evaluation, "year": "2024", "sector_opinion": " "})
    assert blank.status_code == 400
    future = agency.post(f"{water}evaluation/", {**evaluation, "year": "2031"})
    assert future.status_code == 400 and "考核年度无效。" in future.content.decode()
    assert InstitutionEvaluation.objects.count() == 1
    outsider = as_user(people["wt_head"])
    assert outsider.get(water).status_code == 404
    assert outsider.post(f"{water}post/", {"title": "x", "category": "other"}).status_code == 404
    assert as_user(people["hq_officer"]).get("/territorial/institutions/").status_code == 403
    assert Post.objects.count() == 1
