"""The publication path: everything an anonymous reader sees leaves through `publish(channel, row)`.

- Each channel names its fields: `plain` ones (codes, dates, states, reference names the platform itself
  maintains) pass as they are, `text` ones (anything a person typed) go through `scrub`. A key that is not
  named is dropped, so a field added to a model or a builder never leaks by accident; a named key that is
  missing raises (the builder and the allowlist must agree).
- `scrub(text, names=…)` masks citizen ID numbers (GB 11643, 18 and 15 digits: a province code and a
  real birth date; the 18th character need not check, so a mistyped number is masked too), mainland
  mobile numbers (also spaced, dashed, +86), landlines written with their area code, bank card numbers
  (16–19 digits, Luhn), personal names (after 姓名/当事人/联系人/户主…, before "（身份证…", and the
  names the caller knows; "王某" is already anonymous) and house/room numbers (12幢3单元401室).
  Masks keep the shape (138****5678, 张**, 欧阳** — `core.pii`'s masks), never the value. Regular
  expressions only: deterministic and fast, and no database (the log filter uses it too).
- Names known to the registries: `publish` also masks the personal names of registered people that a
  text contains although no caller named them. core cannot import the registries, so an app registers
  a name source (`register_name_source`, the registry app does in its AppConfig.ready): given candidate
  strings, it answers which are names of registered people. The candidates are the Han runs that begin
  with a surname of `data/surnames.txt` (2–3 characters after a single surname, 3–4 with a compound
  one), at most `MAX_NAME_CANDIDATES` a text; a row (or a list, `publish_many`) is one lookup. A name
  inside a string the caller declares public (an enterprise's name) is left as it is there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.idnumbers import PROVINCES
from core.pii import mask_id_number, mask_name, mask_phone
from core.surnames import surnames

__all__ = [
    "CHANNELS",
    "MAX_NAME_CANDIDATES",
    "Channel",
    "NameSource",
    "name_candidates",
    "publish",
    "publish_many",
    "register_name_source",
    "registered_names",
    "scrub",
]

_CJK = "\u4e00-\u9fff"
# ASCII digits only: `\d` would also take full-width and other scripts' digits.
_ID18 = re.compile(r"(?<![0-9A-Za-z])([0-9]{6})[ -]?([0-9]{8})[ -]?([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])[0-9]{15}(?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![0-9A-Za-z])[3-6](?:[ -]?[0-9]){15,18}(?![0-9A-Za-z])")
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+|00)?86[ -]?)?(1[3-9][0-9])[ -]?([0-9]{4})[ -]?([0-9]{4})(?![0-9A-Za-z])"
)
_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z])[(（]?(0[1-9][0-9]{1,2})(?:[)）]\s*|[ -])([2-9][0-9]{6,7})(?![0-9A-Za-z])"
)
# Common surnames (单姓 and the frequent 复姓): a bare "label + surname + given name" is a name.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵钱严覃武戴莫孔汤"
    "施牛樊葛邢乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕季裴霍涂苗谷盛"
    "曲翁冉骆蓝辛靳柴蒙鲍喻祁蒲滕饶牟艾尤穆农卓缪芦麦褚娄窦戚岑党卜冷晏卫柏瞿桂佟臧闵苟邬卞姬仇栾"
    "隋刁桑郎甄丛虞敖巩佘苑邝"
)
# Left out on purpose: surnames that are also common words after 当事人/申请人 (于 应 高 方 和 时 成 明 …).
_COMPOUND = "欧阳|司马|诸葛|上官|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|令狐"
_NAME = rf"(?:{_COMPOUND}|[{_SURNAMES}])(?!某)[{_CJK}]{{1,2}}"
_LABELS = (
    "姓名|当事人|联系人|户主|业主|租户|房东|申请人|反映人|举报人|投诉人"
    "|报告人|居民|村民|住户|法定代表人|负责人"
)
# "当事人：张三丰", "户主王小明", "姓名 李四" — not "当事人王某" (某 is already anonymous).
_LABELLED = re.compile(rf"((?:{_LABELS})\s*[:：]?\s*)({_NAME})")
_LABELLED_ANY = re.compile(rf"(姓名\s*[:：]\s*)([{_CJK}·]{{2,5}})")
# "王小明（身份证…", "王小明(电话…", "王小明，男，": a name that the next words identify as a person.
_BEFORE_DETAILS = re.compile(rf"({_NAME})(?=\s*[（(,，]\s*(?:身份证|公民身份|证件|电话|手机|联系|男|女|住))")
# Not 户 (12户 counts households), not a bare 号 (胡湾路88号 is a street address).
_UNIT = r"(?:号楼|幢|栋|单元|室)"
_HOUSE = re.compile(
    rf"(?:[0-9]+(?:号|座)?)?[0-9]+\s*{_UNIT}(?:\s*[0-9]+\s*(?:{_UNIT}|层|楼))*(?:[0-9]+(?![0-9]))?"
)
# Full-width digits (０-９) read as ASCII first, so "４０１室" is caught like "401室".
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_DIGIT = re.compile(r"[0-9]")


@dataclass(frozen=True)
class Channel:
    """What one anonymous output may carry: `plain` fields as they are, `text` fields scrubbed."""

    name: str
    plain: frozenset[str]
    text: frozenset[str]


def _channel(name: str, plain: str, text: str) -> Channel:
    return Channel(name, frozenset(plain.split()), frozenset(text.split()))


CHANNELS: dict[str, Channel] = {
    c.name: c
    for c in (
        _channel(
            "grid.public_status",
            "receipt_number kind category reported_at status state public_state state_title handling_unit "
            "deadline time_left expected closed_at timeline after_photos duplicate_of rating rating_allowed",
            "public_reply",
        ),
        _channel(
            "open311.request",
            "service_request_id status service_name service_code agency_responsible service_notice "
            "requested_datetime updated_datetime expected_datetime address_id zipcode lat long media_url",
            "status_notes description address",
        ),
        _channel(
            "enforcement.decision",
            "decision_number credit_code matter authority decided_at published_at",
            "party_name basis result",
        ),
        _channel(
            "approvals.tracking",
            "receipt_no item_name centre_name state state_title handling_unit time_left light paused "
            "submitted_at completed_at outcome outcome_label delivery_method ems_tracking_no "
            "certificate_identifier",
            "corrections_note",
        ),
        _channel(
            "licences.verification",
            "identifier status status_label licence_type holder_name holder_number issuer issued_on "
            "valid_until revoked_at identifier_valid",
            "title revoke_reason",
        ),
        _channel("ratings.public_form", "receipt_no item_name centre_name", ""),
        _channel("territorial.disclosure_entry", "booked_on direction amount", "summary"),
        _channel(
            "territorial.disclosure_contract",
            "number annual_price starts_on ends_on state",
            "counterparty subject",
        ),
        _channel("territorial.disclosure_asset", "applied_on kind number value", "name"),
    )
}


def publish(
    channel: str,
    row: Mapping[str, Any],
    *,
    names: Iterable[str] = (),
    public: Iterable[str] = (),
    registered: Collection[str] | None = None,
) -> dict[str, Any]:
    """The row as the channel may show it: only its named fields, free text scrubbed. `names`: the
    personal names the caller knows of, masked wherever they appear; `public`: names that are public
    information (an enterprise's), where a registered person's name is not masked; `registered`: the
    registered people's names already looked up for these texts (`registered_names`), else one lookup."""
    spec = CHANNELS[channel]
    if registered is None:
        registered = registered_names(texts_of(channel, row))
    known, kept = tuple(names), tuple(public)
    out: dict[str, Any] = {}
    for key, value in row.items():  # the row's order: formats such as Open311's XML fix the order
        if key in spec.plain:
            out[key] = value
        elif key in spec.text:
            out[key] = (
                scrub(value, names=known, registered=registered, public=kept)
                if isinstance(value, str)
                else value
            )
    missing = (spec.plain | spec.text) - out.keys()
    if missing:
        raise KeyError(f"{channel}: the row lacks {', '.join(sorted(missing))}")
    return out


def publish_many(
    channel: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    names: Sequence[Iterable[str]] | None = None,
    public: Sequence[Iterable[str]] | None = None,
) -> list[dict[str, Any]]:
    """`publish` for a list, with one registry lookup for all its rows (a list's queries do not grow
    with its length); `names[i]` and `public[i]` belong to `rows[i]`."""
    per_row_names = list(names) if names is not None else [()] * len(rows)
    per_row_public = list(public) if public is not None else [()] * len(rows)
    if len(per_row_names) != len(rows) or len(per_row_public) != len(rows):
        raise ValueError("publish_many: names and public must have one entry per row")
    found = registered_names(text for row in rows for text in texts_of(channel, row))
    return [
        publish(channel, row, names=row_names, public=row_public, registered=found)
        for row, row_names, row_public in zip(rows, per_row_names, per_row_public, strict=True)
    ]


def texts_of(channel: str, row: Mapping[str, Any]) -> list[str]:
    """The free-text values of a row that the channel shows (what the scrubber will read)."""
    spec = CHANNELS[channel]
    return [value for key, value in row.items() if key in spec.text and isinstance(value, str) and value]


# ------------------------------------------------------------------------- names known to the registries

NameSource = Callable[[frozenset[str]], Iterable[str]]
# At most this many candidates a text: bounded work, and one lookup of one text stays one query under
# SQLite's 999 bound parameters. 2 candidates per surname position: ~450 positions, a page of text.
MAX_NAME_CANDIDATES = 900
_NAME_SOURCES: list[NameSource] = []
_HAN_RUN = re.compile(rf"[{_CJK}]{{2,}}")


def register_name_source(source: NameSource) -> None:
    """Add a source of registered people's names (once; registering the same callable again is a no-op).
    It is called with candidate strings and returns those that are names of registered people."""
    if source not in _NAME_SOURCES:
        _NAME_SOURCES.append(source)


def name_candidates(text: str) -> list[str]:
    """The strings of `text` that could be a personal name: inside a run of Han characters, a single
    surname and 1–2 more characters, or a compound surname and 1–2 more; in text order, without
    repeats, at most MAX_NAME_CANDIDATES."""
    single, compound = surnames()
    found: dict[str, None] = {}
    for run in _HAN_RUN.findall(text or ""):
        for start in range(len(run) - 1):
            if run[start : start + 2] in compound:
                lengths: tuple[int, ...] = (3, 4)
            elif run[start] in single:
                lengths = (2, 3)
            else:
                continue
            for length in lengths:
                if start + length <= len(run):
                    found.setdefault(run[start : start + length])
                    if len(found) >= MAX_NAME_CANDIDATES:
                        return list(found)
    return list(found)


def registered_names(texts: Iterable[str]) -> frozenset[str]:
    """The names of registered people that occur in `texts`: one call of each name source for all of
    them (none when no source is registered or no text holds a candidate)."""
    candidates: set[str] = set()
    for text in texts:
        candidates.update(name_candidates(text))
    if not candidates or not _NAME_SOURCES:
        return frozenset()
    asked = frozenset(candidates)
    found: set[str] = set()
    for source in _NAME_SOURCES:
        found.update(name for name in source(asked) if name in asked)
    return frozenset(found)


# --------------------------------------------------------------------------------------------- scrubber


def _valid_birth(year: int, month: int, day: int) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return 1880 <= born.year <= 2100


def _id18(match: re.Match[str]) -> str:
    # A province and a real birth date make it an ID number; the check character (GB 11643) is not
    # required, so one mistyped digit does not publish someone's number.
    number = "".join(match.groups()).upper()
    if int(number[:2]) not in PROVINCES or not _valid_birth(
        int(number[6:10]), int(number[10:12]), int(number[12:14])
    ):
        return match.group(0)
    return mask_id_number(number)


def _id15(match: re.Match[str]) -> str:
    # No check character before 1999: a province and a birth date (19YYMMDD). Born 1910 or later, which
    # also keeps 15-digit grid codes ("320507" + "00x" town…) out: their "year" is 00–01.
    number = match.group(0)
    year = int(number[6:8])
    if int(number[:2]) not in PROVINCES or year < 10:
        return number
    if not _valid_birth(1900 + year, int(number[8:10]), int(number[10:12])):
        return number
    return mask_id_number(number)


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"[ -]", "", match.group(0))
    if not _luhn(digits):
        return match.group(0)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def _mobile(match: re.Match[str]) -> str:
    return mask_phone("".join(match.groups()))


def _landline(match: re.Match[str]) -> str:
    area, number = match.groups()
    return f"{area}-{'*' * (len(number) - 2)}{number[-2:]}"


def _masked_name(match: re.Match[str]) -> str:
    return match.group(1) + mask_name(match.group(2))


def _house(match: re.Match[str]) -> str:
    return _DIGIT.sub("*", match.group(0))


# Cheap tests first: most free text has no long digit run, no unit word, no label, so most passes skip.
_DIGIT_RUN = re.compile(r"[0-9][0-9 ()（）+-]{8,}[0-9Xx]")
_HOUSE_WORDS = ("幢", "栋", "单元", "室", "号楼")
_LABEL_WORDS = tuple(_LABELS.split("|"))
_DETAIL_WORDS = ("身份证", "公民身份", "证件", "电话", "手机", "联系", "男", "女", "住")


def _mask_registered(text: str, registered: Collection[str], public: Iterable[str]) -> str:
    """Registered people's names masked, longest first in one pass (张三丰 before 张三), except inside
    the public strings (an enterprise's name that contains a person's)."""
    present = sorted({name for name in registered if name in text}, key=len, reverse=True)
    if not present:
        return text
    pattern = re.compile("|".join(map(re.escape, present)))
    kept = sorted({p for p in public if p and p in text}, key=len, reverse=True)
    if not kept:
        return pattern.sub(lambda m: mask_name(m.group(0)), text)
    # re.split with a group: the kept strings sit at the odd positions.
    parts = re.split(f"({'|'.join(map(re.escape, kept))})", text)
    return "".join(
        part if position % 2 else pattern.sub(lambda m: mask_name(m.group(0)), part)
        for position, part in enumerate(parts)
    )


def scrub(
    text: str,
    *,
    names: Iterable[str] = (),
    registered: Collection[str] = (),
    public: Iterable[str] = (),
) -> str:
    """`text` with the personal data in it masked (see the module docstring); everything else untouched.
    `names` are masked wherever they appear; `registered` (names of registered people found by
    `registered_names`) too, except inside the `public` strings."""
    if not text:
        return text
    text = text.translate(_FULLWIDTH)
    if _DIGIT_RUN.search(text):
        text = _ID18.sub(_id18, text)
        text = _ID15.sub(_id15, text)
        text = _CARD.sub(_card, text)
        text = _MOBILE.sub(_mobile, text)
        text = _LANDLINE.sub(_landline, text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    if registered:
        text = _mask_registered(text, registered, public)
    if any(word in text for word in _LABEL_WORDS):
        text = _LABELLED_ANY.sub(_masked_name, text)
        text = _LABELLED.sub(_masked_name, text)
    if any(word in text for word in _DETAIL_WORDS):
        text = _BEFORE_DETAILS.sub(lambda m: mask_name(m.group(1)), text)
    if any(word in text for word in _HOUSE_WORDS):
        text = _HOUSE.sub(_house, text)
    return text
