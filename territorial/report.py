"""The 三资 section of the monthly report (the command centre renders it; nothing here knows of reports):
per village under a territory code prefix, over whole local days [first_day, end_day), from the ledger,
the contracts, the payments' transitions and the applied asset changes. Money is `Decimal` to the fen;
every total is the sum of the village rows, each the sum of its ledger entries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from audit.models import AuditEvent
from territorial.days import midnight
from territorial.disclosure import disclosure_month, late_entries
from territorial.figures import EXPIRY_DAYS
from territorial.models import (
    Account,
    AssetChange,
    CollectiveOrganisation,
    Contract,
    ExpenditureCategory,
    Instalment,
    LedgerEntry,
    Payment,
)
from territorial.selectors import unreconciled
from territory.models import Division
from workflow.models import Transition

ZERO = Decimal("0.00")
CATEGORIES = [(str(code), str(label)) for code, label in ExpenditureCategory.choices]
PAID_OR_REJECTED = ("paid", "rejected")  # the terminal states of fund_payment


@dataclass
class Disclosure:
    """财务公开 of one month: on time when every entry booked in the month was recorded by the deadline
    (the TERRITORIAL_DISCLOSURE_DAY of the next month, inclusive; the rule is territorial.disclosure's
    `late_entries`, which the command desk's figure reads too)."""

    month: date
    deadline: date
    late_entries: int
    on_time: bool


@dataclass
class VillageFunds:
    code: str
    name: str
    organisations: int
    opening: Decimal = ZERO  # balance of all accounts at the start of the first day
    income: Decimal = ZERO
    expenditure: Decimal = ZERO
    by_category: dict[str, Decimal] = field(default_factory=lambda: {c: ZERO for c, _ in CATEGORIES})
    contracts_signed: int = 0
    contracts_expiring: int = 0  # in force at the end, ending within EXPIRY_DAYS of it
    contracts_ended: int = 0  # past their end and neither renewed nor terminated
    instalments_overdue: int = 0  # due before the end and not received by then
    overdue_amount: Decimal = ZERO
    payments_pending: int = 0  # proposed before the end and neither paid nor rejected by then
    pending_amount: Decimal = ZERO
    asset_changes: int = 0
    reconciles: bool = True  # every account's kept balance equals the sum of its entries
    disclosure: Disclosure | None = None

    @property
    def closing(self) -> Decimal:
        return self.opening + self.income - self.expenditure


@dataclass
class AssetChangeRow:
    applied_on: date
    village_code: str
    kind: str
    number: str
    name: str
    value: Decimal | None


@dataclass
class FundsSection:
    villages: list[VillageFunds]
    total: VillageFunds
    asset_changes: list[AssetChangeRow]
    disclosure_month: date
    disclosure_deadline: date


def funds_section(prefix: str, first_day: date, end_day: date, *, today: date) -> FundsSection:
    """The 三资 figures of every village under `prefix` that has a collective economic organisation."""
    start, end = midnight(first_day), midnight(end_day)
    orgs = CollectiveOrganisation.objects.filter(village_code__startswith=prefix)
    codes = sorted(set(orgs.values_list("village_code", flat=True)))
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    rows = {code: VillageFunds(code, names.get(code, code), 0) for code in codes}
    for code in orgs.values_list("village_code", flat=True):
        rows[code].organisations += 1

    entries = LedgerEntry.objects.filter(
        account__organisation__village_code__startswith=prefix, booked_on__lt=end_day
    ).values_list("account__organisation__village_code", "booked_on", "amount", "category")
    for code, booked_on, amount, category in entries:
        row = rows[code]
        if booked_on < first_day:
            row.opening += amount
        elif amount > 0:
            row.income += amount
        else:
            row.expenditure -= amount
            row.by_category[category or ExpenditureCategory.OTHER] -= amount

    signed = AuditEvent.objects.filter(
        action="territorial.sign_contract",
        territory_code__startswith=prefix,
        occurred_at__gte=start,
        occurred_at__lt=end,
    ).values_list("territory_code", flat=True)
    for code in signed:
        if code in rows:
            rows[code].contracts_signed += 1

    in_force = Contract.objects.filter(
        organisation__village_code__startswith=prefix, starts_on__lt=end_day
    ).filter(Q(state=Contract.State.ACTIVE) | Q(terminated_on__gte=end_day))
    expiring = in_force.filter(ends_on__gte=end_day, ends_on__lt=end_day + timedelta(EXPIRY_DAYS))
    for code in expiring.values_list("organisation__village_code", flat=True):
        rows[code].contracts_expiring += 1
    ended = in_force.filter(state=Contract.State.ACTIVE, ends_on__lt=end_day)
    for code in ended.values_list("organisation__village_code", flat=True):
        rows[code].contracts_ended += 1

    overdue = Instalment.objects.filter(contract__in=in_force, due_on__lt=end_day).filter(
        Q(entry__isnull=True) | Q(entry__booked_on__gte=end_day)
    )
    for code, amount in overdue.values_list("contract__organisation__village_code", "amount"):
        rows[code].instalments_overdue += 1
        rows[code].overdue_amount += amount

    settled = Transition.objects.filter(
        item_id=OuterRef("work_item_id"), to_state__in=PAID_OR_REJECTED, occurred_at__lt=end
    )
    pending = Payment.objects.filter(
        organisation__village_code__startswith=prefix, proposed_at__lt=end
    ).exclude(Exists(settled))
    for code, amount in pending.values_list("organisation__village_code", "amount"):
        rows[code].payments_pending += 1
        rows[code].pending_amount += amount

    changes = (
        AssetChange.objects.filter(
            organisation__village_code__startswith=prefix,
            applied_at__gte=start,
            applied_at__lt=end,
            asset__isnull=False,
        )
        .select_related("asset", "organisation")
        .order_by("applied_at", "pk")
    )
    change_rows = []
    for change in changes:
        assert change.asset is not None and change.applied_at is not None
        rows[change.organisation.village_code].asset_changes += 1
        change_rows.append(
            AssetChangeRow(
                applied_on=timezone.localtime(change.applied_at).date(),
                village_code=change.organisation.village_code,
                kind=change.get_kind_display(),
                number=change.asset.number,
                name=change.asset.name,
                value=change.asset.value,
            )
        )

    for account, _sum in unreconciled(Account.objects.filter(organisation__village_code__startswith=prefix)):
        rows[account.organisation.village_code].reconciles = False

    month, deadline = disclosure_month(end_day, today)
    late: dict[str, int] = defaultdict(int)
    late_rows = late_entries(prefix, month, deadline).values_list(
        "account__organisation__village_code", flat=True
    )
    for code in late_rows:
        late[code] += 1
    for code, row in rows.items():
        row.disclosure = Disclosure(month, deadline, late[code], late[code] == 0)

    villages = list(rows.values())
    return FundsSection(
        villages=villages,
        total=_total(prefix, villages, month, deadline),
        asset_changes=change_rows,
        disclosure_month=month,
        disclosure_deadline=deadline,
    )


def _total(prefix: str, villages: list[VillageFunds], month: date, deadline: date) -> VillageFunds:
    total = VillageFunds(prefix, "合计", sum(v.organisations for v in villages))
    for v in villages:
        total.opening += v.opening
        total.income += v.income
        total.expenditure += v.expenditure
        for code, amount in v.by_category.items():
            total.by_category[code] += amount
        total.contracts_signed += v.contracts_signed
        total.contracts_expiring += v.contracts_expiring
        total.contracts_ended += v.contracts_ended
        total.instalments_overdue += v.instalments_overdue
        total.overdue_amount += v.overdue_amount
        total.payments_pending += v.payments_pending
        total.pending_amount += v.pending_amount
        total.asset_changes += v.asset_changes
        total.reconciles = total.reconciles and v.reconciles
    late = sum(v.disclosure.late_entries for v in villages if v.disclosure)
    total.disclosure = Disclosure(month, deadline, late, late == 0)
    return total
