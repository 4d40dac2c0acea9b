"""The wall screen: the page for a leader or a screen token, its figures and feed endpoints, and proof
that a token opens the screen of its own territory and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from command.tokens import do_issue_screen_token, do_revoke_screen_token
from command.warnings.actions import do_raise_warning
from command.warnings.models import Level, Rule
from command.warnings.rules import Finding
from grid.models import GridEvent
from grid.tests.test_figures import HUANGQIAO, Scenario
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
AFTER_WEEK = datetime(2026, 3, 9, 4, 0, tzinfo=UTC)  # Monday noon in Shanghai, the week behind
FIGURES, FEED = "/api/v1/command/screen/figures/", "/api/v1/command/screen/feed/"


@pytest.fixture
def placed(week: Callable[[], Scenario]) -> Scenario:
    s = week()
    GridEvent.objects.filter(pk=s.events["E4"].pk).update(lon=120.555, lat=31.405)
    WorkItem.objects.filter(pk=s.events["E4"].work_item_id or 0).update(
        overdue_at=datetime(2026, 3, 6, 1, tzinfo=UTC)
    )
    return s


@pytest.fixture
def key(personas: dict[str, User]) -> str:
    return do_issue_screen_token(
        name="大厅",
        territory_code=HUANGQIAO,
        expires_at=None,
        actor=personas["hq_leader"],
        now=timezone.now(),
    )[1]


@pytest.fixture
def outsider(personas: dict[str, User]) -> User:
    unit = OrgUnit.objects.get(code="320507105201-vc")
    return make_person("wt_leader", unit=unit, role=Role.LEADER, territory_code="320507105")


def staff(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def screen_client(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Screen {key}")
    return api


def test_page_for_a_leader(personas: dict[str, User], outsider: User) -> None:
    client = Client()
    client.force_login(personas["hq_leader"])
    response = client.get("/command/screen/")
    html = response.content.decode()
    assert response.status_code == 200 and "黄桥街道 · 集成指挥中心" in html
    assert 'data-code="320507003"' in html and "data-token" not in html
    assert "连接中断，正在重连" in html and "command/screen.js" in html
    assert Client().get("/command/screen/").status_code == 302  # anonymous: to the log-in page
    worker = Client()
    worker.force_login(personas["hq_grid"])
    assert worker.get("/command/screen/").status_code == 403
    other = Client()
    other.force_login(outsider)
    assert other.get("/command/screen/", {"level": "town", "code": HUANGQIAO}).status_code == 404
    assert client.get("/command/screen/", {"level": "x"}).status_code == 400


def test_page_with_a_token(key: str, personas: dict[str, User]) -> None:
    response = Client().get("/command/screen/", {"token": key})
    assert response.status_code == 200 and f'data-token="{key}"' in response.content.decode()
    assert "sessionid" not in response.cookies  # no log-in happens
    village = Client().get("/command/screen/", {"token": key, "level": "village", "code": "320507003201"})
    assert village.status_code == 200
    for level, code in (("town", "320507105"), ("district", "320507"), ("village", "320507105201")):
        assert (
            Client().get("/command/screen/", {"token": key, "level": level, "code": code}).status_code == 404
        )
    bad = Client().get("/command/screen/", {"token": key + "x"})
    assert bad.status_code == 403 and "大屏令牌无效" in bad.content.decode()


def test_revoked_or_expired_token_refused(key: str, personas: dict[str, User]) -> None:
    token = do_issue_screen_token(
        name="临时",
        territory_code=HUANGQIAO,
        expires_at=datetime(2026, 3, 10, tzinfo=UTC),
        actor=personas["hq_leader"],
        now=datetime(2026, 3, 1, tzinfo=UTC),
    )
    with time_machine.travel(datetime(2026, 3, 11, tzinfo=UTC), tick=False):
        assert Client().get("/command/screen/", {"token": token[1]}).status_code == 403
        assert screen_client(token[1]).get(FEED).status_code == 401
    do_revoke_screen_token(token[0].pk - 1, actor=personas["hq_leader"], now=timezone.now())
    assert Client().get("/command/screen/", {"token": key}).status_code == 403
    response = screen_client(key).get(FEED)
    assert response.status_code == 401 and response.json()["errors"][0]["code"] == "not_authenticated"


def test_figures_for_staff_and_token(
    placed: Scenario, key: str, personas: dict[str, User], outsider: User
) -> None:
    with time_machine.travel(AFTER_WEEK, tick=False):
        for client in (staff(personas["hq_leader"]), screen_client(key)):
            data = client.get(FIGURES).json()
            assert (data["level"], data["code"], data["name"]) == ("town", HUANGQIAO, "黄桥街道")
            kpis = {k["code"]: k for k in data["kpis"]}
            assert kpis["filed"]["value"] == 5 and kpis["filed"]["name"] == "立案数"  # E1–E5
            assert len(data["trend"]["days"]) == 14 and data["trend"]["days"][-1] == "2026-03-09"
            assert sum(data["trend"]["filed"]) == 5
            assert [r["code"] for r in data["ranking"]] == ["320507003201"]
        assert (
            staff(personas["dispatcher"]).get(FIGURES, {"level": "district", "code": "320507"}).status_code
            == 200
        )
        assert screen_client(key).get(FIGURES, {"level": "district", "code": "320507"}).status_code == 404
        assert staff(outsider).get(FIGURES, {"level": "town", "code": HUANGQIAO}).status_code == 404
        assert staff(personas["hq_grid"]).get(FIGURES).status_code == 403
        assert APIClient().get(FIGURES).status_code in (401, 403)
        bad = staff(personas["hq_leader"]).get(FIGURES, {"level": "town", "code": "12"})
        assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "code"


def test_feed_shows_no_free_text_and_the_open_warnings(
    placed: Scenario, key: str, personas: dict[str, User]
) -> None:
    with time_machine.travel(AFTER_WEEK, tick=False):
        data = screen_client(key).get(FEED).json()
    late = [r for r in data["feed"] if r["kind"] == "overdue"]
    assert [r["receipt_number"] for r in late] == [placed.events["E4"].receipt_number]
    assert set(late[0]) == {"kind", "at", "receipt_number", "category", "place", "light"}
    assert late[0]["light"] == "red" and late[0]["place"] == "黄桥测试村第1网格"
    assert data["warnings"] == []  # none open
    grid = placed.events["E4"].territory_code
    for level, where in ((Level.YELLOW, grid), (Level.RED, grid), (Level.RED, "320507105")):
        finding = Finding(
            rule=Rule.REPEATED_PLACE,
            level=level,
            fingerprint=f"screen:{level}:{where}",
            territory_code=where,
            owner_unit=OrgUnit.objects.get(code="320507003-gov"),
            title="同一地点重复上报：春申路12号 张先生门口",
            summary="3 件",
            evidence={"reports": 3},
        )
        with time_machine.travel(AFTER_WEEK, tick=False):
            do_raise_warning(finding, actor=personas["system"], now=AFTER_WEEK)
    with time_machine.travel(AFTER_WEEK, tick=False):
        rows = screen_client(key).get(FEED).json()["warnings"]
    # Red first; rule and place only (the title's address stays off a hall screen); 渭塘's is not 黄桥's.
    assert [w["level"] for w in rows] == ["红色预警", "黄色预警"]
    assert {w["title"] for w in rows} == {"同一地点重复上报 · 黄桥测试村第1网格"}


def test_a_token_opens_nothing_else(placed: Scenario, key: str) -> None:
    api = screen_client(key)
    for url in (
        "/api/v1/command/figures/",
        "/api/v1/command/indicators/",
        f"/api/v1/command/figures/items/?indicator=filed&level=town&code={HUANGQIAO}",
        "/api/v1/work-items/",
        "/api/v1/grid/events/",
        f"/api/v1/territory/grids/?town={HUANGQIAO}",
        f"/api/v1/grid/events/{placed.events['E4'].pk}/",
    ):
        assert api.get(url).status_code in (401, 403), url
    # The token is no staff session: `/` answers with the residents' portal, never the desk.
    portal = Client().get("/", {"token": key})
    assert portal.status_code == 200 and b'href="/login/' in portal.content
    for url in (
        "/command/",
        "/command/map/",
        "/command/items/?indicator=filed",
        "/me/",
        "/grid/m/events/",
    ):
        response = Client().get(url, {"token": key})
        assert response.status_code == 302 and "/login/" in response["Location"], url
    # The token's map layer omits the free-text title and the link to the staff page.
    items = api.get("/api/v1/command/map/items.geojson").json()["features"]
    assert [f["properties"]["receipt_number"] for f in items] == [placed.events["E4"].receipt_number]
    assert "title" not in items[0]["properties"] and "url" not in items[0]["properties"]


def test_feed_and_items_query_counts_do_not_grow_with_rows(placed: Scenario, key: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert screen_client(key).get(url).status_code == 200
        return len(captured)

    with time_machine.travel(AFTER_WEEK, tick=False):
        few = (queries(FEED), queries("/api/v1/command/map/items.geojson"))
        open_events = [e.pk for e in placed.events.values() if e.territory_code.startswith(HUANGQIAO)]
        GridEvent.objects.filter(pk__in=open_events).update(lon=120.556, lat=31.406)
        WorkItem.objects.filter(subject_id__in=[str(pk) for pk in open_events]).update(overdue_at=AFTER_WEEK)
        assert (queries(FEED), queries("/api/v1/command/map/items.geojson")) == few
