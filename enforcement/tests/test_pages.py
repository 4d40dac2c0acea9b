"""The officer's case list and case page, the squad leader's queue, and the dispatcher's conversion page."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from enforcement.actions import do_open_case
from enforcement.models import Case
from enforcement.tests.test_case_flow import ORDINARY, at
from enforcement.tests.test_conversion import event  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
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
        # 地点: the address and the grid's name (its code a muted aside, never alone).
        assert (
            '<dd>黄桥街道某村12号 · <span class="place">黄桥测试村第2网格</span> '
            '<span class="muted small">320507003201002</span></dd>'
        ) in body
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


def test_convert_page(people: dict[str, Any], event: Any) -> None:  # noqa: F811
    url = f"/enforcement/convert/{event.pk}/"
    assert login(people["hq_officer"]).get(url).status_code == 403
    assert login(people["wt_grid"]).get(url).status_code == 404
    dispatcher = login(people["dispatcher"])
    # The grid's staff event page links to the conversion while the event is open for it.
    assert "data-convert-link" in dispatcher.get(f"/grid/events/{event.pk}/").content.decode()
    page = dispatcher.get(url)
    assert page.status_code == 200 and 'value="hq_officer"' in page.content.decode()
    bad = dispatcher.post(url, {"matter": "CG-005", "party_kind": "natural", "party_name": "王五"})
    assert bad.status_code == 400 and 'data-error-field="officers"' in bad.content.decode()
    done = dispatcher.post(
        url,
        {
            "matter": "CG-005",
            "party_kind": "natural",
            "party_name": "王五",
            "officers": ["hq_officer", "hq_officer2"],
        },
    )
    assert done.status_code == 302
    case = Case.objects.get(grid_event=event)
    assert done["Location"] == f"/enforcement/cases/{case.pk}/"
    assert "data-convert-link" not in dispatcher.get(f"/grid/events/{event.pk}/").content.decode()


def test_admin_is_read_only(people: dict[str, Any]) -> None:
    from enforcement.admin import CaseAdmin, MatterAdmin

    assert not MatterAdmin.has_change_permission(MatterAdmin.__new__(MatterAdmin), None)  # type: ignore[arg-type]
    assert not CaseAdmin.has_add_permission(CaseAdmin.__new__(CaseAdmin), None)  # type: ignore[arg-type]


def test_convert_link_only_for_the_dispatcher(people: dict[str, Any], event: Any) -> None:  # noqa: F811
    page = login(people["hq_agency"]).get(f"/grid/events/{event.pk}/")
    assert page.status_code == 200
    assert "data-convert-link" not in page.content.decode()
