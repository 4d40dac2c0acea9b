"""Demo data sources (生成数据): five file-drop connectors named after the seed's five kinds of systems
(党建, 综治, 水务, 审批, 环保), each reading its sample feed in demo/data/datashare/<kind>/ into 黄桥's
registries, run once. Idempotent: an existing connector is kept, and a run reads only rows after its
bookmark."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from accounts.models import OrgUnit, User
from datashare.models import Connector
from datashare.sync import do_run_connector

FEEDS = Path(__file__).resolve().parent / "data" / "datashare"
SOURCES = [
    ("party", "党建信息系统（生成数据）", 24 * 60),
    ("governance", "综治信息系统（生成数据）", 60),
    ("water", "水务管理系统（生成数据）", 6 * 60),
    ("approval", "政务审批系统（生成数据）", 30),
    ("environment", "环保监测系统（生成数据）", 60),
]


def seed_datashare(*, now: datetime, system: User, town_code: str) -> dict[str, int]:
    owner = OrgUnit.objects.get(code=f"{town_code}-gov")
    counts = {"connectors": 0, "created": 0, "quarantined": 0}
    for category, name, minutes in SOURCES:
        connector, made = Connector.objects.get_or_create(
            name=name,
            defaults={
                "category": category,
                "adapter": Connector.Adapter.FILE,
                "config": {"directory": str(FEEDS / category)},
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
