"""Service-definition attributes: the default set seeded for every service, and the validation of the
`attribute[code]` / `attribute[code][]` values a client POSTs against a service's definition."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.errors import DomainError
from open311.models import Datatype, ServiceAttribute

STRING_MAX = 200
TEXT_MAX = 2000  # the event description's limit, as DETAIL may stand in for a missing description


class AttributeSpec(NamedTuple):
    code: str
    datatype: str
    description: str
    required: bool = False
    variable: bool = True
    datatype_description: str = ""
    values: tuple[tuple[str, str], ...] = ()
    default: str = ""  # the value a client that leaves the attribute out gets (a listed key)


# Every service gets this set (one of each datatype, plus an informational notice).
DEFAULT_ATTRIBUTES: tuple[AttributeSpec, ...] = (
    AttributeSpec(
        "URGENCY",
        Datatype.SINGLEVALUELIST,
        "紧急程度（不填为一般）",
        values=(("normal", "一般"), ("urgent", "紧急"), ("critical", "特别紧急（危及人身财产安全）")),
        default="normal",
    ),
    AttributeSpec(
        "IMPACT",
        Datatype.MULTIVALUELIST,
        "影响范围（可多选）",
        values=(
            ("pedestrians", "行人通行"),
            ("vehicles", "车辆通行"),
            ("residents", "周边居民"),
            ("shops", "沿街商户"),
            ("environment", "环境卫生"),
        ),
    ),
    AttributeSpec(
        "FOUND_AT",
        Datatype.DATETIME,
        "发现时间",
        datatype_description="ISO 8601，带时区，例如 2026-03-02T09:30:00+08:00",
    ),
    AttributeSpec("QUANTITY", Datatype.NUMBER, "数量（处、个或平方米）", datatype_description="非负数"),
    AttributeSpec("DETAIL", Datatype.TEXT, "补充说明", datatype_description=f"不超过 {TEXT_MAX} 字"),
    AttributeSpec(
        "CONTACT",
        Datatype.STRING,
        "现场联系人（选填，称呼即可）",
        datatype_description=f"不超过 {STRING_MAX} 字",
    ),
    AttributeSpec(
        "NOTICE",
        Datatype.STRING,
        "紧急警情、火灾、急救请直接拨打 110、119、120，本渠道不受理紧急报警。",
        variable=False,
    ),
)
# Generic GeoReport clients know nothing of our attributes: an optional attribute with a default takes
# it when left out, so a plain client can post to every service.
DEFAULTS: dict[str, str] = {spec.code: spec.default for spec in DEFAULT_ATTRIBUTES if spec.default}


def _refused(code: str, message: str, *, error: str = "invalid") -> DomainError:
    """A refused attribute value: 400 on the parameter `attribute[CODE]`."""
    return DomainError(error, message, field=f"attribute[{code}]")


def _one(code: str, raw: Sequence[str]) -> str:
    if len(raw) != 1:
        raise _refused(code, f"attribute[{code}] 只能有一个值。attribute[{code}] takes one value.")
    return raw[0].strip()


def _clean_value(attribute: ServiceAttribute, raw: Sequence[str]) -> Any:
    code = attribute.code
    keys = [str(v.get("key")) for v in attribute.values]
    if attribute.datatype == Datatype.MULTIVALUELIST:
        chosen = [v.strip() for v in raw if v.strip()]
        unknown = [v for v in chosen if v not in keys]
        if unknown:
            raise _refused(
                code, f"attribute[{code}] 的取值 {', '.join(unknown)} 不在可选值 {', '.join(keys)} 中。"
            )
        return list(dict.fromkeys(chosen))
    value = _one(code, raw)
    if attribute.datatype == Datatype.SINGLEVALUELIST:
        if value not in keys:
            raise _refused(code, f"attribute[{code}] 的取值“{value}”不在可选值 {', '.join(keys)} 中。")
        return value
    if attribute.datatype == Datatype.NUMBER:
        try:
            number = float(value)
        except ValueError:
            raise _refused(code, f"attribute[{code}] 应为数字：{value}") from None
        if not math.isfinite(number):
            raise _refused(code, f"attribute[{code}] 应为有限的数字：{value}")
        return int(number) if number.is_integer() else number
    if attribute.datatype == Datatype.DATETIME:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise _refused(code, f"attribute[{code}] 应为 ISO 8601 日期时间：{value}")
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)  # local time (Asia/Shanghai) when no offset is given
        return parsed.isoformat()
    limit = TEXT_MAX if attribute.datatype == Datatype.TEXT else STRING_MAX
    if len(value) > limit:
        raise _refused(code, f"attribute[{code}] 不能超过 {limit} 字。")
    return value


def clean_attributes(
    definition: Iterable[ServiceAttribute], submitted: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """Check the submitted values against the service definition: only known, variable codes; every
    required one present and non-empty; each value of its datatype. Returns code → clean value; a
    refusal is a DomainError on the parameter `attribute[CODE]` (`required` or `invalid`)."""
    by_code = {a.code: a for a in definition}
    for code in submitted:
        attribute = by_code.get(code)
        if attribute is None or not attribute.variable:
            raise _refused(code, f"本服务没有可填写的属性 {code}。Unknown attribute {code}.")
    cleaned: dict[str, Any] = {}
    for attribute in sorted(by_code.values(), key=lambda a: (a.order, a.code)):
        if not attribute.variable:
            continue
        raw = [v for v in submitted.get(attribute.code, ()) if v.strip()]
        if not raw and not attribute.required and attribute.code in DEFAULTS:
            raw = [DEFAULTS[attribute.code]]
        if not raw:
            if attribute.required:
                raise _refused(
                    attribute.code,
                    f"缺少必填属性 attribute[{attribute.code}]（{attribute.description}）。"
                    f"Required attribute {attribute.code} is missing.",
                    error="required",
                )
            continue
        cleaned[attribute.code] = _clean_value(attribute, raw)
    return cleaned


def spec_rows(specs: Sequence[AttributeSpec] = DEFAULT_ATTRIBUTES) -> list[dict[str, Any]]:
    """The model field values of a spec list, with `order` from the position."""
    return [
        {
            "code": spec.code,
            "datatype": str(spec.datatype),
            "description": spec.description,
            "required": spec.required,
            "variable": spec.variable,
            "datatype_description": spec.datatype_description,
            "order": position,
            "values": [{"key": key, "name": name} for key, name in spec.values],
        }
        for position, spec in enumerate(specs, start=1)
    ]


def validate_definition_row(attribute: ServiceAttribute) -> list[tuple[str, str]]:
    """Problems (field, message) with one attribute row as an administrator saves it."""
    problems: list[tuple[str, str]] = []
    if not attribute.code or not all(ch.isalnum() or ch in "_-" for ch in attribute.code):
        problems.append(("code", "代码只能由字母、数字、下划线和连字符组成。"))
    if attribute.datatype in (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST):
        values = attribute.values
        if not isinstance(values, list) or not values:
            problems.append(("values", '单选、多选属性须列出可选值 [{"key": …, "name": …}]。'))
        elif not all(isinstance(v, dict) and str(v.get("key", "")).strip() and v.get("name") for v in values):
            problems.append(("values", "每个可选值都须有 key 和 name。"))
        elif len({str(v["key"]) for v in values}) != len(values):
            problems.append(("values", "可选值的 key 不能重复。"))
    elif attribute.values:
        problems.append(("values", "只有单选、多选属性才有可选值。"))
    if attribute.required and not attribute.variable:
        problems.append(("required", "仅作提示（无需填写）的属性不能设为必填。"))
    return problems


def parse_local_datetime(value: str) -> datetime | None:
    """An ISO 8601 datetime (a bare date means its midnight), aware; None when unparseable."""
    value = value.strip()
    try:
        parsed = parse_datetime(value)
        if parsed is None and len(value) == 10:
            parsed = parse_datetime(value + "T00:00:00")
    except ValueError:
        return None
    if parsed is None:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
