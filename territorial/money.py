"""Money in, checked: a `Decimal` to the fen, never a float (a float has already lost the fen)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.errors import DomainError

FEN = Decimal("0.01")
MAX = Decimal("999999999999.99")


def clean_amount(value: object, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A positive amount in yuan with at most two decimals, from a str, int or Decimal."""
    if isinstance(value, float | bool) or not isinstance(value, str | int | Decimal):
        raise DomainError("invalid_amount", _("金额须为以元为单位的数字（最多两位小数）。"), field=field)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise DomainError(
            "invalid_amount", _("金额须为以元为单位的数字（最多两位小数）。"), field=field
        ) from None
    if not amount.is_finite():
        raise DomainError("invalid_amount", _("金额须为有限数字。"), field=field)
    if amount != amount.quantize(FEN):
        raise DomainError("amount_precision", _("金额最多精确到分（两位小数）。"), field=field)
    if amount < 0:
        raise DomainError("negative_amount", _("金额不能为负数。"), field=field)
    if amount == 0 and not allow_zero:
        raise DomainError("zero_amount", _("金额须大于零。"), field=field)
    if amount > MAX:
        raise DomainError("amount_too_large", _("金额超出上限。"), field=field)
    return amount.quantize(FEN)
