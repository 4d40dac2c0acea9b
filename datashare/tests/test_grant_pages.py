"""The grant request page: a unit requests a dataset for a purpose and period, a steward approves on the
engine from the same page, the requester takes the token once, and the grant shows as expired after its
end. Roles refused, the outsider, bad input (nothing written)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from datashare.models import Connector, DatasetGrant
from datashare.sync import do_run_connector
from datashare.tests.conftest import NOW, row, write_csv
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
URL = "/datashare/grants/"


@pytest.fixture
def fed(drop: Connector, published: None) -> Connector:
    write_csv(Path(drop.config["directory"]) / "a.csv", [row(1, "2026-03-01T00:00:00Z")])
    do_run_connector(drop, now=NOW)
    return drop


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(connector: Connector, **extra: Any) -> dict[str, Any]:
    return {
        "connector": connector.pk,
        "dataset_fields": ["uscc", "name", "legal_representative"],
        "purpose": "环保专项检查",
        "starts_at": "2026-03-02T10:00",  # local time (Asia/Shanghai) = NOW
        "ends_at": "2026-03-09T10:00",
        **extra,
    }


def test_unit_requests_steward_approves_requester_takes_token_then_it_expires(
    fed: Connector, people: dict[str, User], frozen: Any
) -> None:
    agency = client_for(people["hq_agency"])
    page = agency.get(URL)
    assert page.status_code == 200 and fed.name in page.content.decode()
    response = agency.post(URL, form(fed))
    assert response.status_code == 303, response.content.decode()
    grant = DatasetGrant.objects.get()
    assert (grant.status, grant.requested_by, grant.fields) == (
        "requested",
        people["hq_agency"],
        ["uscc", "name", "legal_representative"],
    )
    assert grant.starts_at == NOW and grant.ends_at == NOW + timedelta(days=7)
    assert WorkItem.objects.get(pk=grant.work_item_id).state == "requested"
    assert "待审批" in agency.get(URL).content.decode()

    steward = client_for(people["hq_steward"])
    review = steward.get(URL).content.decode()
    assert 'id="to-review"' in review and "环保专项检查" in review and 'value="approve"' in review
    assert steward.post(f"/datashare/grants/{grant.pk}/review/", {"action": "approve"}).status_code == 303
    grant.refresh_from_db()
    assert grant.status == "approved"

    mine = agency.get(URL).content.decode()
    assert "生效中" in mine and f"/datashare/grants/{grant.pk}/token/" in mine
    token_page = agency.post(f"/datashare/grants/{grant.pk}/token/")
    assert token_page.status_code == 200 and token_page["Cache-Control"] == "no-store"
    token = token_page.context["token"]
    rows = APIClient().get(f"/api/v1/datashare/datasets/{fed.pk}/rows/", HTTP_AUTHORIZATION=f"Grant {token}")
    assert rows.status_code == 200 and rows.json()["rows"][0]["legal_representative"] == "王**"

    frozen.move_to(NOW + timedelta(days=7))
    expired = agency.get(URL).content.decode()
    assert (
        "已过期" in expired
        and "grant_token" not in expired
        and f"/datashare/grants/{grant.pk}/token/" not in expired
    )
    assert agency.post(f"/datashare/grants/{grant.pk}/token/").status_code == 303


def test_bad_input_writes_nothing(fed: Connector, people: dict[str, User], frozen: Any) -> None:
    agency = client_for(people["hq_agency"])
    no_purpose = agency.post(URL, form(fed, purpose=""))
    assert no_purpose.status_code == 400 and no_purpose.context["form"].errors["purpose"]
    backwards = agency.post(URL, form(fed, ends_at="2026-03-01T10:00"))
    assert backwards.status_code == 400 and backwards.context["form"].errors["ends_at"] == [
        "截止时间须晚于起始时间与当前时间。"
    ]
    too_long = agency.post(URL, form(fed, ends_at="2027-04-01T10:00"))
    assert too_long.context["form"].errors["ends_at"] == ["一次授权最长一年。"]
    assert agency.post(URL, form(fed, dataset_fields=["salary"])).status_code == 400
    assert agency.post(URL, {**form(fed), "connector": 999999}).status_code == 400
    assert not DatasetGrant.objects.exists()


def test_roles_refused_and_reject_needs_a_reason(
    fed: Connector, people: dict[str, User], frozen: Any
) -> None:
    agency = client_for(people["hq_agency"])
    agency.post(URL, form(fed))
    grant = DatasetGrant.objects.get()
    assert 'id="to-review"' not in agency.get(URL).content.decode()
    refused = agency.post(f"/datashare/grants/{grant.pk}/review/", {"action": "approve"}, follow=True)
    assert DatasetGrant.objects.get().status == "requested"
    assert refused.status_code == 200 and "msg error" in refused.content.decode()
    # Someone other than the requester cannot take the token, even once approved.
    steward = client_for(people["hq_steward"])
    no_reason = steward.post(f"/datashare/grants/{grant.pk}/review/", {"action": "reject"}, follow=True)
    assert DatasetGrant.objects.get().status == "requested" and "msg error" in no_reason.content.decode()
    steward.post(f"/datashare/grants/{grant.pk}/review/", {"action": "reject", "reason": "用途不明确"})
    assert DatasetGrant.objects.get().status == "rejected"
    assert "已退回" in agency.get(URL).content.decode()
    assert steward.post(f"/datashare/grants/{grant.pk}/token/").status_code == 404
    assert steward.post(f"/datashare/grants/{grant.pk}/review/", {"action": "bogus"}).status_code == 303


def test_outsider_and_anonymous(fed: Connector, people: dict[str, User], frozen: Any) -> None:
    client_for(people["hq_agency"]).post(URL, form(fed))
    grant = DatasetGrant.objects.get()
    outsider = client_for(people["wt_steward"])
    page = outsider.get(URL).content.decode()
    assert 'id="to-review"' not in page and fed.name not in page
    assert outsider.post(URL, form(fed)).status_code == 400  # not a dataset it is offered
    assert outsider.post(f"/datashare/grants/{grant.pk}/review/", {"action": "approve"}).status_code == 404
    assert DatasetGrant.objects.get().status == "requested"
    assert Client().get(URL).status_code == 302
