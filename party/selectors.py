"""Scoped reads of the party records (everything through `accounts.jurisdiction.scope_for`), the
"一肩挑" check, and `command_figures`, the figures the command centre's 党建引领 module reads."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.jurisdiction import jurisdiction_codes, scope_for
from accounts.models import Assignment, Role, User
from core.errors import NotFound, PermissionRefused
from core.pii import mask_name
from party.meetings import completeness
from party.models import (
    Meeting,
    MemberLink,
    Organisation,
    Pairing,
    PartyMember,
    PartyProject,
    ProjectMilestone,
    VanguardPost,
    Visit,
    VisitNeed,
)
from territory.models import Grid
from territory.scoping import scope
from workflow.selectors import view_of

AnyUser = User | AnonymousUser
SECRETARY_KINDS = (Organisation.Kind.BRANCH, Organisation.Kind.GENERAL_BRANCH)


def organisations_visible_to(user: AnyUser) -> QuerySet[Organisation]:
    return scope_for(user, Organisation.objects.select_related("parent", "entity"), "territory_code")


def members_visible_to(user: AnyUser) -> QuerySet[PartyMember]:
    return scope_for(user, PartyMember.objects.select_related("person", "organisation"), "territory_code")


def organisation_for(user: AnyUser, org_id: int) -> Organisation:
    return organisation_for_field(user, org_id, None)


def organisation_for_field(user: AnyUser, org_id: int, field: str | None) -> Organisation:
    org = organisations_visible_to(user).filter(pk=org_id).first()
    if org is None:
        raise NotFound(field=field)
    return org


def projects_visible_to(user: AnyUser) -> QuerySet[PartyProject]:
    return scope_for(user, PartyProject.objects.all(), "territory_code")


def vanguard_posts_visible_to(user: AnyUser) -> QuerySet[VanguardPost]:
    return scope_for(user, VanguardPost.objects.all(), "territory_code")


def milestone_for(user: AnyUser, milestone_id: int) -> ProjectMilestone:
    milestone = (
        scope_for(user, ProjectMilestone.objects.select_related("project"), "project__territory_code")
        .filter(pk=milestone_id)
        .first()
    )
    if milestone is None:
        raise NotFound(field="milestone_id")
    return milestone


def pairings_visible_to(user: AnyUser) -> QuerySet[Pairing]:
    """Pairings where either side stands in the user's jurisdiction (a village branch paired with a
    town department's branch is seen from both ends)."""
    visible = organisations_visible_to(user).values("pk")
    return (
        Pairing.objects.filter(Q(first__in=visible) | Q(second__in=visible))
        .select_related("first", "second")
        .order_by("-started_on", "id")
    )


def meetings_visible_to(user: AnyUser) -> QuerySet[Meeting]:
    return scope_for(
        user, Meeting.objects.select_related("organisation").prefetch_related("attendance"), "territory_code"
    )


def meeting_visible_for(user: AnyUser, meeting_id: int) -> Meeting:
    """A meeting in the user's jurisdiction, or one of the user's own branch (a member signing in)."""
    meeting = meetings_visible_to(user).filter(pk=meeting_id).first()
    own = getattr(user, "party_member", None) if isinstance(user, User) else None
    if meeting is None and own is not None:
        branches = {own.organisation_id, own.organisation.parent_id}
        meeting = Meeting.objects.filter(pk=meeting_id, organisation_id__in=branches).first()
    if meeting is None:
        raise NotFound(field="meeting_id")
    return meeting


def member_signing_for(user: AnyUser, member_id: int) -> PartyMember:
    """The member to sign in: oneself, or a member in the user's jurisdiction."""
    own = getattr(user, "party_member", None) if isinstance(user, User) else None
    if own is not None and own.pk == member_id:
        return own
    member = members_visible_to(user).filter(pk=member_id).first()
    if member is None:
        raise NotFound(field="member_id")
    return member


def member_for(user: AnyUser, member_id: int) -> PartyMember:
    member = members_visible_to(user).filter(pk=member_id).first()
    if member is None:
        raise NotFound()
    return member


def masked_member(member: PartyMember) -> dict[str, Any]:
    """What pages and the API show of a member: the registry's masking (surname + *), no ID or phone."""
    return {
        "id": member.pk,
        "name": mask_name(member.person.name),
        "person_id": member.person_id,
        "organisation_id": member.organisation_id,
        "organisation": member.organisation.name,
        "status": member.status,
        "status_label": member.get_status_display(),
        "joined_on": member.joined_on,
        "mobile": member.mobile,
        "grid_code": member.territory_code,
    }


# --- 一肩挑 ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridHeadCheck:
    grid_code: str
    grid_name: str
    village_code: str
    satisfied: bool
    problem: str  # "" | no_head | no_branch | no_secretary | head_not_secretary


def _checked_grids(codes: list[str]) -> QuerySet[Grid]:
    grids = scope(Grid.objects.filter(active=True), codes, "code")
    if not settings.PARTY_ONE_SHOULDER_ALL_GRIDS:
        grids = grids.filter(kind=Grid.Kind.COMPREHENSIVE)
    return grids.order_by("code")


def one_shoulder_checks(codes: list[str]) -> list[GridHeadCheck]:
    """For each grid where the rule applies: is a head of the grid (an active grid-head assignment on
    the grid's code) the secretary of the branch over the grid (the grid's own branch, else its
    village's)? Four queries whatever the number of grids."""
    grids = list(_checked_grids(codes))
    grid_codes = [g.code for g in grids]
    heads: dict[str, set[int]] = defaultdict(set)
    for code, user_id in Assignment.objects.filter(
        territory_code__in=grid_codes, role=Role.GRID_HEAD, active=True
    ).values_list("territory_code", "user_id"):
        heads[code].add(user_id)
    branches: dict[str, int | None] = {}
    village_codes = {code[:12] for code in grid_codes}
    for org in (
        Organisation.objects.filter(
            territory_code__in=set(grid_codes) | village_codes, kind__in=SECRETARY_KINDS, entity__isnull=True
        )
        .select_related("secretary")
        .order_by("id")
    ):
        secretary_user = org.secretary.user_id if org.secretary else None
        branches.setdefault(org.territory_code, secretary_user)
    result = []
    for grid in grids:
        key = grid.code if grid.code in branches else grid.code[:12]
        problem = ""
        if not heads[grid.code]:
            problem = "no_head"
        elif key not in branches:
            problem = "no_branch"
        elif branches[key] is None:
            problem = "no_secretary"
        elif branches[key] not in heads[grid.code]:
            problem = "head_not_secretary"
        result.append(GridHeadCheck(grid.code, grid.name, grid.village_id, problem == "", problem))
    return result


def one_shoulder_figures(checks: list[GridHeadCheck]) -> dict[str, Any]:
    """The share per village and per town (9-digit prefix) and overall."""

    def share(rows: list[GridHeadCheck]) -> dict[str, Any]:
        done = sum(1 for r in rows if r.satisfied)
        return {"grids": len(rows), "satisfied": done, "share": round(done / len(rows), 4) if rows else None}

    by_village: dict[str, list[GridHeadCheck]] = defaultdict(list)
    by_town: dict[str, list[GridHeadCheck]] = defaultdict(list)
    for row in checks:
        by_village[row.village_code].append(row)
        by_town[row.village_code[:9]].append(row)
    return {
        "total": share(checks),
        "by_town": {code: share(rows) for code, rows in sorted(by_town.items())},
        "by_village": {code: share(rows) for code, rows in sorted(by_village.items())},
    }


def one_shoulder_problems(user: AnyUser) -> list[GridHeadCheck]:
    """What the command centre's warnings read: grids with no head or where the rule is broken."""
    return [row for row in one_shoulder_checks(jurisdiction_codes(user)) if not row.satisfied]


# --- The command centre's 党建引领 figures -------------------------------------------------------------


def command_figures(user: AnyUser, *, now: datetime) -> dict[str, Any]:
    """Figures over the user's jurisdiction at `now`: organisations by kind, members (by status, mobile,
    per grid), the 一肩挑 share, and 联户联企 coverage (members with links, households and enterprises
    linked). `now` fixes the day members and links count from (nothing joined later is counted)."""
    codes = jurisdiction_codes(user)
    today = now.date()
    orgs = scope(Organisation.objects.filter(created_at__lte=now), codes, "territory_code")
    members = scope(
        PartyMember.objects.filter(joined_on__lte=today, created_at__lte=now), codes, "territory_code"
    )
    by_kind = dict(Counter(orgs.values_list("kind", flat=True)))
    status = dict(Counter(members.values_list("status", flat=True)))
    per_grid = dict(members.values_list("territory_code").annotate(n=Count("id")).order_by("territory_code"))
    links = scope(
        MemberLink.objects.filter(linked_on__lte=today, member__in=members), codes, "territory_code"
    )
    linked_members = links.values("member_id").distinct().count()
    visits = scope(Visit.objects.filter(member__in=members), codes, "territory_code")
    total_members = members.count()
    return {
        "organisations_by_kind": {kind: by_kind.get(kind, 0) for kind in Organisation.Kind.values},
        "action_branches_by_type": dict(
            Counter(orgs.filter(kind=Organisation.Kind.ACTION_BRANCH).values_list("action_type", flat=True))
        ),
        "members": total_members,
        "members_by_status": {s: status.get(s, 0) for s in PartyMember.Status.values},
        "mobile_members": members.filter(mobile=True).count(),
        "members_per_grid": per_grid,
        "one_shoulder": one_shoulder_figures(one_shoulder_checks(codes))["total"],
        "links": {
            "members_with_links": linked_members,
            "member_share": round(linked_members / total_members, 4) if total_members else None,
            "households": links.filter(household__isnull=False).values("household_id").distinct().count(),
            "enterprises": links.filter(entity__isnull=False).values("entity_id").distinct().count(),
        },
        "visits": visit_figures(visits, now=now),
        "meetings": {k: v for k, v in completeness(orgs, now=now).items() if k != "rows"},
    }


def visit_figures(visits: QuerySet[Visit], *, now: datetime) -> dict[str, Any]:
    """Visits due by `now` (due day passed or today) and done, overdue ones, households reached, and
    the problems raised on visits with how many of their grid events are closed."""
    today = now.date()
    done = visits.filter(visited_at__lte=now)
    due = visits.filter(due_on__lte=today).count()
    done_of_due = done.filter(due_on__lte=today).count()
    raised = done.filter(event__isnull=False)
    return {
        "due": due,
        "done_of_due": done_of_due,
        "completion": round(done_of_due / due, 4) if due else None,
        "done": done.count(),
        "overdue": visits.filter(visited_at__isnull=True, due_on__lt=today).count(),
        "households_reached": done.filter(link__household__isnull=False)
        .values("link__household_id")
        .distinct()
        .count(),
        "problems_raised": raised.count(),
        "problems_closed": raised.filter(
            event__work_item__state="closed", event__work_item__closed_at__lte=now
        ).count(),
    }


# --- The member's own pages ---------------------------------------------------------------------------


def own_member(user: AnyUser) -> PartyMember:
    """The party member record of the signed-in user: the only door to the member's own visits (403 for
    anyone who is not a member with an account)."""
    member = getattr(user, "party_member", None) if isinstance(user, User) else None
    if member is None:
        raise PermissionRefused("not_allowed", _("只有登记了账号的党员可以查看和登记联户走访。"))
    return member


def visits_to_make(member: PartyMember, *, now: datetime) -> QuerySet[Visit]:
    """The member's visits of the current month and earlier ones still open (overdue), with the needs
    raised on each and how many are filed: the phone page's list and the API's."""
    first = timezone.localdate(now).replace(day=1)
    open_ones = member.visits.filter(Q(month=first) | Q(month__lt=first, visited_at__isnull=True))
    return with_need_counts(open_ones).order_by("due_on", "id")


def with_need_counts(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    return visits.select_related("link__household", "link__entity").annotate(
        needs_raised=Count("needs"),
        needs_filed=Count("needs", filter=Q(needs__application__isnull=False)),
    )


def own_visit_row(visit: Visit, *, now: datetime) -> dict[str, Any]:
    """A visit as the member's phone client reads it (the API): `visit_row`, the link's target ids, the
    month, overdue, and the needs raised on it (from `with_need_counts`)."""
    done = visit.visited_at is not None
    return {
        **visit_row(visit),
        "household_id": visit.link.household_id,
        "entity_id": visit.link.entity_id,
        "month": visit.month,
        "overdue": not done and visit.due_on < timezone.localdate(now),
        "needs_raised": getattr(visit, "needs_raised", 0),
        "needs_filed": getattr(visit, "needs_filed", 0),
    }


def visit_row(visit: Visit) -> dict[str, Any]:
    """A visit as the member's phone shows it: the household number or the enterprise name (a legal
    person's name is public); no resident's name."""
    link = visit.link
    target = (
        " ".join((pgettext("party", "户"), link.household.number))
        if link.household
        else (link.entity.name if link.entity else "")
    )
    return {
        "id": visit.pk,
        "target": target,
        "due_on": visit.due_on,
        "done": visit.visited_at is not None,
        "visited_at": visit.visited_at,
        "event_id": visit.event_id,
    }


def need_row(need: VisitNeed, *, now: datetime) -> dict[str, Any]:
    """A need as the member's phone and the staff pages show it: the request's state and, once filed,
    the application's receipt number and state (read from the engine)."""
    application = view_of(need.application, now=now).state_title if need.application else ""
    return {
        "id": need.pk,
        "description": need.description,
        "raised_at": need.raised_at,
        "state": need.work_item.state,
        "state_title": view_of(need.work_item, now=now).state_title,
        "work_item_id": need.work_item_id,
        "receipt_no": need.receipt_no,
        "application_state": application,
    }


def needs_of_visit(visit: Visit, *, now: datetime) -> list[dict[str, Any]]:
    needs = visit.needs.select_related("work_item__process_version", "application__process_version")
    return [need_row(need, now=now) for need in needs.order_by("raised_at", "id")]


def member_coverage(member: PartyMember, *, now: datetime) -> dict[str, Any]:
    """The member's own coverage figure: this member's visits as `visit_figures` counts them, and the
    needs the member raised on them (代办需求) with how many the grid worker has filed by proxy."""
    figures = visit_figures(Visit.objects.filter(member=member), now=now)
    figures["links"] = MemberLink.objects.filter(member=member).count()
    needs = VisitNeed.objects.filter(member=member, raised_at__lte=now)
    figures["needs_raised"] = needs.count()
    figures["needs_filed"] = needs.filter(application__isnull=False).count()
    return figures
