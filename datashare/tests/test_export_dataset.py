"""Bulk export of a granted dataset: approved by a superior (the grant), watermarked with the requester
(header, footer, note), personal fields masked unless the grant covers unmasking, refused once expired."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AuditEvent
from datashare import grants
from datashare.models import Connector
from datashare.sync import do_run_connector
from datashare.tests.conftest import NOW, row, write_csv

pytestmark = pytest.mark.django_db


def granted(drop: Connector, people: dict[str, User], **extra: Any) -> str:
    write_csv(Path(drop.config["directory"]) / "a.csv", [row(1, "2026-03-01T00:00:00Z")])
    do_run_connector(drop, now=NOW)
    grant = grants.do_request_grant(
        drop,
        fields=["uscc", "legal_representative"],
        purpose="年度统计",
        starts_at=NOW,
        ends_at=NOW + timedelta(days=2),
        actor=people["hq_agency"],
        now=NOW,
        **extra,
    )
    grant = grants.do_review_grant(grant, "approve", actor=people["hq_steward"], now=NOW)
    return grants.do_issue_token(grant, actor=people["hq_agency"], now=NOW)


def export(drop: Connector, token: str) -> Any:
    return APIClient().get(
        f"/api/v1/datashare/datasets/{drop.pk}/export.xlsx", HTTP_AUTHORIZATION=f"Grant {token}"
    )


def test_the_export_is_watermarked_and_masked(
    drop: Connector, people: dict[str, User], published: None
) -> None:
    token = granted(drop, people)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        answer = export(drop, token)
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]] == [row(1, "")["uscc"], "王**"]
    for mark in (sheet.oddHeader.center.text, sheet.oddFooter.center.text, sheet["A1"].comment.text):
        assert "hq_agency" in mark and "年度统计" in mark
    assert (
        AuditEvent.objects.filter(action="datashare.dataset_exported", actor=people["hq_agency"]).count() == 1
    )


def test_unmasked_only_when_granted(drop: Connector, people: dict[str, User], published: None) -> None:
    token = granted(drop, people, unmask=True)
    with time_machine.travel(NOW, tick=False):
        sheet = load_workbook(io.BytesIO(export(drop, token).content)).active
    assert sheet is not None and sheet["B2"].value == "王建国"


def test_an_expired_grant_exports_nothing(drop: Connector, people: dict[str, User], published: None) -> None:
    token = granted(drop, people)
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        answer = export(drop, token)
    assert answer.status_code == 403 and answer.json()["errors"][0]["code"] == "not_allowed"
    assert not AuditEvent.objects.filter(action="datashare.dataset_exported").exists()
