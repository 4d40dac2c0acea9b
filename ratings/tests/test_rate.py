"""do_rate_application / do_rate_online: one rating per stage, replay, refusals, and the rectification
item a bad rating opens (assigned to the centre, 15 working days)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.errors import Conflict, DomainError, NotFound, PermissionRefused, Unprocessable
from outbox.models import OutboxMessage, PhoneChallenge
from ratings.actions import PHONE_CODE_PURPOSE, do_rate_application, do_rate_online
from ratings.models import Rating, RatingChannel, Stage
from ratings.tests.factories import BAD_WINDOW_SCORES, ONLINE_SCORES, PHONE, WINDOW_SCORES, make_application

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def _app(people: dict[str, Any], item: Any, now: datetime, **kwargs: Any) -> Any:
    return make_application(
        centre=people["hq_centre"], clerk=people["hq_clerk"], item=item, now=now, **kwargs
    )


def test_window_rating_satisfied_opens_nothing(people: dict[str, Any], item: Any, now: datetime) -> None:
    application = _app(people, item, now)
    rating, created = do_rate_application(
        application,
        stage=Stage.COMPLETED,
        channel=RatingChannel.WINDOW,
        level=5,
        scores=WINDOW_SCORES,
        actor=people["hq_clerk"],
        now=now,
    )
    assert created
    assert (rating.centre, rating.clerk, rating.item) == (people["hq_centre"], people["hq_clerk"], item)
    assert rating.recorded_by == people["hq_clerk"]
    assert rating.rectification is None


def test_bad_rating_opens_rectification_with_15_working_days(
    people: dict[str, Any], item: Any, now: datetime
) -> None:
    application = _app(people, item, now)
    rating, _ = do_rate_application(
        application,
        stage=Stage.COMPLETED,
        channel=RatingChannel.WINDOW,
        level=2,
        scores=BAD_WINDOW_SCORES,
        comment="等了很久",
        actor=people["hq_clerk"],
        now=now,
    )
    work = rating.rectification
    assert work is not None
    assert work.process_name == "rating_rectification"
    assert work.state == "callback"
    assert work.assigned_unit == people["hq_centre"]
    # Monday 2 March 2026 + 15 working days (the start day does not count) = Monday 23 March, 17:30.
    expected = datetime(2026, 3, 23, 17, 30, tzinfo=SHANGHAI)
    assert work.due_at == expected
    assert work.step_due_at == expected
    # The centre's clerks are told about the new item.
    notified = set(
        OutboxMessage.objects.filter(kind="workflow.assigned").values_list("recipient__username", flat=True)
    )
    assert notified == {"hq_clerk", "hq_clerk2"}


def test_second_rating_of_stage_is_409_same_content_replays(
    people: dict[str, Any], item: Any, now: datetime
) -> None:
    application = _app(people, item, now)
    kwargs: dict[str, Any] = {
        "stage": Stage.COMPLETED,
        "channel": RatingChannel.WINDOW,
        "scores": WINDOW_SCORES,
        "actor": people["hq_clerk"],
        "now": now,
    }
    first, _ = do_rate_application(application, level=5, **kwargs)
    again, created = do_rate_application(application, level=5, **kwargs)
    assert (again.pk, created) == (first.pk, False)
    with pytest.raises(Conflict) as error:
        do_rate_application(application, level=4, **kwargs)
    assert error.value.field == "stage"
    # 一事多评: the acceptance stage is rated separately.
    other, created = do_rate_application(application, level=4, **{**kwargs, "stage": Stage.ACCEPTED})
    assert created and other.pk != first.pk
    assert Rating.objects.count() == 2


def test_stage_not_reached(people: dict[str, Any], item: Any, now: datetime) -> None:
    application = _app(people, item, now, completed=False)
    with pytest.raises(Unprocessable) as error:
        do_rate_application(
            application,
            stage=Stage.COMPLETED,
            channel=RatingChannel.WINDOW,
            level=5,
            scores=WINDOW_SCORES,
            actor=people["hq_clerk"],
            now=now,
        )
    assert error.value.field == "stage"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"level": 6}, "level"),
        ({"level": "5"}, "level"),
        ({"stage": "later"}, "stage"),
        ({"scores": {**WINDOW_SCORES, "service_attitude": 0}}, "scores.service_attitude"),
        ({"scores": {"overall": 5}}, "scores.service_efficiency"),
        ({"scores": {**WINDOW_SCORES, "usability": 3}}, "scores"),
        ({"level": 1, "comment": ""}, "comment"),
        ({"comment": "长" * 1001}, "comment"),
    ],
)
def test_bad_input_names_the_field(
    people: dict[str, Any], item: Any, now: datetime, changes: dict[str, Any], field: str
) -> None:
    application = _app(people, item, now)
    kwargs: dict[str, Any] = {
        "stage": Stage.COMPLETED,
        "channel": RatingChannel.WINDOW,
        "level": 5,
        "scores": WINDOW_SCORES,
        "comment": "",
        "actor": people["hq_clerk"],
        "now": now,
        **changes,
    }
    with pytest.raises(DomainError) as error:
        do_rate_application(application, **kwargs)
    assert error.value.field == field
    assert not Rating.objects.exists()


def test_window_rating_only_from_the_centre(people: dict[str, Any], item: Any, now: datetime) -> None:
    application = _app(people, item, now)
    for outsider in (people["wt_clerk"], people["hq_agency"], None):
        with pytest.raises(PermissionRefused):
            do_rate_application(
                application,
                stage=Stage.COMPLETED,
                channel=RatingChannel.WINDOW,
                level=5,
                scores=WINDOW_SCORES,
                actor=outsider,
                now=now,
            )
    with pytest.raises(PermissionRefused):
        do_rate_application(
            application,
            stage=Stage.COMPLETED,
            channel=RatingChannel.ONLINE,
            level=5,
            scores=ONLINE_SCORES,
            actor=people["hq_clerk"],
            now=now,
        )


def _send_code(now: datetime) -> str:
    """Send a code and read it back from the queued SMS (the only place the clear code exists)."""
    from outbox.phone_codes import do_send_phone_code

    do_send_phone_code(phone=PHONE, purpose=PHONE_CODE_PURPOSE, now=now)
    body = OutboxMessage.objects.filter(kind="phone_code").order_by("-id").first()
    assert body is not None
    return "".join(ch for ch in body.body if ch.isdigit())[:6]


def test_online_rating_with_phone_code(people: dict[str, Any], item: Any, now: datetime) -> None:
    application = _app(people, item, now)
    code = _send_code(now)
    kwargs: dict[str, Any] = {
        "receipt_no": application.receipt_no,
        "phone": PHONE,
        "stage": Stage.COMPLETED,
        "level": 4,
        "scores": ONLINE_SCORES,
        "now": now,
    }
    with pytest.raises(DomainError) as wrong:
        do_rate_online(code="000000" if code != "000000" else "111111", **kwargs)
    assert wrong.value.field == "code"
    rating, created = do_rate_online(code=code, **kwargs)
    assert created and rating.channel == RatingChannel.ONLINE and rating.recorded_by is None
    assert PhoneChallenge.objects.get().confirmed_at == now
    # A retry (the code is used up) replays the stored rating.
    again, created = do_rate_online(code=code, **kwargs)
    assert (again.pk, created) == (rating.pk, False)


def test_online_rating_wrong_phone_or_receipt_is_404(
    people: dict[str, Any], item: Any, now: datetime
) -> None:
    application = _app(people, item, now)
    for receipt, phone in ((application.receipt_no, "13900139000"), ("SL-NOPE", PHONE)):
        with pytest.raises(NotFound) as error:
            do_rate_online(
                receipt_no=receipt, phone=phone, code="123456", stage=Stage.COMPLETED, level=5, now=now
            )
        assert error.value.field == "receipt_no"
    with pytest.raises(DomainError) as bad_phone:
        do_rate_online(
            receipt_no=application.receipt_no, phone="12", code="1", stage="completed", level=5, now=now
        )
    assert bad_phone.value.field == "phone"
