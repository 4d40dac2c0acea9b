"""Parsing the parameters of POST requests and GET requests into what the actions and selectors take.
Refusals are the platform's DomainError on the GeoReport parameter (`required`, `invalid`, `too_long`:
the spec's 400, with the parameter named)."""

from __future__ import annotations

import math
import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import HttpRequest

from core.errors import DomainError
from grid.events.report import MAX_DESCRIPTION
from open311 import selectors
from open311.actions import Submission
from open311.attributes import clean_attributes, parse_local_datetime

ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# The platform's limit (GeoReport allows up to 4,000; longer text is refused with a 400 naming it).
DESCRIPTION_MAX = MAX_DESCRIPTION
STATUSES = {"open", "closed"}
# Multipart upload field for photos (the "media" extension of GeoReport v2); media_url links stay too.
MEDIA_FIELD = "media"


def _post(request: HttpRequest, name: str, limit: int = 200) -> str:
    value = (request.POST.get(name) or "").strip()
    if len(value) > limit:
        raise DomainError("too_long", f"{name} is longer than {limit} characters（{name} 超长）", field=name)
    return value


def _coordinate(request: HttpRequest, name: str, low: float, high: float) -> float:
    raw = request.POST.get(name, "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise DomainError(
            "invalid", f"{name} must be a number in WGS-84 degrees（{name} 应为数字）: {raw}", field=name
        ) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise DomainError("invalid", f"{name} is out of range（{name} 超出范围）: {raw}", field=name)
    return value


def submitted_attributes(request: HttpRequest) -> dict[str, list[str]]:
    """attribute[CODE]=v and attribute[CODE][]=v1&attribute[CODE][]=v2, merged per code."""
    values: dict[str, list[str]] = {}
    for key in request.POST:
        match = ATTRIBUTE_KEY.match(key)
        if match is None:
            if key.startswith("attribute"):
                raise DomainError(
                    "invalid",
                    f"{key} is not of the form attribute[code] or attribute[code][]（属性参数格式错误）",
                    field=key,
                )
            continue
        values.setdefault(match.group(1), []).extend(request.POST.getlist(key))
    return values


def parse_submission(request: HttpRequest) -> Submission:
    service_code = _post(request, "service_code")
    if not service_code:
        raise DomainError(
            "required", "service_code was not provided（缺少 service_code）", field="service_code"
        )
    service = selectors.service_for(service_code)
    attributes = clean_attributes(selectors.attributes_of(service), submitted_attributes(request))

    submission = Submission(service=service, attributes=attributes)
    has_lat, has_long = bool(request.POST.get("lat", "").strip()), bool(request.POST.get("long", "").strip())
    submission.address = _post(request, "address_string", 300)
    submission.address_id = _post(request, "address_id", 40)
    if has_lat != has_long:
        raise DomainError(
            "required",
            "lat and long must be given together（经纬度须同时提供）",
            field="long" if has_lat else "lat",
        )
    if has_lat:
        submission.lat = _coordinate(request, "lat", -90.0, 90.0)
        submission.lon = _coordinate(request, "long", -180.0, 180.0)
    elif submission.address_id:
        submission.grid_code = selectors.grid_for_address_id(submission.address_id).code
    elif submission.address:
        submission.grid_code = selectors.grid_for_address_string(submission.address).code
    else:
        raise DomainError(
            "required",
            "location was not provided: send lat and long, address_string or address_id（缺少位置）",
            field="lat",
        )

    submission.description = _post(request, "description", DESCRIPTION_MAX)
    submission.media_url = _post(request, "media_url", 500)
    if submission.media_url:
        try:
            URLValidator(schemes=["http", "https"])(submission.media_url)
        except ValidationError:
            raise DomainError(
                "invalid",
                f"media_url is not an http(s) URL（media_url 格式错误）: {submission.media_url}",
                field="media_url",
            ) from None
    submission.photos = request.FILES.getlist(MEDIA_FIELD)
    submission.email = _post(request, "email", 254)
    if submission.email:
        try:
            validate_email(submission.email)
        except ValidationError:
            raise DomainError(
                "invalid",
                f"email is not an e-mail address（email 格式错误）: {submission.email}",
                field="email",
            ) from None
    submission.device_id = _post(request, "device_id")
    submission.account_id = _post(request, "account_id")
    submission.first_name = _post(request, "first_name", 50)
    submission.last_name = _post(request, "last_name", 50)
    submission.phone = _post(request, "phone", 30)
    return submission


def _date(request: HttpRequest, name: str) -> datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    # An unencoded "+08:00" in a query string arrives as " 08:00".
    raw = re.sub(r" (\d{2}:?\d{2})$", r"+\1", raw)
    parsed = parse_local_datetime(raw)
    if parsed is None:
        raise DomainError(
            "invalid", f"{name} must be an ISO 8601 date/time（{name} 应为 ISO 8601 时间）: {raw}", field=name
        )
    return parsed


def parse_request_query(request: HttpRequest) -> selectors.RequestQuery:
    statuses = [s.lower() for s in selectors.split_list(request.GET.get("status"))]
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise DomainError(
            "invalid",
            f"status must be open and/or closed（status 只能是 open、closed）: {', '.join(unknown)}",
            field="status",
        )
    return selectors.RequestQuery(
        service_request_ids=selectors.split_list(request.GET.get("service_request_id")),
        service_codes=selectors.split_list(request.GET.get("service_code")),
        start=_date(request, "start_date"),
        end=_date(request, "end_date"),
        statuses=statuses,
        page=_positive(request, "page", 1, None),
        page_size=_positive(request, "page_size", 0, selectors.MAX_PAGE_SIZE),
    )


def _positive(request: HttpRequest, name: str, default: int, most: int | None) -> int:
    """A paging parameter (an extension of GeoReport v2): a whole number ≥ 1 (≤ `most`)."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1 or (most is not None and int(raw) > most):
        limit = f" and at most {most}（不超过 {most}）" if most is not None else ""
        raise DomainError(
            "invalid", f"{name} must be a whole number ≥ 1{limit}（{name} 须为正整数）", field=name
        )
    return int(raw)
