"""Imports of people/households and entities: row-by-row checks with an error report, dedup by the ID
hash, nothing half-imported; the refused role and the outsider get row problems, not data."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from core.spreadsheets import SpreadsheetImportError, problems_workbook
from registry.imports import (
    ENTITY_HEADERS,
    PEOPLE_HEADERS,
    do_import_entities,
    do_import_people,
)
from registry.models import Entity, Household, Person
from registry.testing import synthetic_id_number, synthetic_uscc
from registry.tests.conftest import HQ_GRID, NOW

pytestmark = pytest.mark.django_db


def idn(seq: int) -> str:
    return synthetic_id_number("320507", date(1966, 7, 8), seq)


def csv_file(tmp_path, rows, headers=PEOPLE_HEADERS, name="people.csv"):
    path = tmp_path / name
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


GOOD = [
    [HQ_GRID, "周一", idn(1), "户籍人口", "13900000001", "HQ-I1", "户主"],
    [HQ_GRID, "周二", idn(2), "户籍人口", "", "HQ-I1", "配偶"],
    [HQ_GRID, "吴三", idn(3), "流动人口", "13900000003", "HQ-I2", "户主"],
    [HQ_GRID, "郑四", idn(4), "留守人员", "", "", ""],
]


def test_people_and_households_import_and_duplicates_are_skipped(people, tmp_path):
    report = do_import_people(csv_file(tmp_path, GOOD), actor=people["hq_steward"], now=NOW)
    assert (report.created, report.duplicates, report.households) == (4, 0, 2)
    assert Household.objects.get(number="HQ-I1").members.count() == 2
    again = [[HQ_GRID, "郑四", idn(4), "留守人员", "", "", ""], [HQ_GRID, "王五", idn(5), "", "", "", ""]]
    report = do_import_people(csv_file(tmp_path, again, name="again.csv"), actor=people["hq_head"], now=NOW)
    assert (report.created, report.duplicates) == (1, 1)
    assert Person.objects.count() == 5


def test_bad_rows_are_all_reported_and_nothing_is_imported(people, tmp_path):
    bad_check = idn(9)[:-1] + ("0" if idn(9)[-1] != "0" else "1")
    rows = [
        *GOOD,
        [HQ_GRID, "甲", bad_check, "户籍人口", "", "", ""],
        [HQ_GRID, "乙", idn(11), "外星人口", "", "", ""],
        ["320507003201999", "丙", idn(12), "户籍人口", "", "", ""],
        [HQ_GRID, "丁", idn(13), "户籍人口", "", "HQ-I3", "户主"],
        [HQ_GRID, "戊", idn(14), "户籍人口", "", "HQ-I3", "户主"],
        [HQ_GRID, "己", idn(1), "户籍人口", "", "", ""],
    ]
    with pytest.raises(SpreadsheetImportError) as error:
        do_import_people(csv_file(tmp_path, rows), actor=people["hq_steward"], now=NOW)
    found = {(p.row, p.column) for p in error.value.problems}
    assert {(6, "身份证号"), (7, "人口类别"), (8, "网格编码"), (9, "与户主关系"), (11, "身份证号")} <= found
    assert not Person.objects.exists() and not Household.objects.exists()
    sheet = load_workbook(io.BytesIO(problems_workbook(error.value.problems))).active
    assert sheet.cell(1, 3).value == "问题" and sheet.max_row == len(error.value.problems) + 1


@pytest.mark.parametrize("who", ["wt_steward", "hq_grid", "hq_clerk"])
def test_refused_roles_and_the_outsider_import_nothing(people, tmp_path, who):
    with pytest.raises(SpreadsheetImportError) as error:
        do_import_people(csv_file(tmp_path, GOOD), actor=people[who], now=NOW)
    assert {p.column for p in error.value.problems} == {"网格编码"}
    assert not Person.objects.exists()


def test_missing_columns_and_not_a_spreadsheet(people, tmp_path):
    with pytest.raises(SpreadsheetImportError) as error:
        do_import_people(csv_file(tmp_path, [], headers=["姓名"]), actor=people["hq_steward"], now=NOW)
    assert {p.column for p in error.value.problems} == set(PEOPLE_HEADERS) - {"姓名"}
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(SpreadsheetImportError):
        do_import_people(junk, actor=people["hq_steward"], now=NOW)


def test_entities_xlsx_with_a_bad_credit_code(people, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(ENTITY_HEADERS)
    sheet.append([HQ_GRID, "黄桥示例厂", synthetic_uscc("320507", 1), "王五", "C33", "小型"])
    sheet.append([HQ_GRID, "黄桥示例店", synthetic_uscc("320507", 2)[:-1] + "0", "赵六", "F52", "微型"])
    path = tmp_path / "entities.xlsx"
    workbook.save(path)
    with pytest.raises(SpreadsheetImportError) as error:
        do_import_entities(path, actor=people["hq_steward"], now=NOW)
    assert [(p.row, p.column) for p in error.value.problems] == [(3, "统一社会信用代码")]
    assert not Entity.objects.exists()
    sheet.delete_rows(3)
    sheet.append([HQ_GRID, "黄桥示例店", synthetic_uscc("320507", 2), "赵六", "F52", "微型"])
    workbook.save(path)
    assert do_import_entities(path, actor=people["hq_steward"], now=NOW).created == 2
    assert do_import_entities(path, actor=people["hq_steward"], now=NOW).duplicates == 2


def test_long_files_report_progress(people, tmp_path, monkeypatch):
    from registry import imports

    monkeypatch.setattr(imports, "PROGRESS_EVERY", 2)
    ticks: list[tuple[int, int]] = []
    rows = [[HQ_GRID, f"王{seq}", idn(seq), "户籍人口", "", "", ""] for seq in range(10, 15)]
    report = do_import_people(
        csv_file(tmp_path, rows),
        actor=people["hq_steward"],
        now=NOW,
        progress=lambda d, t: ticks.append((d, t)),
    )
    assert report.created == 5
    assert ticks == [(0, 5), (2, 5), (4, 5), (5, 5)]


def test_a_refused_file_reports_no_progress(people, tmp_path):
    ticks: list[tuple[int, int]] = []
    bad = [[HQ_GRID, "王", "110101199003070000", "户籍人口", "", "", ""]]
    with pytest.raises(SpreadsheetImportError):
        do_import_people(
            csv_file(tmp_path, bad),
            actor=people["hq_steward"],
            now=NOW,
            progress=lambda d, t: ticks.append((d, t)),
        )
    assert ticks == [] and not Person.objects.exists()


def test_the_import_writes_history_moves_and_audit_rows_as_the_actions_do(people, tmp_path):
    from audit.models import AuditEvent
    from registry import crypto
    from registry.models import HouseholdMove

    steward = people["hq_steward"]
    do_import_people(csv_file(tmp_path, GOOD), actor=steward, now=NOW)
    head = Person.objects.get(id_number_hash=crypto.lookup_hash(idn(1)))
    assert crypto.unseal(head, "id_number_sealed") == idn(1)
    assert crypto.unseal(head, "phone_sealed") == "13900000001"
    assert (head.birth_date, head.sex, head.relation) == (date(1966, 7, 8), "M", "head")
    household = Household.objects.get(number="HQ-I1")
    assert head.household_id == household.pk and household.territory_code == HQ_GRID
    created = head.history.get()  # one "created" history row, by the importer, at the import's time
    assert (created.history_type, created.history_user_id, created.history_date) == ("+", steward.pk, NOW)
    assert created.household_id == household.pk
    assert household.history.get().history_user_id == steward.pk
    moves = HouseholdMove.objects.filter(household=household).order_by("person_id")
    assert [(m.direction, m.relation, m.reason, m.recorded_by_id) for m in moves] == [
        ("in", "head", "立户", steward.pk),
        ("in", "spouse", "立户", steward.pk),
    ]
    audit = AuditEvent.objects.filter(action="registry.household_created", subject_id=str(household.pk))
    assert [(e.actor_id, e.territory_code, e.after) for e in audit] == [(steward.pk, HQ_GRID, {"members": 2})]
    summary = AuditEvent.objects.get(action="registry.people_imported")
    assert summary.after == {"rows": 4, "created": 4, "duplicates": 0, "households": 2}
    assert idn(1) not in str(summary.after)


def test_a_household_may_take_in_a_registered_person_but_not_one_of_another_household(people, tmp_path):
    steward = people["hq_steward"]
    do_import_people(csv_file(tmp_path, GOOD), actor=steward, now=NOW)
    joining = [
        [HQ_GRID, "郑四", idn(4), "留守人员", "", "HQ-I5", "户主"],  # registered, in no household
        [HQ_GRID, "郑五", idn(5), "户籍人口", "", "HQ-I5", "子女"],
    ]
    report = do_import_people(csv_file(tmp_path, joining, name="join.csv"), actor=steward, now=NOW)
    assert (report.created, report.duplicates, report.households) == (1, 1, 1)
    assert sorted(Household.objects.get(number="HQ-I5").members.values_list("relation", flat=True)) == [
        "child",
        "head",
    ]
    taken = [
        [HQ_GRID, "周一", idn(1), "户籍人口", "", "HQ-I6", "户主"],  # head of HQ-I1 already
        [HQ_GRID, "郑七", idn(7), "户籍人口", "", "HQ-I6", "子女"],
    ]
    with pytest.raises(SpreadsheetImportError) as error:
        do_import_people(csv_file(tmp_path, taken, name="taken.csv"), actor=steward, now=NOW)
    assert [(p.row, p.column) for p in error.value.problems] == [(2, "members")]
    assert not Household.objects.filter(number="HQ-I6").exists()
    assert not Person.objects.filter(name="郑七").exists()


def test_entities_are_written_with_history_and_an_audit_row_each(people, tmp_path):
    from audit.models import AuditEvent

    steward = people["hq_steward"]
    rows = [
        [HQ_GRID, "黄桥示例厂", synthetic_uscc("320507", 1), "王五", "c33", "小型"],
        [HQ_GRID, "黄桥示例厂（重复行）", synthetic_uscc("320507", 1), "王五", "C33", "小型"],
        [HQ_GRID, "黄桥示例店", synthetic_uscc("320507", 2), "赵六", "F52", "微型"],
    ]
    report = do_import_entities(csv_file(tmp_path, rows, ENTITY_HEADERS), actor=steward, now=NOW)
    assert (report.created, report.duplicates) == (2, 1)
    shop = Entity.objects.get(uscc=synthetic_uscc("320507", 1))
    assert (shop.name, shop.industry_code, shop.size) == ("黄桥示例厂", "C33", "small")
    assert shop.history.get().history_user_id == steward.pk
    audit = AuditEvent.objects.filter(action="registry.entity_registered").order_by("id")
    assert [(e.subject_id, e.territory_code, e.actor_id) for e in audit] == [
        (str(e.pk), HQ_GRID, steward.pk) for e in Entity.objects.order_by("id")
    ]


def test_a_bad_industry_code_is_that_rows_problem(people, tmp_path):
    rows = [
        [HQ_GRID, "黄桥示例厂", synthetic_uscc("320507", 1), "王五", "C33", "小型"],
        [HQ_GRID, "黄桥示例店", synthetic_uscc("320507", 2), "赵六", "52F", "微型"],
    ]
    with pytest.raises(SpreadsheetImportError) as error:
        do_import_entities(csv_file(tmp_path, rows, ENTITY_HEADERS), actor=people["hq_steward"], now=NOW)
    assert [(p.row, p.column) for p in error.value.problems] == [(3, "行业代码")]
    assert not Entity.objects.exists()
