"""The entity page's (一企一档) contracts section: the collective contracts with the entity as counterparty,
newest first, linked, with their state and term (one past its end and neither renewed nor terminated
says so); another village's contract outside the viewer's jurisdiction and another tenant's are not
listed; a role that keeps no 三资 does not see the section; the outsider town does not open the page;
the queries do not grow with the rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from registry.models import Entity
from registry.testing import entity_page_section, synthetic_uscc
from territorial import actions
from territorial.contracts import ContractInput, do_sign_contract
from territorial.models import Contract
from territorial.tests import conftest as fixtures
from territorial.tests.conftest import NOW
from territorial.tests.test_contracts_findings import SQUARE, _sign

pytestmark = pytest.mark.django_db
tenant, frozen = fixtures.tenant, fixtures.frozen


def page(user: Any, entity: Entity, language: str = "zh-hans") -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/registry/entities/{entity.pk}/")
    return response.status_code, response.content.decode()


def sign_in_weitang(wt_org: Any, people: dict[str, Any], tenant: Entity) -> Contract:
    resource = actions.do_record_resource(
        wt_org, name="渭塘地块", kind="land", area_mu="5", outline=SQUARE, actor=people["wt_head"], now=NOW
    )
    data = ContractInput(
        number="WT-1",
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        annual_price="1000",
        schedule=[],
        entity=tenant,
        resource=resource,
    )
    return do_sign_contract(wt_org, data, actor=people["wt_head"], now=NOW)


def test_the_entity_page_lists_its_contracts(
    people: dict[str, Any], org: Any, wt_org: Any, tenant: Entity, frozen: None
) -> None:
    ended = _sign(org, people, tenant, "HT-1", date(2025, 6, 10), date(2026, 6, 10), "5000", [])
    running = _sign(org, people, tenant, "HT-2", date(2026, 1, 1), date(2028, 12, 31), "3000", [])
    sign_in_weitang(wt_org, people, tenant)
    other = Entity.objects.create(
        uscc=synthetic_uscc("320507003201", 8),
        name="另一家公司",
        legal_representative="王五",
        industry_code="A0111",
        size=Entity.Size.SMALL,
        territory_code=tenant.territory_code,
    )
    _sign(org, people, other, "HT-3", date(2026, 2, 1), date(2027, 1, 31), "2000", [])
    status, html = page(people["hq_head"], tenant)
    section = entity_page_section(html, "territorial_contracts")
    assert status == 200 and section is not None and "集体合同" in section
    rows = section.split("<li>")[1:]
    assert len(rows) == 2
    assert (
        f'href="/territorial/contracts/{running.pk}/">HT-2 地块HT-2（2026-01-01 — 2028-12-31）</a> · 履行中'
        in rows[0]
    )
    assert f'href="/territorial/contracts/{ended.pk}/"' in rows[1] and "已到期未处理" in rows[1]
    assert "WT-1" not in section and "HT-3" not in section
    english = page(people["hq_head"], tenant, language="en")[1]
    assert "Collective contracts" in english
    assert "Ended, neither renewed nor terminated" in english
    assert "In force" in english
    assert "(2026-01-01 – 2028-12-31)" in english
    assert "集体合同" not in english
    assert "履行中" not in english
    assert "已到期未处理" not in english


def test_roles_that_keep_no_collective_assets_and_the_outsider(
    people: dict[str, Any], org: Any, tenant: Entity, frozen: None
) -> None:
    _sign(org, people, tenant, "HT-1", date(2026, 1, 1), date(2028, 12, 31), "3000", [])
    # The town's officer may open the entity page (its registry level) but keeps no 三资.
    status, html = page(people["hq_officer"], tenant)
    assert status == 200 and entity_page_section(html, "territorial_contracts") is None
    assert "HT-1" in (
        entity_page_section(page(people["hq_agency"], tenant)[1], "territorial_contracts") or ""
    )
    assert page(people["wt_head"], tenant)[0] == 404


def test_the_page_queries_do_not_grow_with_the_contracts(
    people: dict[str, Any], org: Any, tenant: Entity, frozen: None
) -> None:
    _sign(org, people, tenant, "HT-1", date(2026, 1, 1), date(2028, 12, 31), "3000", [])
    client = Client()
    client.force_login(people["hq_head"])
    client.get(f"/registry/entities/{tenant.pk}/")  # warm the per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(f"/registry/entities/{tenant.pk}/")
    for n in (2, 3, 4):
        _sign(org, people, tenant, f"HT-{n}", date(2026, 1, n), date(2028, 12, 31), "3000", [])
    with CaptureQueriesContext(connection) as four:
        html = client.get(f"/registry/entities/{tenant.pk}/").content.decode()
    assert (entity_page_section(html, "territorial_contracts") or "").count("<li>") == 4
    assert len(four) == len(one)
