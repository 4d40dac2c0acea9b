"""The ranking page, an officer's entries, the compute button and the late-publication list: roles,
the outsider, bad input, no query per row."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from enforcement.models import Publication
from enforcement.tests.test_documents_support import make_case
from evaluation.actions import do_compute_points
from evaluation.testing import build_hand_example, local


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def computed(people: dict[str, Any]) -> None:
    build_hand_example(people)
    do_compute_points("2026-11", actor=people["leader"], now=local(28, 12))


def test_ranking_page(computed: None, people: dict[str, Any], personas: dict[str, Any]) -> None:
    html = login(personas["dispatcher"]).get("/evaluation/", {"period": "2026-11"}).content.decode()
    assert html.index("张三") < html.index("王队长") < html.index("李四")
    assert 'data-points="8"' in html and 'data-points="-4"' in html
    assert "渭塘队员" in html
    assert login(personas["hq_grid"]).get("/evaluation/", {"period": "2026-11"}).status_code == 403
    assert (
        login(people["wt_officer"])
        .get("/evaluation/", {"period": "2026-11", "town": "320507003"})
        .status_code
        == 404
    )
    assert login(personas["dispatcher"]).get("/evaluation/", {"period": "bad"}).status_code == 400
    assert Client().get("/evaluation/").status_code == 302


def test_ranking_page_queries_do_not_grow_with_officers(computed: None, personas: dict[str, Any]) -> None:
    client = login(personas["dispatcher"])
    with CaptureQueriesContext(connection) as first:
        client.get("/evaluation/", {"period": "2026-11"})
    from accounts.models import OrgUnit, Role
    from accounts.testing import make_person
    from enforcement.models import OfficerPost

    squad = OrgUnit.objects.get(code="320507003-squad1")
    for n in range(5):
        extra = make_person(f"extra{n}", unit=squad, role=Role.OFFICER)
        OfficerPost.objects.create(officer=extra, squad=squad, started_at=local(1))
    with CaptureQueriesContext(connection) as second:
        client.get("/evaluation/", {"period": "2026-11"})
    assert len(second) == len(first)


def test_officer_page_and_compute(computed: None, people: dict[str, Any], personas: dict[str, Any]) -> None:
    page = login(personas["dispatcher"]).get(
        f"/evaluation/officers/{people['colleague'].pk}/", {"period": "2026-11"}
    )
    assert page.status_code == 200 and "合计 -4 分" in page.content.decode()
    hidden = login(people["wt_officer"]).get(
        f"/evaluation/officers/{people['colleague'].pk}/", {"period": "2026-11"}
    )
    assert hidden.status_code == 404
    done = login(people["leader"]).post("/evaluation/compute/", {"period": "2026-11"})
    assert done.status_code == 302 and "period=2026-11" in done["Location"]
    assert login(people["officer"]).post("/evaluation/compute/", {"period": "2026-11"}).status_code == 403


def test_late_publication_list(people: dict[str, Any], personas: dict[str, Any]) -> None:
    case = make_case(
        people,
        now=local(2),
        number="黄综执立〔2026〕7号",
        decision_number="相黄综执罚决字〔2026〕第0007号",
        decided_at=local(2),
    )
    Publication.objects.create(case=case, due_at=local(11, 17) - timedelta(days=30))
    html = login(personas["dispatcher"]).get("/evaluation/publications/late/").content.decode()
    assert "相黄综执罚决字〔2026〕第0007号" in html and "逾期未公示" in html
    assert (
        "第0007号" not in login(people["wt_officer"]).get("/evaluation/publications/late/").content.decode()
    )
    assert login(personas["hq_grid"]).get("/evaluation/publications/late/").status_code == 403
