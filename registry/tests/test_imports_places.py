"""Imports of standard addresses, of houses and buildings, and of key places: written with history and
audit rows as the actions write them, duplicates skipped, every bad cell reported and nothing imported,
progress reported; the refused role and the outsider get row problems, not data; through the page (the
error report) and the background job."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from audit.models import AuditEvent
from core.spreadsheets import SpreadsheetImportError
from registry import actions, import_jobs
from registry.imports_places import (
    ADDRESS_HEADERS,
    BUILDING_HEADERS,
    PLACE_HEADERS,
    do_import_addresses,
    do_import_buildings,
    do_import_key_places,
)
from registry.models import Address, Building, House, KeyPlace
from registry.testing import synthetic_uscc
from registry.tests.conftest import HQ_GRID, NOW, WT_GRID

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

VILLAGE = HQ_GRID[:12]


def csv_file(tmp_path: Path, headers: list[str], rows: list[list[str]], name: str = "file.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def problems_of(error: pytest.ExceptionInfo[SpreadsheetImportError]) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in error.value.problems}


# ------------------------------------------------------------------------------------------ addresses

ADDRESSES = [
    [HQ_GRID, "春申路", "88", "", "120.555", "31.405"],
    [HQ_GRID, "春申路", "90号", "东门", "", ""],
    [VILLAGE, "黄桥路", "1", "", "", ""],
]


def test_addresses_import_with_their_text_history_and_audit(people: dict[str, Any], tmp_path: Path) -> None:
    steward = people["hq_steward"]
    seen: list[tuple[int, int]] = []
    report = do_import_addresses(
        csv_file(tmp_path, ADDRESS_HEADERS, ADDRESSES),
        actor=steward,
        now=NOW,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert (report.created, report.duplicates, report.rows) == (3, 0, 3)
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    first = Address.objects.get(door_number="88")
    assert (first.text, first.lon, first.lat) == ("春申路88号", 120.555, 31.405)
    assert first.search_text.endswith(" 春申路88号") and "黄桥" in first.search_text
    assert Address.objects.get(door_number="90号").text == "春申路90号东门"
    assert first.history.get().history_user == steward
    assert AuditEvent.objects.filter(action="registry.address_created").count() == 3

    again = [ADDRESSES[0], [HQ_GRID, "春申路", "92", "", "", ""], [HQ_GRID, "春申路", "92", "", "", ""]]
    report = do_import_addresses(
        csv_file(tmp_path, ADDRESS_HEADERS, again, "again.csv"), actor=people["hq_head"], now=NOW
    )
    assert (report.created, report.duplicates) == (1, 2) and Address.objects.count() == 4


def test_bad_addresses_are_all_reported_and_none_imported(people: dict[str, Any], tmp_path: Path) -> None:
    rows = [
        *ADDRESSES,
        ["320507003209", "春申路", "1", "", "", ""],
        [HQ_GRID, "", "2", "", "", ""],
        [HQ_GRID, "春申路", "3", "", "31.4", "120.5"],
        [HQ_GRID, "春申路", "4", "", "120.5", ""],
    ]
    with pytest.raises(SpreadsheetImportError) as error:
        do_import_addresses(csv_file(tmp_path, ADDRESS_HEADERS, rows), actor=people["hq_steward"], now=NOW)
    assert problems_of(error) == {(5, "区划/网格代码"), (6, "街路巷"), (7, "经度"), (7, "纬度"), (8, "经度")}
    assert not Address.objects.exists()


@pytest.mark.parametrize("who", ["wt_steward", "hq_grid", "hq_clerk"])
def test_refused_roles_and_the_outsider_import_no_address(
    people: dict[str, Any], tmp_path: Path, who: str
) -> None:
    with pytest.raises(SpreadsheetImportError) as error:
        do_import_addresses(csv_file(tmp_path, ADDRESS_HEADERS, ADDRESSES), actor=people[who], now=NOW)
    assert {p.reason for p in error.value.problems} == {"不在您可维护的范围内"}
    assert not Address.objects.exists()


# ---------------------------------------------------------------------------------- houses, buildings


def building_row(
    room: str = "", *, unit: str = "1", rented: str = "", floors: str = "6", **cells: str
) -> list[str]:
    values = {
        "网格编码": HQ_GRID,
        "街路巷": "春申路",
        "门楼牌号": "88",
        "院落号": "1",
        "街巷院落": "春申花园",
        "幢号": "3",
        "用途": "住宅",
        "结构": "砖混",
        "层数": floors,
        "产权人": "",
        "单元": unit if room else "",
        "室号": room,
        "出租房": rented,
        **cells,
    }
    return [values[h] for h in BUILDING_HEADERS]


@pytest.fixture
def address(people: dict[str, Any]) -> Any:
    return actions.do_create_address(
        territory_code=HQ_GRID, street="春申路", door_number="88", actor=people["hq_steward"], now=NOW
    )


def test_buildings_and_rooms_import_with_codes_history_and_audit(
    people: dict[str, Any], address: Any, tmp_path: Path
) -> None:
    rows = [building_row("101", rented="是"), building_row("102", rented="否"), building_row(幢号="4")]
    report = do_import_buildings(
        csv_file(tmp_path, BUILDING_HEADERS, rows), actor=people["hq_steward"], now=NOW
    )
    assert (report.created, report.buildings, report.duplicates) == (2, 2, 0)
    third = Building.objects.get(code=f"{VILLAGE}001003")
    assert (third.address, third.floors, third.use, third.structure) == (
        address,
        6,
        "residential",
        "brick_concrete",
    )
    assert Building.objects.filter(code=f"{VILLAGE}001004").exists()
    room = House.objects.get(code=f"{VILLAGE}001003010101")
    assert (room.building, room.unit, room.room, room.rented, room.territory_code) == (
        third,
        "1",
        "101",
        True,
        HQ_GRID,
    )
    assert room.history.get().history_user == people["hq_steward"]
    assert AuditEvent.objects.filter(action="registry.building_registered").count() == 2
    assert AuditEvent.objects.filter(action="registry.house_registered").count() == 2

    again = [*rows, building_row("201")]
    report = do_import_buildings(
        csv_file(tmp_path, BUILDING_HEADERS, again, "again.csv"), actor=people["hq_head"], now=NOW
    )
    assert (report.created, report.buildings, report.duplicates) == (1, 0, 3)
    assert House.objects.filter(building=third).count() == 3


def test_bad_building_rows_are_all_reported_and_none_imported(
    people: dict[str, Any], address: Any, tmp_path: Path
) -> None:
    rows = [
        building_row("101"),
        building_row("102", floors="7"),  # the same building, another height
        building_row("10A"),
        building_row("103", 门楼牌号="99"),  # no such standard address
        building_row("104", 用途="住人"),
        building_row("105", rented="可能"),
        building_row(rented="是", 幢号="5"),  # a building is not let out, its rooms are
        building_row("106", 院落号="1000"),
    ]
    with pytest.raises(SpreadsheetImportError) as error:
        do_import_buildings(csv_file(tmp_path, BUILDING_HEADERS, rows), actor=people["hq_steward"], now=NOW)
    assert problems_of(error) == {
        (3, "幢号"),
        (4, "室号"),
        (5, "门楼牌号"),
        (6, "用途"),
        (7, "出租房"),
        (8, "出租房"),
        (9, "院落号"),
    }
    assert not Building.objects.exists() and not House.objects.exists()


def test_a_building_registered_in_another_grid_is_refused(
    people: dict[str, Any], address: Any, tmp_path: Path
) -> None:
    other = f"{VILLAGE}002"
    actions.do_register_building(
        territory_code=other,
        address=address,
        compound_number=1,
        number=3,
        compound="春申花园",
        use="residential",
        structure="brick_concrete",
        floors=6,
        actor=people["hq_steward"],
        now=NOW,
    )
    with pytest.raises(SpreadsheetImportError) as error:
        do_import_buildings(
            csv_file(tmp_path, BUILDING_HEADERS, [building_row("101")]), actor=people["hq_steward"], now=NOW
        )
    assert problems_of(error) == {(2, "幢号")} and not House.objects.exists()


@pytest.mark.parametrize("who", ["wt_steward", "hq_grid", "hq_clerk"])
def test_refused_roles_and_the_outsider_import_no_building(
    people: dict[str, Any], address: Any, tmp_path: Path, who: str
) -> None:
    with pytest.raises(SpreadsheetImportError) as error:
        do_import_buildings(
            csv_file(tmp_path, BUILDING_HEADERS, [building_row("101")]), actor=people[who], now=NOW
        )
    assert {p.reason for p in error.value.problems} == {"不在您可维护的范围内"}
    assert not Building.objects.exists()


# ------------------------------------------------------------------------------------------ key places


def place_row(name: str, **cells: str) -> list[str]:
    values = {"网格编码": HQ_GRID, "场所名称": name, "类别": "九小场所", "巡查周期": "30", **cells}
    return [values.get(h, "") for h in PLACE_HEADERS]


def test_key_places_import_with_entity_building_and_address(
    people: dict[str, Any], world: dict[str, Any], tmp_path: Path
) -> None:
    entity, building = world["entity"], world["building"]
    rows = [
        place_row("春申小餐馆", 统一社会信用代码=entity.uscc, 房屋编码=building.code),
        place_row("春申加油站", 类别="危化品场所", 巡查周期="7"),
        place_row("春申便利店"),  # registered in the grid already
        place_row("春申加油站"),  # earlier in the file
    ]
    report = do_import_key_places(csv_file(tmp_path, PLACE_HEADERS, rows), actor=people["hq_head"], now=NOW)
    assert (report.created, report.duplicates) == (2, 2)
    diner = KeyPlace.objects.get(name="春申小餐馆")
    assert (diner.entity, diner.building, diner.address, diner.inspection_days) == (
        entity,
        building,
        building.address,
        30,
    )
    station = KeyPlace.objects.get(name="春申加油站")
    assert (station.kind, station.inspection_days, station.entity) == ("hazardous_chemicals", 7, None)
    assert station.history.get().history_user == people["hq_head"]
    assert AuditEvent.objects.filter(action="registry.key_place_registered").count() == 3  # with world's


def test_bad_key_places_are_all_reported_and_none_imported(
    people: dict[str, Any], world: dict[str, Any], tmp_path: Path
) -> None:
    steward = people["wt_steward"]
    theirs = actions.do_register_entity(
        uscc_code=synthetic_uscc("320507", 501),
        name="渭塘五金厂",
        legal_representative="沈大",
        industry_code="C3311",
        size="small",
        territory_code=WT_GRID,
        actor=steward,
        now=NOW,
    )
    rows = [
        place_row("", 类别="学校"),
        place_row("甲", 巡查周期="0"),
        place_row("乙", 统一社会信用代码=synthetic_uscc("320507", 999)),
        place_row("丙", 统一社会信用代码=theirs.uscc),
        place_row("丁", 房屋编码=f"{VILLAGE}009009"),
        place_row("戊", 房屋编码=world["building"].code, 网格编码=f"{VILLAGE}002"),
    ]
    with pytest.raises(SpreadsheetImportError) as error:
        do_import_key_places(csv_file(tmp_path, PLACE_HEADERS, rows), actor=people["hq_steward"], now=NOW)
    assert problems_of(error) == {
        (2, "场所名称"),
        (2, "类别"),
        (3, "巡查周期"),
        (4, "统一社会信用代码"),
        (5, "统一社会信用代码"),
        (6, "房屋编码"),
        (7, "房屋编码"),
    }
    assert KeyPlace.objects.count() == 1  # the world's shop


@pytest.mark.parametrize("who", ["wt_steward", "hq_grid", "hq_clerk"])
def test_refused_roles_and_the_outsider_import_no_place(
    people: dict[str, Any], tmp_path: Path, who: str
) -> None:
    with pytest.raises(SpreadsheetImportError) as error:
        do_import_key_places(csv_file(tmp_path, PLACE_HEADERS, [place_row("甲")]), actor=people[who], now=NOW)
    assert {p.reason for p in error.value.problems} == {"不在您可维护的范围内"}
    assert not KeyPlace.objects.exists()


def test_an_empty_file_or_a_missing_column_is_refused(people: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(SpreadsheetImportError):
        do_import_key_places(path, actor=people["hq_steward"], now=NOW)
    short = csv_file(tmp_path, PLACE_HEADERS[:3], [[HQ_GRID, "甲", "九小场所"]], "short.csv")
    with pytest.raises(SpreadsheetImportError) as error:
        do_import_key_places(short, actor=people["hq_steward"], now=NOW)
    assert problems_of(error) == {(1, "巡查周期"), (1, "统一社会信用代码"), (1, "房屋编码")}


# ------------------------------------------------------------------------- the page, the background job


def upload(headers: list[str], rows: list[list[str]]) -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile("file.csv", text.getvalue().encode("utf-8"), content_type="text/csv")


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_imports_each_kind_and_offers_the_error_report(
    people: dict[str, Any], tmp_path: Path
) -> None:
    client = as_user(people["hq_steward"])
    page = client.post(
        "/registry/import/", {"kind": "addresses", "file": upload(ADDRESS_HEADERS, ADDRESSES)}
    ).content.decode()
    assert "新增 3 条，重复跳过 0 条。" in page
    page = client.post(
        "/registry/import/", {"kind": "buildings", "file": upload(BUILDING_HEADERS, [building_row("101")])}
    ).content.decode()
    assert "新增户室 1 间、房屋 1 幢，重复跳过 0 条。" in page
    bad = client.post(
        "/registry/import/",
        {"kind": "places", "file": upload(PLACE_HEADERS, [place_row("甲", 巡查周期="x")])},
    ).content.decode()
    token = re.search(r"/registry/import/report/([\w-]+)/", bad)
    assert token is not None and "未导入任何数据" in bad
    report = client.get(f"/registry/import/report/{token.group(1)}/")
    rows = list(load_workbook(io.BytesIO(report.content)).active.iter_rows(values_only=True))
    assert rows[1][:2] == (2, "巡查周期") and not KeyPlace.objects.exists()
    assert (
        as_user(people["hq_grid"])
        .post("/registry/import/", {"kind": "places", "file": upload(PLACE_HEADERS, [place_row("甲")])})
        .status_code
        == 403
    )


def test_a_long_file_runs_in_the_background(people: dict[str, Any], settings: Any, tmp_path: Path) -> None:
    settings.REGISTRY_IMPORT_BACKGROUND_BYTES = 10
    settings.VAR_DIR = tmp_path
    steward = people["hq_steward"]
    client = as_user(steward)
    answer = client.post(
        "/registry/import/", {"kind": "addresses", "file": upload(ADDRESS_HEADERS, ADDRESSES)}
    )
    assert answer.status_code == 303
    token = answer["Location"].rstrip("/").split("/")[-1]
    state = import_jobs.state_for(steward, token)
    assert state is not None and state["status"] == "done" and (state["done"], state["total"]) == (3, 3)
    assert "新增 3 条，重复跳过 0 条。" in client.get(f"/registry/import/jobs/{token}/").content.decode()


def test_the_page_reads_in_english(people: dict[str, Any]) -> None:
    client = as_user(people["hq_steward"])
    client.cookies["django_language"] = "en"
    page = client.get("/registry/import/").content.decode()
    assert "Houses (buildings and rooms)" in page and "Key places" in page
    done = client.post(
        "/registry/import/", {"kind": "addresses", "file": upload(ADDRESS_HEADERS, ADDRESSES)}
    ).content.decode()
    assert "3 added, 0 duplicates skipped." in done
    bad = client.post(
        "/registry/import/",
        {"kind": "buildings", "file": upload(BUILDING_HEADERS, [building_row("101", 门楼牌号="9")])},
    ).content.decode()
    assert "the standard address is not registered" in bad and "门楼牌号 (Door number)" in bad
