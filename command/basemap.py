"""The base map of the command centre's maps (the command map, a key project's map, the wall screen):
the territory and grid maps' settings — MAP_TILE_URL, MAP_TILE_ATTRIBUTION and MAP_TILE_CRS (wgs84, or
gcj02 for Chinese tile services, whose tiles static/command/layers.js draws our WGS-84 data onto by
shifting it). None configured: the outlines stand alone. Passed to the page as a json_script."""

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
    """The command map's base map and the words of its cases' and applications' cards."""
    return {
        **base_map(),
        "labels": {
            "layers": {"event": _("网格事件"), "case": _("执法案件"), "application": _("审批办件")},
            "open": {"case": _("打开案件"), "application": _("打开办件")},
            "lights": {"red": _("超期"), "yellow": _("预警"), "green": _("正常")},
            "due": _("本环节期限"),
            "approximate": _("按所属区划位置标注"),
            "unplaced": _("另有 %(count)s 件所属区划无位置，未标注"),
        },
    }
