"""组织生活 (三会一课): meetings scheduled per branch, attendance signed, minutes and a photo recorded when
held, and completeness per quarter against the standard counts (支部党员大会 and 党课 once a quarter,
支委会 monthly; 党小组会 monthly where the branch has groups), and the reminder to each branch
secretary, PARTY_MEETING_REMIND_DAYS before a quarter ends, of the meetings still missing (once per branch
and quarter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound
from core.uploads import clean_image
from outbox.actions import enqueue
from party.access import access_write
from party.models import Attendance, Meeting, MeetingReminder, Organisation, PartyMember

K = Meeting.Kind
REQUIRED_PER_QUARTER = {K.GENERAL_ASSEMBLY: 1, K.COMMITTEE: 3, K.GROUP: 3, K.LECTURE: 1}
BRANCH_KINDS = (Organisation.Kind.BRANCH, Organisation.Kind.GENERAL_BRANCH)
MAX_MINUTES = 5000


def quarter_of(day: date) -> tuple[date, date]:
    """First day of the quarter and first day of the next."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    nxt = date(first.year + 1, 1, 1) if first.month == 10 else date(first.year, first.month + 3, 1)
    return first, nxt


def do_schedule_meeting(
    org: Organisation, *, kind: str, topic: str, scheduled_for: datetime, actor: User, now: datetime
) -> Meeting:
    if org.kind not in BRANCH_KINDS:
        raise DomainError("not_a_branch", _("三会一课按党支部（总支）安排。"), field="organisation_id")
    if kind not in K.values:
        raise DomainError("invalid_choice", _("会议类型无效：%(kind)r。") % {"kind": kind}, field="kind")
    topic = (topic or "").strip()
    if not topic or len(topic) > 200:
        raise DomainError("required", _("请填写会议主题（不超过200字）。"), field="topic")
    if scheduled_for < now:
        raise DomainError("in_the_past", _("计划时间不能早于现在。"), field="scheduled_for")
    access_write(actor, org.territory_code, field="organisation_id")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            organisation=org,
            territory_code=org.territory_code,
            kind=kind,
            topic=topic,
            scheduled_for=scheduled_for,
            created_at=now,
        )
        record_event(
            actor=actor,
            action="party.meeting_scheduled",
            subject=meeting,
            territory_code=meeting.territory_code,
            after={"kind": kind, "scheduled_for": scheduled_for.isoformat()},
            now=now,
        )
    return meeting


def do_sign_attendance(meeting: Meeting, member: PartyMember, *, actor: User, now: datetime) -> Attendance:
    """The member signs in (or an organiser signs for them), from an hour before the meeting."""
    if member.user_id != actor.pk:
        access_write(actor, meeting.territory_code, field="member_id")
    if member.organisation_id != meeting.organisation_id and (
        member.organisation.parent_id != meeting.organisation_id
    ):
        raise DomainError("not_in_branch", _("该党员不属于本支部。"), field="member_id")
    if now < meeting.scheduled_for - timedelta(hours=1):
        raise DomainError("too_early", _("会议开始前一小时起方可签到。"), field="meeting_id")
    with transaction.atomic():
        if Attendance.objects.filter(meeting=meeting, member=member).exists():
            raise Conflict("already_signed", _("已签到。"), field="member_id")
        signed = Attendance.objects.create(meeting=meeting, member=member, signed_at=now)
        record_event(
            actor=actor,
            action="party.attendance_signed",
            subject=meeting,
            territory_code=meeting.territory_code,
            after={"member": member.pk},
            now=now,
        )
    return signed


@dataclass
class MeetingRecord:
    minutes: str
    photo: UploadedFile | None = None


def do_record_meeting(meeting: Meeting, record: MeetingRecord, *, actor: User, now: datetime) -> Meeting:
    access_write(actor, meeting.territory_code, field="meeting_id")
    minutes = (record.minutes or "").strip()
    if not minutes:
        raise DomainError("required", _("请填写会议记录。"), field="minutes")
    if len(minutes) > MAX_MINUTES:
        raise DomainError("too_long", _("会议记录不能超过 %(n)s 字。") % {"n": MAX_MINUTES}, field="minutes")
    if now < meeting.scheduled_for:
        raise DomainError("not_yet_held", _("会议尚未开始。"), field="meeting_id")
    photo = clean_image(record.photo, field="photo", label=_("照片")) if record.photo is not None else None
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.held_at is not None:
            raise Conflict("already_recorded", _("会议记录已登记。"), field="meeting_id")
        locked.held_at, locked.minutes = now, minutes
        fields = ["held_at", "minutes"]
        if photo is not None:
            locked.photo.save(f"meeting-{locked.pk}.{photo.extension}", photo.content, save=False)
            fields.append("photo")
        locked.save(update_fields=fields)
        record_event(
            actor=actor,
            action="party.meeting_recorded",
            subject=locked,
            territory_code=locked.territory_code,
            after={"photo": photo is not None, "attendance": locked.attendance.count()},
            now=now,
        )
    return locked


def meeting_for(queryset: QuerySet[Meeting], meeting_id: int) -> Meeting:
    meeting = queryset.filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound()
    return meeting


def completeness(branches: QuerySet[Organisation], *, now: datetime) -> dict[str, Any]:
    """For the quarter containing `now`: per branch, held meetings of each kind against the required
    count (党小组会 only where the branch has groups), and the share of branches complete so far."""
    first, nxt = quarter_of(now.date())
    branch_list = list(
        branches.filter(kind__in=BRANCH_KINDS).annotate(
            groups=Count("children", filter=Q(children__kind=Organisation.Kind.GROUP))
        )
    )
    held: dict[tuple[int, str], int] = {}
    for org_id, kind, n in (
        Meeting.objects.filter(
            organisation__in=[b.pk for b in branch_list],
            held_at__isnull=False,
            held_at__lte=now,
            scheduled_for__date__gte=first,
            scheduled_for__date__lt=nxt,
        )
        .values_list("organisation_id", "kind")
        .annotate(n=Count("id"))
    ):
        held[(org_id, kind)] = n
    rows = []
    for branch in branch_list:
        kinds = {k: v for k, v in REQUIRED_PER_QUARTER.items() if k != K.GROUP or branch.groups}
        counts = {k: {"required": v, "held": held.get((branch.pk, k), 0)} for k, v in kinds.items()}
        complete = all(c["held"] >= c["required"] for c in counts.values())
        rows.append(
            {"organisation_id": branch.pk, "name": branch.name, "kinds": counts, "complete": complete}
        )
    done = sum(1 for r in rows if r["complete"])
    return {
        "quarter": first.isoformat(),
        "branches": len(rows),
        "complete": done,
        "share": round(done / len(rows), 4) if rows else None,
        "rows": rows,
    }


def send_meeting_reminders(*, now: datetime) -> int:
    """From PARTY_MEETING_REMIND_DAYS before the quarter's end: each branch whose quarter is not yet
    complete and whose secretary has an account gets one outbox message listing the meetings missing.
    The MeetingReminder row (unique per branch and quarter) is written in the same transaction as the
    message, so a second run, or a second worker, sends nothing more. Returns the messages written."""
    first, nxt = quarter_of(now.date())
    last = nxt - timedelta(days=1)
    if now.date() < nxt - timedelta(days=int(settings.PARTY_MEETING_REMIND_DAYS)):
        return 0
    branches = (
        Organisation.objects.filter(kind__in=BRANCH_KINDS, secretary__user__isnull=False)
        .exclude(meeting_reminders__quarter=first)
        .select_related("secretary__user")
    )
    by_id = {b.pk: b for b in branches}
    sent = 0
    for row in completeness(Organisation.objects.filter(pk__in=list(by_id)), now=now)["rows"]:
        if row["complete"]:
            continue
        branch = by_id[row["organisation_id"]]
        missing = {k: c["required"] - c["held"] for k, c in row["kinds"].items() if c["held"] < c["required"]}
        listing = "、".join(f"{K(k).label} {n} 次" for k, n in missing.items())
        quarter_name = f"{first.year}年第{(first.month - 1) // 3 + 1}季度"
        try:
            with transaction.atomic():
                MeetingReminder.objects.create(
                    organisation=branch, quarter=first, sent_at=now, missing=missing
                )
                assert branch.secretary is not None  # filtered above
                enqueue(
                    channel="console",
                    kind="party_meeting_reminder",
                    recipient=branch.secretary.user,
                    subject="三会一课提醒",
                    body=(
                        f"{branch.name}{quarter_name}三会一课尚缺：{listing}。"
                        f"本季度于 {last.month}月{last.day}日 结束，请及时召开并登记。"
                    ),
                    now=now,
                    payload={"organisation": branch.pk, "quarter": first.isoformat(), "missing": missing},
                )
        except IntegrityError:
            continue  # another run reminded this branch first
        sent += 1
    return sent
