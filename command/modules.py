"""The desk's modules per centre edition (settings.COMMAND_EDITION: "town", the default, or "district";
settings.COMMAND_MODULES may list module codes to override the edition's). A module is either fed by a
connected source (its indicators, computed from the rollup) or names the source it waits for and shows
"未接入" — never a number. A module may hold groups of tiles from another source (网格治理's 基础信息, the
first of a grid's three lists, read from the registries); a group whose source is not connected says
"未接入" in the same way."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class TileGroup:
    code: str
    name: str | Promise
    tiles: tuple[str, ...]


@dataclass(frozen=True)
class Module:
    code: str
    name: str | Promise
    # Indicator codes shown as tiles; empty when the source is not connected.
    tiles: tuple[str, ...] = ()
    # The source it waits for, when not connected (shown as "未接入：<source>").
    missing_source: str | Promise = ""
    charts: bool = False
    groups: tuple[TileGroup, ...] = ()


GRID_TILES = (
    "accepted",
    "filed",
    "closed",
    "closure_rate",
    "on_time_closure_rate",
    "overdue_open",
    "patrol_coverage",
    "missed_report_rate",
)
APPROVALS_TILES = (
    "approvals_accepted",
    "approvals_done",
    "approvals_instant_rate",
    "approvals_early_rate",
    "approvals_overdue",
    "approvals_satisfaction",
    "approvals_rectification_rate",
)
ENFORCEMENT_TILES = (
    "enforcement_filed",
    "enforcement_closed",
    "enforcement_decision_days",
    "enforcement_publication_on_time",
    "enforcement_hearings",
    "enforcement_overturned",
)
PARTY_TILES = (
    "party_organisations",
    "party_members",
    "party_one_shoulder",
    "party_visit_completion",
    "party_visits_overdue",
    "party_households_reached",
    "party_problems_raised",
    "party_problem_closure",
    "party_meetings_held",
    "party_needs_late",
)
TERRITORIAL_TILES = (
    "territorial_institutions",
    "territorial_assets",
    "territorial_contracts_expiring",
    "territorial_contracts_ended",
    "territorial_instalments_overdue",
    "territorial_payments_awaiting",
    "territorial_payments_proposed",
    "territorial_warnings_open",
    "territorial_disclosure_on_time",
)
# 基础信息 (一标三实): the first of the grid's three lists (DOMAIN.md), so a group of 网格治理 in both
# editions rather than a seventh town module or an eleventh district topic.
REGISTRY_TILES = (
    "registry_population",
    "registry_registered",
    "registry_migrant",
    "registry_households",
    "registry_houses",
    "registry_rented",
    "registry_entities",
    "registry_key_places",
    "registry_care_people",
    "registry_special_groups",
    "registry_changes_approved",
)
BASIC_INFORMATION = TileGroup("registry", _("基础信息（一标三实）"), REGISTRY_TILES)
COMMAND_TILES = (
    "score",
    "disposal_rate",
    "on_time_disposal_rate",
    "rework_rate",
    "extension_rate",
    "overdue_rate",
)

MODULES = {
    m.code: m
    for m in (
        Module("party", _("党建引领"), tiles=PARTY_TILES),
        Module("approvals", _("审批服务"), tiles=APPROVALS_TILES),
        Module("enforcement", _("综合执法"), tiles=ENFORCEMENT_TILES),
        Module("grid", _("网格治理"), tiles=GRID_TILES, charts=True, groups=(BASIC_INFORMATION,)),
        Module("territorial", _("属地管理"), tiles=TERRITORIAL_TILES),
        Module("command", _("综合指挥"), tiles=COMMAND_TILES),
        Module("party_building", _("党的建设"), tiles=PARTY_TILES),
        Module("emergency", _("应急指挥"), missing_source=_("应急指挥系统")),
        Module("traffic", _("交通管理"), missing_source=_("交通管理系统")),
        Module("economy", _("经济发展"), missing_source=_("经济运行数据")),
        Module("livelihood", _("民生发展"), missing_source=_("民生事业数据")),
        Module("grassroots", _("基层集成"), tiles=COMMAND_TILES),
        Module("ecology", _("生态资源"), missing_source=_("生态环境与自然资源数据")),
    )
}

EDITIONS = {
    "town": ("party", "approvals", "enforcement", "grid", "territorial", "command"),
    "district": (
        "party_building",
        "emergency",
        "grid",
        "traffic",
        "approvals",
        "economy",
        "livelihood",
        "grassroots",
        "enforcement",
        "ecology",
    ),
}


def edition() -> str:
    return str(getattr(settings, "COMMAND_EDITION", "town"))


def modules() -> list[Module]:
    codes = getattr(settings, "COMMAND_MODULES", None) or EDITIONS.get(edition(), EDITIONS["town"])
    return [MODULES[code] for code in codes if code in MODULES]
