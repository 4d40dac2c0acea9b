"""Late-payment surcharge (加处罚款, 行政处罚法 art. 72(1)): a party that does not pay a fine by its
deadline may be charged 3 % of the fine for each day overdue, and the surcharge never exceeds the fine.
Statutory, so not configuration. Computed, not stored: from the payment deadline and the clock passed in
(or the payment time once paid), counted in whole local calendar days, in yuan to the fen."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

LOCAL_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
DAILY_RATE = Decimal("0.03")
FEN = Decimal("0.01")


@dataclass(frozen=True)
class Surcharge:
    days_overdue: int
    amount: Decimal  # yuan, to the fen, at most the fine
    capped: bool  # the cap (the fine itself) is reached
    settled: bool  # counted up to the payment, so it no longer grows

    def as_dict(self) -> dict[str, Any]:
        return {
            "days_overdue": self.days_overdue,
            "amount": f"{self.amount:.2f}",
            "daily_rate": f"{DAILY_RATE:.2f}",
            "capped": self.capped,
            "settled": self.settled,
        }


def days_overdue(payment_due_at: datetime, until: datetime) -> int:
    """Local calendar days from the deadline's day to `until`'s day (0 while the deadline's day lasts)."""
    due_day = payment_due_at.astimezone(LOCAL_TZ).date()
    return max(0, (until.astimezone(LOCAL_TZ).date() - due_day).days)


def late_payment_surcharge(
    fine: Decimal | None, payment_due_at: datetime | None, *, now: datetime, paid_at: datetime | None = None
) -> Surcharge | None:
    """The surcharge owed at `now` (or at `paid_at`, once paid); None when there is no fine or deadline, or
    nothing is overdue."""
    if not fine or fine <= 0 or payment_due_at is None:
        return None
    until = paid_at or now
    if until <= payment_due_at:
        return None
    days = days_overdue(payment_due_at, until)
    if days == 0:
        return None
    raw = (fine * DAILY_RATE * days).quantize(FEN, rounding=ROUND_HALF_UP)
    amount = min(raw, fine.quantize(FEN, rounding=ROUND_HALF_UP))
    return Surcharge(days_overdue=days, amount=amount, capped=raw >= fine, settled=paid_at is not None)


def for_case(case: Any, now: datetime) -> Surcharge | None:
    return late_payment_surcharge(case.fine_amount, case.payment_due_at, now=now, paid_at=case.paid_at)
