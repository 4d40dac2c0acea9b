"""The API answers what its OpenAPI document says: paginated lists, strict filters, exact path patterns."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User

pytestmark = pytest.mark.django_db

PAGED_LISTS = [
    "/api/v1/work-items/",
    "/api/v1/grid/events/",
    "/api/v1/approvals/applications/",
    "/api/v1/approvals/items/",
]


@pytest.fixture
def schema() -> dict[str, Any]:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return dict(response.json())


# A page of a list; `count_capped` says the count stopped at the cap (a million rows are never counted).
PAGE = {"count", "count_capped", "next", "previous", "results"}


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


@pytest.mark.parametrize("path", PAGED_LISTS)
def test_paginated_lists_are_documented_as_pages(
    schema: dict[str, Any], personas: dict[str, User], path: str
) -> None:
    documented = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    body = _resolve(schema, documented)
    assert body["type"] == "object" and set(body["properties"]) == PAGE
    assert body["properties"]["results"]["type"] == "array"
    client = APIClient()
    client.force_authenticate(personas["hq_leader"])
    answer = client.get(path)
    assert answer.status_code == 200 and set(answer.json()) == PAGE


def test_the_action_path_parameter_is_one_of_the_actions(schema: dict[str, Any]) -> None:
    operation = schema["paths"]["/api/v1/approvals/applications/{application_id}/{action}/"]["post"]
    action = next(p for p in operation["parameters"] if p["name"] == "action")["schema"]
    assert "withdraw" in action["enum"] and "accept" in action["enum"]
    if "pattern" in action:  # each alternative anchored on both sides, not ^a|b$
        assert re.fullmatch(action["pattern"], "accept") and not re.search(action["pattern"], "accepted-x")
    ident = next(p for p in operation["parameters"] if p["name"] == "application_id")["schema"]
    assert ident["type"] == "integer"


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/v1/approvals/applications/", {"open": "null"}, "open"),
        ("/api/v1/work-items/", {"territory": ""}, "territory"),
        ("/api/v1/grid/events/", {"town": ""}, "town"),
    ],
)
def test_invalid_filter_values_are_refused(
    personas: dict[str, User], path: str, query: dict[str, str], field: str
) -> None:
    client = APIClient()
    client.force_authenticate(personas["hq_leader"])
    answer = client.get(path, query)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == field


def test_api_docs_load_swagger_ui_from_our_own_static_files(personas: dict[str, User]) -> None:
    client = APIClient()
    client.force_authenticate(personas["hq_leader"])
    page = client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui" in s for s in sources)
    assert all(s.startswith("/") for s in sources), sources  # no CDN: closed government networks
    assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page
    assert client.get(next(s for s in sources if s.endswith("swagger-ui-bundle.js"))).status_code == 200
