"""GET tokens/{token}.{xml,json}: the service_request_id of a token issued when a request was accepted."""

from __future__ import annotations

import pytest
from django.test import Client

from open311.tests.conftest import json_of, report, spec_error, xml_of

pytestmark = pytest.mark.django_db


def test_token_leads_to_the_request_xml(client: Client, client_key: str) -> None:
    (posted,) = json_of(report(client))

    root = xml_of(client.get(f"/open311/v2/tokens/{posted['token']}.xml"))

    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert [child.tag for child in request] == ["service_request_id", "token"]
    assert request.findtext("service_request_id") == posted["service_request_id"]
    assert request.findtext("token") == posted["token"]


def test_token_leads_to_the_request_json(client: Client, client_key: str) -> None:
    (posted,) = json_of(report(client))

    body = json_of(client.get(f"/open311/v2/tokens/{posted['token']}.json"))

    assert body == [{"service_request_id": posted["service_request_id"], "token": posted["token"]}]


def test_every_request_gets_its_own_token(client: Client, client_key: str) -> None:
    first, second = json_of(report(client))[0], json_of(report(client))[0]

    assert first["token"] != second["token"]
    assert first["service_request_id"] != second["service_request_id"]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_token_is_404(client: Client, client_key: str, fmt: str) -> None:
    response = client.get(f"/open311/v2/tokens/0123456789abcdef.{fmt}")

    assert response.status_code == 404
    assert "token" in spec_error(response, fmt)[1]
