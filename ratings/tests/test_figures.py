"""ratings.figures against hand-computed expectations: a week of ratings at 黄桥 (two clerks, one online
application, an upheld appeal, a late reply) and one at 渭塘 (outside a 黄桥 viewer's jurisdiction)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.errors import DomainError, NotFound, PermissionRefused
from ratings.actions import do_act_on_rectification, do_rate_application
from ratings.figures import figures_for
from ratings.models import Rating, RatingChannel, Stage
from ratings.tests.factories import ONLINE_SCORES, WINDOW_SCORES, make_application, make_item

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 1, tzinfo=SHANGHAI)
END = datetime(2026, 4, 1, tzinfo=SHANGHAI)
pytestmark = pytest.mark.django_db


def _rate(
    people: dict[str, Any],
    *,
    clerk: str | None,
    item: Any,
    level: int,
    now: datetime,
    centre: str = "hq_centre",
) -> Rating:
    application = make_application(
        centre=people[centre], clerk=people[clerk] if clerk else None, item=item, now=now
    )
    window = clerk is not None
    rating, _ = do_rate_application(
        application,
        stage=Stage.COMPLETED,
        channel=RatingChannel.WINDOW if window else RatingChannel.ONLINE,
        level=level,
        scores=WINDOW_SCORES if window else ONLINE_SCORES,
        comment="不满意" if level <= 2 else "",
        actor=people[clerk] if clerk else None,
        now=now,
    )
    return rating


@pytest.fixture
def week(people: dict[str, Any], now: datetime) -> dict[str, Any]:
    pension = make_item("城乡居民基本养老保险参保登记", now=now)
    birth = make_item("生育登记", now=now)
    a, b = "hq_clerk", "hq_clerk2"
    for level in (5, 5, 4, 3):
        _rate(people, clerk=a, item=pension, level=level, now=now)
    on_time = _rate(people, clerk=a, item=pension, level=2, now=now)
    still_open = _rate(people, clerk=a, item=pension, level=1, now=now)
    _rate(people, clerk=b, item=birth, level=4, now=now)
    appealed = _rate(people, clerk=b, item=birth, level=2, now=now)
    late = _rate(people, clerk=b, item=birth, level=1, now=now)
    _rate(people, clerk=None, item=birth, level=5, now=now)
    _rate(people, clerk="wt_clerk", item=pension, level=1, now=now, centre="wt_centre")
    # Before the period: not counted.
    _rate(people, clerk=a, item=pension, level=5, now=START - timedelta(days=3))

    def act(rating: Rating, action: str, actor: str, when: datetime, **kwargs: Any) -> None:
        do_act_on_rectification(rating, action, actor=people[actor], now=when, **kwargs)

    day = timedelta(days=1)
    act(on_time, "callback", a, now + day, inputs={"callback_note": "已回访"})
    act(on_time, "reply", a, now + 2 * day, inputs={"outcome": "已整改"})
    act(still_open, "callback", a, now + day, inputs={"callback_note": "已回访"})
    act(appealed, "callback", b, now + day, inputs={"callback_note": "误评"})
    act(appealed, "appeal", b, now + day, reason="申请人确认误评")
    act(appealed, "uphold_appeal", "bureau_approver", now + 2 * day, reason="属实")
    act(late, "callback", b, now + day, inputs={"callback_note": "已回访"})
    # Deadline Monday 23 March 17:30; replied on the 24th: late.
    act(late, "reply", b, datetime(2026, 3, 24, 9, 0, tzinfo=SHANGHAI), inputs={"outcome": "已说明"})
    return {"pension": pension, "birth": birth}


def test_by_centre_for_the_district(week: dict[str, Any], people: dict[str, Any]) -> None:
    figures = figures_for(people["dispatcher"], "centre", START, END)
    hq, wt = figures.rows
    assert (hq.key, wt.key) == ("320507003-service", "320507105-service")
    assert hq.levels == {5: 3, 4: 2, 3: 1, 2: 1, 1: 2}
    assert (hq.rated, hq.excluded, hq.satisfied, hq.bad) == (9, 1, 5, 3)
    assert hq.satisfaction_rate == pytest.approx(5 / 9)
    assert (hq.rectifications_due, hq.callbacks, hq.rectified, hq.rectified_on_time) == (3, 3, 2, 1)
    assert hq.callback_rate == 1.0
    assert hq.on_time_rate == pytest.approx(1 / 3)
    assert (wt.rated, wt.bad, wt.rectifications_due, wt.callbacks, wt.rectified) == (1, 1, 1, 0, 0)
    assert wt.satisfaction_rate == 0.0 and wt.callback_rate == 0.0
    assert (figures.total.rated, figures.total.bad, figures.total.excluded) == (10, 4, 1)


def test_by_clerk_window_and_item_in_the_town(week: dict[str, Any], people: dict[str, Any]) -> None:
    leader = people["hq_leader"]
    clerks = {row.key: row for row in figures_for(leader, "clerk", START, END).rows}
    assert set(clerks) == {"hq_clerk", "hq_clerk2", "-"}  # 渭塘 is outside 黄桥's jurisdiction
    assert (clerks["hq_clerk"].rated, clerks["hq_clerk"].satisfied, clerks["hq_clerk"].bad) == (6, 3, 2)
    assert clerks["hq_clerk"].on_time_rate == 0.5
    assert (clerks["hq_clerk2"].rated, clerks["hq_clerk2"].excluded, clerks["hq_clerk2"].bad) == (2, 1, 1)
    assert clerks["hq_clerk2"].on_time_rate == 0.0
    assert (clerks["-"].rated, clerks["-"].satisfied) == (1, 1)
    windows = {row.key for row in figures_for(leader, "window", START, END).rows}
    assert windows == {"320507003-service/hq_clerk", "320507003-service/hq_clerk2", "320507003-service/-"}
    items = {row.label: row for row in figures_for(leader, "item", START, END).rows}
    assert (items["城乡居民基本养老保险参保登记"].rated, items["生育登记"].rated) == (6, 3)
    assert items["生育登记"].satisfaction_rate == pytest.approx(2 / 3)


def test_one_centre_and_refusals(week: dict[str, Any], people: dict[str, Any]) -> None:
    rows = figures_for(people["dispatcher"], "clerk", START, END, centre="320507105-service").rows
    assert [(row.key, row.rated) for row in rows] == [("wt_clerk", 1)]
    with pytest.raises(NotFound):
        figures_for(people["wt_clerk"], "clerk", START, END, centre="320507003-service")
    with pytest.raises(PermissionRefused):
        figures_for(people["hq_grid"], "centre", START, END)
    with pytest.raises(DomainError) as error:
        figures_for(people["dispatcher"], "town", START, END)
    assert error.value.field == "by"


def test_query_count_does_not_grow(
    week: dict[str, Any], people: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(4):
        figures_for(people["dispatcher"], "window", START, END)
