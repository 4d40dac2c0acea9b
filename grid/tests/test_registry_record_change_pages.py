"""The grid worker's phone pages for changing registered records and the village's review list: find
the record, propose, see the trivial part in effect at once and the rest before/after in the list, the
village approves; refused roles, the outsider from another town, bad input beside its field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_org_unit, make_person
from core.pii import mask_name
from registry import actions as registry
from registry import crypto
from registry.models import Person, RecordChange
from registry.testing import synthetic_id_number, synthetic_uscc
from tests.test_english_staff_pages import HAN, data_names, untranslated

pytestmark = pytest.mark.django_db

GRID = "320507003201001"
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
NUMBER = synthetic_id_number("320507", date(1970, 2, 3), 81)
CHILD = synthetic_id_number("320507", date(2001, 2, 3), 82)
TENANT = synthetic_id_number("320506", date(1996, 6, 6), 83)


@pytest.fixture
def people(personas: dict[str, Any], reference: dict[str, int]) -> dict[str, User]:
    village = OrgUnit.objects.get(code="320507003201-vc")
    wt_gov = make_org_unit("320507105-gov", "渭塘镇党委政府", OrgUnit.Kind.GOVERNMENT, "320507105")
    return {
        **personas,
        "hq_head": make_person("hq_head", unit=village, role=Role.GRID_HEAD),
        "wt_steward": make_person("wt_steward", unit=wt_gov, role=Role.DATA_STEWARD),
    }


@pytest.fixture
def world(people: dict[str, User]) -> dict[str, Any]:
    """A household of two in a rented flat of 春申花园, a shop and its 九小场所 (by the system)."""
    system = people["system"]
    with time_machine.travel(NOW, tick=False):
        address = registry.do_create_address(
            territory_code=GRID, street="春申路", door_number="88", actor=system, now=NOW
        )
        building = registry.do_register_building(
            territory_code=GRID,
            address=address,
            compound_number=1,
            number=2,
            compound="春申花园",
            use="mixed",
            structure="steel_concrete",
            floors=5,
            actor=system,
            now=NOW,
        )
        house = registry.do_register_house(
            building=building, unit=1, room="101", rented=True, actor=system, now=NOW
        )

        def person(name: str, number: str) -> Person:
            data = registry.PersonInput(
                territory_code=GRID, kind="registered", name=name, id_number=number, phone="13912340081"
            )
            return registry.do_register_person(data, actor=system, now=NOW)

        head, child = person("林大山", NUMBER), person("林小山", CHILD)
        registry.do_create_household(
            number="HQ-81",
            territory_code=GRID,
            members=[(head, "head"), (child, "child")],
            house=house,
            actor=system,
            now=NOW,
        )
        entity = registry.do_register_entity(
            uscc_code=synthetic_uscc("320507", 81),
            name="春申便利店",
            legal_representative="周大福",
            industry_code="F5212",
            size="individual",
            territory_code=GRID,
            building=building,
            actor=system,
            now=NOW,
        )
        place = registry.do_register_key_place(
            name="春申便利店",
            kind="nine_small",
            territory_code=GRID,
            inspection_days=30,
            actor=system,
            now=NOW,
        )
    return {"head": head, "child": child, "house": house, "entity": entity, "place": place}


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    with time_machine.travel(NOW, tick=False):
        return client.post(url, data) if data is not None else client.get(url)


def test_the_worker_finds_records_by_id_household_and_name(people: dict[str, User], world) -> None:
    worker = as_user(people["hq_grid"])
    by_id = page(worker, "/grid/m/records/", {"q": NUMBER}).content.decode()
    assert f'data-found-person="{world["head"].pk}"' in by_id and "林**" in by_id
    assert NUMBER not in by_id and f"/grid/m/records/move-out/{world['head'].pk}/" in by_id
    by_household = page(worker, "/grid/m/records/", {"q": "HQ-81"}).content.decode()
    assert by_household.count("data-found-person=") == 2
    by_name = page(worker, "/grid/m/records/", {"q": "春申"}).content.decode()
    assert f'data-found-entity="{world["entity"].pk}"' in by_name
    assert f'data-found-place="{world["place"].pk}"' in by_name
    assert f'data-found-house="{world["house"].pk}"' in by_name


def test_a_phone_number_applies_at_once_and_an_address_waits_for_the_village(
    people: dict[str, User], world
) -> None:
    worker, head = as_user(people["hq_grid"]), world["head"]
    url = f"/grid/m/records/person/{head.pk}/"
    form = page(worker, url).content.decode()
    assert "139****0081" in form and NUMBER not in form and "独居老人" in form
    done = page(worker, url, {"phone": "13900000082", "address_detail": "春申花园2幢101室"})
    assert done.status_code == 302 and done["Location"] == "/grid/registry-changes/"
    head.refresh_from_db()
    assert crypto.unseal(head, "phone_sealed") == "13900000082" and head.address_detail_sealed == ""
    listing = page(worker, "/grid/registry-changes/").content.decode()
    assert "139****0081" in listing and "139****0082" in listing and "13900000082" not in listing
    assert "春申花园*幢***室" in listing and "春申花园2幢101室" not in listing
    assert 'data-outcome="applied"' in listing and 'data-outcome="proposed"' in listing
    assert "registry-changes/records/" not in listing  # the worker does not review

    reviewer = as_user(people["hq_head"])
    pending = RecordChange.objects.get(outcome="proposed")
    assert (
        f"/grid/registry-changes/records/{pending.pk}/review/"
        in page(reviewer, "/grid/registry-changes/").content.decode()
    )
    page(reviewer, f"/grid/registry-changes/records/{pending.pk}/review/", {"action": "approve"})
    head.refresh_from_db()
    assert crypto.unseal(head, "address_detail_sealed") == "春申花园2幢101室"


def test_care_tags_are_shown_only_to_the_sensitive_level(people: dict[str, User], world) -> None:
    worker, head = as_user(people["hq_grid"]), world["head"]
    page(worker, f"/grid/m/records/person/{head.pk}/", {"care_tags_add": ["独居老人"]})
    change = RecordChange.objects.get()
    worker_view = page(worker, "/grid/registry-changes/").content.decode()
    assert (
        "无权查看" in worker_view
        and "独居老人" not in worker_view.split(f'id="record-change-{change.pk}"')[1]
    )
    reviewer_view = page(as_user(people["hq_head"]), "/grid/registry-changes/").content.decode()
    assert "独居老人" in reviewer_view.split(f'id="record-change-{change.pk}"')[1]


def test_every_kind_has_its_phone_form(people: dict[str, User], world) -> None:
    worker = as_user(people["hq_grid"])
    forms = {
        f"move-out/{world['child'].pk}": {"moved_on": "2026-03-01", "reason": "外出务工"},
        f"entity/{world['entity'].pk}": {
            "uscc": synthetic_uscc("320507", 82),
            "name": "春申便利店（新址）",
            "industry_code": "F5212",
            "size": "individual",
        },
        f"place/{world['place'].pk}": {"name": "春申便利店", "kind": "nine_small", "inspection_days": "14"},
        f"house/{world['house'].pk}": {
            "rented": "on",
            "tenant_name_0": "王小红",
            "tenant_id_number_0": TENANT,
            "tenant_phone_0": "13600000083",
        },
    }
    for path, data in forms.items():
        assert page(worker, f"/grid/m/records/{path}/").status_code == 200
        answer = page(worker, f"/grid/m/records/{path}/", data)
        assert answer.status_code == 302, (path, answer.content.decode()[:2000])
    kinds = sorted(RecordChange.objects.values_list("kind", flat=True))
    assert kinds == ["entity", "house", "key_place", "move_out"]
    assert RecordChange.objects.get(kind="entity").fields == ["uscc", "name"]
    listing = page(as_user(people["hq_head"]), "/grid/registry-changes/").content.decode()
    assert "王**（新登记）" in listing and TENANT not in listing and "每 14 天" in listing


def test_bad_input_is_shown_beside_its_field(people: dict[str, User], world) -> None:
    worker = as_user(people["hq_grid"])
    wrong = TENANT[:-1] + ("1" if TENANT[-1] != "1" else "2")
    house = page(
        worker,
        f"/grid/m/records/house/{world['house'].pk}/",
        {"rented": "on", "tenant_name_0": "王小红", "tenant_id_number_0": wrong},
    )
    assert house.status_code == 200 and 'data-field-error="tenant_id_number_0"' in house.content.decode()
    move_in = page(
        worker,
        f"/grid/m/records/move-in/{world['head'].pk}/",
        {"household": "NO-SUCH", "relation": "child"},
    ).content.decode()
    assert 'data-field-error="person"' not in move_in and "请先办理迁出" in move_in
    phone = page(worker, f"/grid/m/records/person/{world['head'].pk}/", {"phone": "call me"})
    assert 'data-field-error="phone"' in phone.content.decode()
    entity = world["entity"]
    base = {"name": entity.name, "industry_code": entity.industry_code, "size": entity.size}
    mistyped = entity.uscc[:-1] + ("0" if entity.uscc[-1] != "0" else "1")
    for wrong in (mistyped, "91320507ABCDEFGHI"):
        answer = page(
            worker, f"/grid/m/records/entity/{entity.pk}/", {**base, "uscc": wrong}
        ).content.decode()
        assert 'data-field-error="uscc"' in answer and "统一社会信用代码无效" in answer
    nothing = page(worker, f"/grid/m/records/person/{world['head'].pk}/", {}).content.decode()
    assert "没有需要变更的内容" in nothing
    assert not RecordChange.objects.exists()


def test_refused_roles_and_the_outsider(people: dict[str, User], world) -> None:
    head = world["head"]
    assert page(as_user(people["hq_agency"]), "/grid/m/records/").status_code == 403
    assert page(as_user(people["hq_agency"]), f"/grid/m/records/person/{head.pk}/").status_code == 403
    outsider = as_user(people["wt_grid"])
    assert page(outsider, f"/grid/m/records/person/{head.pk}/").status_code == 404
    assert page(outsider, f"/grid/m/records/person/{head.pk}/", {"phone": "13900000084"}).status_code == 404
    assert page(outsider, "/grid/m/records/nothing/1/").status_code == 404
    entity = f"/grid/m/records/entity/{world['entity'].pk}/"
    correction = {
        "uscc": synthetic_uscc("320507", 83),
        "name": "改名",
        "industry_code": "F5212",
        "size": "small",
    }
    assert page(as_user(people["hq_agency"]), entity, correction).status_code == 403
    assert page(outsider, entity, correction).status_code == 404
    assert "records-none" in page(outsider, "/grid/m/records/", {"q": NUMBER}).content.decode()
    page(as_user(people["hq_grid"]), f"/grid/m/records/person/{head.pk}/", {"address_detail": "2幢101室"})
    change = RecordChange.objects.get()
    assert f"record-change-{change.pk}" not in page(outsider, "/grid/registry-changes/").content.decode()
    review = f"/grid/registry-changes/records/{change.pk}/review/"
    assert page(as_user(people["hq_grid"]), review, {"action": "approve"}).status_code == 403
    assert page(as_user(people["wt_steward"]), review, {"action": "approve"}).status_code == 404
    assert RecordChange.objects.get().outcome == "proposed"


def test_the_pages_read_in_english(people: dict[str, User], world) -> None:
    worker, reviewer = as_user(people["hq_grid"]), as_user(people["hq_head"])
    for client in (worker, reviewer):
        client.cookies["django_language"] = "en"
    head = world["head"]
    with time_machine.travel(NOW, tick=False):
        done = worker.post(
            f"/grid/m/records/person/{head.pk}/",
            {"phone": "13900000085", "address_detail": "2幢101室", "care_tags_add": ["独居老人"]},
            follow=True,
        )
    assert "In effect: Person&#x27;s details" in done.content.decode()
    page(worker, f"/grid/m/records/move-out/{world['child'].pk}/", {"reason": "外出务工"})
    page(worker, f"/grid/m/records/house/{world['house'].pk}/", {"rented": "", "remove_tenants": []})
    names = [
        *data_names(),
        *(n for p in Person.objects.all() for n in (p.name, mask_name(p.name))),
        "春申便利店",
        "周大福",
        mask_name("周大福"),
        "春申花园",
        "春申路88号",
        "HQ-81",
        "外出务工",
        "*幢***室",  # the proposed address, masked
    ]
    names = sorted(set(names), key=len, reverse=True)
    shown = [
        page(worker, "/grid/m/records/", {"q": NUMBER}),
        page(worker, "/grid/m/records/", {"q": "春申"}),
        page(worker, "/grid/m/records/", {"q": "无此记录"}),
        *(
            page(worker, f"/grid/m/records/{path}/")
            for path in (
                f"person/{head.pk}",
                f"move-out/{world['child'].pk}",
                f"move-in/{head.pk}",
                f"entity/{world['entity'].pk}",
                f"place/{world['place'].pk}",
                f"house/{world['house'].pk}",
            )
        ),
        page(worker, "/grid/registry-changes/"),
        page(reviewer, "/grid/registry-changes/"),
    ]
    for answer in shown:
        assert answer.status_code == 200
        html = answer.content.decode().replace("无此记录", " ")
        assert untranslated(html, names) == [], answer.request["PATH_INFO"]
    assert "Elderly person living alone" in shown[-1].content.decode()


def test_every_care_tag_reads_in_english() -> None:
    with translation.override("en"):
        assert all(not HAN.search(translation.gettext(tag)) for tag in registry.care_tags())
