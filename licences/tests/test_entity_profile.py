"""The entity page's (一企一档) certificates section: the certificates the entity holds, newest first and
linked, with their status; a certificate issued outside the viewer's jurisdiction or to another holder
is not listed; the outsider town does not open the page; the page's queries do not grow with the rows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from licences.models import Certificate
from licences.tests.conftest import T0, WT_SERVICE_CREDIT, issue
from registry import actions as registry
from registry.models import Entity
from registry.testing import entity_page_section, synthetic_uscc

pytestmark = pytest.mark.django_db
HQ_GRID = "320507003201001"


@pytest.fixture
def entity(staff: dict[str, Any]) -> Entity:
    return registry.do_register_entity(
        uscc_code=synthetic_uscc("320507", 501),
        name="黄桥小厨餐饮店",
        legal_representative="周大福",
        industry_code="H6210",
        size="micro",
        territory_code=HQ_GRID,
        actor=staff["system"],
        now=T0,
    )


def held(staff: dict[str, Any], entity: Entity, title: str, **overrides: Any) -> Certificate:
    return issue(
        staff,
        holder_name=entity.name,
        holder_kind="legal",
        holder_number=entity.uscc,
        title=title,
        **overrides,
    )


def page(user: Any, entity: Entity, language: str = "zh-hans") -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/registry/entities/{entity.pk}/")
    return response.status_code, response.content.decode()


def test_the_entity_page_lists_its_certificates(staff: dict[str, Any], entity: Entity) -> None:
    first = held(staff, entity, "食品经营许可证", now=T0)
    second = held(staff, entity, "门头招牌设置许可", now=T0 + timedelta(days=1), valid_until=date(2026, 3, 5))
    # Issued in 渭塘 (outside the 黄桥 clerk's jurisdiction), and to somebody else: neither is listed.
    held(
        staff,
        entity,
        "渭塘发的证",
        actor="wt_clerk",
        issuer=staff["wt_service"],
        issuer_credit_code=WT_SERVICE_CREDIT,
    )
    issue(staff, title="别人的证")
    with time_machine.travel(T0 + timedelta(days=8), tick=False):
        status, html = page(staff["hq_clerk"], entity)
    section = entity_page_section(html, "licences")
    assert status == 200 and section is not None and "电子证照" in section
    assert section.index("门头招牌设置许可") < section.index("食品经营许可证")  # newest first
    assert f'href="/licences/certificates/{first.identifier}/"' in section
    assert f'href="/licences/certificates/{second.identifier}/"' in section
    assert "渭塘发的证" not in section and "别人的证" not in section
    rows = section.split("<li>")[1:]
    assert "门头招牌设置许可</a> · 已过期 · 2026-03-03" in rows[0]
    assert "食品经营许可证</a> · 有效 · 2026-03-02" in rows[1] and len(rows) == 2
    # 渭塘's clerk sees its own certificate only on a 渭塘 entity: this one does not open at all.
    assert page(staff["wt_clerk"], entity)[0] == 404
    english = page(staff["hq_clerk"], entity, language="en")[1]
    assert "Electronic certificates" in english
    assert "电子证照" not in english


def test_the_page_queries_do_not_grow_with_the_certificates(staff: dict[str, Any], entity: Entity) -> None:
    client = Client()
    client.force_login(staff["hq_clerk"])
    held(staff, entity, "证一")
    client.get(f"/registry/entities/{entity.pk}/")  # warm the per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(f"/registry/entities/{entity.pk}/")
    for n in range(3):
        held(staff, entity, f"证{n + 2}")
    with CaptureQueriesContext(connection) as four:
        html = client.get(f"/registry/entities/{entity.pk}/").content.decode()
    assert (entity_page_section(html, "licences") or "").count("<li>") == 4
    assert len(four) == len(one)
