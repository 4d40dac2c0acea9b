"""The three ways a source system's rows arrive: a file drop (CSV/XLSX in a directory), a JSON HTTP API
with paging, a table of another PostgreSQL database. Each returns every row after the bookmark it can
filter on (the file drop returns all; sync filters by (cursor, key) anyway). A source that cannot be
read whole raises SourceError: the run fails and nothing of it is applied."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row

from core.errors import DomainError
from core.spreadsheets import SpreadsheetImportError, cell_text, header_base, read_rows
from datashare.models import Connector
from registry import crypto

Row = dict[str, Any]
MAX_PAGES = 10_000
HTTP_TIMEOUT = 30


class SourceError(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__("source_unreadable", message, field="source")


def _required_columns(connector: Connector) -> list[str]:
    return [connector.key_field, connector.cursor_field]


def fetch_files(connector: Connector, bookmark: str) -> list[Row]:
    directory = Path(connector.config.get("directory", ""))
    if not directory.is_dir():
        raise SourceError(f"投放目录不存在：{directory}")
    rows: list[Row] = []
    files = sorted(p for p in directory.iterdir() if p.suffix.lower() in {".csv", ".xlsx"})
    for path in files:
        try:
            table = read_rows(path)
        except SpreadsheetImportError as error:
            raise SourceError(f"{path.name}: {error.message}") from error
        if not table:
            continue
        headers = [header_base(h) for h in table[0]]
        missing = [c for c in _required_columns(connector) if c not in headers]
        if missing:
            raise SourceError(f"{path.name}: 缺少列 {', '.join(missing)}")
        for values in table[1:]:
            cells = [cell_text(v) for v in values]
            if any(cells):
                rows.append(dict(zip(headers, cells, strict=False)))
    return rows


def _secret(connector: Connector) -> str:
    """The source's password or token (sealed on the connector; set on the connector page)."""
    return crypto.unseal(connector, "secret_sealed") if connector.secret_sealed else ""


def fetch_http(connector: Connector, bookmark: str) -> list[Row]:
    """GET <url>?since=<cursor>&page=N (with `Authorization: Bearer <token>` when the connector has
    one); the answer is {"rows": [...], "next_page": N or null}."""
    url = connector.config.get("url", "")
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise SourceError("接口地址须为 http(s)。")
    token = _secret(connector)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    rows: list[Row] = []
    page: int | None = 1
    for _ in range(MAX_PAGES):
        if page is None:
            return rows
        query = urllib.parse.urlencode({"since": bookmark, "page": page})
        request = urllib.request.Request(f"{url}?{query}", headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as answer:  # noqa: S310
                body = json.loads(answer.read().decode("utf-8"))
        except (OSError, ValueError) as error:
            raise SourceError(f"接口第 {page} 页读取失败：{error}") from error
        if not isinstance(body, dict) or not isinstance(body.get("rows"), list):
            raise SourceError(f"接口第 {page} 页格式无效（须含 rows 列表）。")
        rows += [r if isinstance(r, dict) else {"_raw": r} for r in body["rows"]]
        next_page = body.get("next_page")
        page = next_page if isinstance(next_page, int) and next_page > page else None
    raise SourceError("接口分页过多。")


def fetch_sql(connector: Connector, bookmark: str) -> list[Row]:
    """Rows of `table` whose cursor column is after the bookmark's (equal cursors: sync compares keys)."""
    dsn, table = connector.config.get("dsn", ""), connector.config.get("table", "")
    cursor_column = sql.Identifier(connector.cursor_field)
    query = sql.SQL("SELECT * FROM {} WHERE %s = '' OR {} >= %s::timestamptz ORDER BY {}, {}").format(
        sql.Identifier(*table.split(".")), cursor_column, cursor_column, sql.Identifier(connector.key_field)
    )
    try:
        secret = _secret(connector)
        conninfo = make_conninfo(dsn, password=secret) if secret else dsn
        with psycopg.connect(conninfo, connect_timeout=HTTP_TIMEOUT, row_factory=dict_row) as source:
            found = source.execute(query, (bookmark, bookmark or "1970-01-01T00:00:00Z")).fetchall()
    except psycopg.Error as error:
        raise SourceError(f"数据源读取失败：{error.__class__.__name__}") from error
    return [{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()} for row in found]


ADAPTERS: dict[str, Callable[[Connector, str], list[Row]]] = {
    Connector.Adapter.FILE: fetch_files,
    Connector.Adapter.HTTP: fetch_http,
    Connector.Adapter.SQL: fetch_sql,
}
