"""Staff pages of the territory: the map (/territory/map/) and a grid's page (/territory/grids/<code>/).
The map draws from the JSON API (territory.api); the grid page is rendered on the server."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.jurisdiction import jurisdiction_codes
from core.errors import DomainError
from territory import selectors
from territory.api import people_assigned


def _map_labels() -> dict[str, str]:
    return {
        "district": _("区界"),
        "towns": _("镇/街道"),
        "villages": _("村/社区"),
        "grids": _("网格"),
        "comprehensive": _("综合网格"),
        "dedicated": _("专属网格"),
        "areaClass": _("区域类别"),
        "kind": _("网格类型"),
        "village": _("村/社区"),
        "town": _("镇/街道"),
        "code": _("网格编码"),
        "people": _("网格人员"),
        "nobody": _("暂无人员"),
        "loading": _("加载中…"),
        "failed": _("加载失败"),
        "synthetic": _("生成数据"),
        "syntheticNote": _("边界为生成数据（示意）"),
        "details": _("详情页"),
        "dedicatedTo": _("专属对象"),
        "legend": _("图例"),
        "classA": _("A类区域"),
        "classB": _("B类区域"),
        "classC": _("C类区域"),
        "gridCount": _("网格数"),
        "labels": _("名称标注"),
        "baseLayer": _("底图"),
    }


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    config = {
        "urls": {
            "district": reverse("territory-layer-district"),
            "towns": reverse("territory-layer-towns"),
            "villages": reverse("territory-layer-villages"),
            "grids": reverse("territory-grids"),
            "grid": reverse("territory-grid", args=["000000000000000"]).replace("000000000000000", "{code}"),
            "gridPage": reverse("territory:grid", args=["000000000000000"]).replace(
                "000000000000000", "{code}"
            ),
        },
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "labels": _map_labels(),
    }
    return render(request, "territory/map.html", {"map_config": config})


@login_required
def grid_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        checked = selectors.check_code(code, length=15, field="code", label="网格")
        assert checked is not None
        detail = selectors.get_grid(jurisdiction_codes(request.user), checked)
    except DomainError as exc:  # malformed, missing or outside the jurisdiction: all "not found"
        raise Http404(exc.message) from exc
    feature = detail.as_feature()
    return render(
        request,
        "territory/grid_detail.html",
        {
            "grid": detail.grid,
            "properties": feature["properties"],
            "feature": feature,
            "people": people_assigned(detail.grid.code),
            "map_config": {
                "tileUrl": settings.MAP_TILE_URL,
                "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
                "labels": _map_labels(),
            },
        },
    )
