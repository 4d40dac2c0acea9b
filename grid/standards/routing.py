"""Grid + category → responsible org unit through the responsibility list (责任清单).

Events go to the territory first, then the owner (先属地后属主); components to the owner first, then the
territory (先属主后属地). Inside one basis the most specific territory wins (grid → village → town →
district): no match at a level falls back one level up; at each level a row for the minor class beats a
major-class wildcard row. No match anywhere is an UNROUTED result (org_unit None), never an error.

This module only reads; recording a decision is `grid.standards.actions.do_record_routing`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from accounts.models import OrgUnit
from core.errors import DomainError, NotFound
from grid.models import Basis, Category, CategoryKind, ResponsibilityEntry, RoutingLevel

# (level, length of the territory code at that level), most specific first.
LEVELS: list[tuple[str, int]] = [
    (RoutingLevel.GRID, 15),
    (RoutingLevel.VILLAGE, 12),
    (RoutingLevel.TOWN, 9),
    (RoutingLevel.DISTRICT, 6),
]
LEVEL_NAMES: dict[str, str] = {
    RoutingLevel.GRID: "网格",
    RoutingLevel.VILLAGE: "村",
    RoutingLevel.TOWN: "镇/街道",
    RoutingLevel.DISTRICT: "区",
}
BASIS_NAMES: dict[str, str] = {Basis.TERRITORIAL: "属地", Basis.OWNER: "属主"}
KIND_NAMES: dict[str, str] = {CategoryKind.EVENT: "事件", CategoryKind.COMPONENT: "部件"}


@dataclass(frozen=True)
class RoutingResult:
    """The outcome of routing: the chosen unit (None = the unrouted queue), where it was found and why."""

    org_unit: OrgUnit | None
    level: str
    basis: str | None
    reason_text: str
    trail: list[dict[str, Any]] = field(default_factory=list)
    grid_code: str = ""
    kind: str = CategoryKind.EVENT
    category: Category | None = None

    @property
    def routed(self) -> bool:
        return self.org_unit is not None

    @property
    def category_code(self) -> str:
        return self.category.code if self.category is not None else ""


def basis_order(kind: str) -> list[str]:
    if kind == CategoryKind.EVENT:
        return [Basis.TERRITORIAL, Basis.OWNER]
    if kind == CategoryKind.COMPONENT:
        return [Basis.OWNER, Basis.TERRITORIAL]
    raise DomainError("invalid_kind", f"未知的类型：{kind}（应为 event 或 component）", field="kind")


def territory_chain(grid_code: str) -> list[tuple[str, str]]:
    """(level, code) from the grid up to the district."""
    if len(grid_code) != 15 or not grid_code.isdigit():
        raise DomainError("invalid_grid", f"网格编码应为15位数字：{grid_code}", field="grid")
    return [(level, grid_code[:length]) for level, length in LEVELS]


def get_category(code: str, kind: str) -> Category:
    category = Category.objects.select_related("parent").filter(kind=kind, code=code).first()
    if category is None:
        raise NotFound(f"未找到{KIND_NAMES.get(kind, kind)}分类：{code}", field="category")
    return category


def entries_for(categories: Iterable[Category], grid_code: str) -> list[ResponsibilityEntry]:
    """Every active row that could apply to these categories in this grid, in one query."""
    codes = [code for _, code in territory_chain(grid_code)]
    return list(
        ResponsibilityEntry.objects.filter(
            active=True, category__in=list(categories), territory_code__in=codes
        ).select_related("org_unit", "category")
    )


def _walk(
    entries: list[ResponsibilityEntry],
    *,
    category: Category,
    grid_code: str,
    kind: str,
    owner_unit: OrgUnit | None,
) -> RoutingResult:
    """The routing algorithm over pre-fetched rows (no queries)."""
    chain = territory_chain(grid_code)
    by_key: dict[tuple[int, str, str], ResponsibilityEntry] = {
        (e.category_id, e.territory_code, e.basis): e for e in entries
    }
    # A minor class first, then its major class as wildcard; a major class stands for itself.
    candidates = [category] if category.parent is None else [category, category.parent]
    order = basis_order(kind)
    trail: list[dict[str, Any]] = []
    phrases: list[str] = []
    head = f"{KIND_NAMES[kind]}先{BASIS_NAMES[order[0]]}后{BASIS_NAMES[order[1]]}"
    for basis in order:
        step: list[str] = []
        if basis == Basis.OWNER and owner_unit is not None:
            trail.append(
                {"basis": basis, "level": RoutingLevel.OWNER_UNIT, "code": owner_unit.code, "matched": True}
            )
            step.append(f"指定权属单位 {owner_unit.name}")
            phrases.append(f"{BASIS_NAMES[basis]}：" + "，".join(step))
            return RoutingResult(
                org_unit=owner_unit,
                level=RoutingLevel.OWNER_UNIT,
                basis=basis,
                reason_text=f"{head}；" + "；".join(phrases),
                trail=trail,
                grid_code=grid_code,
                kind=kind,
                category=category,
            )
        for index, (level, code) in enumerate(chain):
            prefix = "" if index == 0 else "上溯至"
            for candidate in candidates:
                entry = by_key.get((candidate.id, code, basis))
                if entry is None:
                    continue
                trail.append(
                    {
                        "basis": basis,
                        "level": level,
                        "code": code,
                        "matched": True,
                        "category": candidate.code,
                        "org_unit": entry.org_unit.code,
                    }
                )
                by = f"按{'小类' if candidate.parent_id is not None else '大类'} {candidate.name}"
                step.append(f"{prefix}{LEVEL_NAMES[level]} {code} 匹配 {entry.org_unit.name}（{by}）")
                phrases.append(f"{BASIS_NAMES[basis]}：" + "，".join(step))
                return RoutingResult(
                    org_unit=entry.org_unit,
                    level=level,
                    basis=basis,
                    reason_text=f"{head}；" + "；".join(phrases),
                    trail=trail,
                    grid_code=grid_code,
                    kind=kind,
                    category=category,
                )
            trail.append({"basis": basis, "level": level, "code": code, "matched": False})
            step.append(f"{prefix}{LEVEL_NAMES[level]} {code} 无匹配")
        phrases.append(f"{BASIS_NAMES[basis]}：" + "，".join(step))
    return RoutingResult(
        org_unit=None,
        level=RoutingLevel.UNROUTED,
        basis=None,
        reason_text=f"{head}；" + "；".join(phrases) + "；均无匹配，进入未路由队列",
        trail=trail,
        grid_code=grid_code,
        kind=kind,
        category=category,
    )


def route(
    minor_class_code: str,
    *,
    grid_code: str,
    kind: str = CategoryKind.EVENT,
    owner_unit: OrgUnit | None = None,
) -> RoutingResult:
    """Who must act on `minor_class_code` in `grid_code`. `owner_unit` is the known owner (权属单位) of the
    object (a component's owner); when given it answers the owner step directly. A major-class code is
    accepted too (then only major-class rows apply). Two queries: the category and the candidate rows."""
    basis_order(kind)
    territory_chain(grid_code)
    category = get_category(minor_class_code, kind)
    categories = [category] if category.parent is None else [category, category.parent]
    return _walk(
        entries_for(categories, grid_code),
        category=category,
        grid_code=grid_code,
        kind=kind,
        owner_unit=owner_unit,
    )


def responsibilities_for_grid(grid_code: str) -> list[dict[str, Any]]:
    """The responsibility list as it applies to one grid: for each major class (events, then components),
    the unit routing would choose, and the minor classes whose own rows differ from it."""
    majors = list(Category.objects.filter(parent__isnull=True, active=True).order_by("kind", "code"))
    minors = list(Category.objects.filter(parent__isnull=False, active=True).select_related("parent"))
    entries = entries_for([*majors, *minors], grid_code)
    minor_ids_with_rows = {e.category_id for e in entries if e.category.parent_id is not None}
    minors_by_major: dict[int, list[Category]] = {}
    for minor in minors:
        if minor.id in minor_ids_with_rows:
            minors_by_major.setdefault(minor.parent_id or 0, []).append(minor)
    rows: list[dict[str, Any]] = []
    for kind in (CategoryKind.EVENT, CategoryKind.COMPONENT):
        for major in (m for m in majors if m.kind == kind):
            result = _walk(entries, category=major, grid_code=grid_code, kind=kind, owner_unit=None)
            exceptions = []
            for minor in sorted(minors_by_major.get(major.id, []), key=lambda c: c.code):
                own = _walk(entries, category=minor, grid_code=grid_code, kind=kind, owner_unit=None)
                if own.org_unit != result.org_unit:
                    exceptions.append({"category": minor, "result": own})
            rows.append({"category": major, "kind": kind, "result": result, "exceptions": exceptions})
    return rows
