"""The entity page's (一企一档) applications section: the entity's applications as a legal-person applicant,
newest first and linked, with their state; one taken at another town's centre (outside the viewer's
jurisdiction) or made by somebody else is not listed; a role that may not read applications does not
see the section; the outsider town does not open the page; the queries do not grow with the rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from approvals.actions import ApplicantInput, do_take_application
from approvals.models import Application
from approvals.testing import ID_NUMBER, LICENCE_CODE, PHONE
from core.testing_codes import credit_code
from registry import actions as registry
from registry.models import Entity
from registry.testing import entity_page_section

pytestmark = pytest.mark.django_db
HQ_GRID = "320507003201001"
COMPANY = credit_code(7001, department="9", category="1")
MATERIALS = ["营业执照", "经营场所平面图"]


@pytest.fixture
def entity(setup: dict[str, Any], now: datetime) -> Entity:
    return registry.do_register_entity(
        uscc_code=COMPANY,
        name="苏州黄桥小厨餐饮店",
        legal_representative="周大福",
        industry_code="H6210",
        size="micro",
        territory_code=HQ_GRID,
        actor=setup["system"],
        now=now,
    )


def apply(
    setup: dict[str, Any], now: datetime, *, clerk: str = "hq_clerk", natural: bool = False
) -> Application:
    applicant = (
        ApplicantInput(kind="natural", name="王秀英", number=ID_NUMBER, phone=PHONE)
        if natural
        else ApplicantInput(kind="legal", name="苏州黄桥小厨餐饮店", number=COMPANY.lower(), phone=PHONE)
    )
    centre = setup["hq_centre"] if clerk == "hq_clerk" else setup["wt_centre"]
    return do_take_application(
        actor=setup[clerk],
        now=now,
        decision="accept",
        item_code=LICENCE_CODE,
        centre=centre,
        applicant=applicant,
        materials=MATERIALS,
    )


def page(user: Any, entity: Entity, language: str = "zh-hans") -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/registry/entities/{entity.pk}/")
    return response.status_code, response.content.decode()


def test_the_entity_page_lists_its_applications(setup: dict[str, Any], now: datetime, entity: Entity) -> None:
    first = apply(setup, now)
    second = apply(setup, now + timedelta(hours=1))
    elsewhere = apply(setup, now, clerk="wt_clerk")  # at 渭塘's centre: outside 黄桥's jurisdiction
    somebody = apply(setup, now, natural=True)
    status, html = page(setup["hq_clerk"], entity)
    section = entity_page_section(html, "applications")
    assert status == 200 and section is not None and "审批办件" in section
    rows = section.split("<li>")[1:]
    assert len(rows) == 2
    assert (
        f'href="/approvals/applications/{second.pk}/">{second.receipt_no} 食品经营许可（小餐饮）' in rows[0]
    )
    assert f'href="/approvals/applications/{first.pk}/"' in rows[1] and "审查" in rows[1]
    assert elsewhere.receipt_no not in section and somebody.receipt_no not in section
    english = page(setup["hq_clerk"], entity, language="en")[1]
    assert "Approval cases" in english
    assert "审批办件" not in english


def test_roles_that_may_not_read_applications_and_the_outsider(
    setup: dict[str, Any], now: datetime, entity: Entity
) -> None:
    apply(setup, now)
    # 黄桥's agency staff may open the entity page (its registry level) but not applications.
    status, html = page(setup["hq_agency"], entity)
    assert status == 200 and entity_page_section(html, "applications") is None
    assert entity_page_section(page(setup["hq_leader"], entity)[1], "applications") is not None
    assert page(setup["wt_clerk"], entity)[0] == 404


def test_the_page_queries_do_not_grow_with_the_applications(
    setup: dict[str, Any], now: datetime, entity: Entity
) -> None:
    client = Client()
    client.force_login(setup["hq_clerk"])
    apply(setup, now)
    client.get(f"/registry/entities/{entity.pk}/")  # warm the per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(f"/registry/entities/{entity.pk}/")
    for n in range(3):
        apply(setup, now + timedelta(minutes=n + 1))
    with CaptureQueriesContext(connection) as four:
        html = client.get(f"/registry/entities/{entity.pk}/").content.decode()
    assert (entity_page_section(html, "applications") or "").count("<li>") == 4
    assert len(four) == len(one)
