"""Our scripts hold no words of their own: every text a script shows comes from its page (a json_script of
labels or a data- attribute), translated on the server like the rest of the page, so an English session
never gets Chinese from a script. Chinese may appear in comments only; vendored libraries are not ours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HAN = re.compile(r"[\u3400-\u9fff]")
BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
# A line comment starts at the line's beginning or after a space, so "https://…" in a string is kept.
LINE_COMMENT = re.compile(r"(^|\s)//.*$", re.M)


def our_scripts() -> list[Path]:
    found = [*ROOT.glob("static/js/**/*.js"), *ROOT.glob("*/static/**/*.js")]
    return sorted(p for p in found if "vendor" not in p.relative_to(ROOT).parts and ".venv" not in p.parts)


def code_of(source: str) -> str:
    return LINE_COMMENT.sub(r"\1", BLOCK_COMMENT.sub(" ", source))


def test_the_scripts_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in our_scripts()}
    assert {"static/js/address_search.js", "static/js/map.js", "command/static/command/screen.js"} <= names


@pytest.mark.parametrize("path", our_scripts(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_script_holds_no_chinese_outside_comments(path: Path) -> None:
    code = code_of(path.read_text(encoding="utf-8"))
    lines = [line.strip() for line in code.splitlines() if HAN.search(line)]
    assert lines == []


def test_the_check_sees_a_string_and_spares_a_comment() -> None:
    source = '/* 注释 */\nvar a = "https://x"; // 注释\nvar b = "地图";\n'
    assert [line for line in code_of(source).splitlines() if HAN.search(line)] == ['var b = "地图";']
