"""GET discovery.{xml,json}: the Service Discovery document of the spec."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from open311.tests.conftest import json_of, spec_error, xml_of

pytestmark = pytest.mark.django_db


def test_discovery_xml_lists_the_v2_endpoint_and_both_formats(client: Client, now: datetime) -> None:
    response = client.get("/open311/v2/discovery.xml")

    assert response.status_code == 200
    root = xml_of(response)
    assert root.tag == "discovery"
    assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
    assert datetime.fromisoformat(root.findtext("changeset") or "").tzinfo is not None
    endpoint = root.find("endpoints/endpoint")
    assert endpoint is not None
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "http://testserver/open311/v2/"
    assert endpoint.findtext("type") == "test"  # demo mode
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_discovery_json_has_the_same_document(client: Client, now: datetime) -> None:
    body = json_of(client.get("/open311/v2/discovery.json"))

    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["changeset"] == body["changeset"]


def test_production_type_outside_demo_mode(client: Client, now: datetime, settings: Any) -> None:
    settings.DEMO_MODE = False

    body = json_of(client.get("/open311/v2/discovery.json"))

    assert body["endpoints"][0]["type"] == "production"


def test_changeset_follows_a_newer_standard_version(client: Client, reference: dict[str, int]) -> None:
    body = json_of(client.get("/open311/v2/discovery.json"))

    assert body["changeset"] == "2026-03-02T10:00:00+08:00"  # the standard published at NOW


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_wrong_jurisdiction_is_404_in_the_spec_format(client: Client, now: datetime, fmt: str) -> None:
    response = client.get(f"/open311/v2/discovery.{fmt}", {"jurisdiction_id": "sfgov.org"})

    assert response.status_code == 404
    code, description = spec_error(response, fmt)
    assert code == 404
    assert "jurisdiction_id" in description


def test_the_configured_jurisdiction_is_accepted(client: Client, now: datetime, settings: Any) -> None:
    settings.OPEN311_JURISDICTION_ID = "example.gov"

    assert client.get("/open311/v2/discovery.json", {"jurisdiction_id": "example.gov"}).status_code == 200
    assert (
        client.get("/open311/v2/discovery.json", {"jurisdiction_id": "xiangcheng.suzhou.gov.cn"}).status_code
        == 404
    )


@pytest.mark.parametrize("path", ["discovery.html", "discovery.XMLX", "services.csv"])
def test_an_unsupported_extension_is_404_in_xml(client: Client, now: datetime, path: str) -> None:
    response = client.get(f"/open311/v2/{path}")

    assert response.status_code == 404
    code, description = spec_error(response, "xml")
    assert code == 404
    assert "format" in description


@pytest.mark.parametrize("path", ["services", "discovery", "nothing/here.json"])
def test_a_path_that_is_no_resource_is_404_in_the_spec_format(
    client: Client, now: datetime, path: str
) -> None:
    response = client.get(f"/open311/v2/{path}")

    assert response.status_code == 404
    fmt = "json" if path.endswith(".json") else "xml"
    assert spec_error(response, fmt)[0] == 404


def test_post_to_discovery_is_refused_with_405(client: Client, now: datetime) -> None:
    response = client.post("/open311/v2/discovery.json")

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert spec_error(response, "json")[0] == 405
