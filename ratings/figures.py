"""好差评 figures per centre, window (centre + clerk), item or clerk over a period [start, end), within
the viewer's jurisdiction. One aggregate query whatever the number of ratings.

Definitions (a rating counts in P when its `rated_at` lies in P):
- levels: ratings per level 5 非常满意 … 1 非常不满意; `rated` = all of them not excluded.
- excluded: ratings whose appeal was upheld (申诉成立): kept and shown, but in no other figure.
- satisfaction_rate = (非常满意 + 满意) / rated; None when nothing was rated.
- bad: 不满意 + 非常不满意 (not excluded). Each opened a rectification item: `rectifications_due`.
- callbacks: of those, the ones whose centre has called the applicant back (a `callback` transition);
  callback_rate = callbacks / rectifications_due.
- rectified: closed by the centre's reply; rectified_on_time: closed no later than the item's overall
  deadline (15 working days, moved by the time an appeal stopped the clock);
  on_time_rate = rectified_on_time / rectifications_due.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from accounts.jurisdiction import may_see_code
from accounts.models import OrgUnit, User
from core.errors import DomainError, NotFound
from ratings.models import BAD_LEVELS, SATISFIED_LEVELS, Level, Rating
from ratings.selectors import check_figure_access, ratings_visible_to
from workflow.models import Transition

GROUPINGS: dict[str, tuple[str, ...]] = {
    "centre": ("centre_id", "centre__code", "centre__name"),
    "window": (
        "centre_id",
        "centre__code",
        "centre__name",
        "clerk_id",
        "clerk__username",
        "clerk__display_name",
    ),
    "item": ("item_id", "item__implementation_code", "item__name"),
    "clerk": ("clerk_id", "clerk__username", "clerk__display_name"),
}
GROUPING_TITLES = {"centre": "按服务中心", "window": "按窗口", "item": "按事项", "clerk": "按窗口人员"}
ONLINE_LABEL = "（网上，无窗口人员）"


@dataclass
class FigureRow:
    key: str
    label: str
    levels: dict[int, int] = field(default_factory=dict)
    rated: int = 0
    excluded: int = 0
    satisfied: int = 0
    bad: int = 0
    rectifications_due: int = 0
    callbacks: int = 0
    rectified: int = 0
    rectified_on_time: int = 0

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def callback_rate(self) -> float | None:
        return self.callbacks / self.rectifications_due if self.rectifications_due else None

    @property
    def on_time_rate(self) -> float | None:
        return self.rectified_on_time / self.rectifications_due if self.rectifications_due else None

    def add(self, other: FigureRow) -> None:
        for level, count in other.levels.items():
            self.levels[level] = self.levels.get(level, 0) + count
        for name in (
            "rated",
            "excluded",
            "satisfied",
            "bad",
            "rectifications_due",
            "callbacks",
            "rectified",
            "rectified_on_time",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["levels"] = {
            str(level): self.levels.get(level, 0) for level in sorted(Level.values, reverse=True)
        }
        data["satisfaction_rate"] = self.satisfaction_rate
        data["callback_rate"] = self.callback_rate
        data["on_time_rate"] = self.on_time_rate
        return data


@dataclass
class Figures:
    by: str
    start: datetime
    end: datetime
    rows: list[FigureRow]
    total: FigureRow

    def as_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "from": self.start,
            "to": self.end,
            "rows": [row.as_dict() for row in self.rows],
            "total": self.total.as_dict(),
        }


def _key_and_label(by: str, values: dict[str, Any]) -> tuple[str, str]:
    clerk = values.get("clerk__display_name") or values.get("clerk__username") or ONLINE_LABEL
    if by == "centre":
        return values["centre__code"], values["centre__name"]
    if by == "window":
        return (
            f"{values['centre__code']}/{values.get('clerk__username') or '-'}",
            f"{values['centre__name']} · {clerk}",
        )
    if by == "item":
        return values["item__implementation_code"], values["item__name"]
    return values.get("clerk__username") or "-", clerk


def _aggregate(queryset: QuerySet[Rating], by: str) -> list[FigureRow]:
    counted = Q(excluded_at__isnull=True)
    bad = counted & Q(level__in=BAD_LEVELS, rectification__isnull=False)
    closed = bad & Q(rectification__state="closed")
    level_counts = {f"level_{lvl}": Count("id", filter=counted & Q(level=lvl)) for lvl in Level.values}
    rows = (
        queryset.annotate(
            called_back=Exists(
                Transition.objects.filter(item_id=OuterRef("rectification_id"), action="callback")
            )
        )
        .values(*GROUPINGS[by])
        .annotate(
            rated=Count("id", filter=counted),
            excluded=Count("id", filter=Q(excluded_at__isnull=False)),
            satisfied=Count("id", filter=counted & Q(level__in=SATISFIED_LEVELS)),
            bad=Count("id", filter=counted & Q(level__in=BAD_LEVELS)),
            rectifications_due=Count("id", filter=bad),
            callbacks=Count("id", filter=bad & Q(called_back=True)),
            rectified=Count("id", filter=closed),
            rectified_on_time=Count(
                "id", filter=closed & Q(rectification__closed_at__lte=F("rectification__due_at"))
            ),
            **level_counts,
        )
        .order_by(*GROUPINGS[by][:1])
    )
    result = []
    for values in rows:
        key, label = _key_and_label(by, values)
        result.append(
            FigureRow(
                key=key,
                label=label,
                levels={lvl: values[f"level_{lvl}"] for lvl in Level.values},
                rated=values["rated"],
                excluded=values["excluded"],
                satisfied=values["satisfied"],
                bad=values["bad"],
                rectifications_due=values["rectifications_due"],
                callbacks=values["callbacks"],
                rectified=values["rectified"],
                rectified_on_time=values["rectified_on_time"],
            )
        )
    result.sort(key=lambda row: (-row.rated, row.key))
    return result


def figures_for(
    user: User | AnonymousUser, by: str, start: datetime, end: datetime, *, centre: str = ""
) -> Figures:
    """The figures of the ratings the user may see, grouped `by` centre / window / item / clerk,
    optionally of one centre (its org-unit code; 404 when unknown or out of jurisdiction)."""
    check_figure_access(user)
    if by not in GROUPINGS:
        raise DomainError("invalid", f"分组应为 {' / '.join(GROUPINGS)} 之一。", field="by")
    if end <= start:
        raise DomainError("invalid", "结束时间须晚于开始时间。", field="to")
    queryset = ratings_visible_to(user).filter(rated_at__gte=start, rated_at__lt=end)
    if centre:
        unit = OrgUnit.objects.filter(code=centre).first()
        if unit is None or not may_see_code(user, unit.territory_code):
            raise NotFound("该服务中心不存在，或不在您的管辖范围内。", field="centre")
        queryset = queryset.filter(centre=unit)
    rows = _aggregate(queryset, by)
    total = FigureRow(key="total", label="合计")
    for row in rows:
        total.add(row)
    return Figures(by=by, start=start, end=end, rows=rows, total=total)


def centre_choices(user: User | AnonymousUser) -> list[tuple[str, str]]:
    """(code, name) of the service centres within the user's jurisdiction: the figures page picks a
    centre by name, never by typing its code."""
    centres = OrgUnit.objects.filter(kind=OrgUnit.Kind.SERVICE_CENTRE).order_by("territory_code", "code")
    return [(c.code, c.name) for c in centres if may_see_code(user, c.territory_code)]
