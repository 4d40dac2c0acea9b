"""English sessions of the registry's staff pages (search, person, building, entity, import and its background
job) show no Chinese outside proper names and user data, each as the persona who works there; the default
session stays Chinese. Names and data (people, masked or not, addresses, compounds, entities, places,
household numbers, and the import file's own Chinese column headers) are taken out; what remains must be
English."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from core.pii import mask_name
from registry import actions, import_jobs
from registry.imports import ENTITY_HEADERS, PEOPLE_HEADERS
from registry.models import Address, Building, Entity, Household, KeyPlace, Person, UnmaskRecord
from registry.tests.conftest import HQ_GRID, NOW
from registry.tests.test_import_page import upload
from registry.tests.test_imports import GOOD, idn
from registry.tests.test_pages import NUMBER
from tests.test_english_staff_pages import HAN, data_names, untranslated

pytestmark = pytest.mark.django_db

BAD_ROW = [HQ_GRID, "甲", idn(30)[:-1] + "Y", "", "", "", ""]  # a wrong check digit


@pytest.fixture
def scene(frozen: Any, people: dict[str, Any], world: dict[str, Any]) -> dict[str, Any]:
    """The registry world, with a sensitive record and an unmasking (with a note) of each subject logged."""
    cache.clear()
    actions.do_set_sensitive_record(
        world["head"], care_tags=["独居老人"], special_groups=[], actor=people["hq_steward"], now=NOW
    )
    actions.do_unmask(
        world["head"], field="phone", purpose="visit", note="上门走访", actor=people["hq_clerk"], now=NOW
    )
    actions.do_unmask(
        world["entity"],
        field="legal_representative",
        purpose="other",
        note="核对证照",
        actor=people["hq_clerk"],
        now=NOW,
    )
    return {**people, **world}


def registry_names() -> list[str]:
    """The suite's names and data, with the registry's: people (and their masked names), legal
    representatives, entities, places, addresses, compounds, household numbers and unmasking notes."""
    names = set(data_names())
    for name in [
        *Person.objects.values_list("name", flat=True),
        *Entity.objects.values_list("legal_representative", flat=True),
    ]:
        names |= {name, mask_name(name)}
    names.update(Entity.objects.values_list("name", flat=True))
    names.update(KeyPlace.objects.values_list("name", flat=True))
    for row in Address.objects.values_list("text", "street", "door_number", "detail"):
        names.update(row)
    names.update(Building.objects.values_list("compound", flat=True))
    names.update(Household.objects.values_list("number", flat=True))
    names.update(UnmaskRecord.objects.values_list("note", flat=True))
    return sorted((n for n in names if n and HAN.search(n)), key=len, reverse=True)


def english(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def assert_english(html: str, *extra: str) -> None:
    names = sorted({*registry_names(), *extra}, key=len, reverse=True)
    assert untranslated(html, names) == []


def test_search_pages_in_english(scene: dict[str, Any]) -> None:
    client = english(scene["hq_clerk"])
    assert_english(client.get("/registry/").content.decode())
    by_number = client.post("/registry/", {"q": NUMBER}).content.decode()
    assert "陈**" in by_number and "Registered residents" in by_number and NUMBER not in by_number
    assert_english(by_number)
    by_text = client.post("/registry/", {"q": "春申"}).content.decode()
    assert "春申路88号" in by_text and "春申便利店" in by_text
    assert_english(by_text)
    assert_english(client.post("/registry/", {"q": "无此地址"}).content.decode())


def test_person_page_and_unmasking_in_english(scene: dict[str, Any]) -> None:
    client = english(scene["hq_clerk"])
    url = f"/registry/people/{scene['head'].pk}/"
    page = client.get(url).content.decode()
    assert "Household HQ-11" in page and "Home visit" in page and "13912345678" not in page
    assert_english(page)
    refused = client.post(url, {"field": "id_number", "purpose": "other"})
    assert refused.status_code == 200 and NUMBER not in refused.content.decode()
    assert "Give a reason" in refused.content.decode()
    assert_english(refused.content.decode())
    shown = client.post(url, {"field": "id_number", "purpose": "identity_check", "work_item": "SP-9"})
    assert NUMBER in shown.content.decode()
    assert_english(shown.content.decode())


def test_a_refused_unmask_is_worded_in_english(scene: dict[str, Any]) -> None:
    page = english(scene["dispatcher"]).post(
        f"/registry/people/{scene['head'].pk}/", {"field": "phone", "purpose": "visit"}
    )
    assert "13912345678" not in page.content.decode()
    assert_english(page.content.decode())


def test_building_and_entity_pages_in_english(scene: dict[str, Any]) -> None:
    client = english(scene["hq_grid"])
    building = client.get(f"/registry/buildings/{scene['building'].pk}/").content.decode()
    assert "春申花园 Building 2" in building and "5 floors" in building and "Unit 1, Room 101" in building
    assert_english(building)
    entity = client.get(f"/registry/entities/{scene['entity'].pk}/").content.decode()
    assert "周**" in entity and "周大福" not in entity and "Individual business" in entity
    assert_english(entity)


def test_accept_language_alone_gives_english(scene: dict[str, Any]) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(scene["hq_grid"])
    assert_english(client.get(f"/registry/buildings/{scene['building'].pk}/").content.decode())


def test_import_pages_in_english(scene: dict[str, Any]) -> None:
    headers = [*PEOPLE_HEADERS, *ENTITY_HEADERS]  # the file's own column headers stay as the file has them
    refused = english(scene["hq_grid"]).get("/registry/import/")
    assert refused.status_code == 403
    assert_english(refused.content.decode())
    client = english(scene["hq_steward"])
    assert_english(client.get("/registry/import/").content.decode())
    done = client.post("/registry/import/", {"kind": "people", "file": upload(GOOD)}).content.decode()
    assert "4 added" in done
    assert_english(done)
    bad = client.post("/registry/import/", {"kind": "people", "file": upload([BAD_ROW])}).content.decode()
    assert "Row 2, column 身份证号 (ID number): invalid number" in bad
    assert_english(bad, *headers)


def test_background_import_pages_in_english(scene: dict[str, Any], settings: Any, tmp_path: Any) -> None:
    settings.REGISTRY_IMPORT_BACKGROUND_BYTES = 10  # every file counts as long
    settings.VAR_DIR = tmp_path
    steward = scene["hq_steward"]
    client = english(steward)
    for rows, expected in [(GOOD, "Import finished: 4 added"), ([*GOOD, BAD_ROW], "Row 6, column 身份证号")]:
        response = client.post("/registry/import/", {"kind": "people", "file": upload(rows)})
        assert response.status_code == 303
        page = client.get(response["Location"]).content.decode()
        assert expected in page
        assert_english(page, *PEOPLE_HEADERS)
    import_jobs.save_state("job-en", {"owner": steward.pk, "kind": "people", "status": "queued"})
    assert_english(client.get("/registry/import/jobs/job-en/").content.decode())
    import_jobs.save_state(
        "job-en", {"owner": steward.pk, "kind": "people", "status": "running", "done": 5, "total": 9}
    )
    fragment = client.get("/registry/import/jobs/job-en/", HTTP_HX_REQUEST="true").content.decode()
    assert "Imported 5 / 9 rows" in fragment
    assert_english(fragment)


def test_the_default_session_stays_chinese(scene: dict[str, Any]) -> None:
    client = Client()
    client.force_login(scene["hq_clerk"])
    person = client.get(f"/registry/people/{scene['head'].pk}/").content.decode()
    for text in ["实有人口", "户 HQ-11", "证件号码", "解密查看", "走访服务：上门走访", "已登记（加密保存"]:
        assert text in person, text
    assert "Household" not in person and "Home visit" not in person
    building = client.get(f"/registry/buildings/{scene['building'].pk}/").content.decode()
    assert "春申花园2幢" in building and "春申花园2幢1单元101室" in building and "5层" in building
    steward = Client()
    steward.force_login(scene["hq_steward"])
    bad = steward.post("/registry/import/", {"kind": "people", "file": upload([BAD_ROW])}).content.decode()
    assert "第2行「身份证号」：号码无效（位数、出生日期或校验位不符）" in bad
