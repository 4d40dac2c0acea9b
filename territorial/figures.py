"""What the 三资 records and the town-managed institutions contribute to the command centre's 属地管理
module: one queryset per count figure under a territory code prefix, over whole local days
[first_day, end_day), so a figure is the queryset's count and its drill-down the same queryset's rows.
Contract and payment states are today's (no history is kept): those figures are answered for a period
that ends today only (`CURRENT_ONLY`). 财务公开 on time is a rate over the villages (RATES), judged by the
monthly report's rule (territorial.disclosure)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, DateField, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, User
from core.drill import drill_row
from territorial.days import midnight
from territorial.disclosure import disclosure_month, late_entries
from territorial.findings import findings, overdue_instalments
from territorial.models import Asset, CollectiveOrganisation, Contract, Instalment, Payment
from territorial.selectors import AWAITING, organisations
from territory.models import Division

EXPIRY_DAYS = 90
INSTITUTION_KINDS = (OrgUnit.Kind.STATION, OrgUnit.Kind.SCHOOL, OrgUnit.Kind.HOSPITAL)


def assets(prefix: str, first_day: date, end_day: date) -> QuerySet[Asset]:
    """Asset cards not disposed of."""
    return Asset.objects.filter(organisation__village_code__startswith=prefix).exclude(
        state=Asset.State.DISPOSED
    )


def _active(prefix: str) -> QuerySet[Contract]:
    return Contract.objects.filter(organisation__village_code__startswith=prefix, state=Contract.State.ACTIVE)


def contracts_expiring(prefix: str, first_day: date, end_day: date) -> QuerySet[Contract]:
    """Contracts in force that end within 90 days from the end of the period."""
    return _active(prefix).filter(ends_on__gte=end_day, ends_on__lt=end_day + timedelta(EXPIRY_DAYS))


def contracts_ended_unsettled(prefix: str, first_day: date, end_day: date) -> QuerySet[Contract]:
    """Contracts past their end date and neither renewed nor terminated."""
    return _active(prefix).filter(ends_on__lt=end_day)


def instalments_overdue(prefix: str, first_day: date, end_day: date) -> QuerySet[Instalment]:
    """Rent instalments of contracts in force due before the end of the period and not received."""
    return Instalment.objects.filter(
        contract__organisation__village_code__startswith=prefix,
        contract__state=Contract.State.ACTIVE,
        entry__isnull=True,
        due_on__lt=end_day,
    )


def payments_awaiting(prefix: str, first_day: date, end_day: date) -> QuerySet[Payment]:
    """Fund payments waiting for the village committee's or the town's approval."""
    return Payment.objects.filter(
        organisation__village_code__startswith=prefix,
        work_item__state__in=AWAITING,
        proposed_at__lt=midnight(end_day),
    )


def payments_proposed(prefix: str, first_day: date, end_day: date) -> QuerySet[Payment]:
    """Fund payments proposed in the period."""
    return Payment.objects.filter(
        organisation__village_code__startswith=prefix,
        proposed_at__gte=midnight(first_day),
        proposed_at__lt=midnight(end_day),
    )


def institutions(prefix: str, first_day: date, end_day: date) -> QuerySet[OrgUnit]:
    """Stations, schools and hospitals under territorial management (属地管理)."""
    return OrgUnit.objects.filter(
        territory_code__startswith=prefix,
        kind__in=INSTITUTION_KINDS,
        management_mode=OrgUnit.ManagementMode.TERRITORIAL,
    )


def institutions_by_town(prefix: str, first_day: date, end_day: date) -> list[dict[str, Any]]:
    """The institutions figure per town under the prefix (a town's own row at a town's desk), split into
    stations, schools and hospitals; the towns' totals add up to the figure."""
    rows: dict[str, dict[str, Any]] = {}
    for code, kind in institutions(prefix, first_day, end_day).values_list("territory_code", "kind"):
        town = code[:9]
        row = rows.setdefault(town, {"code": town, **{str(k): 0 for k in INSTITUTION_KINDS}, "total": 0})
        row[str(kind)] += 1
        row["total"] += 1
    names = dict(Division.objects.filter(code__in=rows).values_list("code", "name"))
    return [{**row, "name": names.get(code, code)} for code, row in sorted(rows.items())]


def judged_month(end_day: date) -> tuple[date, date]:
    """(first day, deadline) of the 财务公开 month the figure judges for a period ending before `end_day`:
    the newest month whose deadline had passed on the period's last day (the monthly report's rule, with
    that day as "today", so a desk ending today judges the month the report made today does)."""
    return disclosure_month(end_day, end_day - timedelta(days=1))


def _disclosures(prefix: str, end_day: date, *, on_time_only: bool) -> QuerySet[Division]:
    """Villages under the prefix with a collective economic organisation founded before `end_day`, each
    with the 财务公开 month judged at the period's last day (the newest month whose deadline had passed:
    the monthly report's `disclosure_month`), its deadline, and how many of that month's entries were
    recorded after it (`late_entries`, the report's rule); only those with none when `on_time_only`."""
    month, deadline = judged_month(end_day)
    late = (
        late_entries(prefix, month, deadline)
        .filter(account__organisation__village_code=OuterRef("code"))
        .order_by()
        .values("account__organisation__village_code")
        .annotate(n=Count("pk"))
        .values("n")
    )
    founded = CollectiveOrganisation.objects.filter(
        village_code__startswith=prefix, created_at__lt=midnight(end_day)
    )
    villages = (
        Division.objects.filter(level=Division.Level.VILLAGE, code__in=founded.values("village_code"))
        .only("code", "name")
        .annotate(
            disclosure_month=Value(month, output_field=DateField()),
            disclosure_deadline=Value(deadline, output_field=DateField()),
            late_entries=Coalesce(Subquery(late, output_field=IntegerField()), 0),
        )
    )
    return villages.filter(late_entries=0) if on_time_only else villages


def disclosure_villages(prefix: str, first_day: date, end_day: date) -> QuerySet[Division]:
    """The villages that owe a 财务公开 (see `_disclosures`)."""
    return _disclosures(prefix, end_day, on_time_only=False)


def disclosed_on_time(prefix: str, first_day: date, end_day: date) -> QuerySet[Division]:
    """Those whose 财务公开 of the judged month was on time (no entry of it recorded late)."""
    return _disclosures(prefix, end_day, on_time_only=True)


COUNTS: dict[str, Callable[[str, date, date], QuerySet[Any]]] = {
    "territorial_assets": assets,
    "territorial_contracts_expiring": contracts_expiring,
    "territorial_contracts_ended": contracts_ended_unsettled,
    "territorial_instalments_overdue": instalments_overdue,
    "territorial_payments_awaiting": payments_awaiting,
    "territorial_payments_proposed": payments_proposed,
    "territorial_institutions": institutions,
    "territorial_disclosure_villages": disclosure_villages,
    "territorial_disclosed_on_time": disclosed_on_time,
}
# rate code → (numerator count, denominator count); a rate drills down to its denominator's rows.
RATES = {
    "territorial_disclosure_on_time": ("territorial_disclosed_on_time", "territorial_disclosure_villages")
}
CURRENT_ONLY = {
    "territorial_assets",
    "territorial_contracts_expiring",
    "territorial_contracts_ended",
    "territorial_instalments_overdue",
    "territorial_payments_awaiting",
    "territorial_institutions",
}


def describe(obj: Any) -> dict[str, Any]:
    """A drill-down row of a 三资 record or an institution (no counterparty's name: a person is masked
    everywhere, so the row names the object, not the party)."""
    if isinstance(obj, Asset):
        village = obj.organisation.village_code
        url = reverse("territorial:asset", args=[obj.pk])
        return drill_row(obj.pk, obj.number, obj.name, obj.get_state_display(), village, None, url)
    if isinstance(obj, Contract):
        village = obj.organisation.village_code
        return drill_row(
            obj.pk,
            obj.number,
            f"{obj.starts_on} — {obj.ends_on}",
            obj.get_state_display(),
            village,
            obj.ends_on,
            reverse("territorial:contract", args=[obj.pk]),
        )
    if isinstance(obj, Instalment):
        contract = obj.contract
        village = contract.organisation.village_code
        url = reverse("territorial:contract", args=[contract.pk])  # the rent is received on its contract
        return drill_row(
            obj.pk,
            contract.number,
            _("应收 %(amount)s 元") % {"amount": obj.amount},
            _("未收"),
            village,
            obj.due_on,
            url,
        )
    if isinstance(obj, Payment):
        village = obj.organisation.village_code
        state = obj.work_item.state if obj.work_item_id else ""
        url = reverse("territorial:payment", args=[obj.pk])
        return drill_row(
            obj.pk,
            "",
            _("%(purpose)s（%(amount)s 元）") % {"purpose": obj.purpose, "amount": obj.amount},
            state,
            village,
            obj.proposed_at,
            url,
        )
    if isinstance(obj, OrgUnit):
        url = reverse("territorial:institution", args=[obj.pk])
        return drill_row(obj.pk, obj.code, obj.name, obj.get_kind_display(), obj.territory_code, None, url)
    if isinstance(obj, Division):  # a village of the 财务公开 figure, annotated by disclosure_villages
        return describe_disclosure(obj)
    raise TypeError(type(obj).__name__)


def describe_disclosure(village: Any) -> dict[str, Any]:
    """A village's 财务公开 of the judged month: on time or how many entries came late, the month linking
    to its public page, the deadline as the row's day."""
    month: date = village.disclosure_month
    late: int = village.late_entries
    url = reverse("territorial_public:disclosure", args=[village.code, month.year, month.month])
    state = _("按时公开") if late == 0 else _("未按时公开（%(count)s 笔逾期记账）") % {"count": late}
    row = drill_row(
        village.code, f"{month:%Y-%m}", village.name, state, village.code, village.disclosure_deadline, url
    )
    row["overdue"] = late > 0
    return row


# Relations each figure's rows read (no query per row).
RELATED = {
    "territorial_assets": ("organisation",),
    "territorial_contracts_expiring": ("organisation",),
    "territorial_contracts_ended": ("organisation",),
    "territorial_instalments_overdue": ("contract__organisation",),
    "territorial_payments_awaiting": ("organisation", "work_item"),
    "territorial_payments_proposed": ("organisation", "work_item"),
}


def command_figures(user: User, *, now: datetime) -> dict[str, int]:
    """The command centre's 属地管理 figures within the user's jurisdiction, at `now`."""
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
