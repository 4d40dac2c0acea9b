"""Request id (taken from X-Request-ID or made up, echoed back, read by the audit trail) and the origin of
the request being served (read by documents in development, licences.documents); the limit on
request bodies checked before they are read; a database busy past its timeout answers 503 with
Retry-After, for the pages as for the API."""

from __future__ import annotations

import contextvars
import json
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from core.api import BUSY_ERROR, RETRY_AFTER_SECONDS, envelope, is_database_busy

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("request", default=None)
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


def current_origin() -> str:
    """Scheme and host of the request being served, as its client addressed it ("http://127.0.0.1:8000");
    "" outside a request (background jobs, management commands)."""
    request = _request.get()
    return request.build_absolute_uri("/").rstrip("/") if request is not None else ""


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        held = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(held)
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


def _envelope(status: int, code: str, message: str) -> HttpResponse:
    body = json.dumps({"errors": [{"code": code, "message": message, "field": None}]}, ensure_ascii=False)
    response = HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    response["Connection"] = "close"  # the rest of the body is not read: do not reuse the connection
    return response


class RequestBodyLimitMiddleware:
    """Refuse an oversize body from its Content-Length, before any of it is read: multipart (files) up to
    REQUEST_MAX_UPLOAD_BYTES (larger on the paths of LARGE_UPLOAD_PATHS: enforcement evidence), any other
    body up to DATA_UPLOAD_MAX_MEMORY_SIZE. Answers 413 with the error envelope."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            return _envelope(400, "invalid_content_length", "Content-Length 无效。Invalid Content-Length.")
        if length > self._limit(request):
            return _envelope(
                413,
                "request_too_large",
                f"请求过大（上限 {self._limit(request) // (1024 * 1024) or 1} MB）。Request body too large.",
            )
        return self.get_response(request)

    @staticmethod
    def _limit(request: HttpRequest) -> int:
        if not (request.content_type or "").startswith("multipart/"):
            return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) or 2_621_440
        for pattern, limit in getattr(settings, "LARGE_UPLOAD_PATHS", []):
            if re.match(pattern, request.path_info):
                return int(limit)
        return int(getattr(settings, "REQUEST_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


class DatabaseBusyMiddleware:
    """Views outside DRF (pages, forms, Open311): a lock that outlasted SQLite's busy timeout is a 503
    the client may retry, not a 500. DRF views get the same answer from core.api.exception_handler."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        response = JsonResponse(envelope([BUSY_ERROR]), status=503, json_dumps_params={"ensure_ascii": False})
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
