"""What the party records contribute to the command centre's 党建引领 module: one queryset per count
figure under a territory code prefix over whole local days [first_day, end_day), so a figure is the
queryset's count and its drill-down is the same queryset's rows (equal by construction). Rates are two
of these counts. `one_shoulder` is the 一肩挑 check of today's assignments (no history is kept)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.drill import drill_row
from core.pii import mask_name
from party.models import Meeting, Organisation, PartyMember, Visit, VisitNeed
from party.selectors import GridHeadCheck, one_shoulder_checks
from territory.models import Grid
from workflow.english import state_title
from workflow.publishing import definition_for


def midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def organisations(prefix: str, first_day: date, end_day: date) -> QuerySet[Organisation]:
    """Organisations registered before the end of the period."""
    return Organisation.objects.filter(territory_code__startswith=prefix, created_at__lt=midnight(end_day))


def members(prefix: str, first_day: date, end_day: date) -> QuerySet[PartyMember]:
    """Members (formal and probationary) joined and registered before the end, in a grid under the prefix."""
    return PartyMember.objects.filter(
        territory_code__startswith=prefix, joined_on__lt=end_day, created_at__lt=midnight(end_day)
    )


def visits_due(prefix: str, first_day: date, end_day: date) -> QuerySet[Visit]:
    """联户 visits planned to fall due in the period."""
    return Visit.objects.filter(territory_code__startswith=prefix, due_on__gte=first_day, due_on__lt=end_day)


def visits_done(prefix: str, first_day: date, end_day: date) -> QuerySet[Visit]:
    """Of the visits due in the period, those logged before its end."""
    return visits_due(prefix, first_day, end_day).filter(visited_at__lt=midnight(end_day))


def visits_overdue(prefix: str, first_day: date, end_day: date) -> QuerySet[Visit]:
    """Of the visits due in the period, those not logged by its end."""
    return visits_due(prefix, first_day, end_day).filter(
        Q(visited_at__isnull=True) | Q(visited_at__gte=midnight(end_day))
    )


def households_reached(prefix: str, first_day: date, end_day: date) -> QuerySet[Visit]:
    """One visit per household visited in the period (its first), so the count is of households; the
    period's visits are few, so the first per household is picked here, the same on both databases."""
    firsts: dict[int, int] = {}
    for pk, household in (
        Visit.objects.filter(
            territory_code__startswith=prefix,
            visited_at__gte=midnight(first_day),
            visited_at__lt=midnight(end_day),
            link__household__isnull=False,
        )
        .order_by("visited_at", "pk")
        .values_list("pk", "link__household_id")
    ):
        firsts.setdefault(household, pk)
    return Visit.objects.filter(pk__in=list(firsts.values()))


def problems_raised(prefix: str, first_day: date, end_day: date) -> QuerySet[Visit]:
    """Visits in the period that reported a problem as a grid event (source 党员联户)."""
    return Visit.objects.filter(
        territory_code__startswith=prefix,
        visited_at__gte=midnight(first_day),
        visited_at__lt=midnight(end_day),
        event__isnull=False,
    )


def problems_closed(prefix: str, first_day: date, end_day: date) -> QuerySet[Visit]:
    """Of the problems raised in the period, those whose grid event was closed by its end."""
    return problems_raised(prefix, first_day, end_day).filter(
        event__work_item__state="closed", event__work_item__closed_at__lt=midnight(end_day)
    )


def needs_late(prefix: str, first_day: date, end_day: date) -> QuerySet[VisitNeed]:
    """代办需求 the sweeper found late in the period: those it reminded (`remind`, at the request's limit)
    then, whatever became of them after. A request is reminded at most once."""
    return VisitNeed.objects.filter(
        territory_code__startswith=prefix,
        work_item__transitions__action="remind",
        work_item__transitions__occurred_at__gte=midnight(first_day),
        work_item__transitions__occurred_at__lt=midnight(end_day),
    )


def meetings_held(prefix: str, first_day: date, end_day: date) -> QuerySet[Meeting]:
    """三会一课 meetings held in the period."""
    return Meeting.objects.filter(
        territory_code__startswith=prefix, held_at__gte=midnight(first_day), held_at__lt=midnight(end_day)
    )


def organisations_by_kind(prefix: str, first_day: date, end_day: date) -> list[dict[str, Any]]:
    """The `organisations` figure broken down by kind (every kind, in the tree's order, zeros kept), each
    action branch kind with its types (产业发展/便民服务/社会治理): the kinds' counts sum to the figure."""
    counts: dict[tuple[str, str], int] = {
        (kind, action_type): n
        for kind, action_type, n in organisations(prefix, first_day, end_day)
        .order_by()
        .values_list("kind", "action_type")
        .annotate(n=Count("id"))
    }
    rows = []
    for kind, label in Organisation.Kind.choices:
        total = sum(n for (k, _type), n in counts.items() if k == kind)
        types = []
        if kind == Organisation.Kind.ACTION_BRANCH:
            types = [
                {"code": code, "label": str(type_label), "count": counts.get((kind, code), 0)}
                for code, type_label in Organisation.ActionType.choices
            ]
        rows.append({"kind": kind, "label": str(label), "count": total, "types": types})
    return rows


def members_per_grid(prefix: str, first_day: date, end_day: date) -> list[dict[str, Any]]:
    """The `members` figure per grid under the prefix (formal and probationary): every active grid, with
    none where no member serves yet (全员入格 shows its gaps), and any other grid members are registered
    in. The rows sum to the figure. Two queries."""
    counts: dict[str, dict[str, int]] = {}
    for code, status, n in (
        members(prefix, first_day, end_day)
        .order_by()
        .values_list("territory_code", "status")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(code, {})[status] = n
    names = dict(
        Grid.objects.filter(code__startswith=prefix, active=True).order_by().values_list("code", "name")
    )
    rows = []
    for code in sorted(set(names) | set(counts)):
        by_status = counts.get(code, {})
        formal = by_status.get(PartyMember.Status.FORMAL, 0)
        probationary = by_status.get(PartyMember.Status.PROBATIONARY, 0)
        rows.append(
            {
                "code": code,
                "name": names.get(code, ""),
                "formal": formal,
                "probationary": probationary,
                "members": formal + probationary,
            }
        )
    return rows


def aggregates(prefix: str, first_day: date, end_day: date) -> dict[str, int]:
    """The visit counts in two queries (each equals its COUNTS queryset's count)."""
    stop = midnight(end_day)
    done = Q(visited_at__lt=stop)
    out = visits_due(prefix, first_day, end_day).aggregate(
        party_visits_due=Count("id"),
        party_visits_done=Count("id", filter=done),
        party_visits_overdue=Count("id", filter=~done | Q(visited_at__isnull=True)),
    )
    out |= problems_raised(prefix, first_day, end_day).aggregate(
        party_problems_raised=Count("id"),
        party_problems_closed=Count(
            "id", filter=Q(event__work_item__state="closed", event__work_item__closed_at__lt=stop)
        ),
    )
    return {code: int(n or 0) for code, n in out.items()}


COUNTS: dict[str, Callable[[str, date, date], QuerySet[Any]]] = {
    "party_organisations": organisations,
    "party_members": members,
    "party_visits_due": visits_due,
    "party_visits_done": visits_done,
    "party_visits_overdue": visits_overdue,
    "party_households_reached": households_reached,
    "party_problems_raised": problems_raised,
    "party_problems_closed": problems_closed,
    "party_meetings_held": meetings_held,
    "party_needs_late": needs_late,
}
# Relations a figure's drill-down rows read (no query per row).
RELATED = {
    "party_needs_late": ("work_item__process_version", "visit__link__household", "visit__link__entity")
}
# rate code → (numerator count, denominator count)
RATES = {
    "party_visit_completion": ("party_visits_done", "party_visits_due"),
    "party_problem_closure": ("party_problems_closed", "party_problems_raised"),
}


def one_shoulder(prefix: str) -> list[GridHeadCheck]:
    """Today's 一肩挑 check of the grids under the prefix (the share is satisfied / checked)."""
    return one_shoulder_checks([prefix])


def describe(obj: Any) -> dict[str, Any]:
    """A drill-down row of a party record: names of members masked (surname + *)."""
    if isinstance(obj, Organisation):
        return drill_row(obj.pk, "", obj.name, obj.get_kind_display(), obj.territory_code, obj.created_at)
    if isinstance(obj, PartyMember):
        title = mask_name(obj.person.name)
        return drill_row(obj.pk, "", title, obj.get_status_display(), obj.territory_code, obj.joined_on)
    if isinstance(obj, Visit):
        row = drill_row(
            obj.pk,
            f"{obj.month:%Y-%m}",
            _("联户走访（应于 %(day)s 前）") % {"day": obj.due_on},
            _("已走访") if obj.visited_at else _("未走访"),
            obj.territory_code,
            obj.visited_at or obj.due_on,
        )
        row["overdue"] = obj.visited_at is None
        return row
    if isinstance(obj, VisitNeed):
        item = obj.work_item
        row = drill_row(
            obj.pk,
            obj.receipt_no,
            item.title,
            state_title(item.process_name, item.state, definition_for(item).states[item.state].title),
            obj.territory_code,
            obj.raised_at,
            reverse("party:need", args=[obj.pk]),
        )
        row["overdue"] = item.closed_at is None
        return row
    if isinstance(obj, Meeting):
        return drill_row(obj.pk, "", obj.topic, obj.get_kind_display(), obj.territory_code, obj.held_at)
    raise TypeError(type(obj).__name__)


def describe_check(check: GridHeadCheck) -> dict[str, Any]:
    problems = {
        "": _("一肩挑"),
        "no_head": _("无网格长"),
        "no_branch": _("无支部"),
        "no_secretary": _("支部无书记"),
        "head_not_secretary": _("网格长非支部书记"),
    }
    row = drill_row(
        check.grid_code, check.grid_code, check.grid_name, problems[check.problem], check.grid_code, None
    )
    row["overdue"] = not check.satisfied
    return row
