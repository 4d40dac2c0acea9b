"""Pages for what no view answers: an unknown address gets a page in the site's layout (with its
navigation) or, under the JSON API, the one error envelope; a crash gets a plain page that needs no
database (the layout's context may be what failed)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

from core.api import envelope

API_PREFIXES = ("/api/",)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIXES):
        body = envelope([{"code": "not_found", "message": "Not found. 未找到。", "field": None}])
        return JsonResponse(body, status=404)
    return render(request, "404.html", {"path": request.path}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIXES):
        body = envelope([{"code": "server_error", "message": "服务器内部错误，请稍后重试。", "field": None}])
        return JsonResponse(body, status=500)
    return HttpResponseServerError(loader.get_template("500.html").render())
