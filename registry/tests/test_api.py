"""The registry API: masked reads, lookup by ID, the unmask endpoint; roles, the outsider, bad input."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from registry.models import UnmaskRecord
from registry.testing import synthetic_id_number
from registry.tests.conftest import HQ_GRID

pytestmark = pytest.mark.django_db


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_clerk_looks_up_by_id_and_sees_masked(people, world):
    number = synthetic_id_number("320507", date(1975, 4, 1), 11)
    response = as_user(people["hq_clerk"]).get("/api/v1/registry/people/", {"id_number": number})
    assert response.status_code == 200, response.content
    [person] = response.json()
    assert person["name"] == "陈**" and person["id_number"] == number[:6] + "********" + number[-4:]
    assert number not in response.content.decode()


def test_lookup_bad_input_and_outsider(people, world):
    client = as_user(people["hq_clerk"])
    assert client.get("/api/v1/registry/people/").json()["errors"][0]["field"] == "id_number"
    number = synthetic_id_number("320507", date(1975, 4, 1), 11)
    assert (
        as_user(people["wt_grid"]).get("/api/v1/registry/people/", {"id_number": number}).status_code == 404
    )
    assert client.get("/api/v1/registry/people/", {"id_number": "320507"}).status_code == 404
    assert APIClient().get("/api/v1/registry/people/", {"id_number": number}).status_code in (401, 403)


def test_unmask_endpoint_shows_in_the_person_log(people, world):
    client = as_user(people["hq_clerk"])
    url = f"/api/v1/registry/people/{world['head'].pk}/"
    response = client.post(
        url + "unmask/", {"field": "id_number", "purpose": "identity_check", "work_item": "SP-1"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["value"] == synthetic_id_number("320507", date(1975, 4, 1), 11)
    log = client.get(url).json()["unmask_log"]
    assert [(r["actor"], r["field"], r["purpose"], r["work_item"]) for r in log] == [
        ("hq_clerk", "id_number", "identity_check", "SP-1")
    ]


def test_unmask_refusals(people, world):
    url = f"/api/v1/registry/people/{world['head'].pk}/unmask/"
    body = {"field": "phone", "purpose": "visit"}
    assert as_user(people["dispatcher"]).post(url, body).status_code == 403
    assert as_user(people["wt_grid"]).post(url, body).status_code == 404
    bad = as_user(people["hq_clerk"]).post(url, {"field": "phone", "purpose": "gossip"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "purpose"
    sensitive = as_user(people["hq_clerk"]).post(url, {"field": "special_groups", "purpose": "visit"})
    assert sensitive.status_code == 403
    assert not UnmaskRecord.objects.exists()


def test_household_building_entity_places(people, world):
    client = as_user(people["hq_grid"])
    household = client.get(f"/api/v1/registry/households/{world['household'].pk}/").json()
    assert [m["relation"] for m in household["members"]] == ["head", "child"]
    assert [m["direction"] for m in household["moves"]] == ["in", "in"]
    building = client.get(f"/api/v1/registry/buildings/{world['building'].pk}/").json()
    assert building["houses"][0]["rented"] is True and building["houses"][0]["residents_count"] == 2
    assert {p["name"] for p in building["people"]} == {"陈**"}
    assert [e["name"] for e in building["entities"]] == ["春申便利店"]
    entity = client.get(f"/api/v1/registry/entities/{world['entity'].pk}/").json()
    assert entity["legal_representative"] == "周**"
    places = client.get("/api/v1/registry/places/", {"grid": HQ_GRID}).json()
    assert [p["kind"] for p in places] == ["nine_small"]
    unmasked = client.post(
        f"/api/v1/registry/entities/{world['entity'].pk}/unmask/",
        {"field": "legal_representative", "purpose": "visit"},
    )
    assert unmasked.json()["value"] == "周大福"


def test_the_outsider_sees_no_household_building_entity_or_place(people, world):
    client = as_user(people["wt_grid"])
    for path in [
        f"households/{world['household'].pk}/",
        f"buildings/{world['building'].pk}/",
        f"entities/{world['entity'].pk}/",
        f"people/{world['child'].pk}/",
    ]:
        assert client.get(f"/api/v1/registry/{path}").status_code == 404, path
    assert client.get("/api/v1/registry/places/").json() == []
    assert (
        client.post(
            f"/api/v1/registry/entities/{world['entity'].pk}/unmask/",
            {"field": "legal_representative", "purpose": "visit"},
        ).status_code
        == 404
    )


def test_address_search(people, world):
    client = as_user(people["hq_grid"])
    assert [a["text"] for a in client.get("/api/v1/registry/addresses/", {"q": "春申 88"}).json()] == [
        "春申路88号"
    ]
    assert client.get("/api/v1/registry/addresses/").status_code == 400
