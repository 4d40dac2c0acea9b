"""Staff pages of the command centre: the desk (modules, KPI tiles with 同比/环比, trend and ranking
charts drawn by static/command/desk.js from the figures API), the items behind a figure, and the landing
page: the residents' portal for anonymous visitors, the desk for leaders and dispatchers, the profile home
for the other staff."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import views as account_views
from accounts.jurisdiction import user_roles
from command import indicators as ind
from command import map_layers, streams
from command.basemap import command_map_config
from command.cuts import cut_labels, cut_options, parse_cut
from command.display import show, show_change
from command.modules import TileGroup, edition, modules
from command.selectors import COMMAND_ROLES, days, require_command_role, unit_scope
from core.errors import DomainError
from grid.models import Category
from territorial.models import CollectiveOrganisation
from territory.models import Division
from territory.refs import territory_names
from workflow.english import in_english

PARTY_MODULES = ("party", "party_building")
# The grid module's charts (static/command/desk.js) ask the figures API for these; under a cut they are
# drawn only when the cut applies to all of them.
CHART_INDICATORS = ("filed", "closed", "score")
EXTRA_FIGURES = ("source_share", "kind_split", "top_categories", "closure_level_share")
# A rate or score drills down to the items of its denominator.
DRILL = {
    "closure_rate": "due",
    "on_time_closure_rate": "due",
    "disposal_rate": "due",
    "rework_rate": "due",
    "extension_rate": "due",
    "overdue_rate": "due",
    "score": "due",
    "on_time_disposal_rate": "closed",
    "missed_report_rate": "resident_reports",
}


def _tile(code: str, figure: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
    meta = ind.REGISTRY[code]
    drill = code if code in streams.drillable() else DRILL.get(code)
    return {
        "code": code,
        "name": meta.name,
        "definition": _("%(definition)s（公式：%(formula)s）")
        % {"definition": meta.description, "formula": meta.formula},
        "value": show(figure.get("value"), meta.kind),
        "mom": show_change(figure.get("mom"), meta.kind),
        "yoy": show_change(figure.get("yoy"), meta.kind),
        "grade": figure.get("grade"),
        "url": f"/command/items/?{urlencode({**query, 'indicator': drill})}" if drill else "",
    }


def _group(group: TileGroup, figures: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
    """A module's group of tiles from another source; "未接入" (naming it) while that is not connected.
    Under a cut, only the tiles the cut applies to (`figures` holds no other)."""
    codes = [code for code in group.tiles if code in figures]
    missing = sorted({ind.REGISTRY[code].source_name for code in codes if not figures[code]["connected"]})
    tiles = [] if missing else [_tile(code, figures[code], query) for code in codes]
    return {"group": group, "missing": "、".join(missing), "tiles": tiles, "cut_away": not codes}


def _territorial_lists(prefix: str, first: date, end: date, period: dict[str, str]) -> dict[str, Any]:
    """The 属地管理 module's lists (command/streams.py), each count linked to the items behind it at the
    village's or the town's level."""
    found = streams.territorial_lists(prefix, first, end)

    def items(level: str, code: str, indicator: str) -> str:
        return (
            f"/command/items/?{urlencode({**period, 'level': level, 'code': code, 'indicator': indicator})}"
        )

    for row in found["villages"]:
        row["warnings_url"] = items("village", row["code"], "territorial_warnings_open")
    for row in found["towns"] or []:
        row["url"] = items("town", row["code"], "territorial_institutions")
    return found


def _is_command_user(request: HttpRequest) -> bool:
    return bool(user_roles(request.user) & {str(r) for r in COMMAND_ROLES})


def landing(request: HttpRequest) -> HttpResponse:
    """`/`: the residents' portal for anonymous visitors; the command desk for leaders, dispatchers and
    supervisors; the profile home for the other staff."""
    if not request.user.is_authenticated:
        return portal(request)
    if _is_command_user(request):
        return desk(request)
    return account_views.home(request)


def _disclosure_villages() -> list[tuple[str, str]]:
    """(code, name) of the villages whose collective economic organisations publish 财务公开."""
    codes = CollectiveOrganisation.objects.values_list("village_code", flat=True).distinct()
    villages = Division.objects.filter(code__in=codes, level=Division.Level.VILLAGE).order_by("code")
    return list(villages.values_list("code", "name"))


def _previous_month() -> str:
    today = timezone.localdate()
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


@require_GET
def portal(request: HttpRequest) -> HttpResponse:
    """The residents' portal (also at /public/ for staff who want to see what residents see): every public
    service one tap away, the 财务公开 picker (village by name + month), staff login one click away."""
    villages = _disclosure_villages()
    village, month = request.GET.get("village", ""), request.GET.get("month", "")
    error = ""
    if village or month:
        year, _dash, number = month.partition("-")
        if village not in dict(villages):
            error = _("请选择村（社区）。")
        elif not (
            year.isdigit() and number.isdigit() and 1 <= int(number) <= 12 and 2000 <= int(year) <= 2100
        ):
            error = _("请选择月份。")
        else:
            url = reverse("territorial_public:disclosure", args=[village, int(year), int(number)])
            return HttpResponseRedirect(url)
    context = {
        "villages": villages,
        "village": village,
        "month": month or _previous_month(),
        "disclosure_error": error,
    }
    return render(request, "portal.html", context, status=400 if error else 200)


def _error_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "command/error.html", {"error": error}, status=error.status)


def _category_names(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The top categories ("kind:code", the recorded name, count) named in the page's language."""
    if not rows or not in_english():
        return rows
    wanted = Q()
    for row in rows:
        kind, _sep, code = str(row.get("category") or "").partition(":")
        wanted |= Q(kind=kind, code=code)
    names = {f"{c.kind}:{c.code}": c.display_name for c in Category.objects.filter(wanted)}
    return [{**row, "name": names.get(str(row.get("category")), row.get("name"))} for row in rows]


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    try:
        require_command_role(request.user)
        scope = unit_scope(request.user, request.GET.get("level"), request.GET.get("code"))
        first, end = days(request.GET)
        cut = parse_cut(request.user, request.GET)
    except DomainError as error:
        return _error_page(request, error)
    assert scope.prefix is not None
    last = end - timedelta(days=1)
    query = {"level": scope.level, "code": scope.code, "from": first.isoformat(), "to": last.isoformat()}
    query.update((name, value) for name, value in cut.as_params().items() if value)
    # Under a cut, `figures` holds only the indicators it applies to (command.indicators.applies): the
    # others' tiles are left out and each module says how many, never showing an uncut number as cut.
    figures = ind.figures(scope.prefix, first, end, cut=cut)
    shown = []
    territorial = None
    for module in modules():
        codes = [c for c in module.tiles if c in figures]
        # A tile whose source is not connected shows no number: the module names that source instead.
        missing = sorted({ind.REGISTRY[c].source_name for c in codes if not figures[c]["connected"]})
        if module.code == "territorial" and not cut.dimensions:
            territorial = _territorial_lists(
                scope.prefix, first, end, {"from": query["from"], "to": query["to"]}
            )
        groups = [_group(group, figures, query) for group in module.groups]
        shown.append(
            {
                "module": module,
                "missing": "、".join(missing),
                "tiles": [_tile(c, figures[c], query) for c in codes if figures[c]["connected"]],
                "groups": [part for part in groups if not part["cut_away"]],
                "cut_away": len(module.tiles)
                - len(codes)
                + sum(len(part["group"].tiles) for part in groups if part["cut_away"]),
                "charts": module.charts and all(code in figures for code in CHART_INDICATORS),
            }
        )
    extra = {code: figures[code]["value"] for code in EXTRA_FIGURES if code in figures}
    extra["top_categories"] = _category_names(extra.get("top_categories") or [])
    whole = not cut.dimensions  # the lists beside the tiles are not cut: shown only on the whole desk
    return render(
        request,
        "command/desk.html",
        {
            "scope": scope,
            "first": first,
            "last": last,
            "edition": edition(),
            "modules": shown,
            "extra": extra,
            "cut": cut,
            "cut_options": cut_options(request.user, scope.prefix),
            "meetings": streams.meetings_by_quarter(scope.prefix, timezone.now(), until=last)
            if whole
            else [],
            "party": streams.party_breakdown(scope.level, scope.prefix, first, end)
            if whole and any(m.code in PARTY_MODULES for m in modules())
            else None,
            "territorial": territorial,
            "query": urlencode(query),
            "items_url": f"/command/items/?{urlencode(query)}",
        },
    )


@login_required
def items_page(request: HttpRequest) -> HttpResponse:
    try:
        require_command_role(request.user)
        code = request.GET.get("indicator", "")
        drillable = streams.drillable()
        if code not in drillable:
            raise DomainError(
                "invalid",
                _("可下钻的指标：%(codes)s。") % {"codes": "、".join(drillable)},
                field="indicator",
            )
        scope = unit_scope(request.user, request.GET.get("level"), request.GET.get("code"))
        first, end = days(request.GET)
        cut = parse_cut(request.user, request.GET)
        ind.check_cut(ind.REGISTRY[code], cut)
    except DomainError as error:
        return _error_page(request, error)
    assert scope.prefix is not None
    found = streams.drill(code, scope.prefix, first, end, cut=cut)
    return render(
        request,
        "command/items.html",
        {
            "scope": scope,
            "indicator": ind.REGISTRY[code],
            "rows": found.rows,
            "total": found.total,
            "truncated": found.truncated,
            "territory_names": territory_names(row["territory_code"] for row in found.rows),
            "first": first,
            "last": end - timedelta(days=1),
            "cut_labels": cut_labels(cut),
        },
    )


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    try:
        require_command_role(request.user)
        scope = unit_scope(request.user, request.GET.get("level"), request.GET.get("code"))
    except DomainError as error:
        return _error_page(request, error)
    return render(
        request,
        "command/map.html",
        {"scope": scope, "indicators": map_layers.choropleth_choices(), "map_config": command_map_config()},
    )
