"""The product's URLs plus the write targets' baseline: `POST /bench/bare-insert/`, a bare Django view that
parses a JSON body and inserts one row in one transaction (issue 13: a single HTTP report ≥ 0.5 of it).
It goes through the same middleware stack as the product's views; its table is made by
`_server.ensure_bare_table` (bench/bench_http.py calls it before starting the server)."""

from __future__ import annotations

import json

from _server import BARE_TABLE
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from zhili.urls import urlpatterns as product


@csrf_exempt
def bare_insert(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return JsonResponse({"error": {"code": "method_not_allowed"}}, status=405)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": {"code": "invalid"}}, status=400)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BARE_TABLE} (received_at, body) VALUES (now(), %s) RETURNING id",  # noqa: S608
            [str(body.get("description", ""))[:500]],
        )
        (pk,) = cursor.fetchone()
    return JsonResponse({"id": pk}, status=201)


urlpatterns = [path("bench/bare-insert/", bare_insert), *product]
