"""The entity page's (一企一档) enforcement sections: the cases against the entity as a legal-person party
(newest first, linked, with their state) and its published penalty decisions (linked to the public
list); a case or decision of another town (outside the viewer's jurisdiction) or against somebody else
is not listed; the outsider town does not open the page; the queries do not grow with the rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import OrgUnit
from enforcement.actions import do_open_case
from enforcement.cases.publication import do_publish_decision
from enforcement.models import Case
from enforcement.tests.test_case_flow import ORDINARY, at
from enforcement.tests.test_documents_support import make_case
from registry import actions as registry
from registry.models import Entity
from registry.testing import entity_page_section, synthetic_uscc

pytestmark = pytest.mark.django_db
HQ_GRID, WT_GRID = "320507003201001", "320507105201001"


@pytest.fixture
def entity(people: dict[str, Any]) -> Entity:
    return registry.do_register_entity(
        uscc_code=synthetic_uscc("320507", 601),
        name="苏州某商贸有限公司",
        legal_representative="周大福",
        industry_code="F5212",
        size="small",
        territory_code=HQ_GRID,
        actor=people["system"],
        now=at(3, 1),
    )


def open_against(entity: Entity, people: dict[str, Any], day: int, *, town: str = "hq") -> Case:
    data = {
        **ORDINARY,
        "party_kind": "legal",
        "party_name": entity.name,
        "party_number": "",
        "party_credit_code": entity.uscc,
    }
    if town == "wt":
        data |= {"territory_code": WT_GRID, "officers": ["wt_officer"]}
    actor = people["wt_officer"] if town == "wt" else people["hq_officer2"]
    return do_open_case(data, actor=actor, now=at(3, day))


def published_against(entity: Entity, people: dict[str, Any], n: int, *, town: str = "hq") -> Case:
    squad = OrgUnit.objects.get(code="320507105-squad1" if town == "wt" else "320507003-squad1")
    officer = people["wt_officer"] if town == "wt" else people["hq_officer"]
    case = make_case(
        {"officer": officer, "colleague": people["hq_officer3"], "squad": squad},
        now=at(3, 3),
        natural=False,
        credit_code=entity.uscc,
        town_code="320507105" if town == "wt" else "320507003",
        territory_code=WT_GRID if town == "wt" else HQ_GRID,
        number=f"综执立〔2026〕{n}号",
        decision_number=f"相综执罚决字〔2026〕第{n:04d}号",
        decided_at=at(3, 3),
        fine_amount=Decimal("100"),
        penalty_summary="罚款人民币100元",
        decision_basis="《城市市容和环境卫生管理条例》第三十六条",
    )
    do_publish_decision(case, actor=officer, now=at(3, 4))
    return case


def page(user: Any, entity: Entity, language: str = "zh-hans") -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with time_machine.travel(at(3, 5), tick=False):
        response = client.get(f"/registry/entities/{entity.pk}/")
    return response.status_code, response.content.decode()


def test_the_entity_page_lists_its_cases_and_published_decisions(
    people: dict[str, Any], entity: Entity
) -> None:
    first = open_against(entity, people, 2)
    second = open_against(entity, people, 3)
    elsewhere = open_against(entity, people, 3, town="wt")
    somebody = do_open_case(dict(ORDINARY), actor=people["hq_officer2"], now=at(3, 3))
    decided = published_against(entity, people, 11)
    published_against(entity, people, 12, town="wt")
    status, html = page(people["hq_squad_leader"], entity)
    assert status == 200
    cases = entity_page_section(html, "enforcement_cases")
    assert cases is not None and "执法案件" in cases
    rows = cases.split("<li>")[1:]
    assert len(rows) == 3  # the two opened and the decided one, all in 黄桥
    assert f'href="/enforcement/cases/{decided.pk}/"' in rows[0]  # made on 3 March, the newest
    assert f'href="/enforcement/cases/{second.pk}/">（未立案） 违法建设（在建）</a> · 线索核查' in rows[1]
    assert f'href="/enforcement/cases/{first.pk}/"' in rows[2]
    assert (
        f"/enforcement/cases/{elsewhere.pk}/" not in cases
        and f"/enforcement/cases/{somebody.pk}/" not in cases
    )
    decisions = entity_page_section(html, "enforcement_decisions")
    assert decisions is not None and "处罚决定公示" in decisions
    assert decisions.count("<li>") == 1 and "相综执罚决字〔2026〕第0011号" in decisions
    assert "/public/enforcement/decisions/?q=" in decisions and "第0012号" not in decisions
    assert page(people["wt_officer"], entity)[0] == 404
    english = page(people["hq_squad_leader"], entity, language="en")[1]
    assert "Enforcement cases" in english
    assert "Published penalty decisions" in english
    assert "(not filed)" in english
    assert "· Published ·" in english
    assert "执法案件" not in english
    assert "处罚决定公示" not in english
    assert "已公示" not in english


def test_the_page_queries_do_not_grow_with_the_cases(people: dict[str, Any], entity: Entity) -> None:
    open_against(entity, people, 2)
    published_against(entity, people, 21)
    client = Client()
    client.force_login(people["hq_leader"])
    with time_machine.travel(at(3, 5), tick=False):
        client.get(f"/registry/entities/{entity.pk}/")  # warm the per-process caches
        with CaptureQueriesContext(connection) as few:
            client.get(f"/registry/entities/{entity.pk}/")
    for day in (3, 4):
        open_against(entity, people, day)
    published_against(entity, people, 22)
    with time_machine.travel(at(3, 5), tick=False), CaptureQueriesContext(connection) as more:
        html = client.get(f"/registry/entities/{entity.pk}/").content.decode()
    assert (entity_page_section(html, "enforcement_cases") or "").count("<li>") == 5
    assert (entity_page_section(html, "enforcement_decisions") or "").count("<li>") == 2
    assert len(more) == len(few)
