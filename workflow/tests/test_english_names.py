"""Every process definition names itself, each state and each action in English (`en:` beside `title:`), so
an English session reads no Chinese process vocabulary on any stream's pages."""

from __future__ import annotations

import re

import yaml
from django.utils import translation

from workflow import english
from workflow.definitions import discover_files

HAN = re.compile(r"[\u3400-\u9fff]")


def test_every_state_and_action_has_an_english_name() -> None:
    missing: list[str] = []
    for path in discover_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        process = data["name"]
        wanted = [("process", "")] + [
            (kind, str(name)) for kind in english.KINDS for name in data.get(kind) or {}
        ]
        for kind, name in wanted:
            en = english.english_names().get((process, kind, name), "")
            if not en or HAN.search(en):
                missing.append(f"{path.parent.parent.name}/{path.name}: {kind} {name or process}")
    assert missing == []


def test_titles_follow_the_language() -> None:
    with translation.override("en"):
        assert english.state_title("command_warning", "withdrawn", "已自动解除") == "Withdrawn by the system"
        assert (
            english.action_title("case_ordinary", "legal_review_pass", "法制审核通过")
            == "Legal review passed"
        )
    with translation.override("zh-hans"):
        assert english.state_title("command_warning", "withdrawn", "已自动解除") == "已自动解除"
