"""The single error envelope, for domain errors and for DRF's own."""

from __future__ import annotations

from rest_framework import exceptions, serializers

from core.api import exception_handler
from core.errors import Conflict, DomainError, NotFound


def test_domain_error_renders_envelope_with_status() -> None:
    response = exception_handler(DomainError("bad_code", "编码格式错误", field="code"), {})
    assert response is not None
    assert response.status_code == 400
    assert response.data == {"errors": [{"code": "bad_code", "message": "编码格式错误", "field": "code"}]}


def test_not_found_and_conflict_statuses() -> None:
    assert exception_handler(NotFound(), {}).status_code == 404  # type: ignore[union-attr]
    assert exception_handler(Conflict("stale", "已被他人处理"), {}).status_code == 409  # type: ignore[union-attr]


def test_drf_validation_errors_are_flattened_with_field_names() -> None:
    class S(serializers.Serializer):
        lon = serializers.FloatField(min_value=-180, max_value=180)
        lat = serializers.FloatField()

    s = S(data={"lon": 500})
    try:
        s.is_valid(raise_exception=True)
    except exceptions.ValidationError as exc:
        response = exception_handler(exc, {})
    assert response is not None
    assert response.status_code == 400
    fields = {e["field"]: e["code"] for e in response.data["errors"]}
    assert fields == {"lon": "max_value", "lat": "required"}


def test_not_authenticated_is_401() -> None:
    response = exception_handler(exceptions.NotAuthenticated(), {})
    assert response is not None
    assert response.status_code == 401
    assert response.data["errors"][0]["code"] == "not_authenticated"
