"""The officer's case list and case page, the squad leader's queue, and the dispatcher's conversion page."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.testing import PASSWORD
from enforcement.actions import do_open_case
from enforcement.models import Case
from enforcement.tests.test_case_flow import ORDINARY, at

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_officer_pages_and_actions(people: dict[str, Any]) -> None:
    with time_machine.travel(at(3, 2), tick=False):
        case = do_open_case(dict(ORDINARY), actor=people["hq_officer2"], now=at(3, 2))
        officer = login(people["hq_officer2"])
        page = officer.get("/enforcement/")
        assert page.status_code == 200
        assert f'data-case="{case.pk}"' in page.content.decode()
        detail = officer.get(f"/enforcement/cases/{case.pk}/")
        body = detail.content.decode()
        assert detail.status_code == 200
        assert 'data-action-form="propose_filing"' in body and "违法建设" in body
        assert "320507198001011231" not in body and "320507********1231" in body
        response = officer.post(f"/enforcement/cases/{case.pk}/act/", {"action": "propose_filing"})
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.work_item is not None and case.work_item.state == "filing_approval"
        # A refused action comes back as a message, the state unchanged.
        officer.post(f"/enforcement/cases/{case.pk}/act/", {"action": "approve_filing"}, follow=True)
        assert Case.objects.get(pk=case.pk).work_item.state == "filing_approval"  # type: ignore[union-attr]
        # The squad leader's queue shows it; the outsider gets 404.
        queue = login(people["hq_squad_leader"]).get("/enforcement/?view=queue").content.decode()
        assert f'data-case="{case.pk}"' in queue
        assert login(people["wt_officer"]).get(f"/enforcement/cases/{case.pk}/").status_code == 404
        assert (
            login(people["wt_officer"])
            .post(f"/enforcement/cases/{case.pk}/act/", {"action": "x"})
            .status_code
            == 404
        )
        record = officer.post(
            f"/enforcement/cases/{case.pk}/record/", {"kind": "note", "title": "现场情况说明"}
        )
        assert record.status_code == 302
        assert case.record.filter(title="现场情况说明").exists()


def test_anonymous_is_sent_to_login(people: dict[str, Any]) -> None:
    response = Client().get("/enforcement/")
    assert response.status_code == 302 and "login" in response["Location"]
