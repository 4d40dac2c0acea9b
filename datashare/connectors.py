"""Setting up a connector from the staff pages (instead of Django admin): its adapter and source
settings, the registry it feeds, its schedule and owner unit; and "run now". The source's password (SQL)
or token (HTTP) is sealed on the connector and never shown back; a password written into a DSN is moved
out of it. Only the data steward of the connector's territory; every save and run request is audited
(the settings, never the secret)."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import OrgUnit, User
from audit.actions import record_event
from core.errors import Conflict, DomainError, PermissionRefused
from datashare.access import check_steward, may_steward
from datashare.models import Connector, SyncedRecord
from datashare.tasks import run_connector
from registry import crypto
from territory.models import Division

FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,49}$")
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
MIN_MINUTES, MAX_MINUTES = 5, 7 * 24 * 60
SECRET_ADAPTERS = frozenset({Connector.Adapter.HTTP, Connector.Adapter.SQL})


@dataclass
class ConnectorInput:
    name: str
    category: str
    adapter: str
    target: str
    key_field: str
    cursor_field: str
    owner_unit_id: int | None
    territory_code: str
    frequency_minutes: int
    enabled: bool = True
    directory: str = ""  # file
    url: str = ""  # http
    dsn: str = ""  # sql
    table: str = ""  # sql
    secret: str | None = None  # None: keep the one set; "": clear it


def _choice(value: str, choices: type[Any], field: str) -> str:
    if value not in choices.values:
        raise DomainError("invalid_choice", _("请选择有效的选项。"), field=field)
    return value


def _name(data: ConnectorInput, connector: Connector | None) -> str:
    name = data.name.strip()
    if not name:
        raise DomainError("required", _("名称不能为空。"), field="name")
    if len(name) > 100:
        raise DomainError("too_long", _("名称最多 100 个字。"), field="name")
    same = Connector.objects.filter(name=name)
    if connector is not None:
        same = same.exclude(pk=connector.pk)
    if same.exists():
        raise Conflict("connector_exists", _("已有同名的数据接入。"), field="name")
    return name


def _column(value: str, field: str) -> str:
    value = value.strip()
    if not FIELD_NAME.match(value):
        raise DomainError("invalid_column", _("字段名须为字母、数字或下划线（字母开头）。"), field=field)
    return value


def _territory(code: str, actor: User) -> str:
    code = code.strip()
    if not Division.objects.filter(code=code).exists():
        raise DomainError("unknown_division", _("区划代码不存在。"), field="territory_code")
    if not may_steward(actor, code):
        raise PermissionRefused(
            "not_allowed", _("只能为您管辖范围内的区划设置数据接入。"), field="territory_code"
        )
    return code


def _owner(unit_id: int | None) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=unit_id).first() if unit_id else None
    if unit is None:
        raise DomainError("required", _("请选择数据提供单位。"), field="owner_unit")
    return unit


def _frequency(minutes: int) -> int:
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise DomainError(
            "invalid_frequency",
            _("更新频率须在 %(low)s–%(high)s 分钟之间。") % {"low": MIN_MINUTES, "high": MAX_MINUTES},
            field="frequency_minutes",
        )
    return minutes


def _source(data: ConnectorInput) -> tuple[dict[str, str], str | None]:
    """The adapter's settings, and the secret (a password written into the DSN moved out of it)."""
    secret = data.secret
    if data.adapter == Connector.Adapter.FILE:
        directory = data.directory.strip()
        if not directory or not PurePosixPath(directory).is_absolute():
            raise DomainError("invalid_directory", _("投放目录须为绝对路径。"), field="directory")
        return {"directory": directory}, ""
    if data.adapter == Connector.Adapter.HTTP:
        url = data.url.strip()
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise DomainError("invalid_url", _("接口地址须为 http(s) 网址。"), field="url")
        if parts.password:
            raise DomainError("secret_in_url", _("口令不要写在网址中，请填在“口令/令牌”一栏。"), field="url")
        return {"url": url}, secret
    dsn = data.dsn.strip()
    parts = urllib.parse.urlsplit(dsn)
    if parts.scheme not in {"postgres", "postgresql"} or not parts.hostname:
        raise DomainError(
            "invalid_dsn", _("连接串须为 postgres://用户@主机:端口/数据库 的形式。"), field="dsn"
        )
    if parts.password:  # moved out of the DSN: kept sealed, never shown
        secret = urllib.parse.unquote(parts.password)
        host = parts.netloc.rsplit("@", 1)[1]
        dsn = urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username or ''}@{host}"))
    table = data.table.strip()
    if not TABLE_NAME.match(table):
        raise DomainError("invalid_table", _("表名须为 表 或 模式.表。"), field="table")
    return {"dsn": dsn, "table": table}, secret


def _shown(connector: Connector) -> dict[str, Any]:
    """The settings as the audit row keeps them: never the secret, only whether one is set."""
    return {
        "name": connector.name,
        "adapter": connector.adapter,
        "target": connector.target,
        "config": connector.config,
        "key_field": connector.key_field,
        "cursor_field": connector.cursor_field,
        "owner_unit": connector.owner_unit_id,
        "territory_code": connector.territory_code,
        "frequency_minutes": connector.frequency_minutes,
        "enabled": connector.enabled,
        "secret_set": bool(connector.secret_sealed),
    }


def do_save_connector(
    connector: Connector | None, data: ConnectorInput, *, actor: User, now: datetime
) -> Connector:
    """Create (`connector` None) or change a connector. Refusals name their field. A connector that has
    synced records keeps its target and key field (its records and bookmark are keyed by them)."""
    if connector is not None:
        check_steward(actor, connector.territory_code)
    values = {
        "name": _name(data, connector),
        "category": _choice(data.category, Connector.Category, "category"),
        "adapter": _choice(data.adapter, Connector.Adapter, "adapter"),
        "target": _choice(data.target, Connector.Target, "target"),
        "key_field": _column(data.key_field, "key_field"),
        "cursor_field": _column(data.cursor_field, "cursor_field"),
        "owner_unit": _owner(data.owner_unit_id),
        "territory_code": _territory(data.territory_code, actor),
        "frequency_minutes": _frequency(data.frequency_minutes),
        "enabled": bool(data.enabled),
    }
    config, secret = _source(data)
    with transaction.atomic():
        before = None
        if connector is None:
            connector = Connector()
        else:
            connector = Connector.objects.select_for_update().get(pk=connector.pk)
            before = _shown(connector)
            in_use = SyncedRecord.objects.filter(connector=connector).exists()
            for field in ("target", "key_field"):
                if in_use and values[field] != getattr(connector, field):
                    raise Conflict(
                        "connector_in_use",
                        _("该数据接入已同步过记录，不能再改写入的库或主键字段；请新建一个数据接入。"),
                        field=field,
                    )
        for attribute, value in values.items():
            setattr(connector, attribute, value)
        connector.config = config
        if secret is not None:
            connector.secret_sealed = crypto.seal(Connector, "secret_sealed", secret) if secret else ""
        connector.save()
        record_event(
            actor=actor,
            action="datashare.connector_saved",
            subject=connector,
            territory_code=connector.territory_code,
            before=before,
            after=_shown(connector),
            now=now,
        )
    return connector


def do_request_run(connector: Connector, *, actor: User, now: datetime) -> None:
    """Run now: the run is queued (huey's run_connector, as the scheduled ones) after the commit and
    carries the steward as its actor."""
    check_steward(actor, connector.territory_code)
    if not connector.enabled:
        raise Conflict("connector_disabled", _("该数据接入已停用，请先启用。"), field="enabled")
    with transaction.atomic():
        record_event(
            actor=actor,
            action="datashare.run_requested",
            subject=connector,
            territory_code=connector.territory_code,
            now=now,
        )
        transaction.on_commit(lambda: run_connector(connector.pk, actor.pk))


SETTING_LABELS = {
    "directory": gettext_lazy("投放目录"),
    "url": gettext_lazy("接口地址"),
    "dsn": gettext_lazy("连接串"),
    "table": gettext_lazy("表名"),
    "secret": gettext_lazy("口令/令牌"),
}


def shown_settings(connector: Connector) -> list[tuple[str, str]]:
    """The source settings (key → value) as a page shows them: a password left in a DSN masked, the
    secret as set or not (never its value)."""
    shown = []
    for key, value in connector.config.items():
        text = str(value)
        if key == "dsn":
            parts = urllib.parse.urlsplit(text)
            if parts.password:
                host = parts.netloc.rsplit("@", 1)[1]
                text = urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))
        shown.append((key, text))
    if connector.adapter in SECRET_ADAPTERS:
        shown.append(("secret", _("已设置（不显示）") if connector.secret_sealed else _("未设置")))
    return shown
