"""The publication path: the scrubber masks generated personal data wherever it sits in Chinese text and
leaves ordinary text alone; channels pass only their named fields."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.idnumbers import check_character, is_valid_citizen_id
from core.publication import CHANNELS, publish, scrub

CJK = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作"
    "地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
)
PUNCT = "，。；：、（）！？ "
filler = st.text(alphabet=CJK + PUNCT, max_size=30)

# Lead-ins a person might type before the number; never digits or Latin letters right next to it.
lead = st.sampled_from(["", "身份证", "身份证号：", "电话", "手机：", "卡号", "联系方式 ", "（", "，"])


@st.composite
def citizen_ids(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from([11, 31, 32, 33, 44, 51, 65]))
    region = f"{province}{draw(st.integers(0, 9999)):04d}"
    born = date(1930, 1, 1) + timedelta(days=draw(st.integers(0, 365 * 90)))
    first17 = f"{region}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    number = first17 + check_character(first17)
    assert is_valid_citizen_id(number)
    return number


@st.composite
def old_citizen_ids(draw: st.DrawFn) -> str:
    region = f"{draw(st.sampled_from([32, 33, 44]))}{draw(st.integers(0, 9999)):04d}"
    born = date(1920, 1, 1) + timedelta(days=draw(st.integers(0, 365 * 78)))
    return f"{region}{born:%y%m%d}{draw(st.integers(0, 999)):03d}"


@st.composite
def mobiles(draw: st.DrawFn) -> tuple[str, str]:
    """(as written, the bare 11 digits)."""
    digits = f"1{draw(st.integers(3, 9))}{draw(st.integers(0, 10**9 - 1)):09d}"
    sep = draw(st.sampled_from(["", " ", "-"]))
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "86-", "0086"]))
    return f"{prefix}{digits[:3]}{sep}{digits[3:7]}{sep}{digits[7:]}", digits


def _luhn_complete(body: str) -> str:
    for check in "0123456789":
        digits = body + check
        total = 0
        for position, char in enumerate(reversed(digits)):
            value = int(char) * (2 if position % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable")


@st.composite
def bank_cards(draw: st.DrawFn) -> tuple[str, str]:
    length = draw(st.integers(16, 19))
    prefix = draw(st.sampled_from(["62", "4", "51", "60", "35"]))
    body = prefix + "".join(str(draw(st.integers(0, 9))) for _ in range(length - 1 - len(prefix)))
    digits = _luhn_complete(body)
    grouped = draw(st.booleans())
    written = " ".join(digits[i : i + 4] for i in range(0, len(digits), 4)) if grouped else digits
    return written, digits


@settings(max_examples=150, deadline=None)
@given(before=filler, after=filler, label=lead, number=citizen_ids())
def test_an_id_number_anywhere_in_chinese_text_is_masked(
    before: str, after: str, label: str, number: str
) -> None:
    out = scrub(f"{before}{label}{number}{after}")
    assert number not in out
    assert number[6:14] not in out  # the birth date goes with it


@settings(max_examples=80, deadline=None)
@given(before=filler, after=filler, number=old_citizen_ids())
def test_a_15_digit_id_number_is_masked(before: str, after: str, number: str) -> None:
    assert number not in scrub(f"{before}身份证{number}{after}")


@settings(max_examples=150, deadline=None)
@given(before=filler, after=filler, label=lead, phone=mobiles())
def test_a_mobile_number_in_any_common_spelling_is_masked(
    before: str, after: str, label: str, phone: tuple[str, str]
) -> None:
    written, digits = phone
    out = scrub(f"{before}{label}{written}{after}")
    assert written not in out
    assert digits not in out.replace(" ", "").replace("-", "")


@settings(max_examples=150, deadline=None)
@given(before=filler, after=filler, card=bank_cards())
def test_a_bank_card_number_is_masked(before: str, after: str, card: tuple[str, str]) -> None:
    written, digits = card
    out = scrub(f"{before}卡号{written}{after}")
    assert written not in out
    assert digits not in out.replace(" ", "")


@settings(max_examples=60, deadline=None)
@given(before=filler, after=filler, number=citizen_ids(), phone=mobiles(), card=bank_cards())
def test_several_kinds_together(
    before: str, after: str, number: str, phone: tuple[str, str], card: tuple[str, str]
) -> None:
    text = f"{before}当事人张三丰（身份证{number}，电话{phone[0]}），卡号{card[0]}，住12幢3单元401室{after}"
    out = scrub(text)
    for planted in (number, phone[0], card[0], "张三丰", "401室"):
        assert planted not in out


ORDINARY = [
    "2026年12月3日14时30分，于胡湾路88号发现占道经营，已现场劝离。",
    "2026-12-03 14:00:05 受理；罚款人民币5000元（伍仟元整），滞纳金150.00元。",
    "受理编号 SJ261203ABCD1234，办件 SP2026120312345678，已办结。",
    "网格 320507001002003、村（社区）320507001002、镇 320507001、区 320507。",
    "决定书 相城黄综执罚决字〔2026〕第0012号，立案号 相城黄综执立字〔2026〕第0003号，归档号 20260017。",
    "统一社会信用代码 91320507MA1XY2Z34K，共涉及12户村民，3楼楼道堆物，面积约120平方米。",
    "当事人王某已于当日整改完毕；申请人应当提交材料；当事人高度重视。",
    "政务服务便民热线12345，坐标 120.61234, 31.43210。",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_not_mangled(text: str) -> None:
    assert scrub(text) == text


@settings(max_examples=100, deadline=None)
@given(
    day=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    amount=st.integers(0, 10**7),
    cents=st.integers(0, 99),
    grid=st.integers(1, 999),
)
def test_generated_dates_amounts_and_division_codes_survive(
    day: date, amount: int, cents: int, grid: int
) -> None:
    text = f"{day:%Y年%m月%d日}、{day:%Y-%m-%d} 罚款{amount}.{cents:02d}元，网格320507001002{grid:03d}。"
    assert scrub(text) == text


def test_names_by_pattern_and_by_caller() -> None:
    assert scrub("姓名：张三丰") == "姓名：张**"
    assert scrub("户主王小明，") == "户主王**，"
    assert scrub("联系人：欧阳娜娜") == "联系人：欧阳**"
    assert scrub("经查，王小明（身份证已核）") == "经查，王**（身份证已核）"
    assert scrub("经约谈李先生", names=["李先生"]) == "经约谈李**"
    assert scrub("当事人王某") == "当事人王某"


def test_house_and_room_numbers() -> None:
    assert scrub("住12幢3单元401室") == "住**幢*单元***室"
    assert scrub("阳澄湖路88号3幢502室") == "阳澄湖路**号*幢***室"
    assert scrub("401室漏水") == "***室漏水"
    assert scrub("４０１室") == "***室"


def test_landlines_with_their_area_code() -> None:
    assert "65432100" not in scrub("座机0512-65432100")
    assert "65432100" not in scrub("（0512）65432100")


@pytest.mark.django_db  # "王小明" is a candidate name: the registry is asked (and knows nobody)
def test_publish_passes_only_named_fields_and_scrubs_text() -> None:
    row = dict.fromkeys(CHANNELS["grid.public_status"].plain, "x")
    row.update(public_reply="已联系户主王小明，13812345678", reporter_phone="13812345678", secret="s")
    out = publish("grid.public_status", row)
    assert set(out) == CHANNELS["grid.public_status"].plain | CHANNELS["grid.public_status"].text
    assert "secret" not in out and "reporter_phone" not in out
    assert out["public_reply"] == "已联系户主王**，138****5678"


def test_publish_refuses_a_row_missing_a_named_field() -> None:
    with pytest.raises(KeyError):
        publish("ratings.public_form", {"receipt_no": "SP1"})
