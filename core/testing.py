"""Test helper: the queries one request makes, from cold process caches (each measured request fills
the reference caches itself, so two requests over different numbers of rows compare like for like)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import refcache


def queries_of(call: Callable[[], Any]) -> tuple[list[str], Any]:
    """(the SQL of each query `call` made, its result), starting with empty reference caches."""
    refcache.clear_all()
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return [q["sql"] for q in captured.captured_queries], result
