"""do_set_squad_area: a squad's area covers 2–6 villages/communities (configurable); a zone outside the
bounds is refused (the finding: 元和's zones of 7, 北河泾/澄阳/高铁新城's of 1)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from accounts.models import Role
from accounts.testing import make_person
from audit.models import AuditEvent
from core.errors import DomainError, NotFound, PermissionRefused
from enforcement.actions import do_set_squad_area
from enforcement.models import SquadArea
from enforcement.tests.test_documents_support import squad_people
from territory.models import Division, EnforcementZone

NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
TOWN = "320507003"


@pytest.fixture
def people(personas: dict[str, Any]) -> dict[str, Any]:
    return squad_people(personas, NOW)


def _zone(code: str, villages: int) -> EnforcementZone:
    # Built directly: the zone actions refuse these sizes too (territory/tests/test_zone_size.py).
    zone = EnforcementZone.objects.create(code=f"{TOWN}{code}", name=f"片区{code}", town_id=TOWN)
    zone.villages.set(
        Division.objects.get_or_create(
            code=f"{TOWN}{400 + int(code) * 10 + n}",
            defaults={"name": f"村{code}-{n}", "level": "village", "parent_id": TOWN},
        )[0]
        for n in range(villages)
    )
    return zone


def test_zone_of_seven_and_of_one_are_refused(people: dict[str, Any]) -> None:
    for code, size in (("07", 7), ("01", 1)):
        with pytest.raises(DomainError) as caught:
            do_set_squad_area(people["squad"], _zone(code, size), actor=people["leader"], now=NOW)
        assert (caught.value.code, caught.value.field) == ("zone_size", "zone")
    assert not SquadArea.objects.exists()
    assert not AuditEvent.objects.filter(action="enforcement.set_squad_area").exists()


def test_zone_within_bounds_is_set_and_audited(people: dict[str, Any], settings: Any) -> None:
    area = do_set_squad_area(people["squad"], _zone("03", 3), actor=people["leader"], now=NOW)
    assert area.squad == people["squad"]
    assert AuditEvent.objects.filter(action="enforcement.set_squad_area").count() == 1
    settings.ENFORCEMENT_ZONE_MAX_VILLAGES = 2
    with pytest.raises(DomainError):
        do_set_squad_area(people["squad"], _zone("04", 3), actor=people["leader"], now=NOW)


def test_refusals(people: dict[str, Any]) -> None:
    zone = _zone("05", 3)
    with pytest.raises(PermissionRefused):
        do_set_squad_area(people["squad"], zone, actor=people["officer"], now=NOW)
    wt_leader = make_person("wt_leader", unit=people["wt_squad"], role=Role.SQUAD_LEADER)
    with pytest.raises(NotFound):
        do_set_squad_area(people["squad"], zone, actor=wt_leader, now=NOW)
