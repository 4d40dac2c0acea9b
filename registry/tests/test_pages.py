"""Staff pages: search, person (masked, unmask with a purpose, the log), building, entity; refusals."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

from registry import profile
from registry.models import UnmaskRecord
from registry.testing import synthetic_id_number

pytestmark = pytest.mark.django_db
NUMBER = synthetic_id_number("320507", date(1975, 4, 1), 11)


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def test_search_by_id_number_shows_the_person_masked(people, world):
    cache.clear()
    page = as_user(people["hq_clerk"]).post("/registry/", {"q": NUMBER}).content.decode()
    assert "陈**" in page and NUMBER not in page and f"/registry/people/{world['head'].pk}/" in page
    page = as_user(people["hq_clerk"]).post("/registry/", {"q": "春申"}).content.decode()
    assert "春申路88号" in page and "春申便利店" in page
    assert (
        '<small class="muted"><span class="place" title="320507003201001">黄桥测试村第1网格</span></small>'
        in page
    )
    outsider = as_user(people["wt_grid"]).post("/registry/", {"q": NUMBER}).content.decode()
    assert "陈**" not in outsider and "春申便利店" not in outsider


def test_person_page_unmask_asks_for_a_purpose_and_logs(people, world):
    cache.clear()
    client = as_user(people["hq_clerk"])
    url = f"/registry/people/{world['head'].pk}/"
    page = client.get(url).content.decode()
    assert "陈**" in page and NUMBER not in page and "暂无查看记录" in page
    assert '<span class="place" title="320507003201001">黄桥测试村第1网格</span>' in page
    refused = client.post(url, {"field": "id_number", "purpose": "other"}).content.decode()
    assert "须说明理由" in refused and NUMBER not in refused
    shown = client.post(url, {"field": "id_number", "purpose": "identity_check", "work_item": "SP-9"})
    assert NUMBER in shown.content.decode()
    after = client.get(url).content.decode()
    assert NUMBER not in after and "hq_clerk" in after and "SP-9" in after and "身份核实" in after


def test_refused_role_and_outsider(people, world):
    cache.clear()
    url = f"/registry/people/{world['head'].pk}/"
    refused = as_user(people["dispatcher"]).post(url, {"field": "phone", "purpose": "visit"}).content.decode()
    assert "无权查看" in refused
    assert not UnmaskRecord.objects.exists()
    outsider = as_user(people["wt_grid"])
    for path in [
        url,
        f"/registry/buildings/{world['building'].pk}/",
        f"/registry/entities/{world['entity'].pk}/",
    ]:
        assert outsider.get(path).status_code == 404, path
    assert outsider.post(url, {"field": "phone", "purpose": "visit"}).status_code == 404
    assert Client().get(url).status_code == 302


def test_building_lists_who_lives_and_what_works_there(people, world):
    page = as_user(people["hq_grid"]).get(f"/registry/buildings/{world['building'].pk}/").content.decode()
    assert "陈**" in page and "春申便利店" in page and "出租房" in page and "承租" in page


def test_entity_page_shows_registered_sections(people, world):
    profile.register_section("test", "测试来源", lambda entity, user: [profile.Row(label=f"{entity} 的记录")])
    try:
        page = as_user(people["hq_grid"]).get(f"/registry/entities/{world['entity'].pk}/").content.decode()
    finally:
        profile.unregister_section("test")
    assert "周**" in page and "测试来源" in page and "春申便利店 的记录" in page
    assert (
        '<td><span class="place">黄桥测试村第1网格</span> '
        '<span class="muted small">320507003201001</span></td>' in page
    )
