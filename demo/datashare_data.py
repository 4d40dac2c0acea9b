"""Demo data sources (生成数据): file-drop connectors named after the seed's five kinds of systems
(党建, 综治, 水务, 审批, 环保), each reading its sample feed in demo/data/datashare/<directory>/ into 黄桥's
registries, run once: one legal-entity source of each kind, 综治's people (实有人口) and 环保's key
places (重点场所). Idempotent: an existing connector is kept, and a run reads only rows after its
bookmark."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from accounts.models import OrgUnit, User
from datashare.models import Connector
from datashare.sync import do_run_connector

FEEDS = Path(__file__).resolve().parent / "data" / "datashare"
ENTITY, PERSON, KEY_PLACE = Connector.Target.ENTITY, Connector.Target.PERSON, Connector.Target.KEY_PLACE
# (category, directory, target, key field, name, minutes between runs); places after the entities they name.
SOURCES = [
    ("party", "party", ENTITY, "uscc", "党建信息系统（生成数据）", 24 * 60),
    ("governance", "governance", ENTITY, "uscc", "综治信息系统（生成数据）", 60),
    ("water", "water", ENTITY, "uscc", "水务管理系统（生成数据）", 6 * 60),
    ("approval", "approval", ENTITY, "uscc", "政务审批系统（生成数据）", 30),
    ("environment", "environment", ENTITY, "uscc", "环保监测系统（生成数据）", 60),
    ("governance", "governance_people", PERSON, "id_number", "综治人口信息（生成数据）", 60),
    ("environment", "environment_places", KEY_PLACE, "place_id", "环保重点场所（生成数据）", 24 * 60),
]


def seed_datashare(*, now: datetime, system: User, town_code: str) -> dict[str, int]:
    owner = OrgUnit.objects.get(code=f"{town_code}-gov")
    counts = {"connectors": 0, "created": 0, "quarantined": 0}
    for category, directory, target, key_field, name, minutes in SOURCES:
        connector, made = Connector.objects.get_or_create(
            name=name,
            defaults={
                "category": category,
                "adapter": Connector.Adapter.FILE,
                "target": target,
                "key_field": key_field,
                "config": {"directory": str(FEEDS / directory)},
                "owner_unit": owner,
                "territory_code": town_code,
                "frequency_minutes": minutes,
            },
        )
        counts["connectors"] += int(made)
        if not made:
            continue  # seeded before: its first run is on record (a second seed writes nothing)
        run = do_run_connector(connector, now=now, actor=system)
        counts["created"] += run.created
        counts["quarantined"] += run.quarantined
    return counts
