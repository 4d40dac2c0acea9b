"""The 预警 panel of the desk (an htmx fragment), the warnings page and acting from them: scoped like the
API (the outsider gets 404 for another town, other roles 403), red first, only the actions the user may
take, refusals shown in the panel, bad filters refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from command.warnings.models import EarlyWarning, Level

from .conftest import HUANGQIAO, WEITANG

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    web = Client()
    web.force_login(user)
    return web


@pytest.fixture
def planted(plant: Callable[..., EarlyWarning]) -> dict[str, EarlyWarning]:
    return {
        "yellow": plant("y", level=Level.YELLOW),
        "red": plant("r", level=Level.RED),
        "wt": plant("w", territory=WEITANG),
    }


def test_the_desk_loads_the_panel(planted: dict[str, EarlyWarning], people: dict[str, User]) -> None:
    desk = client_for(people["hq_leader"]).get("/command/").content.decode()
    assert 'hx-get="/command/warnings/panel/?level=town&amp;code=320507003"' in desk


def test_the_panel_shows_the_towns_open_warnings_red_first(
    planted: dict[str, EarlyWarning], people: dict[str, User]
) -> None:
    html = client_for(people["hq_leader"]).get("/command/warnings/panel/").content.decode()
    assert html.index(f'data-warning="{planted["red"].pk}"') < html.index(
        f'data-warning="{planted["yellow"].pk}"'
    )
    assert f'data-warning="{planted["wt"].pk}"' not in html
    assert "红色预警" in html and 'data-action="acknowledge"' in html and 'data-action="dismiss"' in html
    assert 'data-action="supervise"' not in html  # 督办 is the supervisor's, from the warnings API
    assert "待派遣件数" in html and '<span class="badge" data-open-warnings>2</span>' in html


def test_the_outsider_and_other_roles(planted: dict[str, EarlyWarning], people: dict[str, User]) -> None:
    outsider = client_for(people["wt_leader"])
    assert outsider.get("/command/warnings/panel/", {"level": "town", "code": HUANGQIAO}).status_code == 404
    assert outsider.get("/command/warnings/", {"level": "town", "code": HUANGQIAO}).status_code == 404
    own = outsider.get("/command/warnings/panel/").content.decode()
    assert f'data-warning="{planted["wt"].pk}"' in own and f'data-warning="{planted["red"].pk}"' not in own
    stolen = outsider.post(f"/command/warnings/{planted['red'].pk}/act/", {"action": "acknowledge"})
    assert stolen.status_code == 404
    grid = client_for(people["hq_grid"])
    assert grid.get("/command/warnings/panel/").status_code == 403
    assert (
        grid.post(f"/command/warnings/{planted['red'].pk}/act/", {"action": "acknowledge"}).status_code == 403
    )


def test_acting_from_the_panel(
    planted: dict[str, EarlyWarning], people: dict[str, User], now: datetime
) -> None:
    web = client_for(people["dispatcher"])
    url = f"/command/warnings/{planted['red'].pk}/act/?level=town&code={HUANGQIAO}"
    with time_machine.travel(now, tick=False):
        html = web.post(
            url, {"action": "acknowledge", "version": "1"}, HTTP_HX_REQUEST="true"
        ).content.decode()
        assert "已签收（处置中）" in html and 'data-action="handle"' in html
        refused = web.post(
            url, {"action": "handle", "measures": " "}, HTTP_HX_REQUEST="true"
        ).content.decode()
        assert 'data-field-error="inputs.measures"' in refused and "请填写处置措施" in refused
        stale = web.post(
            url, {"action": "handle", "measures": "已处理", "version": "1"}, HTTP_HX_REQUEST="true"
        )
        assert "已被他人处理" in stale.content.decode()
        web.post(url, {"action": "handle", "measures": "已派城管中队清理"}, HTTP_HX_REQUEST="true")
        done = web.post(url, {"action": "close"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'data-warning="{planted["red"].pk}"' not in done  # closed: off the panel
    planted["red"].refresh_from_db()
    assert planted["red"].measures == "已派城管中队清理" and planted["red"].finished_at is not None


def test_the_warnings_page(planted: dict[str, EarlyWarning], people: dict[str, User], now: datetime) -> None:
    web = client_for(people["hq_leader"])
    html = web.get("/command/warnings/", {"level_of": "yellow"}).content.decode()
    assert (
        f'data-warning="{planted["yellow"].pk}"' in html and f'data-warning="{planted["red"].pk}"' not in html
    )
    with time_machine.travel(now, tick=False):
        moved = web.post(
            f"/command/warnings/{planted['yellow'].pk}/act/",
            {"action": "dismiss", "reason": "误报", "back": "/command/warnings/?level_of=yellow"},
        )
    assert moved.status_code == 302 and moved["Location"] == "/command/warnings/?level_of=yellow"
    closed = web.get("/command/warnings/", {"state": "dismissed"}).content.decode()
    assert f'data-warning="{planted["yellow"].pk}"' in closed
    assert web.get("/command/warnings/", {"rule": "astrology"}).status_code == 400
    assert web.get("/command/warnings/", {"level_of": "purple"}).status_code == 400
    assert web.get("/command/warnings/", {"state": "lost"}).status_code == 400
    outside = web.post(
        f"/command/warnings/{planted['red'].pk}/act/", {"action": "close", "back": "https://evil.example/"}
    )
    assert outside.status_code == 409  # not handled yet: refused on the error page
