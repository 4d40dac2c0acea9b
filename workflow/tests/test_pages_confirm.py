"""The /work/ item page's destructive actions (作废, 退回: `destructive: true`) without the page's script: the
first post takes nothing and shows a confirmation page carrying what was posted; the confirmed post takes
it; a blank reason is refused; a user who may not take the action gets the engine's refusal, not a page."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from workflow.models import Transition, WorkItem
from workflow.start import do_start_item
from workflow.tests.conftest import GRID, at

pytestmark = pytest.mark.django_db
NOW = at(2026, 3, 2, 10)


@pytest.fixture
def item(personas: dict[str, Any]) -> WorkItem:
    return do_start_item(
        "sample_complaint", actor=personas["dispatcher"], now=NOW, title="占道经营投诉", territory_code=GRID
    )


def _post(user: Any, item: WorkItem, **data: Any) -> Any:
    client = Client()
    client.force_login(user)
    item.refresh_from_db()
    with time_machine.travel(NOW, tick=False):
        return client.post(f"/work/items/{item.pk}/act/", {"version": str(item.version), **data})


def test_void_asks_to_confirm_then_takes_it(personas: dict[str, Any], item: WorkItem) -> None:
    asked = _post(personas["dispatcher"], item, action="void", reason="重复投诉")
    page = asked.content.decode()
    assert asked.status_code == 200 and 'data-confirming="void"' in page
    assert '<input type="hidden" name="reason" value="重复投诉">' in page
    assert '<input type="hidden" name="confirmed" value="1">' in page and 'class="btn danger"' in page
    item.refresh_from_db()
    assert item.state == "registered" and not Transition.objects.filter(item=item, action="void").exists()
    done = _post(personas["dispatcher"], item, action="void", reason="重复投诉", confirmed="1")
    assert done.status_code == 303
    item.refresh_from_db()
    assert item.state == "voided"


def test_a_blank_reason_is_refused_before_asking(personas: dict[str, Any], item: WorkItem) -> None:
    refused = _post(personas["dispatcher"], item, action="void", reason=" ")
    assert refused.status_code == 400 and "请填写理由" in refused.content.decode()
    item.refresh_from_db()
    assert item.state == "registered"


@pytest.mark.parametrize(("who", "status"), [("hq_agency", 403), ("wt_grid", 404)])
def test_others_get_the_refusal_not_a_confirmation(
    personas: dict[str, Any], item: WorkItem, who: str, status: int
) -> None:
    refused = _post(personas[who], item, action="void", reason="越权")
    assert refused.status_code == status and "data-confirming" not in refused.content.decode()
    item.refresh_from_db()
    assert item.state == "registered"
