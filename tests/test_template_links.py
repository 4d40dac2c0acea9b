"""Templates link only downward (DESIGN.md's arrow, read from the import contract): a lower app's page
reaches a higher app's page through the link registry (zhili/links.py), never by naming its URL."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from zhili.links import SLOTS, links_for

ROOT = Path(__file__).resolve().parent.parent
URL_TAG = re.compile(r"""\{%\s*url\s+['"]([a-z0-9_]+):""")


def layer_of_app() -> dict[str, int]:
    """Each app's depth in the layers contract of pyproject.toml (0 is the top)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    layers = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")["layers"]
    return {app.strip(): depth for depth, layer in enumerate(layers) for app in layer.split("|")}


def app_of_namespace(namespace: str, apps: dict[str, int]) -> str | None:
    """`enforcement_public` belongs to enforcement; the longest app name that starts the namespace."""
    owners = [app for app in apps if namespace == app or namespace.startswith(f"{app}_")]
    return max(owners, key=len) if owners else None


def upward_links() -> list[str]:
    apps = layer_of_app()
    found = []
    for app, depth in apps.items():
        for template in sorted((ROOT / app / "templates").glob("**/*.html")):
            for number, line in enumerate(template.read_text().splitlines(), 1):
                for namespace in URL_TAG.findall(line):
                    owner = app_of_namespace(namespace, apps)
                    if owner is not None and apps[owner] < depth:
                        found.append(f"{template.relative_to(ROOT)}:{number} links up to {namespace}")
    return found


def test_no_template_names_a_higher_apps_page() -> None:
    assert upward_links() == []


def test_the_scan_sees_an_upward_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan itself: a grid template naming an enforcement page is found."""
    (tmp_path / "grid" / "templates" / "grid").mkdir(parents=True)
    (tmp_path / "grid" / "templates" / "grid" / "x.html").write_text("{% url 'enforcement:convert' 1 %}")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert upward_links() == ["grid/templates/grid/x.html:1 links up to enforcement"]


def test_every_registered_link_resolves() -> None:
    for slot, entries in SLOTS.items():
        for entry in entries:
            try:
                reverse(entry.url_name, args=[1] * len(entry.args(type("Subject", (), {"pk": 1})())))
            except NoReverseMatch:  # pragma: no cover - the failure message names the slot
                pytest.fail(f"{slot}: {entry.url_name} does not resolve")


def test_an_unknown_slot_is_refused() -> None:
    with pytest.raises(KeyError):
        links_for("grid.no_such_slot")


def test_the_work_desk_links_to_the_inbox(client: Client, personas: dict[str, Any]) -> None:
    client.force_login(personas["hq_agency"])
    html = client.get("/me/").content.decode()
    assert f'<a class="tile" href="{reverse("workflow:inbox")}" data-inbox-link>' in html
