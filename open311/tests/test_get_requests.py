"""GET requests.{xml,json}: every filter of the spec and its defaults (a 90-day window, pages of 50
rows, at most 200), newest first."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from grid.events.steps import do_event_action
from grid.models import Category, GridEvent
from open311.tests.conftest import HUANGQIAO_GRID, json_of, report, spec_error, xml_of

pytestmark = pytest.mark.django_db

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def post_at(client: Client, when: datetime, **params: Any) -> str:
    with time_machine.travel(when, tick=False):
        response = report(client, **params)
    assert response.status_code == 200, response.content
    return str(json_of(response)[0]["service_request_id"])


@pytest.fixture
def three(client: Client, client_key: str, now: datetime) -> list[str]:
    """Three requests: 暴露垃圾 today, 道路不洁 ten days ago, 暴露垃圾 a hundred days ago."""
    return [
        post_at(client, now),
        post_at(client, now - timedelta(days=10), service_code="E0104"),
        post_at(client, now - timedelta(days=100)),
    ]


def ids(response: Any) -> list[str]:
    return [row["service_request_id"] for row in json_of(response)]


def test_xml_list_has_the_fields_of_the_spec(client: Client, three: list[str]) -> None:
    root = xml_of(client.get("/open311/v2/requests.xml"))

    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert [r.findtext("service_request_id") for r in requests] == three[:2]
    assert [child.tag for child in requests[0]] == REQUEST_FIELDS
    assert requests[0].findtext("status") == "open"
    assert requests[0].findtext("service_code") == "E0102"
    assert requests[1].findtext("service_code") == "E0104"
    assert requests[0].findtext("lat") == "31.405"
    assert requests[0].findtext("long") == "120.555"
    assert requests[0].findtext("requested_datetime") == "2026-03-02T10:00:00+08:00"


def test_default_window_is_the_last_90_days(client: Client, three: list[str]) -> None:
    assert ids(client.get("/open311/v2/requests.json")) == three[:2]


def test_filter_by_request_ids_ignores_the_other_filters(client: Client, three: list[str]) -> None:
    response = client.get(
        "/open311/v2/requests.json",
        {"service_request_id": f"{three[2]},{three[0]}", "service_code": "E0104", "status": "closed"},
    )

    assert sorted(ids(response)) == sorted([three[0], three[2]])


def test_filter_by_service_codes(client: Client, three: list[str]) -> None:
    assert ids(client.get("/open311/v2/requests.json", {"service_code": "E0104"})) == [three[1]]
    assert ids(client.get("/open311/v2/requests.json", {"service_code": "E0104,E0102"})) == three[:2]
    assert ids(client.get("/open311/v2/requests.json", {"service_code": "C0101"})) == []


def test_filter_by_start_and_end_date(client: Client, three: list[str], now: datetime) -> None:
    start = (now - timedelta(days=120)).isoformat()
    end = (now - timedelta(days=50)).isoformat()

    assert ids(client.get("/open311/v2/requests.json", {"start_date": start, "end_date": end})) == [three[2]]


def test_start_date_alone_spans_90_days_from_it(client: Client, three: list[str]) -> None:
    response = client.get("/open311/v2/requests.json", {"start_date": "2025-11-01T00:00:00+08:00"})

    assert ids(response) == [three[2]]  # 2025-11-22; the 90 days end on 2026-01-30


def test_end_date_alone_spans_90_days_before_it(client: Client, three: list[str]) -> None:
    response = client.get("/open311/v2/requests.json", {"end_date": "2026-02-25"})

    assert ids(response) == [three[1]]


def test_an_unencoded_plus_in_the_offset_is_read(client: Client, three: list[str]) -> None:
    response = client.get("/open311/v2/requests.json?start_date=2026-03-01T00:00:00+08:00")

    assert ids(response) == [three[0]]


def test_filter_by_status(client: Client, three: list[str], personas: dict[str, Any], now: datetime) -> None:
    event = GridEvent.objects.get(receipt_number=three[1])
    do_event_action(event, "void", actor=personas["dispatcher"], now=now, reason="现场已无此问题")

    assert ids(client.get("/open311/v2/requests.json", {"status": "closed"})) == [three[1]]
    assert ids(client.get("/open311/v2/requests.json", {"status": "open"})) == [three[0]]
    assert ids(client.get("/open311/v2/requests.json", {"status": "open,closed"})) == three[:2]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"start_date": "last week"}, "start_date"),
        ({"end_date": "2026-13-45"}, "end_date"),
        ({"start_date": "2025-01-01T00:00:00+08:00", "end_date": "2026-01-01T00:00:00+08:00"}, "90 days"),
        ({"start_date": "2026-03-01T00:00:00+08:00", "end_date": "2026-02-01T00:00:00+08:00"}, "end_date"),
        ({"status": "pending"}, "status"),
        ({"service_code": "garbage"}, "service_code"),
    ],
)
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_bad_filters_are_400(
    client: Client, now: datetime, params: dict[str, str], named: str, fmt: str
) -> None:
    response = client.get(f"/open311/v2/requests.{fmt}", params)

    assert response.status_code == 400
    code, description = spec_error(response, fmt)
    assert code == 400
    assert named in description


def test_pages_of_50_by_default_newest_first(
    client: Client, reference: dict[str, int], now: datetime, django_assert_max_num_queries: Any
) -> None:
    category = Category.objects.get(kind="event", code="0102")
    GridEvent.objects.bulk_create(
        GridEvent(
            receipt_number=f"T{i:07d}",
            category=category,
            channel="open311",
            title="t",
            description="d",
            grid_id=HUANGQIAO_GRID,
            territory_code=HUANGQIAO_GRID,
            reported_at=now - timedelta(minutes=i),
            created_at=now,
            updated_at=now,
        )
        for i in range(1005)
    )

    with django_assert_max_num_queries(6):
        response = client.get("/open311/v2/requests.json")

    rows = json_of(response)
    assert len(rows) == 50
    assert rows[0]["service_request_id"] == "T0000000"
    assert rows[-1]["service_request_id"] == "T0000049"
    third = json_of(client.get("/open311/v2/requests.json", {"page": 3, "page_size": 200}))
    assert [r["service_request_id"] for r in third][:1] == ["T0000400"] and len(third) == 200
    for bad in ({"page_size": 201}, {"page_size": "0"}, {"page": "x"}):
        refused = client.get("/open311/v2/requests.json", bad)
        assert refused.status_code == 400 and spec_error(refused, "json")[0] == 400


def test_get_needs_no_key_but_checks_one_given(client: Client, three: list[str]) -> None:
    assert client.get("/open311/v2/requests.json").status_code == 200
    response = client.get("/open311/v2/requests.json", {"api_key": "wrong-key-000000"})
    assert response.status_code == 403
    assert spec_error(response, "json")[0] == 403


def test_wrong_jurisdiction_is_404(client: Client, three: list[str]) -> None:
    response = client.get("/open311/v2/requests.xml", {"jurisdiction_id": "other.gov"})

    assert response.status_code == 404
    assert spec_error(response, "xml")[0] == 404
