"""The surnames (姓氏) of data/surnames.txt: single ones (百家姓 and frequent modern ones) and compound
ones (复姓). The name mask keeps a compound surname whole (欧阳**); the publication path starts its
candidate names at them."""

from __future__ import annotations

import functools
from pathlib import Path

SURNAMES_FILE = Path(__file__).resolve().parent / "data" / "surnames.txt"


@functools.cache
def surnames() -> tuple[frozenset[str], frozenset[str]]:
    """(single surnames, compound surnames) from data/surnames.txt."""
    single: set[str] = set()
    compound: set[str] = set()
    section = ""
    for line in SURNAMES_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "single":
            single.update(char for char in line if not char.isspace())
        elif section == "compound":
            compound.add(line)
    return frozenset(single), frozenset(compound)


def surname_of(name: str) -> str:
    """The surname a name starts with: a compound surname of the list when the name is longer than it
    (欧阳娜娜 → 欧阳; 欧阳 alone is 欧 + a given name), else its first character."""
    name = name.strip()
    if len(name) > 2 and name[:2] in surnames()[1]:
        return name[:2]
    return name[:1]
