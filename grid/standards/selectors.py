"""Reads of grid governance, scoped by jurisdiction. Sections follow grid/models/."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.jurisdiction import scope_for
from accounts.models import Assignment, OrgUnit, Role, User
from core.errors import DomainError, NotFound
from grid.models import (
    Category,
    CategoryKind,
    CategoryStandard,
    CategoryStandardVersion,
    GridBasicInfo,
    PatrolItem,
)
from grid.standards.routing import responsibilities_for_grid
from registry import selectors as registry_selectors
from territory.models import Grid

# ---------------------------------------------------------------------------------------------------------
# 1. Categories and the filing/closing standard
# ---------------------------------------------------------------------------------------------------------

AREA_CLASSES = ("A", "B", "C")


def current_standard_version() -> CategoryStandardVersion:
    version = CategoryStandardVersion.objects.filter(active=True).first()
    if version is None:
        raise NotFound("尚未发布立案结案标准（请导入或运行初始化）。", field="version")
    return version


def standard_versions() -> QuerySet[CategoryStandardVersion]:
    return CategoryStandardVersion.objects.select_related("created_by").order_by("-number")


def limit_for(
    minor_class_code: str,
    area_class: str,
    *,
    version: CategoryStandardVersion | None = None,
    kind: str = CategoryKind.EVENT,
    sequence: int | None = None,
) -> tuple[int, str, CategoryStandard]:
    """(amount, unit, standard row) of the handling time limit for a minor class in an area class.
    `version` defaults to the current one (an event passes the version it pinned); `sequence` picks one
    filing condition of the minor class (default: its first)."""
    if area_class not in AREA_CLASSES:
        raise DomainError("invalid_area_class", f"区域类别应为 A、B 或 C：{area_class}", field="area_class")
    version = version or current_standard_version()
    rows = CategoryStandard.objects.filter(
        version=version, category__kind=kind, category__code=minor_class_code
    ).select_related("category", "version")
    if sequence is not None:
        rows = rows.filter(sequence=sequence)
    row = rows.order_by("sequence").first()
    if row is None:
        raise NotFound(f"标准 v{version.number} 中没有分类 {minor_class_code} 的立案条件", field="category")
    return row.limit_for_area(area_class), row.unit, row


def standard_rows(version: CategoryStandardVersion) -> list[CategoryStandard]:
    return list(
        CategoryStandard.objects.filter(version=version)
        .select_related("category", "category__parent")
        .order_by("-category__kind", "category__code", "sequence")  # events first
    )


def category_tree(version: CategoryStandardVersion) -> list[dict[str, Any]]:
    """kind → major → minor → standard rows of one version (one query)."""
    tree: dict[str, dict[str, dict[str, Any]]] = {}
    for row in standard_rows(version):
        minor = row.category
        major = minor.parent
        assert major is not None
        majors = tree.setdefault(minor.kind, {})
        major_node = majors.setdefault(major.code, {"code": major.code, "name": major.name, "minors": {}})
        minor_node = major_node["minors"].setdefault(
            minor.code, {"code": minor.code, "name": minor.name, "standards": []}
        )
        minor_node["standards"].append(row)
    result = []
    for kind in (CategoryKind.EVENT, CategoryKind.COMPONENT):
        for major_node in tree.get(kind, {}).values():
            result.append(
                {
                    "kind": kind,
                    "code": major_node["code"],
                    "name": major_node["name"],
                    "minors": list(major_node["minors"].values()),
                }
            )
    return result


def categories(kind: str | None = None) -> QuerySet[Category]:
    qs = Category.objects.select_related("parent").filter(active=True)
    return qs.filter(kind=kind) if kind else qs


# ---------------------------------------------------------------------------------------------------------
# 3. The grid's three lists
# ---------------------------------------------------------------------------------------------------------

ROUTING_PREVIEW_ROLES = {Role.DISPATCHER, Role.SUPERVISOR, Role.DATA_STEWARD, Role.LEADER}


def grids_visible_to(user: User | AnonymousUser) -> QuerySet[Grid]:
    return scope_for(user, Grid.objects.select_related("village", "village__parent"), "code")


def get_grid_for(user: User | AnonymousUser, code: str) -> Grid:
    """The grid if the user's jurisdiction covers it; otherwise not found (404, never 403)."""
    grid = grids_visible_to(user).filter(code=code).first()
    if grid is None:
        raise NotFound(f"未找到网格：{code}", field="grid")
    return grid


def _covering_assignments(user: User | AnonymousUser, code: str) -> list[Assignment]:
    if not isinstance(user, User) or not user.is_active:
        return []
    return [
        a
        for a in Assignment.objects.filter(user=user, active=True).select_related("org_unit")
        if code.startswith(a.territory_code)
    ]


def may_edit_grid_lists(user: User | AnonymousUser, grid_code: str) -> bool:
    """The village edits its grids' lists: the grid head, village-committee staff other than grid
    workers, and data stewards, each only where their assignment covers the grid."""
    for a in _covering_assignments(user, grid_code):
        if a.role in (Role.GRID_HEAD, Role.DATA_STEWARD):
            return True
        if a.org_unit.kind == OrgUnit.Kind.VILLAGE_COMMITTEE and a.role != Role.GRID_WORKER:
            return True
    return False


def may_preview_routing(user: User | AnonymousUser, grid_code: str) -> bool:
    if isinstance(user, User) and (user.is_superuser or user.is_staff):
        return True
    return any(a.role in ROUTING_PREVIEW_ROLES for a in _covering_assignments(user, grid_code))


@dataclass(frozen=True)
class GridLists:
    grid: Grid
    basic_info: GridBasicInfo | None
    grid_heads: list[Assignment]
    grid_workers: list[Assignment]
    patrol_items: list[PatrolItem]
    responsibilities: list[dict[str, Any]]
    may_edit: bool
    registry: dict[str, int]


def grid_staff(code: str) -> tuple[list[Assignment], list[Assignment]]:
    """(grid heads, grid workers): the active assignments on exactly this grid's code."""
    staff = list(
        Assignment.objects.filter(
            territory_code=code, active=True, role__in=[Role.GRID_HEAD, Role.GRID_WORKER]
        )
        .select_related("user", "org_unit")
        .order_by("role", "user__username")
    )
    return [a for a in staff if a.role == Role.GRID_HEAD], [a for a in staff if a.role == Role.GRID_WORKER]


def basic_info(grid: Grid) -> GridBasicInfo | None:
    return GridBasicInfo.objects.filter(grid=grid).select_related("updated_by").first()


def grid_lists(user: User | AnonymousUser, code: str) -> GridLists:
    """The three lists of one grid (三张清单) as the user may see them."""
    grid = get_grid_for(user, code)
    heads, workers = grid_staff(code)
    items = list(
        PatrolItem.objects.filter(grid=grid)
        .select_related("category", "category__parent")
        .order_by("-active", "id")
    )
    return GridLists(
        grid=grid,
        basic_info=basic_info(grid),
        grid_heads=heads,
        grid_workers=workers,
        patrol_items=items,
        responsibilities=responsibilities_for_grid(code),
        may_edit=may_edit_grid_lists(user, code),
        registry=registry_selectors.grid_figures(code),
    )
