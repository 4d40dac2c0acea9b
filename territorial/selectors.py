"""Scoped reads of the 三资 core, and the reconcile check."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.jurisdiction import scope_for
from accounts.models import User
from territorial.models import Account, Asset, CollectiveOrganisation


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
