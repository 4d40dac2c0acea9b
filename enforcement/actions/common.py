"""What enforcement's writes share: the statutory limits (行政处罚法), content hashes, local dates and the
parsing of money, moments and users."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_datetime

from accounts.models import Role, User
from core.errors import DomainError
from enforcement.models import CaseOfficerRole, PartyKind, Procedure
from workcalendar.service import LOCAL_TZ, add_duration

SUMMARY_LIMITS = {PartyKind.NATURAL: Decimal(200), PartyKind.LEGAL: Decimal(3000)}
DECISION_DAYS = 90
EXTENSION_DAYS = 30
LEGAL_REVIEW_WORK_DAYS = 10
PRESERVATION_DAYS = 7
HEARING_WINDOW_WORK_DAYS = 5
HEARING_NOTICE_WORK_DAYS = 7
PAYMENT_DAYS = 15
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
PROCESS_OF = {Procedure.SUMMARY: "case_summary", Procedure.ORDINARY: "case_ordinary"}
INVESTIGATING_ROLES = (CaseOfficerRole.LEAD, CaseOfficerRole.ASSIST, CaseOfficerRole.INVESTIGATOR)
# Actions only the case's own officers may take when the actor is an officer (not a squad leader).
CASE_TEAM_ONLY = {Role.OFFICER.value}
ENDING_STATES = {"archived", "not_filed", "dropped"}
# Where a case arrives decides what its grid event does (the event waits in `enforcement`): closed with
# the case (结案 → archiving), or back to the dispatcher when no case is filed — (action, reason heading).
GRID_FOLLOW = {
    "archiving": ("enforcement_closed", ""),
    "not_filed": ("enforcement_returned", "执法案件未立案"),
    "dropped": ("enforcement_returned", "执法案件未立案"),
}
NUMBERING_ACTIONS = {"approve_filing", "decide", "decide_on_spot", "archive"}


def _hash_json(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _local_date(moment: datetime) -> Any:
    return moment.astimezone(LOCAL_TZ).date()


def end_of_day_after(moment: datetime, days: int) -> datetime:
    """The end (23:59:59 local) of the local day `days` natural days after `moment`'s."""
    return add_duration(moment, days, "natural_days").at


def end_of_work_days_after(moment: datetime, days: int) -> datetime:
    return add_duration(moment, days, "work_days").at


# ---------------------------------------------------------------------------------------------- parsing


def parse_money(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError("invalid", "金额须为数字。", field=field) from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("100000000"):
        raise DomainError("invalid", "金额须为 0 至 1 亿元之间的数字。", field=field)
    return amount.quantize(Decimal("0.01"))


def _parse_moment(value: Any, field: str) -> datetime:
    moment = parse_datetime(str(value or ""))
    if moment is None or moment.tzinfo is None:
        raise DomainError("invalid", "须为带时区的日期时间（ISO 8601）。", field=field)
    return moment


def _user(username: Any, field: str) -> User:
    user = User.objects.filter(username=str(username or ""), is_active=True).first()
    if user is None:
        raise DomainError("invalid", f"用户不存在：{username}", field=field)
    return user


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, datetime):
            out[key] = value.isoformat()
        elif isinstance(value, Decimal):
            out[key] = str(value)
        elif isinstance(value, str | int | float | bool | list | dict) or value is None:
            out[key] = value
        else:
            out[key] = str(value)
    return out
