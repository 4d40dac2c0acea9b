"""Warnings withdraw themselves (自动解除): an open warning whose situation its rule no longer yields is
withdrawn by the system at the next evaluation, with the reason in its history and the owner unit told;
it stays while the situation holds; evaluations are idempotent; acknowledged and handled warnings are
withdrawn with a note that keeps what was done; only the system may take the step; a situation that comes
back after a withdrawal is raised again; a failing rule withdraws nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.apps import apps as django_apps
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AuditEvent
from command.warnings import actions as warning_actions
from command.warnings.actions import do_act_on_warning, do_raise_warning, evaluate_warnings
from command.warnings.models import EarlyWarning, Rule
from command.warnings.rules import Finding
from core.errors import DomainError
from outbox.models import OutboxMessage
from workflow.engine import transition
from workflow.models import ProcessVersion, WorkItem
from workflow.start import do_start_item

from .conftest import HQ_GRID, SHANGHAI

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # sample_complaint's first step is due at 14:30


def _evaluate(at: datetime, rule: str) -> dict[str, int]:
    with time_machine.travel(at, tick=False):
        return evaluate_warnings(now=at, rules=[rule])[rule]


def _last(warning: EarlyWarning) -> Any:
    return warning.work_item.transitions.select_related("actor").order_by("-id").first()


def test_a_deadline_risk_is_withdrawn_once_the_item_moves(people: dict[str, User], territory: Any) -> None:
    item = do_start_item(
        "sample_complaint", actor=people["dispatcher"], now=START, title="噪声投诉", territory_code=HQ_GRID
    )
    raised_at = START + timedelta(hours=4, minutes=45)
    assert _evaluate(raised_at, Rule.DEADLINE_RISK)["raised"] == 1
    (warning,) = EarlyWarning.objects.all()
    assert warning.situation == warning.fingerprint
    # The situation holds, past the deadline too (nobody moved the item): nothing withdrawn, nothing new.
    for later in (raised_at + timedelta(minutes=15), START + timedelta(hours=7)):
        assert _evaluate(later, Rule.DEADLINE_RISK) == {"found": 1, "raised": 0, "withdrawn": 0, "failed": 0}
    warning.work_item.refresh_from_db()
    assert warning.work_item.state == "raised"
    # The dispatcher voids the complaint: the next evaluation withdraws the warning.
    voided_at = START + timedelta(hours=7, minutes=10)
    with time_machine.travel(voided_at, tick=False):
        transition(item, "void", actor=people["dispatcher"], now=voided_at, reason="重复投诉")
    cleared = START + timedelta(hours=7, minutes=15)
    assert _evaluate(cleared, Rule.DEADLINE_RISK) == {"found": 0, "raised": 0, "withdrawn": 1, "failed": 0}
    warning.refresh_from_db()
    assert warning.work_item.state == "withdrawn" and warning.finished_at == cleared
    last = _last(warning)
    assert (last.action, last.from_state, last.actor.is_system) == ("withdraw", "raised", True)
    assert last.reason.startswith("预警条件已解除：2026-03-02 16:15 评估时“临期风险”的情形已不存在")
    assert last.inputs == {"situation": warning.situation}
    assert AuditEvent.objects.filter(
        action="workflow.withdraw", subject_id=str(warning.work_item_id)
    ).exists()
    # The owner unit is told (hq_leader works there).
    told = OutboxMessage.objects.filter(kind="workflow.withdraw", payload__work_item=warning.work_item_id)
    assert [m.recipient.username for m in told if m.recipient] == ["hq_leader"]
    # Idempotent: evaluated again, nothing moves.
    again = cleared + timedelta(minutes=5)
    assert _evaluate(again, Rule.DEADLINE_RISK) == {"found": 0, "raised": 0, "withdrawn": 0, "failed": 0}
    assert warning.work_item.transitions.count() == 2


def test_open_warnings_in_any_state_are_withdrawn_with_a_note(
    plant: Callable[..., EarlyWarning], people: dict[str, User], now: datetime
) -> None:
    """The planted warnings are of the unrouted-backlog rule and nothing is waiting for dispatch."""
    raised, acknowledged, handled, dismissed = (plant(k) for k in ("r", "a", "h", "d"))
    leader = people["hq_leader"]
    do_act_on_warning(acknowledged, "acknowledge", actor=leader, now=now)
    do_act_on_warning(handled, "acknowledge", actor=leader, now=now)
    do_act_on_warning(handled, "handle", actor=leader, now=now, inputs={"measures": "已派人现场派遣"})
    do_act_on_warning(dismissed, "dismiss", actor=leader, now=now, reason="误报")
    at = now + timedelta(minutes=30)
    assert _evaluate(at, Rule.UNROUTED_BACKLOG) == {"found": 0, "raised": 0, "withdrawn": 3, "failed": 0}
    states = dict(EarlyWarning.objects.values_list("pk", "work_item__state"))
    assert states == {
        raised.pk: "withdrawn",
        acknowledged.pk: "withdrawn",
        handled.pk: "withdrawn",
        dismissed.pk: "dismissed",
    }
    assert _last(acknowledged).reason.endswith("；已签收的处置随之结束。")
    assert _last(handled).reason.endswith("；已采取的处置措施保留：已派人现场派遣。")
    handled.refresh_from_db()
    assert handled.measures == "已派人现场派遣"
    actions = list(handled.work_item.transitions.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["acknowledge", "handle", "withdraw"]


@pytest.mark.parametrize("who", ["dispatcher", "supervisor", "hq_leader"])
def test_only_the_system_withdraws(
    plant: Callable[..., EarlyWarning], people: dict[str, User], now: datetime, who: str
) -> None:
    warning = plant()
    api = APIClient()
    api.force_authenticate(people[who])
    body = {"action": "withdraw", "reason": "条件已解除"}
    with time_machine.travel(now, tick=False):
        for path in (
            f"/api/v1/command/warnings/{warning.pk}/transitions/",
            f"/api/v1/work-items/{warning.work_item_id}/transitions/",
        ):
            refused = api.post(path, body, format="json")
            assert refused.status_code == 403, path
            assert refused.json()["errors"][0]["code"] == "not_allowed"
        # Nor is it offered to a person.
        detail = api.get(f"/api/v1/command/warnings/{warning.pk}/").json()
    assert "withdraw" not in [a["name"] for a in detail["actions"]]
    warning.work_item.refresh_from_db()
    assert warning.work_item.state == "raised" and warning.work_item.transitions.count() == 1


def test_the_outsider_gets_not_found_and_the_system_needs_a_reason(
    plant: Callable[..., EarlyWarning], people: dict[str, User], now: datetime
) -> None:
    warning = plant()
    api = APIClient()
    api.force_authenticate(people["wt_leader"])
    with time_machine.travel(now, tick=False):
        hidden = api.post(
            f"/api/v1/command/warnings/{warning.pk}/transitions/", {"action": "withdraw"}, format="json"
        )
    assert hidden.status_code == 404
    with pytest.raises(DomainError) as refused:
        do_act_on_warning(warning, "withdraw", actor=people["system"], now=now)
    assert (refused.value.code, refused.value.field) == ("required", "reason")
    warning.work_item.refresh_from_db()
    assert warning.work_item.state == "raised"


def test_a_situation_back_after_its_withdrawal_is_raised_again(
    plant: Callable[..., EarlyWarning], people: dict[str, User], now: datetime
) -> None:
    first = plant()
    _evaluate(now + timedelta(minutes=5), Rule.UNROUTED_BACKLOG)
    finding = Finding(
        rule=first.rule,
        level=first.level,
        fingerprint=first.fingerprint,
        territory_code=first.territory_code,
        owner_unit=first.owner_unit,
        title="积压再次出现",
        summary="5 件已立案超过 2 小时仍未派遣。",
        evidence={},
    )
    back = now + timedelta(minutes=10)
    second, created = do_raise_warning(finding, actor=people["system"], now=back)
    assert created and second.fingerprint == f"{first.fingerprint}#1" and second.situation == first.situation
    # While it is open it is the situation's warning.
    assert do_raise_warning(finding, actor=people["system"], now=back) == (second, False)
    # Withdrawn again, it comes back as #2; dismissed by a person, it stays quiet this period.
    _evaluate(back + timedelta(minutes=5), Rule.UNROUTED_BACKLOG)
    third, created = do_raise_warning(finding, actor=people["system"], now=back + timedelta(minutes=10))
    assert created and third.fingerprint == f"{first.fingerprint}#2"
    do_act_on_warning(third, "dismiss", actor=people["dispatcher"], now=back, reason="误报")
    assert do_raise_warning(finding, actor=people["system"], now=back + timedelta(minutes=20)) == (
        third,
        False,
    )
    assert EarlyWarning.objects.count() == 3


def test_a_failing_rule_withdraws_nothing(
    plant: Callable[..., EarlyWarning], now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    warning = plant()

    def broken(now: datetime, owners: Any) -> list[Finding]:
        raise RuntimeError("the ledger is unreachable")

    monkeypatch.setitem(warning_actions.RULES, Rule.UNROUTED_BACKLOG, broken)
    assert _evaluate(now, Rule.UNROUTED_BACKLOG) == {"found": 0, "raised": 0, "withdrawn": 0, "failed": 1}
    warning.work_item.refresh_from_db()
    assert warning.work_item.state == "raised"


def test_the_migration_moves_open_warnings_to_the_withdraw_version(
    plant: Callable[..., EarlyWarning], people: dict[str, User], now: datetime
) -> None:
    """An open warning pinned to a version without `withdraw` (raised before it existed) is moved to the
    version that has it; a finished one keeps its version."""
    from importlib import import_module

    migration = import_module("command.migrations.0007_warning_withdraw")
    open_one, finished = plant("o"), plant("f")
    do_act_on_warning(finished, "dismiss", actor=people["dispatcher"], now=now, reason="误报")
    current = open_one.work_item.process_version
    old_definition = dict(current.definition)
    old_definition["actions"] = {k: v for k, v in current.definition["actions"].items() if k != "withdraw"}
    old_definition["states"] = {k: v for k, v in current.definition["states"].items() if k != "withdrawn"}
    old = ProcessVersion.objects.create(
        name="command_warning",
        version=current.version + 1,
        title=current.title,
        content_hash="0" * 64,
        definition=old_definition,
        published_at=now,
    )
    WorkItem.objects.filter(pk__in=[open_one.work_item_id, finished.work_item_id]).update(process_version=old)
    migration.move_open_warnings_to_the_withdraw_version(django_apps, None)
    pinned = dict(
        WorkItem.objects.filter(process_name="command_warning").values_list("pk", "process_version_id")
    )
    assert pinned == {open_one.work_item_id: current.pk, finished.work_item_id: old.pk}
    # And now the evaluation can withdraw it.
    assert _evaluate(now + timedelta(minutes=5), Rule.UNROUTED_BACKLOG)["withdrawn"] == 1


def test_the_warnings_page_shows_why_a_warning_was_withdrawn(
    plant: Callable[..., EarlyWarning], people: dict[str, User], now: datetime
) -> None:
    from django.test import Client

    withdrawn, still_open = plant("w"), plant("o", territory="320507105")
    _evaluate(now + timedelta(minutes=5), Rule.UNROUTED_BACKLOG)
    web = Client()
    web.force_login(people["hq_leader"])
    html = web.get("/command/warnings/", {"state": "withdrawn"}).content.decode()
    assert f'data-warning="{withdrawn.pk}"' in html and 'data-state="withdrawn"' in html
    assert "已自动解除" in html and "data-withdrawn>预警条件已解除" in html
    assert 'data-action="withdraw"' not in html
    # The outsider town's warning is not on 黄桥's page.
    assert f'data-warning="{still_open.pk}"' not in html
