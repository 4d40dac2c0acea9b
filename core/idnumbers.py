"""Citizen ID numbers (公民身份号码, GB 11643): 6-digit address code + 8-digit birth date + 3-digit
sequence + check character ("10X98765432"[Σ aᵢ·Wᵢ mod 11]).

Not `stdnum.cn.ric.is_valid`: it also requires the address code to have existed on the birth date, and its
table dates 320507 (相城区) from 2000, so every resident of the district born before 2000 would be refused
although their numbers are real. Here the address code only has to name a province."""

from __future__ import annotations

import re
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECKS = "10X98765432"
PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54}
    | {61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
)
PATTERN = re.compile(r"^\d{17}[\dX]$")


def compact(number: str) -> str:
    return re.sub(r"[\s-]", "", number or "").upper()


def check_character(first_17: str) -> str:
    return CHECKS[sum(int(c) * w for c, w in zip(first_17, WEIGHTS, strict=True)) % 11]


def is_valid_citizen_id(number: str, *, today: date | None = None) -> bool:
    number = compact(number)
    if not PATTERN.fullmatch(number) or int(number[:2]) not in PROVINCES:
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1880 or (today is not None and born > today):
        return False
    return number[17] == check_character(number[:17])


def birth_date(number: str) -> date:
    """The birth date written in a valid 18-character number."""
    number = compact(number)
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex(number: str) -> str:
    """ "M" or "F": the parity of the sequence digit (odd for men)."""
    return "M" if int(compact(number)[16]) % 2 else "F"
