"""One refusal vocabulary (issue 12): every `PermissionRefused` raised in the code says `not_allowed`
(401 `not_authenticated` aside), and DRF's own permission refusals are rendered with the same code."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from rest_framework import exceptions

from core.api import REFUSED, exception_handler

RAISE = re.compile(r"PermissionRefused\(\s*\"([a-z_]+)\"")


def test_every_refusal_says_not_allowed() -> None:
    base = Path(settings.BASE_DIR)
    codes: dict[str, set[str]] = {}
    folders = [p for p in base.iterdir() if p.is_dir() and not p.is_symlink() and p.name[0] not in "._"]
    paths = [path for folder in folders if folder.name != "node_modules" for path in folder.rglob("*.py")]
    for path in paths:
        if "migrations" in path.parts:
            continue
        for code in RAISE.findall(path.read_text(encoding="utf-8")):
            codes.setdefault(code, set()).add(str(path.relative_to(base)))
    assert REFUSED == "not_allowed"
    assert set(codes) <= {"not_allowed", "not_authenticated"}, codes


def test_drf_permission_denied_is_not_allowed() -> None:
    response = exception_handler(exceptions.PermissionDenied(), {})
    assert response is not None and response.status_code == 403
    assert response.data["errors"][0]["code"] == "not_allowed"
