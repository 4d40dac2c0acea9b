"""Connectors that feed people, households, houses and key places: new records registered through the
registry's actions; a source's change to a registered record proposed through the registry's change path
as a grid worker's (trivial fields at once, the rest reviewed by the village on registry_change, which
grid's handlers apply); what no action changes quarantined for a person to check; each refused row kept
(personal rows sealed, shown masked) and never quarantined twice; a re-run changes nothing."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accounts.models import OrgUnit, User
from core import pii
from core.errors import DomainError
from datashare import grants, selectors
from datashare.models import Connector, ConnectorRun, QuarantinedRow, SyncedRecord
from datashare.sync import do_run_connector
from datashare.tests.conftest import HQ, HQ_GRID, NOW, WT_GRID, idn
from registry import crypto
from registry.models import House, Household, KeyPlace, Person, RecordChange
from registry.rotation import rotate
from registry.testing import synthetic_id_number, synthetic_uscc
from registry.tests import conftest as registry_fixtures
from workflow.engine import transition
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
world = registry_fixtures.world  # 黄桥's building (房屋 …001002), flat 101 let out, household HQ-11, a shop
LATER = NOW + timedelta(hours=1)


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def connector(tmp_path: Path, target: str, key_field: str) -> Connector:
    return Connector.objects.create(
        name=f"黄桥{target}",
        category=Connector.Category.GOVERNANCE,
        adapter=Connector.Adapter.FILE,
        target=target,
        key_field=key_field,
        config={"directory": str(tmp_path)},
        owner_unit=OrgUnit.objects.get(code="320507003-gov"),
        territory_code=HQ,
    )


def counts(run: ConnectorRun) -> tuple[int, int, int, int, int]:
    return run.created, run.updated, run.unchanged, run.proposed, run.quarantined


def review_item(change: RecordChange) -> WorkItem:
    return WorkItem.objects.get(subject_type="registry.recordchange", subject_id=str(change.pk))


# ---------------------------------------------------------------------------------------------- people


def person(seq: int, at: str, **extra: str) -> dict[str, str]:
    base = {
        "id_number": idn(seq),
        "name": f"新居民{seq}",
        "kind": "户籍人口",
        "phone": "",
        "address_detail": "",
        "grid": HQ_GRID,
        "household": "",
        "relation": "",
        "updated_at": at,
    }
    return {**base, **extra}


@pytest.fixture
def people_feed(tmp_path: Path, residents: list[Person]) -> Connector:
    return connector(tmp_path, Connector.Target.PERSON, "id_number")


def test_people_are_registered_and_a_move_into_a_household_waits_for_review(
    people_feed: Connector, people: dict[str, User]
) -> None:
    folder = Path(people_feed.config["directory"])
    write(
        folder / "a.csv",
        [
            person(11, "2026-03-01T00:00:00Z", phone="13911112222"),
            person(12, "2026-03-01T01:00:00Z", kind="流动人口", household="HQ-E1", relation="配偶"),
            person(13, "2026-03-01T02:00:00Z", id_number="320507198005061239"),  # check digit wrong
            person(14, "2026-03-01T03:00:00Z", grid=WT_GRID),
            person(15, "2026-03-01T04:00:00Z", household="HQ-NONE", relation="子女"),
        ],
    )
    run = do_run_connector(people_feed, now=NOW)
    assert counts(run) == (2, 0, 0, 1, 3)
    first = Person.objects.get(id_number_hash=crypto.lookup_hash(idn(11)))
    assert first.name == "新居民11" and crypto.unseal(first, "phone_sealed") == "13911112222"
    second = Person.objects.get(id_number_hash=crypto.lookup_hash(idn(12)))
    assert second.kind == Person.Kind.MIGRANT and second.household is None  # not before the review
    [move] = RecordChange.objects.filter(person=second)
    assert move.kind == RecordChange.Kind.MOVE_IN and move.outcome == RecordChange.Outcome.PROPOSED
    assert move.proposed_by == people["system"]
    # The village approves on the engine: grid's handler applies the move.
    transition(review_item(move), "approve", actor=people["hq_head"], now=LATER)
    second.refresh_from_db()
    assert second.household is not None and second.household.number == "HQ-E1"
    assert second.relation == Person.Relation.SPOUSE
    # Refused rows: kept, sealed whole, shown masked; no ID number in clear anywhere in them.
    kept = {q.code: q for q in QuarantinedRow.objects.filter(connector=people_feed)}
    assert set(kept) == {"invalid_id_number", "out_of_scope", "unknown_household"}
    assert not Person.objects.filter(id_number_hash=crypto.lookup_hash(idn(15))).exists()  # whole or nothing
    for row in kept.values():
        shown = json.dumps(row.payload, ensure_ascii=False) + row.key
        assert idn(14) not in shown and "320507198005061239" not in shown and "新居民" not in shown
        assert json.loads(crypto.unseal(row, "payload_sealed"))["name"].startswith("新居民")
    assert kept["out_of_scope"].key == f"{idn(14)[:6]}********{idn(14)[-4:]}"
    # Keys and bookmarks are keyed hashes, never the ID number.
    keys = list(SyncedRecord.objects.filter(connector=people_feed).values_list("key", flat=True))
    assert crypto.lookup_hash(idn(11)) in keys and people_feed.bookmark_key not in {idn(15), ""}
    # The same file again (bookmark forgotten): nothing applied, proposed or quarantined twice.
    Connector.objects.filter(pk=people_feed.pk).update(bookmark_cursor="", bookmark_key="")
    people_feed.refresh_from_db()
    again = do_run_connector(people_feed, now=LATER)
    assert counts(again) == (0, 0, 2, 0, 0)
    assert RecordChange.objects.count() == 1 and QuarantinedRow.objects.count() == 3


def test_a_source_change_goes_through_the_change_path(
    people_feed: Connector, people: dict[str, User], residents: list[Person]
) -> None:
    folder = Path(people_feed.config["directory"])
    write(folder / "a.csv", [person(2, "2026-03-01T00:00:00Z", name="李秀英", phone="", kind="")])
    # As registered already; a source without the category says nothing of it.
    assert counts(do_run_connector(people_feed, now=NOW)) == (0, 0, 1, 0, 0)
    changed = person(
        2, "2026-03-02T00:00:00Z", name="李秀英", phone="13800001111", address_detail="春申花园3幢201室"
    )
    write(folder / "b.csv", [changed])
    run = do_run_connector(people_feed, now=LATER)
    assert counts(run) == (0, 1, 0, 1, 0)
    li = Person.objects.get(pk=residents[1].pk)
    # The phone is trivial: in effect at once; the address waits for the village.
    assert (
        crypto.unseal(li, "phone_sealed") == "13800001111"
        and crypto.unseal(li, "address_detail_sealed") == ""
    )
    trivial, pending = RecordChange.objects.filter(person=li).order_by("pk")
    assert (trivial.trivial, trivial.outcome, pending.fields) == (True, "applied", ["address_detail"])
    # A newer row with the same address, still under review: not proposed a second time.
    write(folder / "c.csv", [{**changed, "updated_at": "2026-03-02T01:00:00Z"}])
    assert counts(do_run_connector(people_feed, now=LATER)) == (0, 0, 1, 0, 0)
    transition(review_item(pending), "approve", actor=people["hq_head"], now=LATER)
    li.refresh_from_db()
    assert crypto.unseal(li, "address_detail_sealed") == "春申花园3幢201室"


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"seq": 2, "name": "李秀"}, "name", "record_mismatch"),
        ({"seq": 2, "name": "李秀英", "kind": "流动人口"}, "kind", "record_mismatch"),
        ({"seq": 3, "name": "赵渭塘", "grid": WT_GRID}, "grid", "out_of_scope"),
        ({"seq": 2, "name": "李秀英", "phone": "12ab"}, "phone", "invalid_phone"),
        (
            {"seq": 1, "name": "王建国", "household": "HQ-X", "relation": "户主"},
            "household",
            "household_mismatch",
        ),
        (
            {"seq": 1, "name": "王建国", "household": "HQ-E1", "relation": "子女"},
            "relation",
            "record_mismatch",
        ),
    ],
)
def test_what_no_action_changes_is_quarantined(
    people_feed: Connector, residents: list[Person], extra: dict[str, Any], field: str, code: str
) -> None:
    seq = extra.pop("seq")
    write(Path(people_feed.config["directory"]) / "a.csv", [person(seq, "2026-03-01T00:00:00Z", **extra)])
    run = do_run_connector(people_feed, now=NOW)
    kept = QuarantinedRow.objects.get(run=run)
    assert (kept.field, kept.code) == (field, code) and not RecordChange.objects.exists()


def test_a_person_registered_in_another_town_is_not_moved(
    people_feed: Connector, residents: list[Person]
) -> None:
    write(Path(people_feed.config["directory"]) / "a.csv", [person(3, "2026-03-01T00:00:00Z", name="赵渭塘")])
    kept = QuarantinedRow.objects.get(run=do_run_connector(people_feed, now=NOW))
    assert kept.code == "grid_mismatch" and Person.objects.get(pk=residents[2].pk).territory_code == WT_GRID


# ------------------------------------------------------------------------------------------ households


def test_households_are_created_with_their_registered_head(
    tmp_path: Path, residents: list[Person], world: dict[str, Any]
) -> None:
    feed = connector(tmp_path, Connector.Target.HOUSEHOLD, "number")
    flat = House.objects.get()
    rows = [
        {
            "number": "HQ-F1",
            "grid": HQ_GRID,
            "head": idn(2),
            "house": flat.code,
            "updated_at": "2026-03-01T00:00:00Z",
        },
        {
            "number": "HQ-F2",
            "grid": HQ_GRID,
            "head": idn(99),
            "house": "",
            "updated_at": "2026-03-01T01:00:00Z",
        },
        {
            "number": "HQ-F3",
            "grid": HQ_GRID,
            "head": idn(1),
            "house": "",
            "updated_at": "2026-03-01T02:00:00Z",
        },
        {
            "number": "HQ-E1",
            "grid": HQ_GRID,
            "head": idn(2),
            "house": "",
            "updated_at": "2026-03-01T03:00:00Z",
        },
    ]
    write(tmp_path / "a.csv", rows)
    run = do_run_connector(feed, now=NOW)
    assert counts(run) == (1, 0, 0, 0, 3)
    created = Household.objects.get(number="HQ-F1")
    assert created.house == flat and created.members.get().pk == residents[1].pk
    kept = {q.key: (q.field, q.code) for q in QuarantinedRow.objects.filter(run=run)}
    assert kept == {
        "HQ-F2": ("head", "unknown_person"),
        "HQ-F3": ("members", "already_in_household"),  # 王建国 heads HQ-E1
        "HQ-E1": ("head", "record_mismatch"),  # a new head is the village's to record
    }
    for row in QuarantinedRow.objects.filter(run=run):
        assert idn(2) not in json.dumps(row.payload) and row.payload_sealed


# ---------------------------------------------------------------------------------------------- houses


def test_houses_are_registered_and_letting_one_out_is_reviewed(
    tmp_path: Path, people: dict[str, User], world: dict[str, Any]
) -> None:
    feed = connector(tmp_path, Connector.Target.HOUSE, "code")
    building = world["building"].code
    write(
        tmp_path / "a.csv",
        [
            {"code": f"{building}010102", "rented": "否", "updated_at": "2026-03-01T00:00:00Z"},
            {"code": f"{building}01010", "rented": "否", "updated_at": "2026-03-01T01:00:00Z"},
            {"code": "320507003201999001010102", "rented": "否", "updated_at": "2026-03-01T02:00:00Z"},
            {"code": f"{building}010103", "rented": "也许", "updated_at": "2026-03-01T03:00:00Z"},
        ],
    )
    run = do_run_connector(feed, now=NOW)
    assert counts(run) == (1, 0, 0, 0, 3)
    flat = House.objects.get(code=f"{building}010102")
    assert (flat.unit, flat.room, flat.rented) == ("1", "102", False)
    assert {q.code for q in QuarantinedRow.objects.filter(run=run)} == {
        "invalid_house_code",
        "unknown_building",
        "invalid_choice",
    }
    write(
        tmp_path / "b.csv",
        [{"code": f"{building}010102", "rented": "是", "updated_at": "2026-03-02T00:00:00Z"}],
    )
    second = do_run_connector(feed, now=LATER)
    assert counts(second) == (0, 1, 0, 1, 0)
    [change] = RecordChange.objects.filter(house=flat)
    transition(review_item(change), "approve", actor=people["hq_head"], now=LATER)
    flat.refresh_from_db()
    assert flat.rented is True


# ------------------------------------------------------------------------------------------ key places


def test_key_places_are_registered_and_their_changes_reviewed(
    tmp_path: Path, people: dict[str, User], world: dict[str, Any]
) -> None:
    feed = connector(tmp_path, Connector.Target.KEY_PLACE, "place_id")
    shop = world["entity"].uscc

    def place(key: str, at: str, **extra: str) -> dict[str, str]:
        base = {"place_id": key, "name": "春申加油站", "kind": "危化品场所", "grid": HQ_GRID}
        return {**base, "inspection_days": "7", "uscc": shop, "updated_at": at, **extra}

    write(
        tmp_path / "a.csv",
        [
            place("P1", "2026-03-01T00:00:00Z"),
            place("P2", "2026-03-01T01:00:00Z", uscc=synthetic_uscc("320507", 55)),
            place("P3", "2026-03-01T02:00:00Z", inspection_days="每周"),
            place("P4", "2026-03-01T03:00:00Z", kind="小作坊"),
        ],
    )
    run = do_run_connector(feed, now=NOW)
    assert counts(run) == (1, 0, 0, 0, 3)
    station = KeyPlace.objects.get(name="春申加油站")
    assert (station.kind, station.inspection_days, station.entity) == (
        "hazardous_chemicals",
        7,
        world["entity"],
    )
    assert {q.code for q in QuarantinedRow.objects.filter(run=run)} == {
        "unknown_entity",
        "invalid_inspection_days",
        "invalid_choice",
    }
    write(tmp_path / "b.csv", [place("P1", "2026-03-02T00:00:00Z", inspection_days="3")])
    assert counts(do_run_connector(feed, now=LATER)) == (0, 1, 0, 1, 0)
    [change] = RecordChange.objects.filter(key_place=station)
    transition(review_item(change), "approve", actor=people["hq_head"], now=LATER)
    station.refresh_from_db()
    assert station.inspection_days == 3
    # Moved to another town's grid in the source: refused, not moved.
    write(tmp_path / "c.csv", [place("P1", "2026-03-03T00:00:00Z", grid="320507003201002")])
    kept = QuarantinedRow.objects.get(run=do_run_connector(feed, now=LATER))
    assert kept.code == "grid_mismatch"


# ------------------------------------------------------------------------ catalogue, grants, page, keys


def test_the_catalogue_counts_in_the_jurisdiction_and_grants_are_for_entity_sources(
    people_feed: Connector, people: dict[str, User]
) -> None:
    write(Path(people_feed.config["directory"]) / "a.csv", [person(21, "2026-03-01T00:00:00Z")])
    do_run_connector(people_feed, now=NOW)
    [asset] = [a for a in selectors.catalogue(people["hq_steward"]) if a.connector_id == people_feed.pk]
    assert asset.rows == 1
    assert not [a for a in selectors.catalogue(people["wt_steward"]) if a.connector_id == people_feed.pk]
    with pytest.raises(DomainError) as refused:
        grants.do_request_grant(
            people_feed,
            fields=["name"],
            purpose="核对",
            starts_at=NOW,
            ends_at=NOW + timedelta(days=7),
            actor=people["hq_steward"],
            now=NOW,
        )
    assert (refused.value.code, refused.value.field) == ("not_a_dataset", "connector")


def test_the_source_page_shows_the_refusals_masked(
    people_feed: Connector, people: dict[str, User], settings: Any
) -> None:
    write(
        Path(people_feed.config["directory"]) / "a.csv",
        [person(31, "2026-03-01T00:00:00Z", grid=WT_GRID, phone="13955556666")],
    )
    do_run_connector(people_feed, now=NOW)
    client = Client()
    client.force_login(people["hq_steward"])
    html = client.get(f"/datashare/sources/{people_feed.pk}/").content.decode()
    assert "网格不在该数据源的区划内" in html and "实有人口" in html
    assert idn(31) not in html and "13955556666" not in html and f"{idn(31)[:6]}********" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"/datashare/sources/{people_feed.pk}/").content.decode()
    assert "Feeds" in english and "Awaiting review" in english and "kept sealed" in english
    outsider = Client()
    outsider.force_login(people["wt_steward"])
    assert outsider.get(f"/datashare/sources/{people_feed.pk}/").status_code == 404


def test_key_rotation_reseals_the_quarantine(tmp_path: Path, people: dict[str, User], settings: Any) -> None:
    settings.PII_KEYS = {1: b"1" * 32}
    settings.PII_KEY_VERSION = 1
    feed = connector(tmp_path, Connector.Target.PERSON, "id_number")
    write(tmp_path / "a.csv", [person(41, "2026-03-01T00:00:00Z", grid=WT_GRID)])
    do_run_connector(feed, now=NOW)
    assert pii.sealed_version(QuarantinedRow.objects.get().payload_sealed) == 1
    settings.PII_KEYS = {1: b"1" * 32, 2: b"2" * 32}
    settings.PII_KEY_VERSION = 2
    assert rotate().finished
    kept = QuarantinedRow.objects.get()
    assert pii.sealed_version(kept.payload_sealed) == 2
    assert json.loads(crypto.unseal(kept, "payload_sealed"))["id_number"] == idn(41)


def test_an_id_number_never_reaches_the_bookmark(people_feed: Connector) -> None:
    number = synthetic_id_number("320507", date(1990, 1, 2), 7)
    write(
        Path(people_feed.config["directory"]) / "a.csv", [person(0, "2026-03-01T00:00:00Z", id_number=number)]
    )
    run = do_run_connector(people_feed, now=NOW)
    assert run.created == 1 and number not in run.bookmark_after and number not in people_feed.bookmark_key
