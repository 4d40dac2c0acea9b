"""render_many(Out, rows) equals DRF's Out(rows, many=True).data: for the API lists' own output
serializers over rows of any values their fields may meet (hypothesis), and for the cases where DRF does
something other than pass a value through — a value of another type, None, a missing key with a
default or not required, a callable, a nested list that is not a list."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from django.utils.translation import gettext_lazy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from approvals.api import ApprovalApplicationOut
from core.rendering import render_many
from grid.events.api.shapes import EventOut
from workflow.api import WorkItemSerializer


def as_json(data: Any) -> str:
    return json.dumps(data, cls=JSONEncoder, ensure_ascii=False)


def assert_same(out: type[serializers.Serializer[Any]], rows: list[Any]) -> None:
    expected = out(rows, many=True).data
    rendered = render_many(out, rows)
    assert rendered == expected
    assert as_json(rendered) == as_json(expected)  # key order and encoding too


TEXT = st.text(max_size=8)
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.sampled_from([UTC, None])
).map(lambda moment: moment if moment.tzinfo else moment.replace(tzinfo=timezone(timedelta(hours=8))))


def values_for(field: serializers.Field[Any, Any, Any, Any]) -> st.SearchStrategy[Any]:
    """What a list row may hold for the field, None included; other types where a row might carry them."""
    if isinstance(field, serializers.ListSerializer):
        assert isinstance(field.child, serializers.Serializer)
        return st.none() | st.lists(rows_for(field.child), max_size=2)
    if isinstance(field, serializers.Serializer):
        return st.none() | rows_for(field)
    if isinstance(field, serializers.ChoiceField):
        return st.none() | st.just("") | st.sampled_from(list(field.choices))
    if isinstance(field, serializers.BooleanField):
        return st.none() | st.booleans() | st.sampled_from([0, 1, "true", "no"])
    if isinstance(field, serializers.IntegerField):
        return st.none() | st.integers() | st.booleans() | st.integers().map(str)
    if isinstance(field, serializers.FloatField):
        return st.none() | st.floats(allow_nan=False, allow_infinity=False) | st.integers()
    if isinstance(field, serializers.DateTimeField):
        return st.none() | MOMENTS
    if isinstance(field, serializers.ListField):
        return st.none() | st.lists(TEXT, max_size=3)
    if isinstance(field, serializers.DictField):
        return st.none() | st.dictionaries(TEXT, st.integers() | TEXT, max_size=3)
    if isinstance(field, serializers.CharField):
        return st.none() | TEXT | st.integers() | st.just(gettext_lazy("已受理"))
    raise AssertionError(f"no values for {type(field).__name__}: add them here")


def rows_for(serializer: serializers.Serializer[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({name: values_for(field) for name, field in serializer.fields.items()})


@pytest.mark.parametrize("out", [EventOut, WorkItemSerializer, ApprovalApplicationOut])
def test_the_lists_serializers_render_any_rows_as_drf_does(out: type[serializers.Serializer[Any]]) -> None:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows=st.lists(rows_for(out()), max_size=3))
    def check(rows: list[dict[str, Any]]) -> None:
        assert_same(out, rows)

    check()


class Ref(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField(required=False)


class Row(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    done = serializers.BooleanField()
    at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(choices=[("open", "Open"), ("1", "One")])
    note = serializers.CharField(required=False)
    level = serializers.CharField(default="grid")
    extra = serializers.CharField(allow_null=True)
    ref = Ref(allow_null=True)
    refs = Ref(many=True)
    tags = serializers.ListField(child=serializers.CharField())
    counts = serializers.DictField()
    amount = serializers.DecimalField(max_digits=6, decimal_places=2)


def full_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": 7,
        "title": "占道经营",
        "score": 0.5,
        "done": True,
        "at": datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
        "state": "open",
        "note": "说明",
        "level": "town",
        "extra": "x",
        "ref": {"code": "320507", "name": "相城区"},
        "refs": [{"code": "a", "name": "甲"}, {"code": "b"}],
        "tags": ["x", 1],
        "counts": {"a": 1, 2: "b"},
        "amount": Decimal("12.5"),
    }
    row.update(changes)
    return row


def test_values_of_other_types_none_missing_keys_and_callables() -> None:
    rows = [
        full_row(),
        full_row(id="12", title=42, score=3, done=1, state=1, tags=("t",), at=datetime(2026, 3, 2, 9, 30)),
        full_row(title=gettext_lazy("已受理"), score=None, at=None, ref=None, extra=None, amount=7),
        full_row(title=lambda: "由函数给出", refs=[], counts={}),
    ]
    for row in rows[2:]:
        del row["note"]  # not required: left out, as DRF does
        del row["level"]  # has a default: the default
        del row["extra"]  # allow_null: None
    assert_same(Row, rows)
    rendered = render_many(Row, rows)
    assert rendered[0]["at"] == "2026-03-02T09:30:00+08:00"  # the local time, as DRF renders it
    assert rendered[1]["id"] == 12 and rendered[1]["title"] == "42" and rendered[1]["state"] == "1"
    assert "note" not in rendered[2] and rendered[2]["level"] == "grid" and rendered[2]["extra"] is None
    assert rendered[3]["title"] == "由函数给出"


def test_a_required_key_missing_fails_as_in_drf() -> None:
    row = full_row()
    del row["title"]
    with pytest.raises(KeyError):
        Row([row], many=True).data  # noqa: B018
    with pytest.raises(KeyError):
        render_many(Row, [row])


def test_a_serializer_reading_the_whole_row_or_a_path_is_refused() -> None:
    class Whole(serializers.Serializer[Any]):
        everything = serializers.DictField(source="*")

    class Dotted(serializers.Serializer[Any]):
        code = serializers.CharField(source="unit.code")

    for out in (Whole, Dotted):
        with pytest.raises(TypeError):
            render_many(out, [{}])
