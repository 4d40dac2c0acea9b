"""Finding a catalogue item the way a window clerk types it: a part of its name, its code, or the pinyin
initials of its name (居住证 → jzz). Initials are computed once per name per process (lru_cache), never
per request per item."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from approvals.models import ServiceItem


def _keep_latin(chunk: str) -> str:
    return "".join(c.lower() for c in chunk if c.isascii() and c.isalnum())


@lru_cache(maxsize=16384)
def initials(name: str) -> str:
    """The pinyin initials of a name, lower case; Latin letters and digits kept, punctuation dropped
    (phrases resolve heteronyms: 重庆 → cq, 重新 → cx)."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors=_keep_latin)).lower()


def search_keys(item: ServiceItem) -> str:
    """What a typed query may match besides the name: the implementation code, the basic code and
    the name's pinyin initials (space-separated, lower case)."""
    version = item.current_version
    name = version.name if version is not None else ""
    codes = [item.implementation_code, item.basic_code]
    return " ".join(part.lower() for part in [*codes, initials(name)] if part)


def with_search_keys(items: Iterable[ServiceItem]) -> list[ServiceItem]:
    """The items, each carrying `search_keys` for the intake picker (`<option data-keys>`)."""
    listed = list(items)
    for item in listed:
        item.search_keys = search_keys(item)  # type: ignore[attr-defined]
    return listed
