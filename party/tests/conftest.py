"""Party personas on top of the suite's: `hq_sec` (grid head of 黄桥测试村's grid 1, the village
secretary), `hq_leader` (黄桥街道), `wt_leader` (渭塘镇: the outsider); a small party tree per town and
registry people to enrol, built through the actions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.core.cache import cache

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_org_unit, make_person
from party import actions
from party.models import Organisation
from registry import actions as registry_actions
from registry.models import Person
from registry.testing import synthetic_id_number, synthetic_uscc

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
HQ_GRID = "320507003201001"
HQ_GRID2 = "320507003201002"
WT_GRID = "320507105201001"
K = Organisation.Kind


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def register(seq: int, grid: str = HQ_GRID, name: str = "张三丰") -> Person:
    system = User.objects.get(username="system")
    data = registry_actions.PersonInput(
        territory_code=grid,
        kind=Person.Kind.REGISTERED,
        name=name,
        id_number=synthetic_id_number("320507", date(1970, 1, 1), seq),
    )
    return registry_actions.do_register_person(data, actor=system, now=NOW)


def org(
    actor: User, name: str, kind: str, code: str = "", parent: Organisation | None = None, **extra: Any
) -> Organisation:
    data = actions.OrganisationInput(
        name=name, kind=kind, territory_code=code, parent_id=parent.pk if parent else None, **extra
    )
    return actions.do_create_organisation(data, actor=actor, now=NOW)


@pytest.fixture
def party_world(personas: dict[str, User]) -> dict[str, Any]:
    cache.clear()
    hq_village = OrgUnit.objects.get(code="320507003201-vc")
    wt_gov = make_org_unit("320507105-gov", "渭塘镇党委政府", OrgUnit.Kind.GOVERNMENT, "320507105")
    users = {
        **personas,
        "hq_sec": make_person("hq_sec", unit=hq_village, role=Role.GRID_HEAD, territory_code=HQ_GRID),
        "wt_leader": make_person("wt_leader", unit=wt_gov, role=Role.LEADER),
    }
    system = users["system"]
    hq_committee = org(system, "黄桥街道党工委", K.WORKING_COMMITTEE, "320507003")
    hq_branch = org(system, "黄桥测试村党支部", K.BRANCH, "320507003201", hq_committee)
    wt_committee = org(system, "渭塘镇党委", K.COMMITTEE, "320507105")
    wt_branch = org(system, "渭塘测试村党支部", K.BRANCH, "320507105201", wt_committee)
    household_people = [register(100 + i, HQ_GRID, "户主甲") for i in range(3)]
    households = [
        registry_actions.do_create_household(
            number=f"HQ-{i}", territory_code=HQ_GRID, members=[(p, "head")], actor=system, now=NOW
        )
        for i, p in enumerate(household_people)
    ]
    wt_head = register(200, WT_GRID, "户主乙")
    wt_household = registry_actions.do_create_household(
        number="WT-1", territory_code=WT_GRID, members=[(wt_head, "head")], actor=system, now=NOW
    )
    entity = registry_actions.do_register_entity(
        uscc_code=synthetic_uscc("320507", 91),
        name="黄桥精密机械有限公司",
        legal_representative="王大成",
        industry_code="C3421",
        size="small",
        territory_code=HQ_GRID2,
        actor=system,
        now=NOW,
    )
    return {
        "users": users,
        "hq_committee": hq_committee,
        "hq_branch": hq_branch,
        "wt_committee": wt_committee,
        "wt_branch": wt_branch,
        "households": households,
        "wt_household": wt_household,
        "entity": entity,
    }


def enrol(
    world: dict[str, Any], seq: int, *, grid: str = HQ_GRID, branch: str = "hq_branch", **extra: Any
) -> Any:
    person = register(seq, grid, "李党员")
    data = actions.MemberInput(
        person_id=person.pk,
        organisation_id=world[branch].pk,
        status=extra.pop("status", "formal"),
        joined_on=extra.pop("joined_on", date(2001, 7, 1)),
        grid_code=grid,
        **extra,
    )
    return actions.do_enrol_member(data, actor=world["users"]["system"], now=NOW)
