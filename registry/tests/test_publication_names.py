"""The registries answer the publication path: the app registers its name source at start-up; a public
text naming a registered person comes out masked in one indexed query; a text with no candidate asks
nothing; a long list is asked in batches under SQLite's parameter bound."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import publication
from core.publication import CHANNELS, publish, publish_many
from registry.names import BATCH, names_of_registered_people
from registry.tests.conftest import register

pytestmark = pytest.mark.django_db


def reply_row(text: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(CHANNELS["grid.public_status"].plain, "x")
    row["public_reply"] = text
    return row


def person_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if 'FROM "registry_person"' in q["sql"]]


def test_the_registry_registers_its_name_source_at_start_up() -> None:
    assert names_of_registered_people in publication._NAME_SOURCES


def test_a_registered_persons_name_is_masked_in_one_query(people: dict[str, Any]) -> None:
    register(people["system"], 1, name="李建国")
    register(people["system"], 2, name="欧阳娜娜")
    with CaptureQueriesContext(connection) as captured:
        out = publish("grid.public_status", reply_row("经核实，李建国已自行清理，欧阳娜娜到场见证。"))
    assert out["public_reply"] == "经核实，李**已自行清理，欧阳**到场见证。"
    assert len(captured.captured_queries) == 1 and len(person_queries(captured)) == 1
    # The name column is indexed: the lookup reads the index, not the table.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "registry_person")
    assert any(c["index"] and c["columns"] == ["name"] for c in constraints.values())


def test_names_nobody_registered_and_texts_without_candidates(people: dict[str, Any]) -> None:
    register(people["system"], 1, name="李建国")
    text = "王小红来电反映路灯不亮，已报修。"
    with CaptureQueriesContext(connection) as captured:
        assert publish("grid.public_status", reply_row(text))["public_reply"] == text
    assert len(captured.captured_queries) == 1
    with CaptureQueriesContext(connection) as captured:
        assert publish("grid.public_status", reply_row("OK 12:00"))["public_reply"] == "OK 12:00"
    assert captured.captured_queries == []


def test_a_list_is_one_lookup_whatever_its_length(people: dict[str, Any]) -> None:
    register(people["system"], 1, name="李建国")

    def publish_list(n: int) -> tuple[list[dict[str, Any]], list[str]]:
        rows = [reply_row(f"第{i}件：李建国已整改") for i in range(n)]
        with CaptureQueriesContext(connection) as captured:
            out = publish_many("grid.public_status", rows)
        return out, person_queries(captured)

    three, asked_three = publish_list(3)
    fifty, asked_fifty = publish_list(50)
    assert all(r["public_reply"].endswith("李**已整改") for r in three + fifty)
    assert len(asked_three) == len(asked_fifty) == 1


def test_many_candidates_are_asked_in_batches(people: dict[str, Any]) -> None:
    register(people["system"], 1, name="王丁")
    candidates = frozenset("王" + chr(0x4E00 + i) for i in range(BATCH + 100))
    with CaptureQueriesContext(connection) as captured:
        found = set(names_of_registered_people(candidates))
    assert found == {"王丁"} and len(captured.captured_queries) == 2
