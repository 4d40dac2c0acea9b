"""Scoped reads of the 三资 core, and the reconcile check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from django.db.models import Model, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.jurisdiction import scope_for, user_roles
from accounts.models import User
from core.errors import NotFound, PermissionRefused
from core.pii import mask_name
from territorial.access import KEEPERS
from territorial.models import (
    Account,
    Asset,
    AssetChange,
    CollectiveOrganisation,
    Contract,
    Instalment,
    LedgerEntry,
    Payment,
    Resource,
)
from workflow import english
from workflow.models import WorkItem
from workflow.publishing import definition_for

M = TypeVar("M", bound=Model)

# fund_payment states in which a payment waits for an approval.
AWAITING = ("proposed", "town_review", "leader_review")


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


def overdue_rents(user: User, *, today: date) -> QuerySet[Instalment]:
    """Rent instalments of contracts in force, due before `today` and not received, oldest first (the
    overview lists them, each linked to its contract)."""
    return (
        Instalment.objects.filter(
            contract__organisation__in=organisations(user),
            contract__state=Contract.State.ACTIVE,
            entry__isnull=True,
            due_on__lt=today,
        )
        .select_related("contract__organisation")
        .order_by("due_on", "pk")
    )


# ---------------------------------------------------------------------------------------------- pages, API


def check_viewer(user: User) -> None:
    """The 三资 pages and API are for the village (its head, its 报账员) and the town's 三资 office and
    leaders; every other role is refused (what each sees is still cut to the jurisdiction)."""
    if user.is_system:
        return
    if not user_roles(user) & KEEPERS:
        raise PermissionRefused("not_allowed", _("只有村三资管理人员、镇三资办和领导可以查看三资。"))


def accounts(user: User) -> QuerySet[Account]:
    return scope_for(user, Account.objects.select_related("organisation"), "organisation__village_code")


def entries(user: User) -> QuerySet[LedgerEntry]:
    return scope_for(
        user,
        LedgerEntry.objects.select_related("account__organisation"),
        "account__organisation__village_code",
    )


def payments(user: User) -> QuerySet[Payment]:
    return scope_for(
        user,
        Payment.objects.select_related("organisation", "account", "work_item", "entry", "proposed_by"),
        "organisation__village_code",
    )


def contracts(user: User) -> QuerySet[Contract]:
    return scope_for(
        user,
        Contract.objects.select_related("organisation", "entity", "person", "asset", "resource"),
        "organisation__village_code",
    )


def resources(user: User) -> QuerySet[Resource]:
    return scope_for(user, Resource.objects.select_related("organisation"), "organisation__village_code")


def asset_changes(user: User) -> QuerySet[AssetChange]:
    return scope_for(
        user,
        AssetChange.objects.select_related(
            "organisation", "asset", "work_item", "proposed_by", "account", "entry"
        ),
        "organisation__village_code",
    )


def _one(queryset: QuerySet[M], pk: int, field: str) -> M:
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise NotFound(field=field)
    return row


def organisation_for(user: User, pk: int) -> CollectiveOrganisation:
    return _one(organisations(user), pk, "organisation")


def account_for(user: User, pk: int) -> Account:
    return _one(accounts(user), pk, "account")


def entry_for(user: User, pk: int) -> LedgerEntry:
    return _one(entries(user), pk, "entry")


def payment_for(user: User, pk: int) -> Payment:
    return _one(payments(user), pk, "payment")


def contract_for(user: User, pk: int) -> Contract:
    return _one(contracts(user), pk, "contract")


def asset_for(user: User, pk: int) -> Asset:
    return _one(assets(user), pk, "asset")


def asset_change_for(user: User, pk: int) -> AssetChange:
    return _one(asset_changes(user), pk, "change")


def state_title(item: WorkItem) -> str:
    """The title of the item's state in the definition it started with (e.g. 待村委会审核), in the session's
    language (the definition's `en` name in an English session)."""
    definition = definition_for(item)
    state = definition.states.get(item.state)
    return english.state_title(definition.name, item.state, state.title) if state is not None else item.state


@dataclass(frozen=True)
class LedgerLine:
    entry: LedgerEntry
    balance: Decimal  # the account's running balance after this entry
    payment: Payment | None
    asset_change: AssetChange | None = None  # the approved purchase or disposal that booked it

    @property
    def income(self) -> Decimal | None:
        return self.entry.amount if self.entry.amount > 0 else None

    @property
    def expenditure(self) -> Decimal | None:
        return -self.entry.amount if self.entry.amount < 0 else None


@dataclass
class AccountLedger:
    account: Account
    lines: list[LedgerLine]
    receipts: Decimal
    payments: Decimal
    reconciles: bool  # the kept balance equals the sum of all its entries


def ledger(account: Account) -> AccountLedger:
    """All entries of the account, oldest first, with the running balance (two queries whatever the
    number of entries)."""
    entries = list(account.entries.order_by("booked_on", "pk"))
    by_entry = {p.entry_id: p for p in Payment.objects.filter(entry__in=entries).select_related("work_item")}
    changes = {c.entry_id: c for c in AssetChange.objects.filter(entry__in=entries)}
    running = Decimal("0.00")
    lines = []
    for entry in entries:
        running += entry.amount
        lines.append(LedgerLine(entry, running, by_entry.get(entry.pk), changes.get(entry.pk)))
    return AccountLedger(
        account=account,
        lines=lines,
        receipts=sum((e.amount for e in entries if e.amount > 0), Decimal("0.00")),
        payments=-sum((e.amount for e in entries if e.amount < 0), Decimal("0.00")),
        reconciles=account.balance == running,
    )


@dataclass(frozen=True)
class ContractFlags:
    expiring_30: bool
    expiring_90: bool
    ended: bool
    overdue: Decimal  # sum of instalments due before today and not received
    below_reference: bool


def contract_flags(contract: Contract, today: date) -> ContractFlags:
    """What a contract list shows beside each row; instalments read from the prefetch."""
    left = (contract.ends_on - today).days
    active = contract.state == Contract.State.ACTIVE
    overdue = sum(
        (i.amount for i in contract.instalments.all() if i.entry_id is None and i.due_on < today),
        Decimal("0.00"),
    )
    return ContractFlags(
        expiring_30=active and 0 <= left <= 30,
        expiring_90=active and 30 < left <= 90,
        ended=active and left < 0,
        overdue=overdue if active else Decimal("0.00"),
        below_reference=contract.reference_price is not None
        and contract.annual_price < contract.reference_price,
    )


def counterparty_label(contract: Contract) -> str:
    """The entity's name, or the person's name masked (shown masked by default everywhere)."""
    if contract.entity is not None:
        return contract.entity.name
    return mask_name(contract.person.name) if contract.person is not None else ""


FINDING_LABELS = {
    "contract_expiring_30": gettext_lazy("合同 30 天内到期"),
    "contract_expiring_90": gettext_lazy("合同 90 天内到期"),
    "price_below_reference": gettext_lazy("租金低于参考价"),
    "contract_without_income": gettext_lazy("合同无收入"),
    "instalment_overdue": gettext_lazy("租金逾期未收"),
    "large_payment_unapproved": gettext_lazy("大额支出未经审批"),
    "split_payment": gettext_lazy("疑似拆分支出"),
    "cash_not_deposited": gettext_lazy("坐收坐支（现金未按期存入）"),
}


@dataclass(frozen=True)
class Step:
    occurred_at: datetime
    actor: str
    action: str  # the action's title (提出, 村委会审核通过…)
    state: str  # the state's title after it
    reason: str


def timeline(item: WorkItem) -> list[Step]:
    """The item's transitions with the titles of its pinned definition (in the session's language)."""
    definition = definition_for(item)
    rows = []
    for t in item.transitions.select_related("actor").order_by("id"):
        action = definition.actions.get(t.action)
        state = definition.states.get(t.to_state)
        rows.append(
            Step(
                occurred_at=t.occurred_at,
                actor=str(t.actor),
                action=english.action_title(definition.name, action.name, action.title)
                if action
                else (_("提出") if not t.from_state else t.action),
                state=english.state_title(definition.name, state.name, state.title) if state else t.to_state,
                reason=t.reason,
            )
        )
    return rows
