"""Synthetic identifiers with valid check characters (tests, the demo seed, the benchmark): never a real
person's or company's number, since the sequence digits are made up per call site."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from stdnum.cn import uscc

from core.idnumbers import check_character
from territory.testing import HUANGQIAO_VILLAGE

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def synthetic_id_number(address_code: str, born: date, sequence: int) -> str:
    """An 18-character citizen ID with a valid check character; odd sequences are men."""
    first = f"{address_code[:6]}{born:%Y%m%d}{sequence % 1000:03d}"
    return first + check_character(first)


def synthetic_uscc(division_code: str, serial: int) -> str:
    """91 (enterprise) + the 6-digit division code + a 9-character serial + the check character."""
    body = ""
    for _ in range(9):
        serial, digit = divmod(serial, len(USCC_ALPHABET))
        body = USCC_ALPHABET[digit] + body
    first = f"91{division_code[:6]}{body}"
    return first + uscc.calc_check_digit(first)


def register_named_person(name: str, *, actor: Any, now: datetime, sequence: int = 901) -> Any:
    """A registered resident of 黄桥's first grid called `name` (other apps' tests of the publication
    path: a name the registries know although no caller passes it)."""
    from registry.actions import PersonInput, do_register_person

    data = PersonInput(
        territory_code=f"{HUANGQIAO_VILLAGE}001",
        kind="registered",
        name=name,
        id_number=synthetic_id_number("320507", date(1970, 5, 1), sequence),
    )
    return do_register_person(data, actor=actor, now=now)


def entity_page_section(html: str, key: str) -> str | None:
    """The HTML of one stream's section of an entity page (一企一档), None when the page leaves it out."""
    start = html.find(f'id="section-{key}"')
    if start < 0:
        return None
    return html[start : html.index("</section>", start)]
