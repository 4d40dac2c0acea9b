"""Datashare personas and sources: a 黄桥 data steward (approves), a 黄桥 agency staff member (requests),
the 渭塘 outsider; a file-drop connector of 黄桥 whose directory each test fills."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_org_unit, make_person
from datashare.models import Connector
from registry import actions as registry
from registry.models import Person
from registry.testing import synthetic_id_number, synthetic_uscc
from workflow.publishing import do_publish_processes

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
HQ = "320507003"
HQ_GRID = "320507003201001"
WT_GRID = "320507105201001"
HEADERS = ["uscc", "name", "legal_representative", "industry_code", "size", "grid", "updated_at"]


def code(serial: int) -> str:
    return synthetic_uscc("320507", serial)


def row(serial: int, updated_at: str, **extra: str) -> dict[str, str]:
    base = {
        "uscc": code(serial),
        "name": f"测试单位{serial}",
        "legal_representative": "王建国",
        "industry_code": "F5212",
        "size": "小型",
        "grid": HQ_GRID,
        "updated_at": updated_at,
    }
    return {**base, **extra}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADERS)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def people(personas: dict[str, User]) -> dict[str, User]:
    hq_gov = OrgUnit.objects.get(code="320507003-gov")
    wt_gov = make_org_unit("320507105-gov", "渭塘镇党委政府", OrgUnit.Kind.GOVERNMENT, "320507105")
    return {
        **personas,
        "hq_steward": make_person("hq_steward", unit=hq_gov, role=Role.DATA_STEWARD),
        "hq_head": make_person(
            "hq_head", unit=OrgUnit.objects.get(code="320507003201-vc"), role=Role.GRID_HEAD
        ),
        "wt_steward": make_person("wt_steward", unit=wt_gov, role=Role.DATA_STEWARD),
    }


@pytest.fixture
def published(people: dict[str, User]) -> None:
    do_publish_processes(now=NOW)


@pytest.fixture
def drop(tmp_path: Path, people: dict[str, User]) -> Connector:
    return Connector.objects.create(
        name="黄桥环保监测企业",
        category=Connector.Category.ENVIRONMENT,
        adapter=Connector.Adapter.FILE,
        config={"directory": str(tmp_path)},
        owner_unit=OrgUnit.objects.get(code="320507003-gov"),
        territory_code=HQ,
    )


def as_dict(connector: Connector) -> dict[str, Any]:
    return {"cursor": connector.bookmark_cursor, "key": connector.bookmark_key}


def idn(seq: int) -> str:
    return synthetic_id_number("320507", date(1980, 5, 6), seq)


@pytest.fixture
def residents(people: dict[str, User], published: None) -> list[Person]:
    """Three people of the registry (two in 黄桥, one in 渭塘), the first heading household HQ-E1."""
    system = people["system"]
    made = []
    for seq, (grid, name, phone) in enumerate(
        [(HQ_GRID, "王建国", "13912345678"), (HQ_GRID, "李秀英", ""), (WT_GRID, "赵渭塘", "13700000000")], 1
    ):
        data = registry.PersonInput(
            territory_code=grid, kind=Person.Kind.REGISTERED, name=name, id_number=idn(seq), phone=phone
        )
        made.append(registry.do_register_person(data, actor=system, now=NOW))
    registry.do_create_household(
        number="HQ-E1", territory_code=HQ_GRID, members=[(made[0], "head")], actor=system, now=NOW
    )
    return made
