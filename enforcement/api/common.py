"""What the enforcement API views share: the error envelope in the schema, the parsers and the
formatting of moments and money."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

ERROR_ENVELOPE = OpenApiResponse(description='{"errors": [{"code", "message", "field"}]}')
ERRORS = dict.fromkeys((400, 403, 404, 409, 422), ERROR_ENVELOPE)
PARSERS = [JSONParser, MultiPartParser, FormParser]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Any) -> str | None:
    return None if value is None else str(value)
