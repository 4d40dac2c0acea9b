"""Names known to the registries (core.publication): candidate names are the Han runs that start with a
surname, bounded per text; a registered name found in a public text is masked although no caller passed
it, except inside a string declared public; a row or a list is one call of the name source; the log
scrubber never asks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from core import publication
from core.publication import (
    MAX_NAME_CANDIDATES,
    name_candidates,
    publish,
    publish_many,
    registered_names,
    scrub,
)
from core.surnames import surnames


class FakeRegistry:
    """A name source that knows `known` and records every question."""

    def __init__(self, *known: str) -> None:
        self.known = set(known)
        self.asked: list[frozenset[str]] = []

    def __call__(self, candidates: frozenset[str]) -> Iterable[str]:
        self.asked.append(candidates)
        return self.known & candidates


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> FakeRegistry:
    fake = FakeRegistry("李建国", "欧阳娜娜", "张三", "张三丰")
    monkeypatch.setattr(publication, "_NAME_SOURCES", [fake])
    return fake


def status_row(reply: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(publication.CHANNELS["grid.public_status"].plain, "x")
    row["public_reply"] = reply
    return row


def test_the_surname_list_is_data_with_single_and_compound_surnames() -> None:
    single, compound = surnames()
    assert {"王", "李", "张", "刘", "陈", "肖", "于", "高"} <= single and len(single) > 400
    assert {"欧阳", "司马", "诸葛", "上官"} <= compound and all(len(c) == 2 for c in compound)


def test_candidates_start_with_a_surname_inside_a_han_run() -> None:
    found = name_candidates("经核实，李建国已自行清理。ABC欧阳娜娜来过")
    assert {"李建", "李建国", "欧阳娜", "欧阳娜娜"} <= set(found)
    assert "建国已" not in found and "核实" not in found  # 建 and 核 are no surnames
    assert all(2 <= len(c) <= 4 for c in found)
    assert name_candidates("") == [] and name_candidates("12号401室 ok") == []
    assert name_candidates("王") == []  # one character is no name


def test_candidates_are_bounded_per_text() -> None:
    text = "".join("王" + chr(0x4E00 + i) for i in range(5000))  # 王丁王丂王七…: 10,000 candidates
    found = name_candidates(text)
    assert len(found) == MAX_NAME_CANDIDATES == len(set(found))


def test_a_registered_name_no_caller_passed_is_masked(registry: FakeRegistry) -> None:
    out = publish("grid.public_status", status_row("经核实，李建国已自行清理门前堆物。"))
    assert out["public_reply"] == "经核实，李**已自行清理门前堆物。"
    assert len(registry.asked) == 1 and "李建国" in registry.asked[0]


def test_longest_registered_name_first_and_compound_surnames(registry: FakeRegistry) -> None:
    out = publish("grid.public_status", status_row("张三丰与张三、欧阳娜娜协商"))
    assert out["public_reply"] == "张**与张*、欧阳**协商"


def test_a_text_with_no_registered_name_is_unchanged(registry: FakeRegistry) -> None:
    text = "王小红来电反映路灯不亮，已报修。"  # candidates, none registered
    assert publish("grid.public_status", status_row(text))["public_reply"] == text
    assert len(registry.asked) == 1
    assert publish("grid.public_status", status_row("已处理。OK"))["public_reply"] == "已处理。OK"
    assert len(registry.asked) == 1  # no candidate, no question


def test_inside_a_public_name_the_registered_name_stays(registry: FakeRegistry) -> None:
    text = "苏州李建国贸易有限公司供货，李建国签收"
    out = publish("grid.public_status", status_row(text), public=["苏州李建国贸易有限公司"])
    assert out["public_reply"] == "苏州李建国贸易有限公司供货，李**签收"
    # A name the caller knows is masked everywhere, a public string or not.
    out = publish("grid.public_status", status_row(text), names=["李建国"], public=["苏州李建国贸易有限公司"])
    assert "李建国" not in out["public_reply"]


def test_a_list_is_one_question(registry: FakeRegistry) -> None:
    rows = [status_row(f"第{i}件：李建国已整改") for i in range(30)]
    out = publish_many("grid.public_status", rows, names=[["王五"]] * 30)
    assert [r["public_reply"] for r in out] == [f"第{i}件：李**已整改" for i in range(30)]
    assert len(registry.asked) == 1
    with pytest.raises(ValueError):
        publish_many("grid.public_status", rows, names=[["王五"]])


def test_registered_names_asks_each_source_once_and_trusts_only_candidates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = FakeRegistry("李建国"), FakeRegistry("欧阳娜娜", "不是候选")
    second.known.add("不是候选")
    monkeypatch.setattr(publication, "_NAME_SOURCES", [first, second])
    found = registered_names(["李建国来了", "欧阳娜娜也来了"])
    assert found == {"李建国", "欧阳娜娜"}
    assert len(first.asked) == len(second.asked) == 1
    monkeypatch.setattr(publication, "_NAME_SOURCES", [])
    assert registered_names(["李建国来了"]) == frozenset()


def test_the_log_scrubber_never_asks(registry: FakeRegistry) -> None:
    assert scrub("李建国已自行清理") == "李建国已自行清理"
    assert registry.asked == []


def test_registering_a_source_twice_keeps_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publication, "_NAME_SOURCES", [])
    fake = FakeRegistry("李建国")
    publication.register_name_source(fake)
    publication.register_name_source(fake)
    assert [fake] == publication._NAME_SOURCES
