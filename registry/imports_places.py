"""XLSX/CSV import of standard addresses, of houses and buildings, and of key places, the way people and
entities are imported (registry/imports.py): every row checked first and every problem reported (the
error report), one bad row and nothing is imported, rows already registered (or earlier in the file)
skipped as duplicates, written in batches through `core.bulk` with their history and audit rows, as
the registry's actions write them, and `progress(done, total)` after each batch. Columns: docs/registry.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from stdnum.cn import uscc

from accounts.models import User
from audit.actions import record_events
from core.spreadsheets import (
    FileArg,
    ImportProblem,
    SpreadsheetImportError,
    cell_int,
    cell_text,
    read_rows,
)
from registry import bulk_writes
from registry.actions.places import address_text, division_names
from registry.imports import (
    PROGRESS_EVERY,
    ImportReport,
    Progress,
    chunks,
    columns_of,
    file_values,
    grid_checker,
    no_progress,
)
from registry.models import Address, Building, Entity, House, KeyPlace

ADDRESS_HEADERS = [
    gettext_noop("区划/网格代码"),
    gettext_noop("街路巷"),
    gettext_noop("门楼牌号"),
    gettext_noop("详址"),
    gettext_noop("经度"),
    gettext_noop("纬度"),
]
BUILDING_HEADERS = [
    gettext_noop("网格编码"),
    gettext_noop("街路巷"),
    gettext_noop("门楼牌号"),
    gettext_noop("院落号"),
    gettext_noop("街巷院落"),
    gettext_noop("幢号"),
    gettext_noop("用途"),
    gettext_noop("结构"),
    gettext_noop("层数"),
    gettext_noop("产权人"),
    gettext_noop("单元"),
    gettext_noop("室号"),
    gettext_noop("出租房"),
]
PLACE_HEADERS = [
    gettext_noop("网格编码"),
    gettext_noop("场所名称"),
    gettext_noop("类别"),
    gettext_noop("巡查周期"),
    gettext_noop("统一社会信用代码"),
    gettext_noop("房屋编码"),
]
YES_NO = {"是": True, "否": False, "": False}
# Where a point of the district can lie (China's extent): a swapped or mistyped coordinate is refused.
LON_RANGE, LAT_RANGE = (73.0, 136.0), (3.0, 54.0)


@dataclass
class _Rows:
    """A file's cells by header, row by row (blank rows left out), and the problems found so far."""

    cells: list[tuple[int, dict[str, str], tuple[Any, ...]]]
    report: ImportReport

    def problem(self, row: int, column: str, reason: str) -> None:
        self.report.problems.append(ImportProblem(row, column, reason))

    def refuse_if_any(self) -> None:
        if self.report.problems:
            raise SpreadsheetImportError(self.report.problems)


def _rows(file: FileArg, headers: list[str]) -> _Rows:
    rows = read_rows(file)
    columns = columns_of(rows, headers)
    cells = []
    for number, row in enumerate(rows[1:], start=2):
        raw = {h: row[columns[h]] if columns[h] < len(row) else None for h in headers}
        text = {h: cell_text(value) for h, value in raw.items()}
        if any(text.values()):
            cells.append((number, text, tuple(raw[h] for h in headers)))
    return _Rows(cells, ImportReport(rows=len(rows) - 1))


def _write(
    entries: list[dict[str, Any]],
    write: Callable[[list[dict[str, Any]]], None],
    *,
    total: int,
    done: int,
    progress: Progress,
    conflict: str,
    column: str,
    first: Callable[[], None] | None = None,
) -> None:
    """Write the new entries in batches in one transaction for the file (`first` before them),
    reporting progress after each; a row registered meanwhile by someone else refuses the file."""
    progress(0, total)
    try:
        with transaction.atomic():
            if first is not None:
                first()
            for batch in chunks(entries, PROGRESS_EVERY):
                write(batch)
                done += len(batch)
                progress(done, total)
            if not entries:
                progress(total, total)
    except IntegrityError as error:
        raise SpreadsheetImportError([ImportProblem(0, column, conflict)]) from error


def _events(
    action: str, label: str, pairs: list[tuple[dict[str, Any], int]], *, actor: User, now: datetime
) -> None:
    record_events(
        [
            {
                "action": action,
                "subject_type": label,
                "subject_id": str(pk),
                "territory_code": entry["territory_code"],
                "after": entry["audit"],
            }
            for entry, pk in pairs
        ],
        actor=actor,
        now=now,
    )


# ------------------------------------------------------------------------------------- addresses


def _coordinate(value: Any, low: float, high: float) -> float | None:
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if low <= number <= high else None


def do_import_addresses(
    file: FileArg, *, actor: User, now: datetime, progress: Progress = no_progress
) -> ImportReport:
    """Import standard addresses (标准地址) on divisions or grids where the actor may write; an address
    already registered with the same parts (or earlier in the file) is a duplicate. Each is written as
    `do_create_address` writes it: its one string form, its search text (the division names in front)
    and a `registry.address_created` audit row."""
    found = _rows(file, ADDRESS_HEADERS)
    check = grid_checker(actor, divisions=True)
    entries: list[dict[str, Any]] = []
    for number, cell, raw in found.cells:
        code = cell["区划/网格代码"]
        if (reason := check(code)) is not None:
            found.problem(number, "区划/网格代码", reason)
        for column in ("街路巷", "门楼牌号"):
            if not cell[column]:
                found.problem(number, column, _("不能为空"))
        lon = _coordinate(raw[4], *LON_RANGE) if cell["经度"] else None
        lat = _coordinate(raw[5], *LAT_RANGE) if cell["纬度"] else None
        if cell["经度"] and lon is None:
            found.problem(number, "经度", _("须为 73–136 之间的数（WGS-84）"))
        if cell["纬度"] and lat is None:
            found.problem(number, "纬度", _("须为 3–54 之间的数（WGS-84）"))
        if bool(cell["经度"]) != bool(cell["纬度"]):
            found.problem(number, "经度", _("经度和纬度须同时填写或同时留空"))
        key = (code, cell["街路巷"], cell["门楼牌号"], cell["详址"])
        entries.append({"row": number, "key": key, "lon": lon, "lat": lat})
    found.refuse_if_any()
    report = found.report
    codes = sorted({e["key"][0] for e in entries})
    known: set[tuple[str, ...]] = set()
    for part in chunks(codes, 900):
        known.update(
            Address.objects.filter(territory_code__in=part).values_list(
                "territory_code", "street", "door_number", "detail"
            )
        )
    fresh = []
    for entry in entries:
        if entry["key"] not in known:
            known.add(entry["key"])
            fresh.append(entry)
    report.duplicates = len(entries) - len(fresh)
    names = {code: division_names(code) for code in {e["key"][0] for e in fresh}}

    def write(batch: list[dict[str, Any]]) -> None:
        rows = []
        for entry in batch:
            code, street, door, detail = entry["key"]
            text = address_text(street, door, detail)
            entry.update(territory_code=code, audit={"text": text})
            rows.append(
                {
                    "territory_code": code,
                    "street": street,
                    "door_number": door,
                    "detail": detail,
                    "lon": entry["lon"],
                    "lat": entry["lat"],
                    "text": text,
                    "search_text": f"{names[code]} {text}",
                }
            )
        ids = bulk_writes.insert_with_history(Address, rows, actor=actor, now=now)
        pairs = list(zip(batch, ids, strict=True))
        _events("registry.address_created", "registry.address", pairs, actor=actor, now=now)
        report.created += len(batch)

    _write(
        fresh,
        write,
        total=len(entries),
        done=report.duplicates,
        progress=progress,
        conflict=_("导入期间有地址被另行登记，请重新导入"),
        column="门楼牌号",
    )
    return report


# --------------------------------------------------------------------------------- houses, buildings


def _addresses_for(grids: set[str]) -> Callable[[str, str, str], int | None]:
    """The registered standard address without a 详址 of (grid, street, door number): the grid's own,
    else its village's; None when there is neither. One query for the file."""
    codes = sorted(grids | {code[:12] for code in grids})
    found: dict[tuple[str, str, str], int] = {}
    for part in chunks(codes, 900):
        rows = Address.objects.filter(territory_code__in=part, detail="")
        for code, street, door, pk in rows.values_list("territory_code", "street", "door_number", "id"):
            found[(code, street, door)] = pk

    def address(grid: str, street: str, door: str) -> int | None:
        return found.get((grid, street, door)) or found.get((grid[:12], street, door))

    return address


def _building_cells(found: _Rows, actor: User) -> list[dict[str, Any]]:
    check = grid_checker(actor)
    uses, structures = file_values(Building.Use), file_values(Building.Structure)
    grids = {cell["网格编码"] for _n, cell, _raw in found.cells}
    address_of = _addresses_for(grids)
    entries = []
    for number, cell, raw in found.cells:

        def problem(column: str, reason: str, number: int = number) -> None:
            found.problem(number, column, reason)

        grid = cell["网格编码"]
        if (reason := check(grid)) is not None:
            problem("网格编码", reason)
        address = address_of(grid, cell["街路巷"], cell["门楼牌号"])
        if reason is None and address is None:
            problem("门楼牌号", _("标准地址未登记（请先导入标准地址）"))
        compound_number, building_number = cell_int(raw[3], 1, 999), cell_int(raw[5], 1, 999)
        floors = cell_int(raw[8], 1, 199)
        unit = cell_int(raw[10], 0, 99) if cell["单元"] else 0
        for column, value, reason in (
            ("院落号", compound_number, _("须为 1–999 的整数")),
            ("幢号", building_number, _("须为 1–999 的整数")),
            ("层数", floors, _("须为 1–199 的整数")),
            ("单元", unit, _("须为 0–99 的整数")),
        ):
            if value is None:
                problem(column, reason)
        if not cell["街巷院落"]:
            problem("街巷院落", _("不能为空"))
        if cell["用途"] not in uses:
            problem("用途", _("须为 %(choices)s") % {"choices": "/".join(uses)})
        if cell["结构"] not in structures:
            problem("结构", _("须为 %(choices)s") % {"choices": "/".join(structures)})
        room = cell["室号"]
        if room and not (room.isdigit() and len(room) <= 4):
            problem("室号", _("须为 1–4 位数字"))
        if cell["出租房"] not in YES_NO:
            problem("出租房", _("须为 是/否"))
        if not room and cell["出租房"] == "是":
            problem("出租房", _("出租的须是户室：请填写室号"))
        code = f"{grid[:12]}{compound_number or 0:03d}{building_number or 0:03d}"
        entries.append(
            {
                "row": number,
                "code": code,
                "building": {
                    "territory_code": grid,
                    "address_id": address,
                    "compound": cell["街巷院落"],
                    "number": str(building_number),
                    "use": uses.get(cell["用途"], ""),
                    "structure": structures.get(cell["结构"], ""),
                    "floors": floors,
                    "owner_name": cell["产权人"],
                },
                "room": room,
                "unit": unit or 0,
                "rented": YES_NO.get(cell["出租房"], False),
            }
        )
    return entries


def _check_buildings(entries: list[dict[str, Any]], found: _Rows) -> dict[str, Building]:
    """The rows naming one building agree on it; a building registered already stays in its grid.
    Returns the registered buildings of the file (code → building)."""
    first: dict[str, dict[str, Any]] = {}
    troubled = {p.row for p in found.report.problems}  # a row with a bad cell is not compared
    for entry in entries:
        if entry["row"] in troubled:
            continue
        seen = first.setdefault(entry["code"], entry)
        if seen["building"] != entry["building"]:
            found.problem(
                entry["row"], "幢号", _("与第%(row)s行同一幢房屋的信息不一致") % {"row": seen["row"]}
            )
    registered = {
        b.code: b for part in chunks(list(first), 900) for b in Building.objects.filter(code__in=part)
    }
    for code, entry in first.items():
        building = registered.get(code)
        if building is not None and building.territory_code != entry["building"]["territory_code"]:
            found.problem(entry["row"], "幢号", _("房屋编码 %(code)s 已登记在其他网格") % {"code": code})
    return registered


def do_import_buildings(
    file: FileArg, *, actor: User, now: datetime, progress: Progress = no_progress
) -> ImportReport:
    """Import houses and buildings (实有房屋): one row a room (户室) with its building, or a building
    alone (室号 left empty). The building's code is the village code + 院落号 + 幢号 (GB/T 39609), the
    room's the building's + 单元 (2) + 室号 (4); its standard address must be registered on the grid or
    its village. Rows of one building agree on it; a building registered already takes the file's new
    rooms; a room registered already (or earlier in the file) is a duplicate. Written as
    `do_register_building` and `do_register_house` write them, with their audit rows; the report counts
    the new rooms (`created`) and buildings (`buildings`)."""
    found = _rows(file, BUILDING_HEADERS)
    entries = _building_cells(found, actor)
    registered = _check_buildings(entries, found)
    found.refuse_if_any()
    report = found.report
    houses = [e for e in entries if e["room"]]
    for entry in houses:
        entry["house_code"] = f"{entry['code']}{entry['unit']:02d}{int(entry['room']):04d}"
    known = {
        code
        for part in chunks([e["house_code"] for e in houses], 900)
        for code in House.objects.filter(code__in=part).values_list("code", flat=True)
    }
    new_buildings: dict[str, dict[str, Any]] = {}
    fresh: list[dict[str, Any]] = []
    for entry in entries:
        building_is_new = entry["code"] not in registered and entry["code"] not in new_buildings
        if building_is_new:
            new_buildings[entry["code"]] = entry
        if entry["room"] and entry["house_code"] not in known:
            known.add(entry["house_code"])
            fresh.append(entry)
        elif not building_is_new:
            report.duplicates += 1
    ids = {code: b.pk for code, b in registered.items()}

    def write_buildings() -> None:
        batch = list(new_buildings.values())
        rows = [{"code": e["code"], **e["building"]} for e in batch]
        for entry in batch:
            entry.update(territory_code=entry["building"]["territory_code"], audit={"code": entry["code"]})
        created = bulk_writes.insert_with_history(Building, rows, actor=actor, now=now)
        ids.update(zip(new_buildings, created, strict=True))
        pairs = list(zip(batch, created, strict=True))
        _events("registry.building_registered", "registry.building", pairs, actor=actor, now=now)
        report.buildings = len(batch)

    def write(batch: list[dict[str, Any]]) -> None:
        rows = [
            {
                "building_id": ids[e["code"]],
                "code": e["house_code"],
                "territory_code": e["building"]["territory_code"],
                "unit": str(e["unit"]) if e["unit"] else "",
                "room": e["room"],
                "rented": e["rented"],
            }
            for e in batch
        ]
        for entry in batch:
            entry.update(
                territory_code=entry["building"]["territory_code"],
                audit={"code": entry["house_code"], "rented": entry["rented"]},
            )
        created = bulk_writes.insert_with_history(House, rows, actor=actor, now=now)
        pairs = list(zip(batch, created, strict=True))
        _events("registry.house_registered", "registry.house", pairs, actor=actor, now=now)
        report.created += len(batch)

    _write(
        fresh,
        write,
        total=len(entries),
        done=len(entries) - len(fresh),
        progress=progress,
        conflict=_("导入期间有房屋被另行登记，请重新导入"),
        column="幢号",
        first=write_buildings,
    )
    return report


# ------------------------------------------------------------------------------------------ key places


def do_import_key_places(
    file: FileArg, *, actor: User, now: datetime, progress: Progress = no_progress
) -> ImportReport:
    """Import key places (重点场所) in grids where the actor may write: kind, inspection period (days),
    and optionally the registered entity that runs it (its credit code, in the same village) and the
    building it is in (its code, in the same grid; the place takes the building's address, the
    checkpoint of its patrol items). A place of the same name already registered in the grid (or earlier
    in the file) is a duplicate. Written as `do_register_key_place` writes it, with its audit row."""
    found = _rows(file, PLACE_HEADERS)
    check = grid_checker(actor)
    kinds = file_values(KeyPlace.Kind)
    codes = {cell["统一社会信用代码"] for _n, cell, _raw in found.cells if cell["统一社会信用代码"]}
    entities = {
        e.uscc: e
        for part in chunks([uscc.compact(c) for c in codes], 900)
        for e in Entity.objects.filter(uscc__in=part)
    }
    building_codes = [cell["房屋编码"] for _n, cell, _raw in found.cells if cell["房屋编码"]]
    buildings = {
        b.code: b for part in chunks(building_codes, 900) for b in Building.objects.filter(code__in=part)
    }
    entries: list[dict[str, Any]] = []
    for number, cell, raw in found.cells:
        grid = cell["网格编码"]
        if (reason := check(grid)) is not None:
            found.problem(number, "网格编码", reason)
        if not cell["场所名称"]:
            found.problem(number, "场所名称", _("不能为空"))
        if cell["类别"] not in kinds:
            found.problem(number, "类别", _("须为 %(choices)s") % {"choices": "/".join(kinds)})
        days = cell_int(raw[3], 1, 366)
        if days is None:
            found.problem(number, "巡查周期", _("须为 1–366 的整数（天）"))
        entity = None
        if cell["统一社会信用代码"]:
            entity = entities.get(uscc.compact(cell["统一社会信用代码"]))
            if entity is None:
                found.problem(number, "统一社会信用代码", _("单位未登记"))
            elif not entity.territory_code.startswith(grid[:12]):
                found.problem(number, "统一社会信用代码", _("单位不在该网格所在村（社区）"))
        building = None
        if cell["房屋编码"]:
            building = buildings.get(cell["房屋编码"])
            if building is None:
                found.problem(number, "房屋编码", _("房屋未登记"))
            elif building.territory_code != grid:
                found.problem(number, "房屋编码", _("房屋不在该网格"))
        entries.append(
            {
                "row": number,
                "key": (grid, cell["场所名称"]),
                "kind": kinds.get(cell["类别"], ""),
                "days": days,
                "entity": entity,
                "building": building,
            }
        )
    found.refuse_if_any()
    report = found.report
    known: set[tuple[str, str]] = set()
    for part in chunks(sorted({e["key"][0] for e in entries}), 900):
        known.update(KeyPlace.objects.filter(territory_code__in=part).values_list("territory_code", "name"))
    fresh = []
    for entry in entries:
        if entry["key"] not in known:
            known.add(entry["key"])
            fresh.append(entry)
    report.duplicates = len(entries) - len(fresh)

    def write(batch: list[dict[str, Any]]) -> None:
        rows = []
        for entry in batch:
            grid, name = entry["key"]
            building: Building | None = entry["building"]
            entry.update(territory_code=grid, audit={"kind": entry["kind"]})
            rows.append(
                {
                    "name": name,
                    "kind": entry["kind"],
                    "territory_code": grid,
                    "entity_id": entry["entity"].pk if entry["entity"] else None,
                    "building_id": building.pk if building else None,
                    "address_id": building.address_id if building else None,
                    "inspection_days": entry["days"],
                }
            )
        ids = bulk_writes.insert_with_history(KeyPlace, rows, actor=actor, now=now)
        pairs = list(zip(batch, ids, strict=True))
        _events("registry.key_place_registered", "registry.keyplace", pairs, actor=actor, now=now)
        report.created += len(batch)

    _write(
        fresh,
        write,
        total=len(entries),
        done=report.duplicates,
        progress=progress,
        conflict=_("导入期间有场所被另行登记，请重新导入"),
        column="场所名称",
    )
    return report
