"""Scoped reads of the 三资 core, and the reconcile check."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.jurisdiction import scope_for
from accounts.models import User
from territorial.models import Account, Asset, CollectiveOrganisation, Contract, Payment

# fund_payment states in which a payment waits for an approval.
AWAITING = ("proposed", "town_review")


def organisations(user: User) -> QuerySet[CollectiveOrganisation]:
    return scope_for(user, CollectiveOrganisation.objects.all(), "village_code")


def assets(user: User) -> QuerySet[Asset]:
    return scope_for(user, Asset.objects.select_related("organisation"), "organisation__village_code")


def unreconciled(accounts: QuerySet[Account] | None = None) -> list[tuple[Account, Decimal]]:
    """Accounts whose kept balance differs from the sum of their entries, with that sum. Empty when the
    ledger reconciles (`manage.py territorial_reconcile` runs it)."""
    rows = (accounts if accounts is not None else Account.objects.all()).annotate(
        entries_sum=Coalesce(Sum("entries__amount"), Decimal("0.00"))
    )
    return [(row, row.entries_sum) for row in rows if row.balance != row.entries_sum]


def command_figures(user: User, *, now: datetime) -> dict[str, int]:
    """The command centre's 属地管理 figures within the user's jurisdiction, at `now`."""
    from territorial.findings import findings, overdue_instalments

    today = timezone.localtime(now).date()
    active = Contract.objects.filter(organisation__in=organisations(user), state=Contract.State.ACTIVE)
    return {
        "contracts_expiring_30": active.filter(
            ends_on__gte=today, ends_on__lte=today + timedelta(30)
        ).count(),
        "contracts_expiring_90": active.filter(
            ends_on__gte=today, ends_on__lte=today + timedelta(90)
        ).count(),
        "contracts_ended_unsettled": active.filter(ends_on__lt=today).count(),
        "instalments_overdue": overdue_instalments(user, today=today),
        "payments_awaiting_approval": Payment.objects.filter(
            organisation__in=organisations(user), work_item__state__in=AWAITING
        ).count(),
        "warnings": len(findings(user, today=today)),
    }
