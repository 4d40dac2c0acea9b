from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.errors import DomainError, NotFound, PermissionRefused
from party import meetings, selectors
from party.models import Meeting
from party.tests.conftest import NOW, K, enrol, org
from party.tests.test_visits import png

pytestmark = pytest.mark.django_db
M = Meeting.Kind


def hold(world: dict[str, Any], branch: str, kind: str, days: int) -> Meeting:
    system = world["users"]["system"]
    meeting = meetings.do_schedule_meeting(
        world[branch],
        kind=kind,
        topic="学习会",
        scheduled_for=NOW + timedelta(days=days),
        actor=system,
        now=NOW,
    )
    return meetings.do_record_meeting(
        meeting, meetings.MeetingRecord("会议记录"), actor=system, now=NOW + timedelta(days=days, hours=2)
    )


def test_schedule_sign_record_and_completeness(party_world: dict[str, Any]) -> None:
    users = party_world["users"]
    member = enrol(party_world, 1, user_id=users["hq_grid"].pk)
    meeting = meetings.do_schedule_meeting(
        party_world["hq_branch"],
        kind=M.LECTURE,
        topic="专题党课",
        scheduled_for=NOW + timedelta(days=3),
        actor=users["hq_leader"],
        now=NOW,
    )
    with pytest.raises(DomainError) as refused:
        meetings.do_sign_attendance(meeting, member, actor=users["hq_grid"], now=NOW)
    assert refused.value.code == "too_early"
    at = NOW + timedelta(days=3)
    meetings.do_sign_attendance(meeting, member, actor=users["hq_grid"], now=at)  # the member signs
    with pytest.raises(DomainError) as refused:
        meetings.do_sign_attendance(meeting, member, actor=users["hq_grid"], now=at)
    assert refused.value.code == "already_signed"
    recorded = meetings.do_record_meeting(
        meeting,
        meetings.MeetingRecord("学习党章。", png()),
        actor=users["hq_leader"],
        now=at + timedelta(hours=2),
    )
    assert recorded.held_at is not None and str(recorded.photo.name).endswith(".png")

    # Q1 2026: the lecture is held; the assembly and three committee meetings are still missing.
    at_end = NOW + timedelta(days=20)
    figures = meetings.completeness(selectors.organisations_visible_to(users["hq_leader"]), now=at_end)
    row = figures["rows"][0]
    assert row["kinds"] == {
        "general_assembly": {"required": 1, "held": 0},
        "committee": {"required": 3, "held": 0},
        "lecture": {"required": 1, "held": 1},
    }
    assert (figures["branches"], figures["complete"]) == (1, 0)
    hold(party_world, "hq_branch", M.GENERAL_ASSEMBLY, 4)
    for day in (5, 6, 7):
        hold(party_world, "hq_branch", M.COMMITTEE, day)
    figures = selectors.command_figures(users["hq_leader"], now=at_end)["meetings"]
    assert figures == {"quarter": "2026-01-01", "branches": 1, "complete": 1, "share": 1.0}
    # A group under the branch makes 党小组会 required too.
    org(users["system"], "第一党小组", K.GROUP, "320507003201001", party_world["hq_branch"])
    assert selectors.command_figures(users["hq_leader"], now=at_end)["meetings"]["complete"] == 0
    # Next quarter starts from nothing; the outsider sees only its own branch.
    assert (
        selectors.command_figures(users["hq_leader"], now=NOW + timedelta(days=40))["meetings"]["complete"]
        == 0
    )
    assert selectors.command_figures(users["wt_leader"], now=at_end)["meetings"]["complete"] == 0


def test_bad_input_roles_and_outsider(party_world: dict[str, Any]) -> None:
    users = party_world["users"]
    branch = party_world["hq_branch"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "party"}, "invalid_choice"),
        ({"topic": " "}, "required"),
        ({"scheduled_for": NOW - timedelta(hours=1)}, "in_the_past"),
    ]
    for change, code in cases:
        data: dict[str, Any] = {
            "kind": M.LECTURE,
            "topic": "党课",
            "scheduled_for": NOW + timedelta(days=1),
            **change,
        }
        with pytest.raises(DomainError) as refused:
            meetings.do_schedule_meeting(branch, actor=users["hq_leader"], now=NOW, **data)
        assert refused.value.code == code
    with pytest.raises(DomainError) as refused:
        meetings.do_schedule_meeting(
            party_world["hq_committee"],
            kind=M.LECTURE,
            topic="x",
            scheduled_for=NOW,
            actor=users["system"],
            now=NOW,
        )
    assert refused.value.code == "not_a_branch"
    with pytest.raises(PermissionRefused):
        meetings.do_schedule_meeting(
            branch, kind=M.LECTURE, topic="x", scheduled_for=NOW, actor=users["hq_agency"], now=NOW
        )
    with pytest.raises(NotFound):
        meetings.do_schedule_meeting(
            branch, kind=M.LECTURE, topic="x", scheduled_for=NOW, actor=users["wt_leader"], now=NOW
        )
    meeting = meetings.do_schedule_meeting(
        branch, kind=M.LECTURE, topic="x", scheduled_for=NOW, actor=users["hq_leader"], now=NOW
    )
    wt_member = enrol(party_world, 9, grid="320507105201001", branch="wt_branch")
    with pytest.raises(DomainError) as refused:
        meetings.do_sign_attendance(meeting, wt_member, actor=users["system"], now=NOW)
    assert refused.value.code == "not_in_branch"
    with pytest.raises(NotFound):
        meetings.do_record_meeting(meeting, meetings.MeetingRecord("x"), actor=users["wt_leader"], now=NOW)
    with pytest.raises(DomainError) as refused:
        meetings.do_record_meeting(meeting, meetings.MeetingRecord(""), actor=users["hq_leader"], now=NOW)
    assert refused.value.code == "required"
    assert not Meeting.objects.filter(held_at__isnull=False).exists()
