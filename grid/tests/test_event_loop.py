"""The whole loop through the actions, with deadlines checked by hand: 暴露垃圾 (0102) has 4 working hours
in area classes A and B and 8 in C (standard v1); working hours 08:30–12:00 and 13:30–17:30."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import AuditEvent
from core.errors import Conflict, PermissionRefused
from grid.events.rating import do_rate_event
from grid.models import AttachmentStage, GridEvent, RoutingDecision
from grid.tests import test_event_support as support
from grid.tests.test_event_support import HQ_GRID, URBAN, act, at, photo, report
from outbox.models import OutboxMessage
from territory.models import Grid
from workflow.models import Transition

pytestmark = pytest.mark.django_db
media, people = support.media, support.people  # fixtures


def test_report_file_dispatch_sign_feedback_rework_verify_rate(people: dict[str, Any]) -> None:
    # Mon 2026-03-02 09:00, grid worker on patrol, area class B.
    event = report(people, now=at(3, 2, 9), photos=[photo()])
    item = event.work_item
    assert item.state == "reported" and event.level == "grid" and event.receipt_number.startswith("SJ260302")
    assert item.limit_overrides == {"handling": {"amount": 4, "unit": "work_hours"}}
    assert item.step_due_at == at(3, 2, 11)  # reported: 2 working hours
    assert event.standard is not None and event.standard.category.code == "0102"
    assert event.attachments.get().stage == AttachmentStage.REPORT

    event = act(event, "file", people, "dispatcher", at(3, 2, 9, 30))
    decision = RoutingDecision.objects.get(subject_id=str(event.pk))
    assert decision.chosen_unit is not None and decision.chosen_unit.code == URBAN

    event = act(event, "dispatch", people, "dispatcher", at(3, 2, 10))  # no unit given: the routed one
    item = event.work_item
    assert item.state == "dispatched" and item.assigned_unit.code == URBAN
    assert item.step_due_at == at(3, 2, 11)  # 签收 within 1 working hour
    assert event.level == "town"  # the urban office of 黄桥街道
    assert RoutingDecision.objects.filter(subject_id=str(event.pk)).count() == 2
    dispatch = Transition.objects.get(item=item, action="dispatch")
    assert dispatch.inputs["assigned_unit"] == URBAN and "wrong_dispatch" not in dispatch.inputs

    event = act(event, "sign", people, "hq_agency", at(3, 2, 10, 30))
    item = event.work_item
    # 4 working hours from 10:30: 10:30–12:00 (1.5 h) and 13:30–16:00 (2.5 h).
    assert item.state == "handling" and item.assignee == people["hq_agency"]
    assert item.step_due_at == at(3, 2, 16) and item.step_limit_seconds == 4 * 3600

    event = act(
        event, "feedback", people, "hq_agency", at(3, 2, 15), inputs={"result": "已清运"}, photos=[photo()]
    )
    assert event.work_item.state == "verifying"
    assert event.work_item.step_due_at == at(3, 3, 17, 30)  # 1 working day
    feedback = Transition.objects.get(item=item, action="feedback")
    [attachment] = event.attachments.filter(stage=AttachmentStage.FEEDBACK)
    assert feedback.inputs["attachments"] == [str(attachment.pk)]

    event = act(event, "verify_fail", people, "dispatcher", at(3, 2, 16), reason="仍有残留垃圾")
    item = event.work_item
    # Rework: back to the same unit and assignee, the standard's 4 hours again from 16:00:
    # 16:00–17:30 (1.5 h), Tue 08:30–11:00 (2.5 h).
    assert (
        item.state == "handling" and item.assigned_unit.code == URBAN and item.assignee == people["hq_agency"]
    )
    assert item.step_due_at == at(3, 3, 11)

    event = act(
        event, "feedback", people, "hq_agency", at(3, 3, 9), inputs={"result": "已彻底清理"}, photos=[photo()]
    )
    event = act(event, "verify_pass", people, "hq_grid", at(3, 3, 10))
    assert event.work_item.state == "closed" and event.work_item.closed_at == at(3, 3, 10)
    assert event.closure_level == "town"
    assert AuditEvent.objects.filter(action="grid.event_verify_pass", subject_id=str(event.pk)).exists()

    rated = do_rate_event(event, rating=5, comment="很及时", now=at(3, 3, 12), actor=people["hq_grid"])
    assert rated.rating == 5 and rated.rated_at == at(3, 3, 12)
    with pytest.raises(Conflict) as again:
        do_rate_event(event, rating=4, now=at(3, 3, 13), actor=people["hq_grid"])
    assert again.value.code == "already_rated"
    actions = list(Transition.objects.filter(item=item).order_by("id").values_list("action", flat=True))
    assert actions == [
        "start",
        "file",
        "dispatch",
        "sign",
        "feedback",
        "verify_fail",
        "feedback",
        "verify_pass",
    ]


@pytest.mark.parametrize(("area_class", "due"), [("A", at(3, 2, 16)), ("C", at(3, 3, 11))])
def test_handling_limit_follows_the_area_class(people: dict[str, Any], area_class: str, due: Any) -> None:
    Grid.objects.filter(code=HQ_GRID).update(area_class=area_class)
    event = report(people, now=at(3, 2, 9))
    event = act(event, "file", people, "dispatcher", at(3, 2, 9, 30))
    event = act(event, "dispatch", people, "dispatcher", at(3, 2, 10))
    event = act(event, "sign", people, "hq_agency", at(3, 2, 10, 30))
    # A: 4 h → 16:00 the same day; C: 8 h → 10:30–12:00, 13:30–17:30 (5.5 h), Tue 08:30–11:00 (2.5 h).
    assert event.work_item.step_due_at == due


def test_rating_rules(people: dict[str, Any]) -> None:
    event = report(people, now=at(3, 2, 9))
    with pytest.raises(Conflict) as early:
        do_rate_event(event, rating=5, now=at(3, 2, 10), actor=people["hq_grid"])
    assert early.value.code == "not_closed"
    event = act(
        event,
        "self_resolve",
        people,
        "hq_grid",
        at(3, 2, 9, 30),
        inputs={"result": "已劝离"},
        photos=[photo()],
    )
    assert event.work_item.state == "closed" and event.closure_level == "grid"
    with pytest.raises(PermissionRefused):
        do_rate_event(event, rating=5, now=at(3, 2, 10), actor=people["dispatcher"])
    with pytest.raises(PermissionRefused):
        do_rate_event(event, rating=5, now=at(3, 2, 10), actor=None)  # a staff report: only its reporter
    for bad in (0, 6, True):
        with pytest.raises(Exception) as refused:
            do_rate_event(event, rating=bad, now=at(3, 2, 10), actor=people["hq_grid"])
        assert getattr(refused.value, "field", None) == "rating"
    assert GridEvent.objects.get(pk=event.pk).rating is None


def test_self_resolve_does_not_notify_the_worker_themselves(people: dict[str, Any]) -> None:
    event = report(people, now=at(3, 2, 9))
    act(
        event,
        "self_resolve",
        people,
        "hq_grid",
        at(3, 2, 9, 30),
        inputs={"result": "已清理"},
        photos=[photo()],
    )
    assert not OutboxMessage.objects.filter(kind="grid.event_self_resolve").exists()
