"""An enforcement zone — a squad's area — holds 2–6 villages/communities (configurable) through every door
that sets it: the zone save action (and the admin on it), the territory load, and the synthetic district."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import AuditEvent
from core.errors import DomainError, PermissionRefused
from territory.actions.enforcement_zones import do_save_enforcement_zone
from territory.actions.loading import do_load_territory
from territory.models import Division, EnforcementZone
from territory.synthetic import ZoneSpec, generate_territory
from territory.tests.conftest import NOW

pytestmark = pytest.mark.django_db
TOWN = "320507003"


def _villages(count: int) -> list[Division]:
    return [
        Division.objects.get_or_create(
            code=f"{TOWN}{300 + n}",
            defaults={"name": f"片区测试村{n}", "level": "village", "parent_id": TOWN},
        )[0]
        for n in range(count)
    ]


def _zone() -> EnforcementZone:
    return EnforcementZone(code=f"{TOWN}09", name="测试片区", town_id=TOWN)


def test_zone_of_seven_or_one_village_is_refused(territory: Any, personas: dict[str, Any]) -> None:
    with pytest.raises(PermissionRefused):
        do_save_enforcement_zone(_zone(), villages=_villages(3), actor=personas["hq_officer"], now=NOW)
    steward = personas["system"]
    for count in (7, 1):
        with pytest.raises(DomainError) as caught:
            do_save_enforcement_zone(_zone(), villages=_villages(count), actor=steward, now=NOW)
        assert (caught.value.code, caught.value.field) == ("zone_size", "villages")
    assert not EnforcementZone.objects.filter(code=f"{TOWN}09").exists()
    assert not AuditEvent.objects.filter(action="territory.zone.created").exists()
    for count in (2, 6):
        do_save_enforcement_zone(_zone(), villages=_villages(count), actor=steward, now=NOW)
        assert EnforcementZone.objects.get(code=f"{TOWN}09").villages.count() == count


def test_bounds_are_configuration(territory: Any, personas: dict[str, Any], settings: Any) -> None:
    settings.ENFORCEMENT_ZONE_MAX_VILLAGES = 8
    do_save_enforcement_zone(_zone(), villages=_villages(7), actor=personas["system"], now=NOW)
    settings.ENFORCEMENT_ZONE_MIN_VILLAGES = 3
    with pytest.raises(DomainError):
        do_save_enforcement_zone(_zone(), villages=_villages(2), actor=personas["system"], now=NOW)


def test_synthetic_district_zones_hold_two_to_six(db: None) -> None:
    spec = generate_territory()
    sizes = {zone.code: len(zone.village_codes) for zone in spec.zones}
    assert all(2 <= size <= 6 for size in sizes.values()), sizes
    # 元和 (28 villages) had four zones of 7; 北河泾 (4) and 澄阳 (5) zones of 1; 高铁新城 (1) one of 1.
    assert sum(1 for code in sizes if code.startswith("320507001")) == 5
    assert not any(code.startswith("320507402") for code in sizes)
    covered = {village for zone in spec.zones for village in zone.village_codes}
    single = {v.code for v in spec.villages if v.code.startswith("320507402")}
    assert covered | single == {v.code for v in spec.villages}


def test_load_refuses_a_spec_with_a_zone_out_of_bounds(db: None) -> None:
    spec = generate_territory()
    bad = spec.zones[0]
    wrong = spec.__class__(
        spec.district,
        spec.towns,
        spec.villages,
        spec.grids,
        (ZoneSpec(bad.code, bad.name, bad.town_code, bad.village_codes[:1]),),
    )
    with pytest.raises(DomainError) as caught:
        do_load_territory(actor=None, now=NOW, spec=wrong)
    assert caught.value.code == "zone_size"
    assert not EnforcementZone.objects.exists()
