"""Destructive decisions on the application page (不予受理, 不予许可, 撤回): shown apart from the main action
in danger style; without a reason they are refused beside the field; the first post with a reason takes
nothing and brings the form back asking to confirm (works without scripts); the confirmed post takes it."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from approvals.models import Application
from workflow.models import Transition

from .conftest import NOW
from .test_intake import take

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _state(app: Application) -> str:
    app.refresh_from_db()
    assert app.work_item is not None
    app.work_item.refresh_from_db()
    return app.work_item.state


def _post(client: Client, app: Application, **data: Any) -> Any:
    assert app.work_item is not None
    app.work_item.refresh_from_db()
    return client.post(f"/approvals/applications/{app.pk}/", {"version": app.work_item.version, **data})


def test_refusing_acceptance_is_apart_needs_a_reason_and_a_confirmation(setup: dict[str, Any]) -> None:
    app = take(setup, NOW, "corrections", reason="请补交经营场所平面图")
    clerk = login(setup["hq_clerk"])
    html = clerk.get(f"/approvals/applications/{app.pk}/").content.decode()
    # The zone runs to the end of the actions' section (the actions' order is not fixed: jsonb).
    zone = re.search(r'<div class="danger-zone".*?</section>', html, re.S)
    assert zone is not None and 'data-action="refuse_acceptance"' in zone.group(0)
    assert 'data-action="resubmit"' not in zone.group(0)
    refuse = re.search(r'<form[^>]*data-action="refuse_acceptance".*?</form>', html, re.S)
    assert refuse is not None
    assert 'class="btn danger"' in refuse.group(0) and "data-confirm=" in refuse.group(0)
    # The main actions keep the plain style and sit before the danger zone.
    resubmit = re.search(r'<form[^>]*data-action="resubmit".*?</form>', html, re.S)
    assert resubmit is not None and "danger" not in resubmit.group(0)
    assert html.index('data-action="resubmit"') < html.index("data-danger-zone")

    blank = _post(clerk, app, action="refuse_acceptance", reason="  ")
    assert blank.status_code == 400 and "请填写理由" in blank.content.decode()
    assert _state(app) == "intake_corrections"

    asked = _post(clerk, app, action="refuse_acceptance", reason="不属于本中心受理范围")
    page = asked.content.decode()
    assert asked.status_code == 200 and 'data-confirming="refuse_acceptance"' in page
    assert (
        '<input type="hidden" name="confirmed" value="1">' in page
        and "不属于本中心受理范围</textarea>" in page
    )
    assert _state(app) == "intake_corrections"
    assert not Transition.objects.filter(item=app.work_item, action="refuse_acceptance").exists()

    done = _post(clerk, app, action="refuse_acceptance", reason="不属于本中心受理范围", confirmed="1")
    assert done.status_code == 303
    assert _state(app) == "not_accepted"
    step = Transition.objects.get(item=app.work_item, action="refuse_acceptance")
    assert step.reason == "不属于本中心受理范围"


def test_a_main_action_needs_no_confirmation(setup: dict[str, Any]) -> None:
    app = take(setup, NOW, "corrections", reason="请补交经营场所平面图")
    clerk = login(setup["hq_clerk"])
    done = _post(clerk, app, action="resubmit", materials=["营业执照", "经营场所平面图"])
    assert done.status_code == 303 and _state(app) != "intake_corrections"


def test_refusing_the_licence_asks_to_confirm_and_keeps_the_legal_basis(setup: dict[str, Any]) -> None:
    app = take(setup, NOW, "accept")
    approver = login(setup["district_approver"])
    assert _post(approver, app, action="pass_review", reason="材料齐全，报决定").status_code == 303
    asked = _post(
        approver, app, action="refuse", reason="经营场所不符合要求", legal_basis="《食品安全法》第三十五条"
    )
    page = asked.content.decode()
    assert asked.status_code == 200 and 'data-confirming="refuse"' in page
    assert 'value="《食品安全法》第三十五条"' in page
    state = _state(app)
    done = _post(
        approver,
        app,
        action="refuse",
        reason="经营场所不符合要求",
        legal_basis="《食品安全法》第三十五条",
        confirmed="1",
    )
    assert done.status_code == 303 and _state(app) == "refused" != state


def test_others_cannot_refuse_even_confirmed(setup: dict[str, Any]) -> None:
    app = take(setup, NOW, "corrections", reason="请补交经营场所平面图")
    outsider = _post(login(setup["wt_clerk"]), app, action="refuse_acceptance", reason="越权", confirmed="1")
    assert outsider.status_code == 404
    approver = _post(
        login(setup["district_approver"]), app, action="refuse_acceptance", reason="越权", confirmed="1"
    )
    assert approver.status_code in (400, 403)
    assert _state(app) == "intake_corrections"
