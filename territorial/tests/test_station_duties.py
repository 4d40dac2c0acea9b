"""Station duties as work: the town gives 黄桥's water station the pipeline checks of the town — a patrol
item appears on each of its grids (the grid worker checks it on the round) and a burst pipe filed there
is routed to the station like to any other unit; retiring the duty takes both back. The refused role,
the outsider and bad input write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import OrgUnit, User
from core.errors import DomainError
from grid.models import Category, PatrolItem, ResponsibilityEntry
from grid.patrols.actions import do_check_in, do_start_patrol
from grid.standards.actions import do_seed_reference
from grid.standards.routing import route
from territorial.models import StationDuty
from territorial.stations import do_assign_station_duty, do_retire_station_duty
from territorial.tests.conftest import NOW
from territory.models import Grid
from territory.testing import HUANGQIAO_VILLAGE, WEITANG_VILLAGE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
HUANGQIAO = HUANGQIAO_VILLAGE[:9]
HQ_GRIDS = [f"{HUANGQIAO_VILLAGE}001", f"{HUANGQIAO_VILLAGE}002"]


@pytest.fixture
def pipes(people: dict[str, Any]) -> Category:
    do_seed_reference(actor=people["system"], now=NOW)
    return Category.objects.get(kind="event", code="0401")  # 管道破裂


def written() -> tuple[int, int, int]:
    return StationDuty.objects.count(), PatrolItem.objects.count(), ResponsibilityEntry.objects.count()


def assign(actor: User, station: OrgUnit, category: Category | None, **changes: Any) -> StationDuty:
    fields: dict[str, Any] = {
        "name": "供水管网巡检",
        "category": category,
        "frequency": "weekly",
        "territory_code": HUANGQIAO,
        "checkpoint": "主干管阀门井",
        **changes,
    }
    return do_assign_station_duty(station, actor=actor, now=NOW, **fields)


def test_the_duty_becomes_patrol_items_and_routes_events_to_the_station(
    people: dict[str, Any], stations: dict[str, OrgUnit], pipes: Category
) -> None:
    water = stations["water"]
    before = route("0401", grid_code=HQ_GRIDS[0]).org_unit
    assert before != water
    elsewhere = route("0401", grid_code=f"{WEITANG_VILLAGE}001").org_unit

    duty = assign(people["hq_agency"], water, pipes)

    items = list(duty.patrol_items.order_by("grid_id"))
    assert [(i.grid_id, i.name, i.frequency, i.category_id, i.active) for i in items] == [
        (code, "供水管网巡检（黄桥街道水务站）", "weekly", pipes.pk, True) for code in HQ_GRIDS
    ]
    for code in HQ_GRIDS:
        result = route("0401", grid_code=code)
        assert result.org_unit == water, result.reason_text
    assert route("0401", grid_code=f"{WEITANG_VILLAGE}001").org_unit == elsewhere  # another town's grids

    # The grid worker checks the item on the round, as any patrol item.
    patrol = do_start_patrol(Grid.objects.get(code=HQ_GRIDS[0]), actor=people["hq_grid"], now=NOW)
    check = do_check_in(patrol, items[0], actor=people["hq_grid"], now=NOW)
    assert check.patrol_item == items[0]

    retired = do_retire_station_duty(duty, actor=people["hq_leader"], now=NOW)
    assert retired.retired_at == NOW
    assert not PatrolItem.objects.filter(pk__in=[i.pk for i in items], active=True).exists()
    assert route("0401", grid_code=HQ_GRIDS[0]).org_unit == before
    with pytest.raises(DomainError) as again:
        do_retire_station_duty(duty, actor=people["hq_leader"], now=NOW)
    assert again.value.code == "already_retired"


def test_a_village_duty_covers_the_villages_grids_only(
    people: dict[str, Any], stations: dict[str, OrgUnit], pipes: Category
) -> None:
    duty = assign(people["hq_agency"], stations["animal"], pipes, territory_code=HUANGQIAO_VILLAGE)
    assert sorted(duty.patrol_items.values_list("grid_id", flat=True)) == HQ_GRIDS
    assert duty.responsibility is not None and duty.responsibility.territory_code == HUANGQIAO_VILLAGE


def test_refused_role_outsider_and_bad_input_write_nothing(
    people: dict[str, Any], stations: dict[str, OrgUnit], pipes: Category
) -> None:
    water = stations["water"]
    before = written()
    refusals: list[tuple[User, OrgUnit, dict[str, Any], int, str | None]] = [
        (people["hq_officer"], water, {}, 403, "station"),  # a town role that keeps no institutions
        (people["hq_head"], water, {}, 404, "station"),  # a village's head: the town's station is not theirs
        (people["wt_head"], water, {}, 404, "station"),  # the outsider
        (people["hq_agency"], stations["wt"], {}, 404, "station"),  # 渭塘's school
        (people["hq_agency"], water, {"name": ""}, 400, "name"),
        (people["hq_agency"], water, {"frequency": "hourly"}, 400, "frequency"),
        (people["hq_agency"], water, {"category": None}, 400, "category"),
        (people["hq_agency"], water, {"territory_code": ""}, 400, "territory_code"),
        (people["hq_agency"], water, {"territory_code": WEITANG_VILLAGE}, 404, "territory_code"),
        (people["hq_agency"], water, {"territory_code": "320507003999"}, 404, "territory_code"),
    ]
    for actor, station, changes, status, field in refusals:
        with pytest.raises(DomainError) as refused:
            assign(actor, station, changes.pop("category", pipes), **changes)
        assert (refused.value.status, refused.value.field) == (status, field), (actor, changes)
    assert written() == before

    assign(people["hq_agency"], water, pipes)
    after_one = written()
    with pytest.raises(DomainError) as duplicate:
        assign(people["hq_agency"], water, pipes)
    assert (duplicate.value.code, duplicate.value.status) == ("duplicate", 409)
    assert written() == after_one


def test_the_institution_page_assigns_and_retires_a_duty(
    people: dict[str, Any], stations: dict[str, OrgUnit], pipes: Category
) -> None:
    water = stations["water"]
    client = Client()
    client.force_login(people["hq_agency"])
    url = f"/territorial/institutions/{water.pk}/"
    page = client.get(url).content.decode()
    assert "data-duty-form" in page and "0401" in page
    data = {"name": "供水管网巡检", "category": pipes.pk, "frequency": "weekly", "territory_code": HUANGQIAO}
    assert client.post(f"{url}duty/", data).status_code == 302
    duty = StationDuty.objects.get()
    shown = client.get(url).content.decode()
    assert f'data-duty="{duty.pk}"' in shown and "供水管网巡检" in shown
    bad = client.post(f"{url}duty/", {**data, "frequency": "hourly"})
    assert bad.status_code == 400 and StationDuty.objects.count() == 1
    assert client.post(f"{url}retire/", {"duty": duty.pk}).status_code == 302
    duty.refresh_from_db()
    assert duty.retired_at is not None
    outsider = Client()
    outsider.force_login(people["wt_head"])
    assert outsider.post(f"{url}duty/", data).status_code == 404


def test_the_api_assigns_and_retires_a_duty(
    people: dict[str, Any], stations: dict[str, OrgUnit], pipes: Category
) -> None:
    from rest_framework.test import APIClient

    water = stations["water"]
    api = APIClient()
    api.force_authenticate(people["hq_agency"])
    base = f"/api/v1/territorial/institutions/{water.pk}/duties/"
    data = {"name": "供水管网巡检", "category": "0401", "frequency": "weekly", "territory_code": HUANGQIAO}
    unknown = api.post(base, {**data, "category": "9999"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "category"
    bad = api.post(base, {**data, "frequency": "hourly"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "frequency"
    outsider = APIClient()
    outsider.force_authenticate(people["wt_head"])
    assert outsider.post(base, data, format="json").status_code == 404
    assert StationDuty.objects.count() == 0

    created = api.post(base, data, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["category"], body["territory_code"], len(body["patrol_items"])) == ("0401", HUANGQIAO, 2)
    detail = api.get(f"/api/v1/territorial/institutions/{water.pk}/").json()
    assert [d["id"] for d in detail["duties"]] == [body["id"]]
    officer = APIClient()
    officer.force_authenticate(people["hq_officer"])
    assert officer.post(f"{base}{body['id']}/retire/").status_code == 403
    retired = api.post(f"{base}{body['id']}/retire/")
    assert retired.status_code == 200 and retired.json()["retired_at"] is not None
    other = api.post(f"/api/v1/territorial/institutions/{stations['animal'].pk}/duties/{body['id']}/retire/")
    assert other.status_code == 404
