"""The base map of the command centre's maps (the command map, a key project's map, the wall screen):
the territory and grid maps' settings — MAP_TILE_URL, MAP_TILE_ATTRIBUTION and MAP_TILE_CRS (wgs84, or
gcj02 for Chinese tile services, whose tiles static/command/layers.js draws our WGS-84 data onto by
shifting it). None configured: the outlines stand alone. Passed to the page as a json_script, with the
words its script shows (translated here: the scripts hold no text of their own)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _


def base_map() -> dict[str, Any]:
    return {
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "tileCrs": settings.MAP_TILE_CRS,
    }


def command_map_config() -> dict[str, Any]:
    """The command map's base map and the words of its cards, layers, legend and count."""
    return {
        **base_map(),
        "labels": {
            "layers": {"event": _("网格事件"), "case": _("执法案件"), "application": _("审批办件")},
            "open": {"event": _("打开事项"), "case": _("打开案件"), "application": _("打开办件")},
            "lights": {"red": _("超期"), "yellow": _("预警"), "green": _("正常")},
            "due": _("本环节期限"),
            "approximate": _("按所属区划位置标注"),
            "unplaced": _("另有 %(count)s 件所属区划无位置，未标注"),
            "shown": _("显示 %(shown)s / %(all)s 件"),
            "failed": _("地图数据暂时无法读取。"),
            "legend": _("网格按“%(indicator)s”着色（近30天）"),
            "notConnected": _("该指标数据源未接入"),
            "tooManyGrids": _("网格过多，请选择镇/街道后按指标着色"),
            "progress": _("进度"),
            "projectMap": _("项目一张图"),
            "projectsFailed": _("重点项目暂时无法读取。"),
            "partyKinds": {"party_project": _("党建项目"), "vanguard_post": _("党员先锋岗")},
            "milestones": _("里程碑"),
            "partyFailed": _("党建一图暂时无法读取。"),
            "places": {
                "inspected": _("本期已巡查"),
                "due": _("本期待巡查"),
                "missed": _("上期未巡查"),
                "every": _("每 %(days)s 天巡查一次"),
                "last": _("最近巡查"),
                "never": _("从未巡查"),
                "open": _("打开单位/房屋"),
                "shown": _("重点场所 %(count)s 处"),
                "failed": _("重点场所暂时无法读取。"),
            },
            "cardLoading": _("载入可执行操作…"),
            "card": {
                "failed": _("事项卡片暂时无法读取，请稍后重试。"),
                "done": _("%(number)s：%(action)s 已完成。"),
                "notDone": _("操作未完成（%(status)s），请重试。"),
                "refreshed": _("（卡片已刷新）"),
                "network": _("网络异常，操作可能未提交，请刷新卡片后重试。"),
            },
        },
    }


def project_map_config() -> dict[str, Any]:
    """A key project's map: the base map and the words of its items' popups and count."""
    return {
        **base_map(),
        "labels": {
            "lights": {"red": _("超期"), "yellow": _("临期"), "green": _("正常")},
            "items": _("关联事项 %(count)s 件，其中有定位的 %(placed)s 件已标在地图上。"),
            "failed": _("项目数据暂时无法读取。"),
        },
    }


def screen_config() -> dict[str, Any]:
    """The wall screen: the base map and the words of its tiles, trend, feed and warnings."""
    return {
        **base_map(),
        "labels": {
            "notConnected": _("未接入：%(source)s"),
            "change": _("环比 %(change)s"),
            "points": _("%(change)s个百分点"),
            "filed": _("上报立案"),
            "closed": _("办结"),
            "feedEmpty": _("暂无新上报或新超期事项"),
            "new": _("新上报"),
            "overdue": _("超期"),
            "warningsEmpty": _("暂无未处理预警"),
            "warning": _("预警"),
        },
    }
