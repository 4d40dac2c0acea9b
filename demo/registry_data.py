"""Demo registries (生成数据) for the personas' towns: on the first two grids of each town's first village,
households with their members (valid-checksum ID numbers on 320507, made-up names), a building with
rooms and a tenant in each rented room, entities with valid credit codes (named “（生成数据）”) and their
key places. Households go in through the registry's own import (a generated CSV), as a user's file would;
the rest through registry actions. Idempotent: a grid
that already has people is left alone. Never a real person: names and numbers are drawn from a seeded
generator, and household numbers start with "生成"."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, timedelta
from typing import Any

from accounts.models import User
from registry import actions
from registry.imports import PEOPLE_HEADERS, do_import_people
from registry.models import KeyPlace, Person
from registry.testing import synthetic_id_number, synthetic_uscc
from territory.models import Grid

HOUSEHOLDS_PER_GRID = 12
GRIDS_PER_TOWN = 2
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
KINDS = ["户籍人口"] * 6 + ["流动人口", "留守人员"]
TRADES = [
    ("F5212", "便利店", "nine_small"),
    ("H6210", "小餐馆", "nine_small"),
    ("C3311", "五金加工厂", "crowded"),
    ("F5265", "加油站", "hazardous_chemicals"),
]


class _Upload(io.BytesIO):
    """An in-memory CSV that reads like an uploaded file (the importer looks at the name)."""

    def __init__(self, name: str, rows: list[list[str]], headers: list[str]):
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(headers)
        writer.writerows(rows)
        super().__init__(text.getvalue().encode("utf-8"))
        self.name = name


def _name(rng: random.Random, surname: str | None = None) -> str:
    return (surname or rng.choice(SURNAMES)) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _people_rows(grid: str, rng: random.Random, serial: int) -> list[list[str]]:
    rows: list[list[str]] = []
    for household in range(HOUSEHOLDS_PER_GRID):
        number = f"生成-{grid}-{household + 1:03d}"
        surname = rng.choice(SURNAMES)
        size = rng.choice((1, 2, 3, 3, 4))
        for member in range(size):
            serial += 1
            relation = "户主" if member == 0 else ("配偶" if member == 1 else "子女")
            age = rng.randint(30, 80) if member < 2 else rng.randint(1, 25)
            born = date(2026, 1, 1) - timedelta(days=age * 365 + rng.randint(0, 364))
            sequence = serial * 2 + (1 if rng.random() < 0.5 else 0)  # odd sequence = male
            phone = f"139{rng.randint(0, 99_999_999):08d}" if member < 2 else ""
            kind = rng.choice(KINDS) if member == 0 else "户籍人口"
            rows.append(
                [
                    grid,
                    _name(rng, surname),
                    synthetic_id_number("320507", born, sequence),
                    kind,
                    phone,
                    number,
                    relation,
                ]
            )
    return rows


def _buildings(grid: str, system: User, now: datetime, rng: random.Random) -> Any:
    address = actions.do_create_address(
        territory_code=grid,
        street=f"生成路{grid[-3:]}",
        door_number=str(rng.randint(1, 200)),
        actor=system,
        now=now,
    )
    building = actions.do_register_building(
        territory_code=grid,
        address=address,
        compound_number=int(grid[-3:]),
        number=1,
        compound="生成数据小区",
        use="mixed",
        structure="brick_concrete",
        floors=6,
        actor=system,
        now=now,
    )
    houses = [
        actions.do_register_house(
            building=building, unit=1, room=f"{floor}0{room}", rented=room == 2, actor=system, now=now
        )
        for floor in range(1, 4)
        for room in (1, 2)
    ]
    return building, houses


def seed_registry(*, now: datetime, system: User, town_codes: list[str]) -> dict[str, int]:
    rng = random.Random(20260302)  # noqa: S311 (synthetic data, not a secret)
    created = {"people": 0, "households": 0, "entities": 0, "places": 0, "grids": 0}
    serial = 0
    for town in town_codes:
        grids = list(
            Grid.objects.filter(code__startswith=town).order_by("code").values_list("code", flat=True)
        )
        for grid in grids[:GRIDS_PER_TOWN]:
            serial += 500
            if Person.objects.filter(territory_code=grid).exists():
                continue
            report = do_import_people(
                _Upload("people.csv", _people_rows(grid, rng, serial), PEOPLE_HEADERS), actor=system, now=now
            )
            building, houses = _buildings(grid, system, now, rng)
            for index, house in enumerate(houses):  # a tenant (流动人口) in each rented room
                if not house.rented:
                    continue
                serial += 1
                born = date(1990, 1, 1) + timedelta(days=rng.randint(0, 3000))
                tenant = actions.PersonInput(
                    territory_code=grid,
                    kind=Person.Kind.MIGRANT,
                    name=_name(rng),
                    house=house,
                    tenant=True,
                    id_number=synthetic_id_number("320507", born, serial * 2 + index % 2),
                )
                actions.do_register_person(tenant, actor=system, now=now)
                created["people"] += 1
            for i, (code, label, kind) in enumerate(TRADES):
                entity = actions.do_register_entity(
                    uscc_code=synthetic_uscc("320507", serial + i),
                    name=f"{town[-3:]}{grid[-3:]}{label}（生成数据）",
                    legal_representative=_name(rng),
                    industry_code=code,
                    size="micro" if i % 2 else "individual",
                    territory_code=grid,
                    address=building.address,
                    building=building,
                    actor=system,
                    now=now,
                )
                actions.do_register_key_place(
                    name=entity.name,
                    kind=kind,
                    territory_code=grid,
                    inspection_days=30 if kind == "nine_small" else 7,
                    entity=entity,
                    building=building,
                    actor=system,
                    now=now,
                )
                created["entities"] += 1
                created["places"] += 1
            created["people"] += report.created
            created["households"] += report.households
            created["grids"] += 1
    created["key_places_total"] = KeyPlace.objects.count()
    return created
