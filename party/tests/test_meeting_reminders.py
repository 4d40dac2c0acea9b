"""Quarter-end 三会一课 reminders: from PARTY_MEETING_REMIND_DAYS before the quarter ends, each branch
secretary whose branch still misses meetings gets one outbox message, exactly once per branch and quarter;
a complete branch, a branch without a secretary's account, and days before the window get nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import override_settings

from outbox.models import OutboxMessage
from party import actions, meetings, tasks
from party.models import Meeting, MeetingReminder
from party.tests.conftest import NOW, enrol
from party.tests.test_meetings import hold

pytestmark = pytest.mark.django_db
M = Meeting.Kind
WINDOW = datetime(2026, 3, 22, 1, 30, tzinfo=UTC)  # 10 days before 31 March ends


def secretaries(world: dict[str, Any]) -> None:
    users = world["users"]
    hq = enrol(world, 1, user_id=users["hq_sec"].pk)
    actions.do_set_secretary(world["hq_branch"], hq, actor=users["system"], now=NOW)
    wt = enrol(world, 2, grid="320507105201001", branch="wt_branch", user_id=users["wt_leader"].pk)
    actions.do_set_secretary(world["wt_branch"], wt, actor=users["system"], now=NOW)


def test_reminded_once_per_branch_and_quarter(party_world: dict[str, Any]) -> None:
    secretaries(party_world)
    hold(party_world, "hq_branch", M.LECTURE, 1)  # held 3 March: the lecture is done
    assert meetings.send_meeting_reminders(now=WINDOW - timedelta(days=1)) == 0  # not yet in the window
    assert meetings.send_meeting_reminders(now=WINDOW) == 2
    assert meetings.send_meeting_reminders(now=WINDOW + timedelta(days=3)) == 0  # once per quarter
    message = OutboxMessage.objects.get(
        kind="party_meeting_reminder", recipient=party_world["users"]["hq_sec"]
    )
    assert message.body.startswith(
        "黄桥测试村党支部2026年第1季度三会一课尚缺：支部党员大会 1 次、支部委员会 3 次。"
    )
    assert "党课" not in message.body and "3月31日" in message.body
    assert message.payload["missing"] == {"general_assembly": 1, "committee": 3}
    assert MeetingReminder.objects.count() == 2
    # The next quarter reminds again.
    assert meetings.send_meeting_reminders(now=datetime(2026, 6, 25, 1, 30, tzinfo=UTC)) == 2


def test_complete_branches_and_branches_without_a_secretary_account_get_nothing(
    party_world: dict[str, Any],
) -> None:
    users = party_world["users"]
    hq = enrol(party_world, 1, user_id=users["hq_sec"].pk)
    actions.do_set_secretary(party_world["hq_branch"], hq, actor=users["system"], now=NOW)
    no_account = enrol(party_world, 2, grid="320507105201001", branch="wt_branch")
    actions.do_set_secretary(party_world["wt_branch"], no_account, actor=users["system"], now=NOW)
    hold(party_world, "hq_branch", M.GENERAL_ASSEMBLY, 1)
    hold(party_world, "hq_branch", M.LECTURE, 2)
    for day in (3, 4, 5):
        hold(party_world, "hq_branch", M.COMMITTEE, day)
    assert meetings.send_meeting_reminders(now=WINDOW) == 0
    assert not OutboxMessage.objects.filter(kind="party_meeting_reminder").exists()


@override_settings(PARTY_MEETING_REMIND_DAYS=3)
def test_the_window_is_a_setting_and_the_job_reads_the_clock(party_world: dict[str, Any]) -> None:
    secretaries(party_world)
    with time_machine.travel(WINDOW, tick=False):
        assert tasks.remind_party_meetings.call_local() == 0
    with time_machine.travel(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), tick=False):
        assert tasks.remind_party_meetings.call_local() == 2
        assert tasks.remind_party_meetings.call_local() == 0
