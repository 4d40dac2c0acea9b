"""A spike of grid reports (EARS, command/warnings/rules/spikes.py) taken end to end through the engine and
the API, with the clock frozen on Monday 2026-03-02:

- three reports of 0102 暴露垃圾 in 黄桥测试村 this morning after eleven quiet days (nothing in the
  rollup): σ is floored at 0.5, so C1 = C2 = 3 / 0.5 = 6 and C3 = 5 — all three fire: a red warning, owned
  by 黄桥's government (no command centre of the town), whose leader is told through the outbox;
- worked: 黄桥's leader acknowledges it and records the measures taken, the district's dispatcher closes
  it; the history is the four steps, and the next evaluation that day raises nothing new;
- ignored: a red warning has one working hour to be acknowledged, so the sweeper's 督办 comes at 11:00
  (once), telling the owner again.
Refusals on the way: a grid worker and an officer are refused, 渭塘's leader (the outsider) finds
nothing, bad actions and inputs name what is wrong and change nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import User
from command.warnings.actions import evaluate_warnings
from command.warnings.models import EarlyWarning, Level, Rule
from grid.events.report import do_report_event
from outbox.models import OutboxMessage
from workflow.sweeper import sweep

from .conftest import HQ_GRID

pytestmark = pytest.mark.django_db

BASE = "/api/v1/command/warnings/"
VILLAGE = HQ_GRID[:12]


def _spike(people: dict[str, User], now: datetime) -> EarlyWarning:
    """Three reports this morning (spread 2 km apart, so no repeated-place warning), then the rule."""
    for i in range(3):
        at = now - timedelta(minutes=30 - i)
        with time_machine.travel(at, tick=False):
            do_report_event(
                actor=people["hq_grid"],
                now=at,
                channel="patrol",
                category_code="0102",
                description="路边有暴露垃圾",
                grid_code=HQ_GRID,
                lon=120.551 + 0.002 * i,
                lat=31.4020,
            )
    with time_machine.travel(now, tick=False):
        report = evaluate_warnings(now=now, rules=[Rule.SPIKE])
    assert report["spike"] == {"found": 1, "raised": 1, "withdrawn": 0, "failed": 0}
    return EarlyWarning.objects.get(rule=Rule.SPIKE)


def _client(user: User | None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def _act(user: User, warning: EarlyWarning, at: datetime, **body: Any) -> Any:
    with time_machine.travel(at, tick=False):
        return _client(user).post(f"{BASE}{warning.pk}/transitions/", body, format="json")


def test_a_spike_is_raised_acknowledged_handled_and_closed(
    people: dict[str, User], reference: Any, now: datetime
) -> None:
    warning = _spike(people, now)
    assert (warning.level, warning.territory_code) == (Level.RED, VILLAGE)
    assert (warning.evidence["c1"], warning.evidence["c2"], warning.evidence["c3"]) == (6.0, 6.0, 5.0)
    assert warning.evidence["series"] == [0] * 11 + [3] and warning.evidence["fired"] == ["C1", "C2", "C3"]
    assert warning.owner_unit is not None and warning.owner_unit.code == "320507003-gov"
    told = OutboxMessage.objects.filter(payload__work_item=warning.work_item_id)
    assert [m.recipient.username for m in told if m.recipient] == ["hq_leader"]

    leader, dispatcher = people["hq_leader"], people["dispatcher"]
    listed = _client(leader).get(BASE, {"rule": "spike", "open": "true"}).json()["results"]
    assert [row["id"] for row in listed] == [warning.pk] and listed[0]["state"] == "raised"
    # The outsider finds nothing: not in the list, 404 on the warning and on acting.
    assert _client(people["wt_leader"]).get(BASE, {"rule": "spike"}).json()["results"] == []
    assert _client(people["wt_leader"]).get(f"{BASE}{warning.pk}/").status_code == 404
    assert _act(people["wt_leader"], warning, now, action="acknowledge").status_code == 404
    # Other roles are refused.
    for who in ("hq_grid", "hq_officer"):
        refused = _act(people[who], warning, now, action="acknowledge")
        assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "not_allowed", who

    at = now + timedelta(minutes=20)
    body = _act(leader, warning, at, action="acknowledge", version=1).json()
    assert body["state"] == "acknowledged"
    # Bad input changes nothing: no measures, a stale version, an action not offered now.
    missing = _act(leader, warning, at, action="handle").json()["errors"][0]
    assert (missing["code"], missing["field"]) == ("required", "inputs.measures")
    assert _act(leader, warning, at, action="handle", version=1).status_code == 409  # version is 2 now
    assert _act(leader, warning, at, action="close").status_code == 409
    body = _act(leader, warning, at, action="handle", inputs={"measures": "城管中队已清运三处垃圾"}).json()
    assert body["state"] == "handled" and body["measures"] == "城管中队已清运三处垃圾"
    body = _act(dispatcher, warning, now + timedelta(hours=1), action="close").json()
    assert body["state"] == "closed" and body["finished_at"] is not None and body["actions"] == []
    history = _client(dispatcher).get(f"{BASE}{warning.pk}/").json()["history"]
    assert [h["action"] for h in history] == ["start", "acknowledge", "handle", "close"]
    actors = warning.work_item.transitions.order_by("id").values_list("actor__username", flat=True)
    assert list(actors) == ["system", "hq_leader", "hq_leader", "dispatcher"]
    # The spike still holds this afternoon: its warning of today is the closed one, not a new one.
    later = now + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        assert evaluate_warnings(now=later, rules=[Rule.SPIKE])["spike"]["raised"] == 0
    assert EarlyWarning.objects.count() == 1


def test_an_ignored_spike_is_supervised_once(people: dict[str, User], reference: Any, now: datetime) -> None:
    warning = _spike(people, now)  # 10:00; 红: one working hour to acknowledge → 11:00
    assert warning.work_item.step_due_at == now + timedelta(hours=1)
    for minutes in (55, 65, 70):
        at = now + timedelta(minutes=minutes)
        with time_machine.travel(at, tick=False):
            sweep(now=at)
    actions = list(warning.work_item.transitions.order_by("id").values_list("action", "actor__username"))
    assert actions == [("start", "system"), ("supervise", "system")]
    warning.work_item.refresh_from_db()
    assert warning.work_item.state == "raised"
    supervised = OutboxMessage.objects.filter(
        kind="workflow.supervise", payload__work_item=warning.work_item_id
    )
    assert [m.recipient.username for m in supervised if m.recipient] == ["hq_leader"]
    # Acknowledged after the 督办, it goes on as any other.
    at = now + timedelta(hours=2)
    assert _act(people["hq_leader"], warning, at, action="acknowledge").json()["state"] == "acknowledged"
