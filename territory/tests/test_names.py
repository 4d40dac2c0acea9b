"""Codes named for people: territory_names names grids and divisions from the process cache in at most one
query per table whatever the number of codes (none once held), and the `place` tag shows the name with
the code as its title or a muted aside, the code itself when it names nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from core.testing import queries_of
from territory.refs import territory_names
from territory.testing import DISTRICT, GRID_CODES, HUANGQIAO, HUANGQIAO_VILLAGE, WEITANG_VILLAGE

pytestmark = pytest.mark.django_db


def test_names_of_grids_and_divisions_in_two_queries(territory: dict[str, Any]) -> None:
    codes = [*GRID_CODES, HUANGQIAO_VILLAGE, WEITANG_VILLAGE, HUANGQIAO, DISTRICT, "320507003299", ""]
    cold, names = queries_of(lambda: territory_names(codes))
    assert len(cold) == 2, cold
    assert names == {
        "320507003201001": "黄桥测试村第1网格",
        "320507003201002": "黄桥测试村第2网格",
        "320507105201001": "渭塘测试村第1网格",
        "320507105201002": "渭塘测试村第2网格",
        HUANGQIAO_VILLAGE: "黄桥测试村",
        WEITANG_VILLAGE: "渭塘测试村",
        HUANGQIAO: "黄桥街道",
        DISTRICT: "相城区",
    }
    held = [*GRID_CODES, HUANGQIAO]
    territory_names(held)
    with CaptureQueriesContext(connection) as warm:
        assert territory_names(held)[HUANGQIAO] == "黄桥街道"
    assert len(warm.captured_queries) == 0


def render(source: str, **context: Any) -> str:
    return Template("{% load territory_names %}" + source).render(Context(context))


def test_place_tag(territory: dict[str, Any]) -> None:
    grid = GRID_CODES[0]
    assert (
        render("{% place code %}", code=grid)
        == f'<span class="place" title="{grid}">黄桥测试村第1网格</span>'
    )
    assert render("{% place code with_code=True %}", code=HUANGQIAO) == (
        '<span class="place">黄桥街道</span> <span class="muted small">320507003</span>'
    )
    # A list passes the names it fetched: the tag looks nothing up.
    names = {grid: "<b>第1网格</b>"}
    looked_up, html = queries_of(lambda: render("{% place code names %}", code=grid, names=names))
    assert looked_up == []
    assert html == f'<span class="place" title="{grid}">&lt;b&gt;第1网格&lt;/b&gt;</span>'
    assert render("{% place code names %}", code=HUANGQIAO, names=names) == (
        f'<span class="place">{HUANGQIAO}</span>'
    )
    assert render("{% place code %}", code="320507003299") == '<span class="place">320507003299</span>'
    assert render("{% place code %}", code="") == "—"
