"""The reform's promised-limit rule is a hard rule at catalogue import and at edit (a re-import of a changed
row): over the configured share of the legal limit is refused, over the legal limit always, and an item
with no legal limit is checked too and listed in the centre-authorisation report."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.models import OrgUnit
from approvals.actions import do_import_catalogue
from approvals.catalogue import rows_from_dicts
from approvals.models import ServiceItem, ServiceItemVersion
from approvals.report import build_report
from approvals.testing import LICENCE_CODE, catalogue_record
from core.env import env_percent
from core.errors import PermissionRefused
from core.spreadsheets import SpreadsheetImportError

from .test_api import client_for
from .test_pages import login


def _import(setup: dict[str, Any], now, **overrides: Any):
    return do_import_catalogue(
        rows_from_dicts([catalogue_record(**overrides)]), actor=setup["steward"], now=now
    )


def _refusal(setup: dict[str, Any], now, **overrides: Any) -> str:
    before = ServiceItemVersion.objects.count()
    with pytest.raises(SpreadsheetImportError) as caught:
        _import(setup, now, **overrides)
    assert ServiceItemVersion.objects.count() == before  # nothing written
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "承诺办结时限")]
    assert caught.value.code == "invalid_file"
    return caught.value.problems[0].reason


def test_edit_over_half_is_refused_and_the_item_keeps_its_version(setup: dict[str, Any], now):
    # The demo's 残疾人家庭无障碍改造补贴 case: 15 of 20 working days.
    reason = _refusal(setup, now, **{"承诺办结时限": 15})
    assert "50%" in reason
    item = ServiceItem.objects.get(implementation_code=LICENCE_CODE)
    assert item.current_version is not None and item.current_version.promised_limit_amount == 5


def test_exactly_half_is_allowed_natural_days_compared_exactly(setup: dict[str, Any], now):
    assert _import(setup, now, **{"承诺办结时限": 10}).versioned == 1
    natural = {"法定办结时限": 20, "法定时限单位": "自然日", "承诺办结时限": 10, "承诺时限单位": "自然日"}
    assert _import(setup, now, **natural).versioned == 1
    # 8 working days against 20 natural days (≈ 14.3 working days): over half.
    assert "50%" in _refusal(setup, now, **{**natural, "承诺办结时限": 8, "承诺时限单位": "工作日"})


def test_new_item_over_half_is_refused_at_import(setup: dict[str, Any], now):
    code = LICENCE_CODE[:-3] + "009"
    overrides = {"基本编码": "XK00101009", "实施编码": code, "承诺办结时限": 11}
    _refusal(setup, now, **overrides)
    assert not ServiceItem.objects.filter(implementation_code=code).exists()


def test_over_the_legal_limit_is_refused_whatever_the_share(setup: dict[str, Any], now, settings):
    settings.APPROVALS_PROMISED_SHARE = 1.0
    assert _import(setup, now, **{"承诺办结时限": 20}).versioned == 1  # 100 % allowed by configuration
    reason = _refusal(setup, now, **{"法定办结时限": 10, "承诺办结时限": 30})
    assert "超过法定时限 10" in reason


def test_no_legal_limit_is_checked(setup: dict[str, Any], now):
    reason = _refusal(setup, now, **{"法定办结时限": 0, "承诺办结时限": 3})
    assert "无法定时限" in reason


def test_share_is_configuration(setup: dict[str, Any], now, settings):
    settings.APPROVALS_PROMISED_SHARE = 0.3
    assert "30%" in _refusal(setup, now, **{"承诺办结时限": 7})
    assert _import(setup, now, **{"承诺办结时限": 6}).versioned == 1


def test_env_percent_fails_loudly(monkeypatch):
    monkeypatch.setenv("APPROVALS_PROMISED_PERCENT", "150")
    with pytest.raises(ImproperlyConfigured):
        env_percent("APPROVALS_PROMISED_PERCENT", 50)
    monkeypatch.setenv("APPROVALS_PROMISED_PERCENT", "40")
    assert env_percent("APPROVALS_PROMISED_PERCENT", 50) == 40


def test_outsider_cannot_import(setup: dict[str, Any], now):
    with pytest.raises(PermissionRefused):
        do_import_catalogue(rows_from_dicts([catalogue_record()]), actor=setup["hq_clerk"], now=now)


def test_report_lists_items_without_legal_limit_and_stored_violations(setup: dict[str, Any], now):
    versions = ServiceItemVersion.objects.filter(item__implementation_code=LICENCE_CODE)
    versions.update(legal_limit_amount=0, promised_limit_amount=3)  # stored before the rule
    report = build_report(OrgUnit.objects.all())
    over = {line.implementation_code: line for line in report.items_over_share}
    assert over[LICENCE_CODE].share is None and "无法定时限" in over[LICENCE_CODE].reason
    assert LICENCE_CODE in {line.implementation_code for line in report.items_without_legal_limit}

    data = client_for(setup["dispatcher"]).get("/api/v1/approvals/centres/report/").json()
    listed = {line["implementation_code"]: line for line in data["items_without_legal_limit"]}
    assert listed[LICENCE_CODE]["share"] is None and listed[LICENCE_CODE]["reason"]
    html = login(setup["dispatcher"]).get("/approvals/report/").content.decode()
    assert f'data-item-no-legal="{LICENCE_CODE}"' in html and "无法定时限" in html
