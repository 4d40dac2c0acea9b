"""The one error type keeps its HTTP status through the Open311 door, in the spec's own error format."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from core.errors import Conflict, DomainError, NotFound, PermissionRefused, Unprocessable
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
