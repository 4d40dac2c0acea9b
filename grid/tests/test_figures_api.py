"""GET /api/v1/grid/figures/: the hand-computed week through the API; every role in the jurisdiction may
read, the outsider gets 404, anonymous 401/403, bad input 400 with the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from grid.tests.test_figures import HUANGQIAO, TOWN_RATES, TOWN_WEEK, URBAN, Scenario, week_builder

pytestmark = pytest.mark.django_db

URL = "/api/v1/grid/figures/"


@pytest.fixture
def week(
    territory: Any, personas: dict[str, User], reference: Any, settings: Any, tmp_path: Any
) -> Callable[[], Scenario]:
    return week_builder(personas, settings, tmp_path)


WEEK_QUERY = {"level": "town", "code": HUANGQIAO, "from": "2026-03-02", "to": "2026-03-08"}


def get(api: APIClient, user: User | None, **params: str) -> Any:
    if user is not None:
        api.force_authenticate(user)
    return api.get(URL, params)


def test_town_week_through_the_api(
    api: APIClient, week: Callable[[], Scenario], personas: dict[str, User]
) -> None:
    week()
    # `to` as a date includes that day: [03-02 00:00, 03-09 00:00) +08:00, the hand-computed week.
    response = get(api, personas["dispatcher"], **WEEK_QUERY)
    assert response.status_code == 200, response.content
    body = response.json()
    assert {name: body[name] for name in TOWN_WEEK} == TOWN_WEEK
    assert body["rates"] == TOWN_RATES
    assert body["from"].startswith("2026-03-02T00:00:00") and body["from"].endswith("+08:00")
    assert body["to"].startswith("2026-03-09T00:00:00")
    assert (body["level"], body["code"], body["name"]) == ("town", HUANGQIAO, "黄桥街道")


def test_datetimes_with_offset_and_agency_level(
    api: APIClient, week: Callable[[], Scenario], personas: dict[str, User]
) -> None:
    week()
    response = get(
        api,
        personas["hq_leader"],
        level="agency",
        code=URBAN,
        **{"from": "2026-03-02T00:00:00+08:00", "to": "2026-03-09T00:00:00+08:00"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["closed"], body["closed_on_time"], body["patrol_due"]) == (3, 2, None)
    assert body["rates"]["patrol_coverage"] is None


@pytest.mark.parametrize("who", ["hq_leader", "hq_agency", "hq_officer"])
def test_staff_of_the_town_may_read(api: APIClient, personas: dict[str, User], who: str) -> None:
    assert get(api, personas[who], **WEEK_QUERY).status_code == 200


def test_the_grid_worker_reads_only_their_grid(api: APIClient, personas: dict[str, User]) -> None:
    worker = personas["hq_grid"]
    assert get(api, worker, **WEEK_QUERY).status_code == 404
    assert get(api, worker, level="grid", code="320507003201001").status_code == 200


def test_outsider_gets_404(api: APIClient, personas: dict[str, User]) -> None:
    response = get(api, personas["wt_grid"], **WEEK_QUERY)
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_anonymous_is_refused(api: APIClient, personas: dict[str, User]) -> None:
    assert get(api, None, **WEEK_QUERY).status_code in (401, 403)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "county", "code": HUANGQIAO}, "level"),
        ({"code": HUANGQIAO}, "level"),
        ({"level": "town"}, "code"),
        ({"level": "town", "code": "32050700"}, "code"),
        ({"level": "grid", "code": HUANGQIAO}, "code"),
        ({"level": "town", "code": HUANGQIAO, "from": "2026-13-01"}, "from"),
        ({"level": "town", "code": HUANGQIAO, "to": "yesterday"}, "to"),
        ({"level": "town", "code": HUANGQIAO, "from": "2026-03-02T00:00:00"}, "from"),
        ({"level": "town", "code": HUANGQIAO, "from": "2026-03-09", "to": "2026-03-02"}, "to"),
        ({"level": "town", "code": HUANGQIAO, "from": "2020-01-01", "to": "2026-03-02"}, "from"),
    ],
)
def test_bad_input_is_400_with_the_field(
    api: APIClient, personas: dict[str, User], params: dict[str, str], field: str
) -> None:
    response = get(api, personas["dispatcher"], **params)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == field


def test_unknown_code_is_404(api: APIClient, personas: dict[str, User]) -> None:
    assert get(api, personas["dispatcher"], level="town", code="320507999").status_code == 404
    assert get(api, personas["dispatcher"], level="agency", code="no-such-unit").status_code == 404


def test_default_period_is_the_last_30_days(api: APIClient, personas: dict[str, User]) -> None:
    body = get(api, personas["dispatcher"], level="district", code="320507").json()
    start, end = datetime.fromisoformat(body["from"]), datetime.fromisoformat(body["to"])
    assert (end - start).days == 30


def test_schema_documents_the_endpoint(api: APIClient, personas: dict[str, User]) -> None:
    api.force_authenticate(personas["dispatcher"])
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["get"]
    assert operation["operationId"] == "grid_figures"
    assert {p["name"] for p in operation["parameters"]} >= {"level", "code", "from", "to"}
