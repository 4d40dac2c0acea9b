"""联户联企 visits: the monthly plan (one visit per link and month, due on the month's last day), the
visit logged by the member on the phone (check-in point, note, photo re-encoded by core.uploads), a
problem found reported as a grid event through grid's one report action (source 党员联户), a need found
raised as a proxy-service request (party.needs), and the reminders for visits falling due or overdue
(one a day at most per visit, through the outbox)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound
from core.uploads import clean_image
from grid.events.report import do_report_event
from grid.models import EventChannel
from outbox.actions import enqueue
from party.access import access_write
from party.models import MemberLink, PartyMember, Visit
from party.needs import clean_need, raise_need_on_locked_visit
from territory.locate import check_lon_lat
from workflow.actors import system_actor

MAX_NOTE = 1000
MAX_PHOTO_BYTES = 10 * 1024 * 1024
DUE_SOON_DAYS = 5  # a reminder goes out this many days before a visit falls due


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def do_plan_month(member: PartyMember, month: date, *, actor: User, now: datetime) -> list[Visit]:
    """One visit per link of the member for `month`; links already planned are left as they are."""
    access_write(actor, member.territory_code, field="member_id")
    first, last = month_bounds(month)
    with transaction.atomic():
        planned = set(Visit.objects.filter(member=member, month=first).values_list("link_id", flat=True))
        new = [
            Visit(link=link, member=member, territory_code=link.territory_code, month=first, due_on=last)
            for link in MemberLink.objects.filter(member=member, linked_on__lte=last).order_by("id")
            if link.pk not in planned
        ]
        Visit.objects.bulk_create(new)
        record_event(
            actor=actor,
            action="party.visits_planned",
            subject=member,
            territory_code=member.territory_code,
            after={"month": first.isoformat(), "visits": len(new)},
            now=now,
        )
    return new


def plan_current_month(*, now: datetime) -> int:
    """The monthly plan with no one to press the button: each member with a link not yet planned for the
    current (local) month gets it planned through `do_plan_month`, as the system. Run daily, so a link
    made during the month is planned the next day; safe to run twice. Returns the members planned."""
    first, last = month_bounds(localdate(now))
    unplanned = (
        MemberLink.objects.filter(linked_on__lte=last)
        .exclude(visits__month=first)
        .values_list("member_id", flat=True)
        .distinct()
    )
    members = list(PartyMember.objects.filter(pk__in=unplanned).order_by("pk"))
    actor = system_actor()
    for member in members:
        do_plan_month(member, first, actor=actor, now=now)
    return len(members)


def visit_for_member(user: User, visit_id: int) -> Visit:
    """The member's own visit; anyone else's (or a non-member's request) is NotFound."""
    visit = (
        Visit.objects.select_related("link__household", "link__entity", "member").filter(pk=visit_id).first()
    )
    if visit is None or visit.member.user_id != user.pk:
        raise NotFound()
    return visit


def visit_to_log(
    member: PartyMember,
    *,
    visit_id: int | None = None,
    household_id: int | None = None,
    entity_id: int | None = None,
    now: datetime,
) -> Visit:
    """The visit a phone client logs, named by its id (any of the member's own visits) or by the household
    or enterprise at the door (this month's visit of the member's link to it). Exactly one of the three;
    a household or enterprise the member is not linked to is bad input (the field named), whether or not
    it exists; a visit that is not the member's is NotFound."""
    given = [
        name
        for name, value in (("visit_id", visit_id), ("household_id", household_id), ("entity_id", entity_id))
        if value is not None
    ]
    if len(given) != 1:
        raise DomainError(
            "one_target_required",
            _("请指明走访：走访编号、联系户或联系企业，三者填其一。"),
            field=given[1] if len(given) > 1 else "visit_id",
        )
    visits = Visit.objects.select_related("link__household", "link__entity", "member").filter(member=member)
    if visit_id is not None:
        visit = visits.filter(pk=visit_id).first()
        if visit is None:
            raise NotFound(field="visit_id")
        return visit
    field = given[0]
    target = {"household_id": household_id} if household_id is not None else {"entity_id": entity_id}
    link = MemberLink.objects.filter(member=member, **target).first()
    if link is None:
        message = _("该户不是您联系的户。") if household_id is not None else _("该企业不是您联系的企业。")
        raise DomainError("not_linked", message, field=field)
    first, _last = month_bounds(localdate(now))
    visit = visits.filter(link=link, month=first).first()
    if visit is None:
        raise Conflict("not_planned", _("本月还没有该户（企业）的走访计划。"), field=field)
    return visit


@dataclass
class VisitLog:
    lon: float
    lat: float
    note: str
    photo: UploadedFile | None = None
    problem: str = ""  # a problem found: reported as a grid event
    category_code: str = ""
    need: str = ""  # a need found: a proxy-service request for the grid worker (party.needs)


def do_log_visit(visit: Visit, log: VisitLog, *, actor: User, now: datetime) -> Visit:
    if visit.member.user_id != actor.pk:
        raise NotFound()
    check_lon_lat(log.lon, log.lat)
    note = (log.note or "").strip()
    if not note:
        raise DomainError("required", _("请填写走访记录。"), field="note")
    if len(note) > MAX_NOTE:
        raise DomainError("too_long", _("走访记录不能超过 %(n)s 字。") % {"n": MAX_NOTE}, field="note")
    photo = None
    if log.photo is not None:
        if (log.photo.size or 0) > MAX_PHOTO_BYTES:
            raise DomainError("too_large", _("照片超过 10 MB。"), field="photo")
        photo = clean_image(log.photo, field="photo", label=_("照片"))
    problem = (log.problem or "").strip()
    if problem and not log.category_code:
        raise DomainError("required", _("请选择问题类别。"), field="category_code")
    need = clean_need(log.need) if (log.need or "").strip() else ""
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if locked.visited_at is not None:
            raise Conflict("already_logged", _("该走访已登记。"), field="visit_id")
        event = None
        if problem:
            # Reported as the system (the party action is the gate); the grid is the visited household's.
            event = do_report_event(
                actor=system_actor(),
                now=now,
                channel=EventChannel.PARTY_LINK,
                category_code=log.category_code,
                description=problem,
                lon=log.lon,
                lat=log.lat,
                grid_code=locked.territory_code,
                attributes={"party_visit": locked.pk, "party_member": visit.member_id},
            )
        locked.visited_at = now
        locked.lon, locked.lat, locked.note, locked.event = log.lon, log.lat, note, event
        fields = ["visited_at", "lon", "lat", "note", "event"]
        if photo is not None:
            locked.photo.save(f"visit-{locked.pk}.{photo.extension}", photo.content, save=False)
            fields.append("photo")
        locked.save(update_fields=fields)
        record_event(
            actor=actor,
            action="party.visit_logged",
            subject=locked,
            territory_code=locked.territory_code,
            after={"event": event.pk if event else None, "photo": photo is not None},
            now=now,
        )
        if need:
            raise_need_on_locked_visit(locked, need, actor=actor, now=now)
    return locked


def send_visit_reminders(*, now: datetime) -> int:
    """Remind each member (with an account) of visits due within DUE_SOON_DAYS or overdue: one outbox
    message per member and day, listing the count; visits already reminded today are skipped."""
    today = now.date()
    with transaction.atomic():
        due = list(
            Visit.objects.select_for_update(skip_locked=True)
            .filter(visited_at__isnull=True, due_on__lte=today + timedelta(days=DUE_SOON_DAYS))
            .exclude(reminded_on=today)
            .filter(member__user__isnull=False)
            .select_related("member__user")
        )
        per_member: dict[int, list[Visit]] = {}
        for visit in due:
            per_member.setdefault(visit.member_id, []).append(visit)
        for visits in per_member.values():
            overdue = sum(1 for v in visits if v.due_on < today)
            enqueue(
                channel="console",
                kind="party_visit_reminder",
                recipient=visits[0].member.user,
                subject="联户走访提醒",
                body=f"您有 {len(visits) - overdue} 次走访即将到期、{overdue} 次已逾期，请尽快走访。",
                now=now,
                payload={"visits": [v.pk for v in visits]},
            )
        Visit.objects.filter(pk__in=[v.pk for v in due]).update(reminded_on=today)
    return len(per_member)
