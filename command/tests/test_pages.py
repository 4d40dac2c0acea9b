"""The desk (/ for leaders and dispatchers, /command/), the items behind a figure, and "我的"."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from grid.tests.test_figures import HUANGQIAO, Scenario

pytestmark = pytest.mark.django_db
WEEK = {"level": "town", "code": HUANGQIAO, "from": "2026-03-02", "to": "2026-03-08"}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_leader_lands_on_the_desk_with_every_module(
    week: Callable[[], Scenario], personas: dict[str, User]
) -> None:
    week()
    page = client_for(personas["hq_leader"]).get("/", WEEK)
    html = page.content.decode()
    assert page.status_code == 200 and "黄桥街道 · 集成指挥中心" in html
    for name in ("党建引领", "审批服务", "综合执法", "网格治理", "属地管理", "综合指挥"):
        assert f"<h2>{name}</h2>" in html
    # every town-edition module is fed by its source: none says 未接入
    assert html.count("data-not-connected") == 0 and "未接入" not in html
    assert 'data-figure="approvals_accepted"' in html and 'data-figure="party_members"' in html
    assert 'data-figure="filed"' in html and "/command/items/?level=town" in html
    assert "<script>" not in html  # strict CSP: scripts come from static files


def test_district_edition_shows_the_ten_topics(personas: dict[str, User], settings: object) -> None:
    settings.COMMAND_EDITION = "district"  # type: ignore[attr-defined]
    html = client_for(personas["dispatcher"]).get("/command/").content.decode()
    for name in (
        "党的建设",
        "应急指挥",
        "网格治理",
        "交通管理",
        "审批服务",
        "经济发展",
        "民生发展",
        "基层集成",
        "综合执法",
        "生态资源",
    ):
        assert f"<h2>{name}</h2>" in html


def test_other_personas_keep_their_home_and_me_is_the_profile(personas: dict[str, User]) -> None:
    worker = client_for(personas["hq_grid"])
    assert "集成指挥中心" not in worker.get("/").content.decode()
    assert worker.get("/command/").status_code == 403
    me = client_for(personas["hq_leader"]).get("/me/").content.decode()
    assert "管辖范围" in me


def test_items_page_lists_the_figure(week: Callable[[], Scenario], personas: dict[str, User]) -> None:
    week()
    html = (
        client_for(personas["hq_leader"])
        .get("/command/items/", {**WEEK, "indicator": "filed"})
        .content.decode()
    )
    assert html.count("data-item-row") == 5 and "立案数" in html
    # The 区划/网格 column names the grid (its code is the cell's title), never a bare code.
    assert '<td><span class="place" title="320507003201001">黄桥测试村第1网格</span></td>' in html
    assert "<td>320507003201001</td>" not in html


def test_outsider_and_bad_input(week: Callable[[], Scenario], personas: dict[str, User]) -> None:
    week()
    unit = OrgUnit.objects.get(code="320507105201-vc")
    outsider = client_for(make_person("wt_leader", unit=unit, role=Role.LEADER, territory_code="320507105"))
    assert outsider.get("/command/", WEEK).status_code == 404
    assert outsider.get("/command/items/", {**WEEK, "indicator": "filed"}).status_code == 404
    leader = client_for(personas["hq_leader"])
    assert leader.get("/command/", {"from": "bad"}).status_code == 400
    assert leader.get("/command/items/", {"indicator": "score"}).status_code == 400


def test_map_page(personas: dict[str, User]) -> None:
    html = client_for(personas["hq_leader"]).get("/command/map/").content.decode()
    assert "在办事项地图" in html and "/api/v1/command/map/grids.geojson" in html
    assert 'data-code="320507003"' in html and '<option value="score">' in html
    assert client_for(personas["hq_grid"]).get("/command/map/").status_code == 403
    unit = OrgUnit.objects.get(code="320507105201-vc")
    outsider = client_for(make_person("wt_leader", unit=unit, role=Role.LEADER, territory_code="320507105"))
    assert outsider.get("/command/map/", {"level": "town", "code": HUANGQIAO}).status_code == 404
    assert client_for(personas["hq_leader"]).get("/command/map/", {"level": "x"}).status_code == 400
