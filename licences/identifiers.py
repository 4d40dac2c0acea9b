"""Electronic licence identifiers (电子证照标识, GB/T 36904):

    1.2.156.3005.2.<licence type code>.<issuer credit code>.<serial>.<version>.<check>

- `1.2.156.3005.2`: the fixed OID arc for electronic licences (ISO → member body → China → …).
- licence type code: the credit code of the body that defines the licence type + a 3-digit sequence.
- issuer credit code: the issuing body's unified social credit code (GB 32100, 18 characters).
- serial: 8 digits, counted per licence type and issuer; version: 3 digits (001 = first issue).
- check: one character of ISO/IEC 7064 MOD 37,36 (GB/T 17710) over every character before it, dots left out.
"""

from __future__ import annotations

import re

from stdnum.cn import uscc

PREFIX = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SERIAL_WIDTH = 8
VERSION_WIDTH = 3

IDENTIFIER_PATTERN = re.compile(
    r"^1\.2\.156\.3005\.2\.(?P<type>[0-9A-Z]{1,40})\.(?P<issuer>[0-9A-Z]{18})\."
    r"(?P<serial>\d{8})\.(?P<version>\d{3})\.(?P<check>[0-9A-Z])$"
)


def mod_37_36(data: str) -> str:
    """The ISO/IEC 7064 MOD 37,36 check character of `data` (digits and capital letters).

    Hybrid system: p = 36; for each character s = (p + value) mod 36 (0 counts as 36), p = 2s mod 37;
    the check character c makes (p + c) mod 36 == 1."""
    product = 36
    for char in data:
        total = (product + ALPHABET.index(char)) % 36 or 36
        product = (total * 2) % 37
    return ALPHABET[(1 - product) % 36]


def compose(*, type_code: str, issuer_credit_code: str, serial: int, version: int = 1) -> str:
    """The full identifier with its check character."""
    if not re.fullmatch(r"[0-9A-Z]{1,40}", type_code):
        raise ValueError(f"licence type code must be 1–40 digits or capitals: {type_code!r}")
    if not uscc.is_valid(issuer_credit_code):
        raise ValueError(f"not a unified social credit code: {issuer_credit_code!r}")
    if not 0 < serial < 10**SERIAL_WIDTH or not 0 < version < 10**VERSION_WIDTH:
        raise ValueError("serial or version out of range")
    body = f"{PREFIX}.{type_code}.{issuer_credit_code}.{serial:0{SERIAL_WIDTH}d}.{version:0{VERSION_WIDTH}d}"
    return f"{body}.{mod_37_36(body.replace('.', ''))}"


def is_valid(identifier: str) -> bool:
    """Well-formed and its check character matches."""
    identifier = (identifier or "").strip().upper()
    match = IDENTIFIER_PATTERN.fullmatch(identifier)
    if match is None:
        return False
    body = identifier[: -len(match["check"]) - 1]
    return mod_37_36(body.replace(".", "")) == match["check"] and uscc.is_valid(match["issuer"])


def normalize(identifier: str) -> str:
    return (identifier or "").strip().upper()


def credit_code(first_17: str) -> str:
    """A credit code from its first 17 characters and the GB 32100 check (demo and test data)."""
    return first_17 + uscc.calc_check_digit(first_17)
