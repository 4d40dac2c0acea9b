"""Citizen ID validation (GB 11643), including district residents born before 相城区 existed."""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from core.idnumbers import check_character, is_valid_citizen_id


def test_check_character_by_hand() -> None:
    # 11010519491231002: Σ aᵢ·Wᵢ = 167 (DOMAIN.md weights); 167 mod 11 = 2 → "X".
    assert check_character("11010519491231002") == "X"
    assert is_valid_citizen_id("11010519491231002X")
    assert is_valid_citizen_id("11010519491231002x")


def test_a_xiangcheng_resident_born_in_1990_is_valid_here_but_not_in_stdnum() -> None:
    number = "320507199001011236"
    assert is_valid_citizen_id(number)
    assert not ric.is_valid(number)  # why licences does not use stdnum's ric


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",
        "11010519491231002",
        "1101051949123100XX",
        "990105194912310029",
        "110105194913310026",
    ],
)
def test_invalid_numbers(number: str) -> None:
    assert not is_valid_citizen_id(number)
