"""The district desk (COMMAND_EDITION = "district") says "未接入" plainly, naming the source, for every
module whose data source is not connected — the topics no system feeds yet (应急指挥, 交通管理, 经济发展,
民生发展, 生态资源), and a stream whose ledger rollup is not registered (审批服务 here, its contributor taken
away) — and shows no number for them; the connected modules show their figures and no notice. Refusals:
a grid worker, the outsider asking for the district, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from workflow import rollups

pytestmark = pytest.mark.django_db

NOT_CONNECTED = {
    "emergency": "应急指挥系统",
    "traffic": "交通管理系统",
    "economy": "经济运行数据",
    "livelihood": "民生事业数据",
    "ecology": "生态环境与自然资源数据",
    "approvals": "审批服务台账汇总",
}
CONNECTED = ("party_building", "grid", "grassroots", "enforcement")


def _section(html: str, module: str) -> str:
    start = html.index(f'data-module="{module}"')
    end = html.find('<section class="card cmd-module"', start)
    return html[start : end if end > 0 else len(html)]


@pytest.fixture
def district_desk(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.COMMAND_EDITION = "district"
    monkeypatch.delitem(rollups._CONTRIBUTORS, "approval_application")


def test_the_district_desk_names_each_source_not_connected(
    district_desk: None, personas: dict[str, User], settings: Any
) -> None:
    client = Client()
    client.force_login(personas["dispatcher"])
    page = client.get("/command/", {"level": "district", "code": "320507"})
    html = page.content.decode()
    assert page.status_code == 200 and "相城区 · 集成指挥中心" in html
    for module, source in NOT_CONNECTED.items():
        section = _section(html, module)
        assert section.count("data-not-connected") == 1, module
        assert "<strong>未接入</strong>：" + source in section, module
        assert "data-figure=" not in section, module  # no number, not even a zero
    for module in CONNECTED:
        section = _section(html, module)
        assert "data-figure=" in section and "未接入" not in section, module
    assert html.count("data-not-connected") == len(NOT_CONNECTED)
    # The figures API says the same of each approvals indicator.
    api = APIClient()
    api.force_authenticate(personas["dispatcher"])
    found = api.get("/api/v1/command/figures/", {"stream": "approvals"}).json()["indicators"]
    assert found and all(
        figure == {"connected": False, "source": "审批服务台账汇总", "value": None}
        for figure in found.values()
    )
    # In English too.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _section(client.get("/command/").content.decode(), "emergency")
    assert "<strong>Not connected</strong>：the emergency command system" in english


def test_refusals(district_desk: None, personas: dict[str, User]) -> None:
    worker = Client()
    worker.force_login(personas["hq_grid"])
    assert worker.get("/command/").status_code == 403
    outsider = make_person(
        "wt_leader",
        unit=OrgUnit.objects.get(code="320507105201-vc"),
        role=Role.LEADER,
        territory_code="320507105",
    )
    client = Client()
    client.force_login(outsider)
    assert client.get("/command/", {"level": "district", "code": "320507"}).status_code == 404
    own = client.get("/command/").content.decode()  # the outsider's own town, same notices
    assert "渭塘镇 · 集成指挥中心" in own and "<strong>未接入</strong>：应急指挥系统" in own
    leader = Client()
    leader.force_login(personas["hq_leader"])
    for params in ({"level": "county", "code": "1"}, {"from": "2026-13-01"}):
        assert leader.get("/command/", params).status_code == 400, params
