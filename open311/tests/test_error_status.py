"""The one error type keeps its HTTP status through the Open311 door, in the spec's own error format."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from core.errors import Conflict, DomainError, NotFound, PermissionRefused, Unprocessable
from grid.models import GridEvent
from open311 import selectors
from open311.parsing import parse_submission
from open311.tests.conftest import LAT, LON, report, spec_error
from open311.views import endpoint


def _errors(response: HttpResponse) -> list[dict[str, Any]]:
    return list(json.loads(response.content))


def _answer(error: DomainError, fmt: str = "json") -> HttpResponse:
    @endpoint(methods=("GET",))
    def view(request: HttpRequest, *, fmt: str, now: Any, api_key: Any) -> HttpResponse:
        raise error

    return view(RequestFactory().get(f"/open311/v2/requests.{fmt}"), fmt=fmt)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound("服务请求不存在。", field="service_request_id"), 404),
        (PermissionRefused("not_allowed", "无权操作。"), 403),
        (Conflict("stale", "已被他人修改。"), 409),
        (Unprocessable("too_late", "已超过期限。", field="when"), 422),
        (DomainError("invalid", "位置不在本区。", field="lat"), 400),
    ],
)
def test_each_refusal_keeps_its_status(error: DomainError, status: int) -> None:
    response = _answer(error)
    assert response.status_code == status
    [only] = _errors(response)
    assert only["code"] == status
    assert error.message in only["description"]


def test_a_bad_parameter_is_named_and_a_not_found_is_not() -> None:
    [bad] = _errors(_answer(DomainError("invalid", "位置不在本区。", field="lat")))
    assert bad["description"].startswith("lat: ")
    [missing] = _errors(_answer(NotFound("不存在。", field="service_request_id")))
    assert missing["description"] == "不存在。"


def test_the_xml_format_carries_the_same_status() -> None:
    response = _answer(NotFound("不存在。"), fmt="xml")
    assert response.status_code == 404
    assert b"<code>404</code>" in response.content


# Through the real door: Open311's parsing and look-ups raise the platform's one error type too.


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_not_found_from_core_in_a_post_is_404_not_400(
    client: Client, client_key: str, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """A POST's bad input is a 400; a not-found raised by the platform while it handles the POST stays a
    404, its description not taken for a bad parameter."""

    def missing(*args: Any, **kwargs: Any) -> None:
        raise NotFound("未找到网格：320507003201001", field="grid_code")

    monkeypatch.setattr("open311.views.do_submit_request", missing)
    response = report(client, fmt)

    assert response.status_code == 404
    assert spec_error(response, fmt) == (404, "未找到网格：320507003201001")


@pytest.mark.django_db
def test_open311_look_ups_raise_the_core_not_found(client: Client, client_key: str) -> None:
    with pytest.raises(NotFound) as caught:
        selectors.service_for("E9999")
    assert (caught.value.code, caught.value.field) == ("not_found", "service_code")
    response = client.get("/open311/v2/services/E9999.json")
    assert response.status_code == 404
    assert spec_error(response, "json")[0] == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "code", "parameter"),
    [
        ({"long": None}, "required", "long"),
        ({"lat": "north"}, "invalid", "lat"),
        ({"attribute[URGENCY]": "soon"}, "invalid", "attribute[URGENCY]"),
        ({"email": "not-an-address"}, "invalid", "email"),
        ({"description": "x" * 2001}, "too_long", "description"),
    ],
)
def test_bad_input_of_a_post_is_400_starting_with_its_parameter(
    client: Client, client_key: str, params: dict[str, Any], code: str, parameter: str
) -> None:
    factory = RequestFactory()
    data = {"service_code": "E0102", "lat": LAT, "long": LON, **params}
    with pytest.raises(DomainError) as caught:
        parse_submission(factory.post("/", {k: v for k, v in data.items() if v is not None}))
    assert (caught.value.status, caught.value.code, caught.value.field) == (400, code, parameter)

    response = report(client, **params)
    assert response.status_code == 400
    status, description = spec_error(response, "json")
    assert status == 400
    assert description.startswith(parameter)
    assert not GridEvent.objects.exists()


@pytest.mark.django_db
def test_a_refusal_of_the_event_intake_names_the_georeport_parameter(client: Client, client_key: str) -> None:
    """The intake's own field (`reporter_phone`) is named as the client sent it (`phone`)."""
    response = report(client, phone="12345")
    assert response.status_code == 400
    assert spec_error(response, "json")[1].startswith("phone: ")


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "parameter"), [("page=0", "page"), ("status=lost", "status")])
def test_a_bad_filter_is_400_starting_with_its_parameter(
    client: Client, client_key: str, query: str, parameter: str
) -> None:
    response = client.get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 400
    status, description = spec_error(response, "json")
    assert status == 400 and description.startswith(parameter)
