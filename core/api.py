"""DRF glue: the single error envelope {"errors": [{"code", "message", "field"}]}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

Envelope = dict[str, list[dict[str, Any]]]
# The one refusal code (HTTP 403) of the platform: role, unit, jurisdiction-of-action and the rules' own
# conditions all refuse with it (docs/glossary.md, "Errors"). Outside the jurisdiction is 404 instead.
REFUSED = "not_allowed"


def envelope(errors: list[dict[str, Any]]) -> Envelope:
    return {"errors": errors}


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, Any]]:
    """Turn DRF's nested validation detail into a flat list of {code, message, field}."""
    if isinstance(detail, dict):
        out: list[dict[str, Any]] = []
        for key, value in detail.items():
            name = None if key == "non_field_errors" else (f"{field}.{key}" if field else str(key))
            out.extend(_flatten(value, name))
        return out
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            name = field
            if isinstance(value, dict) and field is not None:
                name = f"{field}[{index}]"
            out.extend(_flatten(value, name))
        return out
    code = getattr(detail, "code", None) or "invalid"
    return [{"code": str(code), "message": str(detail), "field": field}]


# Seconds a client should wait before retrying when the database was busy.
RETRY_AFTER_SECONDS = 2
BUSY_ERROR = {
    "code": "database_busy",
    "message": "系统繁忙，请稍后重试。The database is busy, please retry shortly.",
    "field": None,
}


def is_database_busy(exc: BaseException) -> bool:
    """SQLite's lock timeout ran out ("database is locked"; "database table is locked" in shared
    cache). The transaction rolled back, so nothing was done and a retry is safe."""
    return isinstance(exc, OperationalError) and "is locked" in str(exc)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if is_database_busy(exc):
        return Response(envelope([BUSY_ERROR]), status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if isinstance(exc, DomainError):
        refusal = Response(envelope([exc.as_dict()]), status=exc.status)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            refusal["Retry-After"] = str(retry_after)
        return refusal
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(exc, "default_code", "error")
        if isinstance(exc, exceptions.APIException):
            codes = exc.get_codes()
            if isinstance(codes, str):
                code = codes
        if isinstance(exc, exceptions.PermissionDenied):
            code = REFUSED  # DRF says `permission_denied`; the platform has one word for a refusal
        errors = [{"code": code, "message": str(detail), "field": None}]
    if response.status_code == status.HTTP_403_FORBIDDEN and isinstance(exc, exceptions.NotAuthenticated):
        response.status_code = status.HTTP_401_UNAUTHORIZED
    response.data = envelope(errors)
    return response


def raise_for_serializer(serializer: Any) -> Any:
    """Validate a DRF serializer and return its data, raising the standard 400 on bad input."""
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def paginated(item: type[Any], name: str) -> Any:
    """The OpenAPI shape of a page-number list answer: {count, count_capped, next, previous,
    results: [item]}, for APIViews that paginate by hand (drf-spectacular only infers it for generic list
    views). `count_capped`: the count stopped at the cap (workflow.listing.COUNT_CAP)."""
    from drf_spectacular.utils import inline_serializer
    from rest_framework import serializers

    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "count_capped": serializers.BooleanField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )
