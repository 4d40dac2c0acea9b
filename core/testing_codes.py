"""Building well-formed codes for demo data, tests and the bench, never the product: unified social
credit codes (GB 32100, with the embedded GB 11714 organisation code and its own check) and citizen ID
numbers (GB 11643)."""

from __future__ import annotations

from datetime import date

from stdnum.cn import ric, uscc

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def organisation_code(body: str) -> str:
    """The 9-character GB 11714 organisation code: 8 characters and the mod-11 check."""
    if len(body) != 8:
        raise ValueError("an organisation code body has 8 characters")
    total = sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code(serial: int, *, region: str = "320507", department: str = "1", category: str = "1") -> str:
    """A valid unified social credit code: department (1 = 机构编制) + category (1 = 机关) + region +
    organisation code (from `serial`) + check."""
    first17 = f"{department}{category}{region}{organisation_code(f'{serial:08d}')}"
    code = first17 + uscc.calc_check_digit(first17)
    assert uscc.is_valid(code)
    return code


def citizen_id(serial: int, *, region: str = "320500", born: date = date(1980, 1, 1)) -> str:
    """A valid 18-character citizen ID number (sequence from `serial`)."""
    first17 = f"{region}{born:%Y%m%d}{serial % 1000:03d}"
    number = first17 + ric.calc_check_digit(first17 + "0")
    assert ric.is_valid(number), number
    return number
