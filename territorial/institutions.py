"""Town-managed institutions (属地管理): schools, hospitals not run directly by the district, water
stations, animal-epidemic stations and traffic-management offices are org units (accounts.OrgUnit) under
the town with the guiding sector department recorded on the unit. Here: their posts (编制), the people in
them, posts moving with their duties ("编随事走，人随编走": the holder moves with the post), and the yearly
evaluation recorded by the town with the sector's opinion. Town 三资/organisation office and leaders only."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.jurisdiction import may_see_code, scope_for, user_roles
from accounts.models import OrgUnit, User
from audit.actions import record_event
from core.errors import DomainError, NotFound, PermissionRefused
from territorial.access import TOWN_ROLES
from territorial.actions import _text
from territorial.models import InstitutionEvaluation, Post, PostHolding, PostMove

INSTITUTION_KINDS = (OrgUnit.Kind.STATION, OrgUnit.Kind.SCHOOL, OrgUnit.Kind.HOSPITAL)


def institutions(user: User) -> QuerySet[OrgUnit]:
    """Institutions under territorial management within the user's jurisdiction."""
    rows = OrgUnit.objects.filter(
        kind__in=INSTITUTION_KINDS, management_mode=OrgUnit.ManagementMode.TERRITORIAL
    ).select_related("parent")
    return scope_for(user, rows, "territory_code")


def institution_for(user: User, pk: int) -> OrgUnit:
    unit = institutions(user).filter(pk=pk).first()
    if unit is None:
        raise NotFound(field="org_unit")
    return unit


def require_town_office(actor: User, unit: OrgUnit, field: str = "org_unit") -> None:
    if actor.is_system:
        return
    if not may_see_code(actor, unit.territory_code):
        raise NotFound(field=field)
    if not user_roles(actor) & TOWN_ROLES:
        raise PermissionRefused("not_allowed", _("只有镇（街道）机关和领导可以办理。"), field=field)
    if unit.kind not in INSTITUTION_KINDS or unit.management_mode != OrgUnit.ManagementMode.TERRITORIAL:
        raise DomainError("not_territorial", _("该机构不属于属地管理的站所、学校或医院。"), field=field)


def do_create_post(unit: OrgUnit, *, title: str, category: str, actor: User, now: datetime) -> Post:
    require_town_office(actor, unit)
    title = _text(title, "title", 100)
    if category not in Post.Category.values:
        raise DomainError("invalid_choice", _("编制类型无效。"), field="category")
    with transaction.atomic():
        post = Post.objects.create(org_unit=unit, title=title, category=category, created_at=now)
        record_event(
            actor=actor,
            action="territorial.create_post",
            subject=post,
            territory_code=unit.territory_code,
            after={"title": title, "category": category, "org_unit": unit.code},
            now=now,
        )
    return post


def do_fill_post(
    post: Post, *, holder_name: str, started_on: date, actor: User, now: datetime
) -> PostHolding:
    """Put a person in the post; whoever held it leaves it the day before."""
    require_town_office(actor, post.org_unit, field="post")
    holder_name = _text(holder_name, "holder_name", 50)
    with transaction.atomic():
        current = PostHolding.objects.select_for_update().filter(post=post, ended_on__isnull=True).first()
        if current is not None:
            if started_on <= current.started_on:
                raise DomainError(
                    "date_before_current", _("到岗日期须晚于现任人员的到岗日期。"), field="started_on"
                )
            current.ended_on = started_on
            current.save(update_fields=["ended_on"])
        holding = PostHolding.objects.create(post=post, holder_name=holder_name, started_on=started_on)
        record_event(
            actor=actor,
            action="territorial.fill_post",
            subject=holding,
            territory_code=post.org_unit.territory_code,
            after={"post": post.pk, "holder_name": holder_name, "started_on": str(started_on)},
            now=now,
        )
    return holding


def do_move_post(
    post: Post, *, to_unit: OrgUnit, moved_on: date, reason: str, actor: User, now: datetime
) -> PostMove:
    """编随事走: the post (and so its holder, 人随编走) moves to the unit now doing its duties."""
    require_town_office(actor, post.org_unit, field="post")
    require_town_office(actor, to_unit, field="to_unit")
    reason = _text(reason, "reason", 200)
    if to_unit.pk == post.org_unit_id:
        raise DomainError("same_unit", _("编制已在该机构。"), field="to_unit")
    with transaction.atomic():
        move = PostMove.objects.create(
            post=post,
            from_unit_id=post.org_unit_id,
            to_unit=to_unit,
            moved_on=moved_on,
            reason=reason,
            recorded_by=actor,
        )
        before = post.org_unit.code
        post.org_unit = to_unit
        post.save(update_fields=["org_unit"])
        record_event(
            actor=actor,
            action="territorial.move_post",
            subject=post,
            territory_code=to_unit.territory_code,
            before={"org_unit": before},
            after={"org_unit": to_unit.code, "moved_on": str(moved_on), "reason": reason},
            now=now,
        )
    return move


def do_record_evaluation(
    unit: OrgUnit,
    *,
    year: int,
    grade: str,
    town_opinion: str,
    sector_opinion: str,
    actor: User,
    now: datetime,
) -> InstitutionEvaluation:
    require_town_office(actor, unit)
    if not 2000 <= year <= now.year:
        raise DomainError("invalid_year", _("考核年度无效。"), field="year")
    if grade not in InstitutionEvaluation.Grade.values:
        raise DomainError("invalid_choice", _("考核等次无效。"), field="grade")
    town_opinion = _text(town_opinion, "town_opinion", 2000)
    sector_opinion = _text(sector_opinion, "sector_opinion", 2000)
    if InstitutionEvaluation.objects.filter(org_unit=unit, year=year).exists():
        raise DomainError("duplicate", _("该机构本年度已考核。"), field="year", status=409)
    with transaction.atomic():
        evaluation = InstitutionEvaluation.objects.create(
            org_unit=unit,
            year=year,
            grade=grade,
            town_opinion=town_opinion,
            sector_opinion=sector_opinion,
            recorded_by=actor,
            recorded_at=now,
        )
        record_event(
            actor=actor,
            action="territorial.record_evaluation",
            subject=evaluation,
            territory_code=unit.territory_code,
            after={"year": year, "grade": grade},
            now=now,
        )
    return evaluation
