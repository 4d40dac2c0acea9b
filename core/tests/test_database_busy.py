"""SQLite under concurrent writers: the connection settings reach every new connection, and a lock
that outlasts the busy timeout is a 503 with Retry-After and the error envelope, never a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import OperationalError
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test import Client
from rest_framework.test import APIClient


def assert_busy(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    [error] = response.json()["errors"]
    assert error["code"] == "database_busy" and error["field"] is None and "retry" in error["message"]


@pytest.mark.django_db
def test_every_new_sqlite_connection_gets_wal_busy_timeout_and_immediate(tmp_path: Path) -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite settings")
    probe = DatabaseWrapper(
        {**settings.DATABASES["default"], "NAME": str(tmp_path / "probe.sqlite3")}, "probe"
    )
    try:
        with probe.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == settings.DATABASES["default"]["OPTIONS"]["timeout"] * 1000 > 5000
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
        assert getattr(probe, "transaction_mode", None) == "IMMEDIATE"
    finally:
        probe.close()


@pytest.mark.django_db
def test_locked_database_on_the_api_is_503(monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr("grid.events.api.public.throttle", locked)
    assert_busy(APIClient().post("/api/v1/public/reports/", {}, format="json"))


@pytest.mark.urls("core.tests.busy_urls")
def test_locked_database_on_a_page_is_503_and_other_errors_stay_errors() -> None:
    client = Client(raise_request_exception=False)
    assert_busy(client.get("/locked/"))
    assert client.get("/broken/").status_code == 500
