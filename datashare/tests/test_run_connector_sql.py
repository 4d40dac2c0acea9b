"""The SQL connector against a PostgreSQL source database this test creates (and drops)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest
from django.db import connection

from accounts.models import OrgUnit, User
from datashare.models import Connector
from datashare.sync import do_run_connector
from datashare.tests.conftest import HQ, NOW, code, row
from registry import crypto

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
COLUMNS = ["uscc", "name", "legal_representative", "industry_code", "size", "grid"]


@pytest.fixture
def source_dsn(on_postgres: None) -> Iterator[str]:
    settings = connection.settings_dict
    # zhili_<name>_src beside the test database test_zhili_<name>
    name = f"{settings['NAME'].removeprefix('test_')}_src"
    host = f"{settings['HOST']}:{settings['PORT'] or 5432}"
    base = f"postgresql://{settings['USER']}:{settings['PASSWORD']}@{host}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{base}/{name}"
    with psycopg.connect(dsn, autocommit=True) as source:
        source.execute(
            "CREATE TABLE enterprises (uscc text primary key, name text, legal_representative text,"
            " industry_code text, size text, grid text, updated_at timestamptz not null)"
        )
    yield dsn
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def insert(dsn: str, *rows: dict[str, str]) -> None:
    with psycopg.connect(dsn, autocommit=True) as source:
        for r in rows:
            source.execute(
                "INSERT INTO enterprises VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [r[c] for c in COLUMNS] + [r["updated_at"]],
            )


def test_sql_source_incremental_with_quarantine(source_dsn: str, people: dict[str, User]) -> None:
    connector = Connector.objects.create(
        name="黄桥综治系统",
        category=Connector.Category.GOVERNANCE,
        adapter=Connector.Adapter.SQL,
        config={"dsn": source_dsn, "table": "enterprises"},
        owner_unit=OrgUnit.objects.get(code="320507003-gov"),
        territory_code=HQ,
    )
    insert(source_dsn, row(1, "2026-03-01T01:00:00Z"), row(2, "2026-03-01T02:00:00Z", size="巨型"))
    first = do_run_connector(connector, now=NOW)
    assert (first.created, first.quarantined, connector.bookmark_key) == (1, 1, code(2))
    insert(source_dsn, row(3, "2026-03-01T03:00:00Z"))
    second = do_run_connector(connector, now=NOW)
    assert (second.fetched, second.created, second.quarantined) == (1, 1, 0)


def test_an_unknown_table_fails_the_run(source_dsn: str, people: dict[str, User]) -> None:
    connector = Connector.objects.create(
        name="错表",
        category=Connector.Category.WATER,
        adapter=Connector.Adapter.SQL,
        config={"dsn": source_dsn, "table": "nope"},
        owner_unit=OrgUnit.objects.get(code="320507003-gov"),
        territory_code=HQ,
    )
    run = do_run_connector(connector, now=NOW)
    assert run.status == "failed" and "UndefinedTable" in run.error


def test_the_sealed_password_is_used_and_kept_out_of_the_dsn(
    source_dsn: str, people: dict[str, User]
) -> None:
    parts = urlsplit(source_dsn)
    if not parts.password:
        pytest.skip("the test database has no password to move out of the DSN")
    host = parts.netloc.rsplit("@", 1)[1]
    connector = Connector.objects.create(
        name="黄桥环保库（口令另存）",
        category=Connector.Category.ENVIRONMENT,
        adapter=Connector.Adapter.SQL,
        config={"dsn": parts._replace(netloc=f"{parts.username}@{host}").geturl(), "table": "enterprises"},
        secret_sealed=crypto.seal(Connector, "secret_sealed", parts.password),
        owner_unit=OrgUnit.objects.get(code="320507003-gov"),
        territory_code=HQ,
    )
    insert(source_dsn, row(1, "2026-03-01T01:00:00Z"))
    run = do_run_connector(connector, now=NOW)
    assert (run.status, run.created) == ("succeeded", 1)
