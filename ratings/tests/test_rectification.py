"""The rectification loop of a bad rating: callback → reply (the applicant gets the outcome by SMS),
appeal (clock stopped) → upheld (excluded) or rejected (clock resumes), who may act, the sweeper's 督办,
and the sync job for items closed through the engine's own pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from outbox.models import OutboxMessage
from ratings.actions import do_act_on_rectification, do_rate_application, sync_rectifications
from ratings.models import Rating, RatingChannel, Stage
from ratings.tests.factories import BAD_WINDOW_SCORES, PHONE, make_application
from workflow.engine import transition
from workflow.sweeper import sweep

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture
def bad(people: dict[str, Any], item: Any, now: datetime) -> Rating:
    application = make_application(centre=people["hq_centre"], clerk=people["hq_clerk"], item=item, now=now)
    rating, _ = do_rate_application(
        application,
        stage=Stage.COMPLETED,
        channel=RatingChannel.WINDOW,
        level=1,
        scores=BAD_WINDOW_SCORES,
        comment="态度差",
        actor=people["hq_clerk"],
        now=now,
    )
    return rating


def test_callback_then_reply_sends_the_outcome(bad: Rating, people: dict[str, Any], now: datetime) -> None:
    clerk = people["hq_clerk2"]  # a colleague of the centre: the item is the centre's
    later = now + timedelta(days=1)
    do_act_on_rectification(bad, "callback", actor=clerk, now=later, inputs={"callback_note": "已电话回访"})
    rating = do_act_on_rectification(
        bad, "reply", actor=clerk, now=later + timedelta(days=2), inputs={"outcome": "已约谈窗口人员并改进"}
    )
    assert rating.rectification is not None
    assert rating.rectification.state == "closed"
    assert rating.outcome_sent_at == later + timedelta(days=2)
    sms = OutboxMessage.objects.get(kind="ratings.rectification_outcome")
    assert sms.channel == "sms" and sms.address == PHONE
    assert "已约谈窗口人员并改进" in sms.body and bad.application.receipt_no in sms.body
    assert sync_rectifications(now=later + timedelta(days=3)) == 0  # nothing left, no second SMS
    assert OutboxMessage.objects.filter(kind="ratings.rectification_outcome").count() == 1


def test_reply_requires_callback_and_outcome(bad: Rating, people: dict[str, Any], now: datetime) -> None:
    with pytest.raises(Conflict):
        do_act_on_rectification(bad, "reply", actor=people["hq_clerk"], now=now, inputs={"outcome": "x"})
    with pytest.raises(DomainError) as error:
        do_act_on_rectification(bad, "callback", actor=people["hq_clerk"], now=now, inputs={})
    assert error.value.field == "inputs.callback_note"


def test_refusals(bad: Rating, people: dict[str, Any], now: datetime) -> None:
    # The outsider from 渭塘 does not see the rating at all.
    with pytest.raises(NotFound):
        do_act_on_rectification(
            bad, "callback", actor=people["wt_clerk"], now=now, inputs={"callback_note": "x"}
        )
    # A 黄桥 agency member is not the centre.
    with pytest.raises(PermissionRefused):
        do_act_on_rectification(
            bad, "callback", actor=people["hq_agency"], now=now, inputs={"callback_note": "x"}
        )


def test_appeal_upheld_excludes_the_rating(bad: Rating, people: dict[str, Any], now: datetime) -> None:
    clerk = people["hq_clerk"]
    do_act_on_rectification(bad, "callback", actor=clerk, now=now, inputs={"callback_note": "申请人称误点"})
    do_act_on_rectification(bad, "appeal", actor=clerk, now=now, reason="申请人确认误评")
    bad.refresh_from_db()
    assert bad.rectification is not None
    assert bad.rectification.paused_at == now and bad.rectification.due_at is None
    # The centre may not judge its own appeal.
    with pytest.raises(PermissionRefused):
        do_act_on_rectification(bad, "uphold_appeal", actor=people["hq_clerk2"], now=now, reason="x")
    rating = do_act_on_rectification(
        bad, "uphold_appeal", actor=people["bureau_approver"], now=now, reason="录音证实误评"
    )
    assert rating.excluded and rating.exclusion_reason == "录音证实误评"
    assert rating.rectification is not None and rating.rectification.state == "appeal_upheld"
    assert not OutboxMessage.objects.filter(kind="ratings.rectification_outcome").exists()


def test_appeal_rejected_resumes_the_clock(bad: Rating, people: dict[str, Any], now: datetime) -> None:
    clerk = people["hq_clerk"]
    do_act_on_rectification(bad, "callback", actor=clerk, now=now, inputs={"callback_note": "已回访"})
    # Appeal Monday 2 March 10:00 local; the supervisor rejects it Monday 9 March 10:00: five working days
    # stopped, so the deadline moves from 23 March to 30 March 17:30.
    do_act_on_rectification(bad, "appeal", actor=clerk, now=now, reason="不实")
    rating = do_act_on_rectification(
        bad, "reject_appeal", actor=people["supervisor"], now=now + timedelta(days=7), reason="证据不足"
    )
    assert rating.rectification is not None
    assert rating.rectification.state == "rectifying"
    assert rating.rectification.due_at == datetime(2026, 3, 30, 17, 30, tzinfo=SHANGHAI)
    assert not rating.excluded


def test_sweeper_supervises_a_late_rectification(bad: Rating, now: datetime) -> None:
    assert bad.rectification is not None
    late = datetime(2026, 3, 23, 17, 31, tzinfo=SHANGHAI)
    report = sweep(now=late)
    assert report.escalated == 1
    bad.rectification.refresh_from_db()
    assert bad.rectification.transitions.filter(action="supervise_callback").count() == 1


def test_engine_door_applies_the_effects_at_once(bad: Rating, people: dict[str, Any], now: datetime) -> None:
    """Acting through workflow.engine directly (what /work/ and the work-item API do) runs the ratings
    handler: the SMS is queued in the same transaction, once; the repair job finds nothing left."""
    assert bad.rectification is not None
    clerk = people["hq_clerk"]
    transition(bad.rectification, "callback", actor=clerk, now=now, inputs={"callback_note": "已回访"})
    transition(bad.rectification, "reply", actor=clerk, now=now, inputs={"outcome": "已整改"})
    bad.refresh_from_db()
    assert bad.outcome_sent_at == now
    assert sync_rectifications(now=now) == 0
    assert OutboxMessage.objects.filter(kind="ratings.rectification_outcome").count() == 1
