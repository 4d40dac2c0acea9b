"""The JSON API connector against a fake source on loopback (http.server in a thread; no network):
paging, incremental by `since`, bad rows quarantined, a broken page fails the run whole."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from accounts.models import OrgUnit, User
from datashare.models import Connector, QuarantinedRow
from datashare.sync import do_run_connector
from datashare.tests.conftest import HQ, NOW, code, row
from registry import crypto
from registry.models import Entity

pytestmark = pytest.mark.django_db
PAGE = 2


class Source:
    def __init__(self) -> None:
        self.rows: list[dict[str, str]] = []
        self.broken_page = 0
        self.asked: list[dict[str, str]] = []
        self.authorizations: list[str] = []


@pytest.fixture
def source() -> Iterator[tuple[Source, str]]:
    state = Source()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query, keep_blank_values=True).items()}
            state.asked.append(query)
            state.authorizations.append(self.headers.get("Authorization", ""))
            since, page = query.get("since", ""), int(query.get("page", "1"))
            if page == state.broken_page:
                body = b"<html>maintenance</html>"
            else:
                fresh = [r for r in state.rows if r["updated_at"] >= since]
                chunk = fresh[(page - 1) * PAGE : page * PAGE]
                more = page * PAGE < len(fresh)
                body = json.dumps({"rows": chunk, "next_page": page + 1 if more else None}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/feed"
    server.shutdown()
    server.server_close()


@pytest.fixture
def api(source: tuple[Source, str], people: dict[str, User]) -> Connector:
    return Connector.objects.create(
        name="黄桥审批系统",
        category=Connector.Category.APPROVAL,
        adapter=Connector.Adapter.HTTP,
        config={"url": source[1]},
        owner_unit=OrgUnit.objects.get(code="320507003-gov"),
        territory_code=HQ,
    )


def test_pages_are_followed_and_a_second_run_asks_only_for_new_rows(
    api: Connector, source: tuple[Source, str]
) -> None:
    state, _ = source
    state.rows = [row(n, f"2026-03-01T0{n}:00:00Z") for n in range(1, 5)]
    state.rows.append(row(5, "2026-03-01T05:00:00Z", uscc="bad"))
    run = do_run_connector(api, now=NOW)
    assert (run.fetched, run.created, run.quarantined) == (5, 4, 1)
    assert [q["page"] for q in state.asked] == ["1", "2", "3"]
    assert QuarantinedRow.objects.get().key == "bad"

    state.asked.clear()
    state.rows.append(row(6, "2026-03-01T06:00:00Z"))
    second = do_run_connector(api, now=NOW)
    assert state.asked[0]["since"] == "2026-03-01T05:00:00Z"
    assert (second.fetched, second.created) == (1, 1) and Entity.objects.filter(uscc=code(6)).exists()


def test_a_broken_page_fails_the_run_and_applies_nothing(api: Connector, source: tuple[Source, str]) -> None:
    state, _ = source
    state.rows = [row(n, f"2026-03-01T0{n}:00:00Z") for n in range(1, 4)]
    state.broken_page = 2  # page 1 was good: still nothing of it applies
    run = do_run_connector(api, now=NOW)
    assert run.status == "failed" and "第 2 页" in run.error
    assert not Entity.objects.exists() and api.bookmark_cursor == ""


def test_an_unreachable_source_fails_the_run(api: Connector, source: tuple[Source, str]) -> None:
    api.config = {"url": "http://127.0.0.1:9/feed"}
    run = do_run_connector(api, now=NOW)
    assert run.status == "failed" and run.error


def test_only_http_addresses_are_accepted(api: Connector) -> None:
    api.config = {"url": "file:///etc/passwd"}
    run = do_run_connector(api, now=NOW)
    assert run.status == "failed" and "http" in run.error


def test_the_sealed_token_is_sent_as_a_bearer_header(api: Connector, source: tuple[Source, str]) -> None:
    state, _ = source
    state.rows = [row(1, "2026-03-01T01:00:00Z")]
    do_run_connector(api, now=NOW)
    assert state.authorizations == [""]  # none set: none sent
    api.secret_sealed = crypto.seal(Connector, "secret_sealed", "feed-token-1")
    do_run_connector(api, now=NOW)
    assert state.authorizations[-1] == "Bearer feed-token-1"
