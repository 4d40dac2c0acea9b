"""GB/T 36904 identifiers: the MOD 37,36 check character (hand-computed examples) and the format."""

from __future__ import annotations

import pytest
from stdnum.iso7064 import mod_37_36 as stdnum_mod_37_36

from licences import identifiers
from licences.reference import organisation_code, synthetic_credit_code

ISSUER = "11100000000013338W"  # a valid credit code from DOMAIN.md


def test_check_character_by_hand() -> None:
    # "A" (10): p=36 → s=(36+10) mod 36=10 → p=2·10 mod 37=20; c=(1−20) mod 36=17 → "H".
    assert identifiers.mod_37_36("A") == "H"
    # "12": p=36 → s=1, p=2 → s=4, p=8; c=(1−8) mod 36=29 → "T".
    assert identifiers.mod_37_36("12") == "T"
    # "0": s=(36+0) mod 36=0 → counts as 36, p=72 mod 37=35; c=(1−35) mod 36=2 → "2".
    assert identifiers.mod_37_36("0") == "2"


@pytest.mark.parametrize("data", ["A", "12", "1215630052", "ZZZ9", "12156300521110000000001333800000001001"])
def test_check_character_agrees_with_python_stdnum(data: str) -> None:
    assert identifiers.mod_37_36(data) == stdnum_mod_37_36.calc_check_digit(data)
    assert stdnum_mod_37_36.is_valid(data + identifiers.mod_37_36(data))


def test_compose_has_the_gbt_36904_shape() -> None:
    identifier = identifiers.compose(type_code="ABC001", issuer_credit_code=ISSUER, serial=17, version=1)
    body = "1.2.156.3005.2.ABC001.11100000000013338W.00000017.001"
    assert identifier == f"{body}.{identifiers.mod_37_36(body.replace('.', ''))}"
    assert identifiers.is_valid(identifier)
    assert identifiers.is_valid(identifier.lower())


def test_a_changed_character_breaks_the_check() -> None:
    identifier = identifiers.compose(type_code="ABC001", issuer_credit_code=ISSUER, serial=17)
    tampered = identifier.replace(".00000017.", ".00000018.")
    assert not identifiers.is_valid(tampered)
    assert not identifiers.is_valid(identifier[:-1] + ("0" if identifier[-1] != "0" else "1"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type_code": "abc.1", "issuer_credit_code": ISSUER, "serial": 1}, "type code"),
        ({"type_code": "ABC001", "issuer_credit_code": "11100000000013338X", "serial": 1}, "credit code"),
        ({"type_code": "ABC001", "issuer_credit_code": ISSUER, "serial": 0}, "range"),
        ({"type_code": "ABC001", "issuer_credit_code": ISSUER, "serial": 100_000_000}, "range"),
    ],
)
def test_compose_refuses_bad_parts(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        identifiers.compose(**kwargs)  # type: ignore[arg-type]


def test_organisation_and_credit_codes_are_well_formed() -> None:
    # GB 11714: 3·0+7·1+9·4+10·1+5·3+8·3+4·7+2·2 = 124; 124 mod 11 = 3; 11−3 = 8.
    assert organisation_code("01413372") == "014133728"
    from stdnum.cn import uscc

    assert uscc.is_valid(synthetic_credit_code("11", "320507", "01413372"))
