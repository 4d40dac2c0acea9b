"""Conditional use: a unit requests a dataset, a steward of its jurisdiction approves on the engine, the
requester takes a token, reads with it (audited, personal fields masked), and the grant expires by
itself. Roles refused, the outsider, bad input."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AuditEvent
from core.errors import DomainError, NotFound, PermissionRefused
from datashare import grants
from datashare.models import Connector, DatasetGrant
from datashare.sync import do_run_connector
from datashare.tests.conftest import NOW, row, write_csv

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def fed(drop: Connector, published: None) -> Connector:
    write_csv(Path(drop.config["directory"]) / "a.csv", [row(1, "2026-03-01T00:00:00Z")])
    do_run_connector(drop, now=NOW)
    return drop


def request(connector: Connector, actor: User, **extra: Any) -> DatasetGrant:
    values: dict[str, Any] = {
        "fields": ["uscc", "name", "legal_representative"],
        "purpose": "环保专项检查",
        "starts_at": NOW,
        "ends_at": NOW + 7 * DAY,
    }
    return grants.do_request_grant(connector, **{**values, **extra}, actor=actor, now=NOW)


def rows_with(token: str, connector: Connector) -> Any:
    return APIClient().get(
        f"/api/v1/datashare/datasets/{connector.pk}/rows/", HTTP_AUTHORIZATION=f"Grant {token}"
    )


def test_approved_grant_reads_masked_and_expires_on_time(fed: Connector, people: dict[str, User]) -> None:
    grant = request(fed, people["hq_agency"])
    assert grant.status == "requested" and grant.work_item.state == "requested"
    with pytest.raises(PermissionRefused):
        grants.do_issue_token(grant, actor=people["hq_agency"], now=NOW)
    grant = grants.do_review_grant(grant, "approve", actor=people["hq_steward"], now=NOW)
    assert grant.status == "approved"
    token = grants.do_issue_token(grant, actor=people["hq_agency"], now=NOW)
    assert token not in DatasetGrant.objects.get(pk=grant.pk).token_hash

    with time_machine.travel(NOW + 7 * DAY - timedelta(seconds=1), tick=False):
        answer = rows_with(token, fed)
        assert answer.status_code == 200
        assert answer.json()["rows"] == [
            {"uscc": row(1, "")["uscc"], "name": "测试单位1", "legal_representative": "王**"}
        ]
    read = AuditEvent.objects.get(action="datashare.dataset_read")
    assert read.actor_id == people["hq_agency"].pk and (read.after or {})["purpose"] == "环保专项检查"
    with time_machine.travel(NOW + 7 * DAY, tick=False):
        answer = rows_with(token, fed)
        assert answer.status_code == 403
        assert answer.json()["errors"][0]["code"] == "not_allowed"


def test_unmasking_needs_a_grant_that_covers_it(fed: Connector, people: dict[str, User]) -> None:
    grant = grants.do_review_grant(
        request(fed, people["hq_agency"], unmask=True), "approve", actor=people["hq_steward"], now=NOW
    )
    token = grants.do_issue_token(grant, actor=people["hq_agency"], now=NOW)
    with time_machine.travel(NOW, tick=False):
        assert rows_with(token, fed).json()["rows"][0]["legal_representative"] == "王建国"


def test_a_rejected_grant_and_a_wrong_token_read_nothing(fed: Connector, people: dict[str, User]) -> None:
    grant = request(fed, people["hq_agency"])
    grants.do_review_grant(grant, "reject", actor=people["hq_steward"], now=NOW, reason="用途不明确")
    assert DatasetGrant.objects.get(pk=grant.pk).status == "rejected"
    with time_machine.travel(NOW, tick=False):
        assert rows_with("guessed", fed).status_code == 403
        assert APIClient().get(f"/api/v1/datashare/datasets/{fed.pk}/rows/").status_code == 403
    assert not AuditEvent.objects.filter(action="datashare.dataset_read").exists()


def test_a_token_is_for_its_own_dataset_and_its_requester(fed: Connector, people: dict[str, User]) -> None:
    grant = grants.do_review_grant(
        request(fed, people["hq_agency"]), "approve", actor=people["hq_steward"], now=NOW
    )
    with pytest.raises(NotFound):
        grants.do_issue_token(grant, actor=people["hq_agency_colleague"], now=NOW)
    token = grants.do_issue_token(grant, actor=people["hq_agency"], now=NOW)
    with pytest.raises(PermissionRefused):
        grants.do_read_dataset(token, fed.pk + 1, now=NOW)


@pytest.mark.parametrize("approver", ["hq_agency", "hq_grid", "hq_officer"])
def test_only_a_steward_or_leader_approves(fed: Connector, people: dict[str, User], approver: str) -> None:
    grant = request(fed, people["hq_agency"])
    with pytest.raises(DomainError):
        grants.do_review_grant(grant, "approve", actor=people[approver], now=NOW)
    assert DatasetGrant.objects.get(pk=grant.pk).status == "requested"


def test_the_outsider_neither_requests_nor_approves(fed: Connector, people: dict[str, User]) -> None:
    with pytest.raises(NotFound):
        request(fed, people["wt_grid"])
    grant = request(fed, people["hq_agency"])
    with pytest.raises(NotFound):
        grants.do_review_grant(grant, "approve", actor=people["wt_steward"], now=NOW)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"purpose": " "}, "purpose"),
        ({"fields": ["id_number"]}, "fields"),
        ({"fields": []}, "fields"),
        ({"ends_at": NOW - DAY}, "ends_at"),
        ({"ends_at": NOW + 400 * DAY}, "ends_at"),
    ],
)
def test_bad_requests_are_refused(
    fed: Connector, people: dict[str, User], extra: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        request(fed, people["hq_agency"], **extra)
    assert refused.value.field == field and not DatasetGrant.objects.exists()


def test_request_and_token_over_the_api(fed: Connector, people: dict[str, User]) -> None:
    client = APIClient()
    client.force_authenticate(people["hq_agency"])
    body = {
        "connector": fed.pk,
        "fields": ["name"],
        "purpose": "统计",
        "starts_at": NOW.isoformat(),
        "ends_at": (NOW + DAY).isoformat(),
    }
    with time_machine.travel(NOW, tick=False):
        created = client.post("/api/v1/datashare/grants/", body, format="json")
        assert created.status_code == 201, created.content
        grant = DatasetGrant.objects.get(pk=created.json()["id"])
        assert client.post(f"/api/v1/datashare/grants/{grant.pk}/token/").status_code == 403
        grants.do_review_grant(grant, "approve", actor=people["hq_steward"], now=NOW)
        token = client.post(f"/api/v1/datashare/grants/{grant.pk}/token/").json()["token"]
        assert rows_with(token, fed).json()["rows"] == [{"name": "测试单位1"}]
        bad = client.post("/api/v1/datashare/grants/", {**body, "fields": ["secret"]}, format="json")
        assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "fields"
    outsider = APIClient()
    outsider.force_authenticate(people["wt_grid"])
    assert outsider.post("/api/v1/datashare/grants/", body, format="json").status_code == 404
    assert Client().get("/api/v1/datashare/grants/").status_code in {401, 403, 405}
