"""Error views: a request Django refuses before any view runs (a body too large for memory, too many
fields or files) answers with the error envelope, not Django's HTML page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse


def bad_request(request: HttpRequest, exception: Exception | None = None, **_: Any) -> HttpResponse:
    code, status = "bad_request", 400
    if isinstance(exception, RequestDataTooBig):
        code, status = "request_too_large", 413
    elif isinstance(exception, TooManyFilesSent):
        code = "too_many_files"
    elif isinstance(exception, TooManyFieldsSent):
        code = "too_many_fields"
    message = "请求无效。Bad request." if status == 400 else "请求过大。Request body too large."
    body = {"errors": [{"code": code, "message": message, "field": None}]}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
