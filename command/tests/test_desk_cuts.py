"""The desk and the items page cut as the figures API is (command/cuts.py): by stream, event class, source
channel and the org unit holding the items, picked by name. Over the grid tests' planted week in 黄桥
(command/tests/test_cuts.py has the hand-computed values): patrol reports are E1, E3, E5, E6 (filed E1,
E3, E5); the town's urban office holds E2–E5 (filed all four)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from grid.tests.test_figures import HUANGQIAO, Scenario

pytestmark = pytest.mark.django_db
WEEK = {"level": "town", "code": HUANGQIAO, "from": "2026-03-02", "to": "2026-03-08"}
URBAN = "320507003-urban"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def tile(html: str, code: str) -> str:
    """The value a tile shows (its number as the page prints it)."""
    found = re.search(
        rf'data-figure="{code}">\s*<span class="cmd-name"[^>]*>[^<]*</span>\s*'
        r'<span class="cmd-value">([^<]*)',
        html,
    )
    assert found is not None, code
    return found.group(1).strip()


def test_a_source_cut_shows_the_cut_figures_and_leaves_out_what_it_cannot_cut(
    week: Callable[[], Scenario], personas: dict[str, User]
) -> None:
    week()
    leader = client_for(personas["hq_leader"])
    whole = leader.get("/command/", WEEK).content.decode()
    page = leader.get("/command/", {**WEEK, "source": "patrol"})
    html = page.content.decode()
    assert page.status_code == 200
    assert (tile(whole, "filed"), tile(html, "filed")) == ("5", "3")  # E1, E3, E5 of the patrols
    # The picker shows the channel by name, chosen; the note says the desk is cut.
    assert '<option value="patrol" selected>网格员巡查上报</option>' in html and "data-cut-note" in html
    # Approvals figures have no channel: left out (counted), never shown uncut under a cut.
    assert 'data-figure="approvals_accepted"' in whole and 'data-figure="approvals_accepted"' not in html
    assert "data-cut-away" in html and "不能按所选条件切分" in html
    # Each tile drills down to the items of the cut figure.
    assert "source=patrol" in re.search(r'href="([^"]*)" data-figure="filed"', html).group(1)  # type: ignore[union-attr]
    # The lists beside the tiles are not cut: not shown under a cut.
    assert "data-meetings" not in html


def test_a_unit_cut_by_name_and_its_items(week: Callable[[], Scenario], personas: dict[str, User]) -> None:
    week()
    leader = client_for(personas["hq_leader"])
    html = leader.get("/command/", WEEK).content.decode()
    urban = OrgUnit.objects.get(code=URBAN)
    assert f'<option value="{URBAN}">{urban.name}</option>' in html  # the picker names the unit
    cut = leader.get("/command/", {**WEEK, "unit": URBAN}).content.decode()
    assert tile(cut, "filed") == "4"
    items = leader.get("/command/items/", {**WEEK, "unit": URBAN, "indicator": "filed"}).content.decode()
    assert items.count("data-item-row") == 4 and f"承办单位：{urban.name}" in items


def test_a_stream_cut_keeps_that_stream_only(week: Callable[[], Scenario], personas: dict[str, User]) -> None:
    week()
    html = (
        client_for(personas["hq_leader"]).get("/command/", {**WEEK, "stream": "approvals"}).content.decode()
    )
    assert 'data-figure="approvals_accepted"' in html and 'data-figure="filed"' not in html
    assert 'id="cmd-trend"' not in html  # the grid's charts ask for grid figures: not drawn


def test_refused_roles_outsider_and_bad_input(
    week: Callable[[], Scenario], personas: dict[str, User]
) -> None:
    week()
    assert client_for(personas["hq_grid"]).get("/command/", {**WEEK, "source": "patrol"}).status_code == 403
    unit = OrgUnit.objects.get(code="320507105201-vc")
    outsider = make_person("wt_leader", unit=unit, role=Role.LEADER, territory_code="320507105")
    # Another town's leader may not cut by 黄桥's office, even on their own desk.
    assert client_for(outsider).get("/command/", {"unit": URBAN}).status_code == 404
    leader = client_for(personas["hq_leader"])
    for params, field_text in (
        ({"category": "event:xx"}, "event:0102"),
        ({"source": "fax"}, "patrol"),
        ({"stream": "weather"}, "grid"),
    ):
        page = leader.get("/command/", {**WEEK, **params})
        assert page.status_code == 400 and field_text in page.content.decode()
    # An indicator the cut does not apply to: the items page refuses, naming the dimension.
    page = leader.get("/command/items/", {**WEEK, "indicator": "filed", "stream": "approvals"})
    assert page.status_code == 400 and "approvals" in page.content.decode()
