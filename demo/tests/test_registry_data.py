"""Demo registries: valid numbers, households with one head, 生成数据 marks, idempotent, and the raw
database file holds no ID or phone number of them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from stdnum.cn import uscc

from core.idnumbers import is_valid_citizen_id
from demo.registry_data import seed_registry
from registry import crypto
from registry.models import Entity, Household, KeyPlace, Person

NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)  # committed: the raw file is read through a backup
def test_demo_registries(personas: dict[str, Any], tmp_path: Any) -> None:
    created = seed_registry(now=NOW, system=personas["system"], town_codes=["320507003", "320507105"])
    assert created["grids"] == 4 and created["people"] == Person.objects.count() > 40
    numbers = [crypto.unseal(p, "id_number_sealed") for p in Person.objects.all()]
    phones = [v for v in (crypto.unseal(p, "phone_sealed") for p in Person.objects.all()) if v]
    assert all(n.startswith("320507") and is_valid_citizen_id(n) for n in numbers)
    assert all(uscc.is_valid(e.uscc) and "生成数据" in e.name for e in Entity.objects.all())
    assert all(h.number.startswith("生成-") for h in Household.objects.all())
    for household in Household.objects.all():
        assert household.members.filter(relation="head").count() == 1
    assert KeyPlace.objects.filter(kind="hazardous_chemicals").count() == 4
    again = seed_registry(now=NOW, system=personas["system"], town_codes=["320507003", "320507105"])
    assert again["people"] == 0 and again["grids"] == 0
    if connection.vendor == "sqlite":
        path = tmp_path / "copy.sqlite3"
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        raw = path.read_bytes()
        leaked = [v for v in numbers + phones if v.encode() in raw]
        assert leaked == []
