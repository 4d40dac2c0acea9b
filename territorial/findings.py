"""Warnings on the 三资, as data for the command centre (which renders and routes them; no warnings
module here). Everything is computed from the day passed in, within the user's jurisdiction."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from territorial.funds import town_threshold
from territorial.models import (
    Account,
    AssetChange,
    CollectiveOrganisation,
    Contract,
    Instalment,
    LedgerEntry,
    Payment,
)
from territorial.selectors import organisations

SPLIT_WINDOW_DAYS = 7


@dataclass(frozen=True)
class Finding:
    code: str
    village_code: str
    subject_type: str
    subject_id: int
    message: str
    amount: Decimal | None = None


def _contract_findings(contracts: list[Contract], today: date) -> list[Finding]:
    found = []
    for c in contracts:
        left = (c.ends_on - today).days
        if 0 <= left <= 30:
            found.append(
                Finding(
                    "contract_expiring_30",
                    c.organisation.village_code,
                    "contract",
                    c.pk,
                    _("合同 %(number)s 将于 %(day)s 到期（%(left)s 天）")
                    % {"number": c.number, "day": c.ends_on, "left": left},
                )
            )
        elif 30 < left <= 90:
            found.append(
                Finding(
                    "contract_expiring_90",
                    c.organisation.village_code,
                    "contract",
                    c.pk,
                    _("合同 %(number)s 将于 %(day)s 到期（%(left)s 天）")
                    % {"number": c.number, "day": c.ends_on, "left": left},
                )
            )
        if c.reference_price is not None and c.annual_price < c.reference_price:
            found.append(
                Finding(
                    "price_below_reference",
                    c.organisation.village_code,
                    "contract",
                    c.pk,
                    _("合同 %(number)s 年租金 %(price)s 低于参考价 %(reference)s")
                    % {"number": c.number, "price": c.annual_price, "reference": c.reference_price},
                    c.reference_price - c.annual_price,
                )
            )
        due = [i for i in c.instalments.all() if i.due_on <= today]
        if not c.instalments.all() or (due and all(i.entry_id is None for i in due)):
            found.append(
                Finding(
                    "contract_without_income",
                    c.organisation.village_code,
                    "contract",
                    c.pk,
                    _("合同 %(number)s 无租金收入") % {"number": c.number},
                )
            )
        for i in c.instalments.all():
            if i.entry_id is None and i.due_on < today:
                found.append(
                    Finding(
                        "instalment_overdue",
                        c.organisation.village_code,
                        "instalment",
                        i.pk,
                        _("合同 %(number)s %(day)s 应收 %(amount)s 元逾期未收")
                        % {"number": c.number, "day": i.due_on, "amount": i.amount},
                        i.amount,
                    )
                )
    return found


def _split_payments(payments: list[Payment], threshold: Decimal) -> list[Finding]:
    """Payments to one payee within SPLIT_WINDOW_DAYS, each under the threshold, together at or above it."""
    by_payee: dict[tuple[int, str], list[Payment]] = defaultdict(list)
    for p in payments:
        if p.amount < threshold:
            by_payee[(p.organisation_id, p.payee)].append(p)
    found = []
    for group in by_payee.values():
        group.sort(key=lambda p: p.proposed_at)
        for start, first in enumerate(group):
            window = [
                p for p in group[start:] if p.proposed_at - first.proposed_at <= timedelta(SPLIT_WINDOW_DAYS)
            ]
            total = sum((p.amount for p in window), Decimal("0.00"))
            if len(window) > 1 and total >= threshold:
                found.append(
                    Finding(
                        "split_payment",
                        first.organisation.village_code,
                        "payment",
                        first.pk,
                        _("%(count)s 笔支出付给 %(payee)s，合计 %(total)s 元，疑似拆分审批")
                        % {"count": len(window), "payee": first.payee, "total": total},
                        total,
                    )
                )
                break
    return found


def _undeposited_cash(accounts: list[Account], today: date, days: int) -> list[Finding]:
    """坐收坐支: cash received and still in the cash account after `days` days (outflows taken first-in,
    first-out against the receipts)."""
    found = []
    for account in accounts:
        entries = list(account.entries.order_by("booked_on", "pk"))
        paid_out = -sum((e.amount for e in entries if e.amount < 0), Decimal("0.00"))
        for e in (e for e in entries if e.amount > 0):
            if paid_out >= e.amount:
                paid_out -= e.amount
                continue
            if (today - e.booked_on).days > days:
                found.append(
                    Finding(
                        "cash_not_deposited",
                        account.organisation.village_code,
                        "ledgerentry",
                        e.pk,
                        _("%(day)s 收取现金 %(amount)s 元超过 %(days)s 天未存入银行")
                        % {"day": e.booked_on, "amount": e.amount, "days": days},
                        e.amount - paid_out,
                    )
                )
            break
    return found


def findings(user: User, *, today: date, deposit_days: int | None = None) -> list[Finding]:
    """The findings within the user's jurisdiction."""
    return findings_in(organisations(user), today=today, deposit_days=deposit_days)


def findings_in(
    orgs: QuerySet[CollectiveOrganisation], *, today: date, deposit_days: int | None = None
) -> list[Finding]:
    """The findings of the given organisations (the command centre's rules pass all of them)."""
    days = settings.TERRITORIAL_DEPOSIT_DAYS if deposit_days is None else deposit_days
    threshold = town_threshold()
    contracts = list(
        Contract.objects.filter(organisation__in=orgs, state=Contract.State.ACTIVE)
        .select_related("organisation")
        .prefetch_related("instalments")
    )
    found = _contract_findings(contracts, today)
    unapproved = (
        LedgerEntry.objects.filter(account__organisation__in=orgs, amount__lte=-threshold)
        .annotate(
            approved=Exists(Payment.objects.filter(entry=OuterRef("pk")))
            | Exists(AssetChange.objects.filter(entry=OuterRef("pk")))
        )
        .filter(approved=False)
        .select_related("account__organisation")
    )
    found += [
        Finding(
            "large_payment_unapproved",
            e.account.organisation.village_code,
            "ledgerentry",
            e.pk,
            _("%(day)s 支出 %(amount)s 元未经审批") % {"day": e.booked_on, "amount": -e.amount},
            -e.amount,
        )
        for e in unapproved
    ]
    found += _split_payments(
        list(Payment.objects.filter(organisation__in=orgs).select_related("organisation")), threshold
    )
    cash = Account.objects.filter(organisation__in=orgs, kind=Account.Kind.CASH, balance__gt=0)
    found += _undeposited_cash(list(cash.select_related("organisation")), today, days)
    return found


def overdue_instalments(user: User, *, today: date) -> int:
    return Instalment.objects.filter(
        contract__organisation__in=organisations(user),
        contract__state=Contract.State.ACTIVE,
        entry__isnull=True,
        due_on__lt=today,
    ).count()
