"""Cuts of the command centre's figures beyond the territory and the period: by stream (which indicators),
by event class (a minor class, or a major class and its minor classes), by source channel, and by the org
unit that holds the items. A class or a channel narrows the rollup rows and the unfolded tail alike (the
rollup keys carry both); the rollup has no org unit, so a unit cut reads the unit's own work items and
folds their contributions through the stream's contributor (workflow/rollups.py), the same function
that built the rollup — the unit's figures are exact, and cost grows with the unit's items in the period,
not with the ledger. Parsed here with a clear error per parameter; a unit unrelated to the caller's
jurisdiction is not found (the territory of the figures stays the caller's)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.jurisdiction import jurisdiction_codes
from accounts.models import OrgUnit, User
from core.errors import DomainError, NotFound
from grid.models import Category, EventChannel
from territory.selectors import related_to
from workflow.models import Transition, WorkItem
from workflow.rollups import Key, contributor_for

STREAMS = ("grid", "approvals", "enforcement", "party", "territorial", "registry")
STREAM_NAMES = {
    "grid": gettext_lazy("网格治理"),
    "approvals": gettext_lazy("审批服务"),
    "enforcement": gettext_lazy("综合执法"),
    "party": gettext_lazy("党建引领"),
    "territorial": gettext_lazy("属地管理"),
    "registry": gettext_lazy("基础信息"),
}
# The cut parameters, as the catalogue names the dimensions they cut by.
DIMENSION_OF = {"category": "category", "source": "source", "unit": "unit"}
CATEGORY_PATTERN = re.compile(r"^(event|component):(\d{2}|\d{4})$")
# A match that holds no row: a unit cut reads the unit's items, never the rollup's stored rows.
NO_STORED_ROWS = Q(pk__in=[])


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


@dataclass(frozen=True)
class Cut:
    stream: str = ""
    category: str = ""  # as asked: "event:0102" (a minor class) or "event:01" (a major class)
    classes: frozenset[str] = frozenset()  # the rollup's subject classes the category stands for
    channel: str = ""
    unit: OrgUnit | None = None

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The catalogue dimensions this cut needs of an indicator (besides level, code and period)."""
        asked = {"stream": self.stream, "category": self.category, "source": self.channel, "unit": self.unit}
        return tuple(name for name, value in asked.items() if value)

    @property
    def narrows_rows(self) -> bool:
        return bool(self.category or self.channel or self.unit)

    def as_params(self) -> dict[str, str]:
        """The cut as the query parameters that asked for it (for links and answers)."""
        params = {"stream": self.stream, "category": self.category, "source": self.channel}
        params["unit"] = self.unit.code if self.unit is not None else ""
        return {name: value for name, value in params.items() if value}

    def rows(self) -> Q:
        """The stored rollup rows this cut keeps."""
        if self.unit is not None:
            return NO_STORED_ROWS
        where = Q()
        if self.category:
            where &= Q(subject_class__in=sorted(self.classes))
        if self.channel:
            where &= Q(channel=self.channel)
        return where

    def keeps(self, key: Key) -> bool:
        """Whether a rollup key (of the tail or of a unit's items) is inside the cut."""
        if self.category and key.subject_class not in self.classes:
            return False
        return not (self.channel and key.channel != self.channel)

    def kept(self, keys: Counter[Key]) -> Counter[Key]:
        if not (self.category or self.channel):
            return keys
        return Counter({key: n for key, n in keys.items() if self.keeps(key)})

    def unit_keys(self, processes: Iterable[str], first_day: date, end_day: date) -> dict[str, Counter[Key]]:
        """Per process, what the unit's items alive in [first_day, end_day) count in the rollup now (their
        whole contribution, kept by the class and channel of the cut): the unit's rollup."""
        assert self.unit is not None
        processes = list(processes)
        items = list(
            WorkItem.objects.filter(
                process_name__in=processes, assigned_unit=self.unit, created_at__lt=_midnight(end_day)
            )
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=_midnight(first_day)))
            .order_by("pk")
        )
        out: dict[str, Counter[Key]] = {process: Counter() for process in processes}
        for item, keys in contributions(items):
            out[item.process_name].update(self.kept(keys))
        return out


EVERYTHING = Cut()


def contributions(items: Sequence[WorkItem]) -> Iterator[tuple[WorkItem, Counter[Key]]]:
    """Each item with what it counts in the rollup now, through its process's contributor (items of
    several processes at once; their transitions in one query)."""
    history: dict[int, list[Transition]] = {}
    for record in Transition.objects.filter(item__in=items).order_by("item_id", "id").defer("reason"):
        history.setdefault(record.item_id, []).append(record)
    contexts = {
        process: contributor_for(process).prepare([i for i in items if i.process_name == process])
        for process in {i.process_name for i in items}
    }
    for item in items:
        contributor = contributor_for(item.process_name)
        yield item, contributor.contribution(item, history.get(item.pk, []), contexts[item.process_name])


# ---------------------------------------------------------------------------------------------- parsing


def _category(value: str) -> tuple[str, frozenset[str]]:
    found = CATEGORY_PATTERN.match(value)
    if found is None:
        raise DomainError(
            "invalid",
            _("分类应写作“类型:代码”，如 event:0102（小类）或 event:01（大类）。"),
            field="category",
        )
    kind, code = found.groups()
    if len(code) == 4:
        exists = Category.objects.filter(kind=kind, code=code).exists()
        classes = frozenset({value}) if exists else frozenset()
    else:
        minors = Category.objects.filter(kind=kind, parent__kind=kind, parent__code=code)
        classes = frozenset(f"{kind}:{minor}" for minor in minors.values_list("code", flat=True))
    if not classes:
        raise DomainError("invalid", _("没有这个分类：%(code)s。") % {"code": value}, field="category")
    return value, classes


def _unit(user: User | AnonymousUser, value: str) -> OrgUnit:
    if len(value) > 40:
        raise DomainError("invalid", _("机构编码过长。"), field="unit")
    unit = OrgUnit.objects.filter(code=value).first()
    # A unit inside the jurisdiction, or one above it (the district bureau that decides a town's
    # applications: the figures stay the caller's territory's). Unknown or unrelated: not found.
    if unit is None or not related_to(jurisdiction_codes(user), unit.territory_code):
        raise NotFound(_("未找到该机构。"), field="unit")
    return unit


def parse_cut(user: User | AnonymousUser, params: Any) -> Cut:
    """The cut the query asks for (`stream`, `category`, `source`, `unit`); no parameter, no cut."""
    stream = params.get("stream", "")
    if stream and stream not in STREAMS:
        raise DomainError(
            "invalid", _("条线应为 %(streams)s 之一。") % {"streams": " / ".join(STREAMS)}, field="stream"
        )
    category, classes = _category(params["category"]) if params.get("category") else ("", frozenset())
    channel = params.get("source", "")
    if channel and channel not in EventChannel.values:
        raise DomainError(
            "invalid",
            _("来源应为 %(channels)s 之一。") % {"channels": " / ".join(EventChannel.values)},
            field="source",
        )
    unit = _unit(user, params["unit"]) if params.get("unit") else None
    return Cut(stream=stream, category=category, classes=classes, channel=channel, unit=unit)


# ---------------------------------------------------------------------------------------------- the desk


def cut_options(user: User | AnonymousUser, prefix: str) -> dict[str, list[tuple[str, str]]]:
    """The desk's cut pickers, by name (values as `parse_cut` reads them): the streams, the event and
    component classes (major classes, then each one's minor classes), the source channels, and the org
    units whose items the caller may cut by (in the territory shown, or above it: `_unit`)."""
    classes = Category.objects.filter(active=True).select_related("parent").order_by("kind", "code")
    units = [
        unit
        for unit in OrgUnit.objects.order_by("territory_code", "code")
        if unit.territory_code.startswith(prefix) or prefix.startswith(unit.territory_code)
    ]
    codes = jurisdiction_codes(user)
    return {
        "streams": [(code, str(STREAM_NAMES[code])) for code in STREAMS],
        "categories": [
            (
                f"{c.kind}:{c.code}",
                f"{c.get_kind_display()} · {c.display_name}"
                if c.parent_id is None
                else f"— {c.display_name}",
            )
            for c in classes
        ],
        "sources": [(str(value), str(label)) for value, label in EventChannel.choices],
        "units": [(u.code, u.name) for u in units if related_to(codes, u.territory_code)],
    }


def cut_labels(cut: Cut) -> list[str]:
    """The cut in words, for the page that shows it (the category and the unit by name)."""
    labels = []
    if cut.stream:
        labels.append(_("条线：%(name)s") % {"name": STREAM_NAMES[cut.stream]})
    if cut.category:
        kind, code = cut.category.split(":")
        found = Category.objects.filter(kind=kind, code=code).first()
        labels.append(_("类别：%(name)s") % {"name": found.display_name if found else cut.category})
    if cut.channel:
        labels.append(_("来源：%(name)s") % {"name": EventChannel(cut.channel).label})
    if cut.unit is not None:
        labels.append(_("承办单位：%(name)s") % {"name": cut.unit.name})
    return labels
