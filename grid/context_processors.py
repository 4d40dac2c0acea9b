"""Grid links in the top navigation of every page: by role for staff, the public form for everyone else."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from grid.views_common import grid_nav


def navigation(request: HttpRequest) -> dict[str, Any]:
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return {"grid_nav": grid_nav(request)}
    return {
        "grid_nav": [
            (reverse("grid:public_report"), _("我要反映")),
            (reverse("grid:public_track"), _("进度查询")),
        ]
    }
