from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from core.errors import Conflict, DomainError, NotFound
from grid.models import GridEvent
from outbox.models import OutboxMessage
from party import selectors, visits
from party.actions import do_link_member
from party.models import Visit
from party.tests.conftest import HQ_GRID, NOW, enrol

pytestmark = pytest.mark.django_db
POINT = (120.555, 31.405)  # inside 黄桥测试村 grid 1


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("visit.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def planned(party_world: dict[str, Any]) -> dict[str, Any]:
    from grid.standards.actions import do_seed_reference

    system = party_world["users"]["system"]
    do_seed_reference(actor=system, now=NOW)
    user = User.objects.create_user(username="hq_member", password="x")
    member = enrol(party_world, 1, user_id=user.pk)
    for household in party_world["households"][:2]:
        do_link_member(member, household=household, actor=system, now=NOW)
    plan = visits.do_plan_month(member, NOW.date(), actor=system, now=NOW)
    return {**party_world, "member": member, "member_user": user, "plan": plan}


def test_plan_once_per_month(planned: dict[str, Any]) -> None:
    assert [v.due_on for v in planned["plan"]] == [date(2026, 3, 31)] * 2
    again = visits.do_plan_month(
        planned["member"], date(2026, 3, 15), actor=planned["users"]["system"], now=NOW
    )
    assert again == [] and Visit.objects.count() == 2


def test_log_visit_with_photo_and_problem_becomes_a_party_link_event(planned: dict[str, Any]) -> None:
    visit = planned["plan"][0]
    log = visits.VisitLog(
        lon=POINT[0],
        lat=POINT[1],
        note="入户走访，老人身体好。",
        photo=png(),
        problem="楼道堆放杂物，堵塞消防通道。",
        category_code="0402",
    )
    done = visits.do_log_visit(visit, log, actor=planned["member_user"], now=NOW)
    event = GridEvent.objects.get()
    assert done.event == event and event.channel == "party_link" and event.territory_code == HQ_GRID
    assert event.get_channel_display() == "党员联户"
    assert str(done.photo.name).endswith(".png") and done.visited_at == NOW
    with pytest.raises(Conflict):
        visits.do_log_visit(visit, log, actor=planned["member_user"], now=NOW)
    figures = selectors.command_figures(planned["users"]["hq_leader"], now=NOW)["visits"]
    assert figures == {
        "due": 0,
        "done_of_due": 0,
        "completion": None,
        "done": 1,
        "overdue": 0,
        "households_reached": 1,
        "problems_raised": 1,
        "problems_closed": 0,
    }
    after_month = selectors.command_figures(planned["users"]["hq_leader"], now=NOW + timedelta(days=31))[
        "visits"
    ]
    assert (after_month["due"], after_month["done_of_due"], after_month["completion"]) == (2, 1, 0.5)
    assert after_month["overdue"] == 1
    outsider = selectors.command_figures(planned["users"]["wt_leader"], now=NOW + timedelta(days=31))[
        "visits"
    ]
    assert outsider["due"] == 0 and outsider["done"] == 0


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"note": " "}, "required", "note"),
        ({"lon": 500.0}, "invalid_lon", "lon"),
        (
            {"photo": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")},
            "invalid_type",
            "photo",
        ),
        ({"problem": "路灯坏了"}, "required", "category_code"),
        ({"problem": "路灯坏了", "category_code": "9999"}, None, "category_code"),
    ],
)
def test_bad_input_keeps_the_visit_open(
    planned: dict[str, Any], change: dict[str, Any], code: str | None, field: str
) -> None:
    data = {"lon": POINT[0], "lat": POINT[1], "note": "走访", **change}
    with pytest.raises(DomainError) as refused:
        visits.do_log_visit(
            planned["plan"][0], visits.VisitLog(**data), actor=planned["member_user"], now=NOW
        )
    if code:
        assert refused.value.code == code
    assert refused.value.field == field
    assert Visit.objects.filter(visited_at__isnull=False).count() == 0 and not GridEvent.objects.exists()


def test_only_the_member_logs_their_visit(planned: dict[str, Any]) -> None:
    log = visits.VisitLog(lon=POINT[0], lat=POINT[1], note="走访")
    for intruder in ("hq_leader", "wt_leader", "hq_grid"):
        with pytest.raises(NotFound):
            visits.do_log_visit(planned["plan"][0], log, actor=planned["users"][intruder], now=NOW)
        with pytest.raises(NotFound):
            visits.visit_for_member(planned["users"][intruder], planned["plan"][0].pk)
    assert visits.visit_for_member(planned["member_user"], planned["plan"][0].pk) == planned["plan"][0]


def test_reminders_due_soon_and_overdue_once_a_day(planned: dict[str, Any]) -> None:
    assert visits.send_visit_reminders(now=NOW) == 0  # due 31 March: not yet within 5 days
    soon = NOW.replace(day=27)
    with time_machine.travel(soon, tick=False):
        assert visits.send_visit_reminders(now=soon) == 1
        assert visits.send_visit_reminders(now=soon) == 0
    message = OutboxMessage.objects.get(kind="party_visit_reminder")
    assert message.recipient == planned["member_user"] and "2 次走访即将到期、0 次已逾期" in message.body
    late = NOW.replace(month=4, day=2)
    assert visits.send_visit_reminders(now=late) == 1
    last = OutboxMessage.objects.filter(kind="party_visit_reminder").order_by("id").last()
    assert last is not None and "0 次走访即将到期、2 次已逾期" in last.body
