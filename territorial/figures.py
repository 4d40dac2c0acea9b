"""What the 三资 records and the town-managed institutions contribute to the command centre's 属地管理
module: one queryset per count figure under a territory code prefix, over whole local days
[first_day, end_day), so a figure is the queryset's count and its drill-down the same queryset's rows.
Contract and payment states are today's (no history is kept): those figures are answered for a period
that ends today only (`CURRENT_ONLY`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import OrgUnit
from core.drill import drill_row
from territorial.days import midnight
from territorial.models import Asset, Contract, Instalment, Payment
from territorial.selectors import AWAITING

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


COUNTS: dict[str, Callable[[str, date, date], QuerySet[Any]]] = {
    "territorial_assets": assets,
    "territorial_contracts_expiring": contracts_expiring,
    "territorial_contracts_ended": contracts_ended_unsettled,
    "territorial_instalments_overdue": instalments_overdue,
    "territorial_payments_awaiting": payments_awaiting,
    "territorial_payments_proposed": payments_proposed,
    "territorial_institutions": institutions,
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
    raise TypeError(type(obj).__name__)


# Relations each figure's rows read (no query per row).
RELATED = {
    "territorial_assets": ("organisation",),
    "territorial_contracts_expiring": ("organisation",),
    "territorial_contracts_ended": ("organisation",),
    "territorial_instalments_overdue": ("contract__organisation",),
    "territorial_payments_awaiting": ("organisation", "work_item"),
    "territorial_payments_proposed": ("organisation", "work_item"),
}
