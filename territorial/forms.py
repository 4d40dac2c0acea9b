"""Forms of the 三资 staff pages. They parse only (text, dates, files); every rule — amounts to the fen,
no payment or receipt without a voucher, a term that ends after it starts — is the action's, so a page
and the API refuse the same input with the same code."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from grid.models import PatrolFrequency
from territorial.models import (
    Account,
    Asset,
    AssetChange,
    ExpenditureCategory,
    InstitutionEvaluation,
    Post,
    Resource,
)

# What the file picker offers for a voucher (the action decides from the content what it accepts).
VOUCHER_TYPES = "image/jpeg,image/png,image/webp,application/pdf"


class _Select(forms.Form):
    """A form whose choice fields hold primary keys checked by the selectors (an id outside the
    jurisdiction is 404 there, not a form error here)."""

    def set_choices(self, name: str, rows: list[tuple[Any, str]], *, blank: bool = False) -> None:
        field = self.fields[name]
        field.widget = forms.Select(choices=([("", "—")] if blank else []) + rows)


class ReceiptForm(_Select):
    account = forms.IntegerField(label=_("账户"))
    direction = forms.ChoiceField(
        label=_("收支方向"), choices=[("in", _("收入")), ("out", _("支出（期初、调整，仅镇三资办）"))]
    )
    amount = forms.CharField(label=_("金额（元）"), max_length=20)
    booked_on = forms.DateField(
        label=_("记账日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    summary = forms.CharField(label=_("摘要"), max_length=200)
    category = forms.ChoiceField(
        label=_("支出类别（仅支出）"),
        choices=[("", "—"), *ExpenditureCategory.choices],
        required=False,  # empty is 其他支出 (the action's default)
    )
    voucher = forms.FileField(
        label=_("凭证（收据、票据的扫描件或照片）"),
        required=False,  # the action refuses a receipt without one, with its own code
        widget=forms.ClearableFileInput(attrs={"accept": VOUCHER_TYPES}),
    )


class AccountForm(forms.Form):
    name = forms.CharField(label=_("账户名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=Account.Kind.choices)


class PaymentForm(_Select):
    account = forms.IntegerField(label=_("付款账户"))
    amount = forms.CharField(label=_("金额（元）"), max_length=20)
    payee = forms.CharField(label=_("收款方"), max_length=100)
    purpose = forms.CharField(label=_("用途"), max_length=200)
    category = forms.ChoiceField(
        label=_("支出类别"),
        choices=ExpenditureCategory.choices,
        initial=ExpenditureCategory.OTHER,
        required=False,  # empty is 其他支出 (the action's default)
    )
    voucher = forms.FileField(
        label=_("原始凭证（扫描件或照片）"),
        required=False,  # the action refuses a payment without one, with its own code
        widget=forms.ClearableFileInput(attrs={"accept": VOUCHER_TYPES}),
    )


class ReviewForm(forms.Form):
    action = forms.CharField(max_length=40)
    reason = forms.CharField(label=_("理由"), max_length=500, required=False)


def parse_schedule(text: str, field: str = "schedule") -> list[tuple[date, str]]:
    """Instalments, one a line: `2026-07-01 5000.00` (date, amount in yuan)."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = line.replace(",", " ").replace("，", " ").split()
        if len(parts) != 2:
            raise DomainError(
                "invalid_schedule",
                gettext("第 %(number)s 行须为“日期 金额”。") % {"number": number},
                field=field,
            )
        try:
            due_on = date.fromisoformat(parts[0])
        except ValueError:
            raise DomainError(
                "invalid_schedule",
                gettext("第 %(number)s 行日期格式须为 YYYY-MM-DD。") % {"number": number},
                field=field,
            ) from None
        rows.append((due_on, parts[1]))
    return rows


class ContractForm(_Select):
    number = forms.CharField(label=_("合同编号"), max_length=40)
    counterparty_kind = forms.ChoiceField(
        label=_("承租人类型"), choices=[("entity", _("单位")), ("person", _("个人"))]
    )
    counterparty = forms.CharField(
        label=_("统一社会信用代码 / 身份证号"), max_length=18, help_text=_("须已在基础信息库中登记")
    )
    subject = forms.CharField(label=_("标的（资产或资源）"), max_length=20)
    annual_price = forms.CharField(label=_("年租金（元）"), max_length=20)
    reference_price = forms.CharField(label=_("参考年租金（元）"), max_length=20, required=False)
    starts_on = forms.DateField(
        label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("到期日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    schedule = forms.CharField(
        label=_("收款计划"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "2026-07-01 5000.00"}),
        help_text=_("每行一笔：应收日期 金额"),
    )


class RenewForm(forms.Form):
    ends_on = forms.DateField(
        label=_("新到期日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    schedule = forms.CharField(
        label=_("续期收款计划"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TerminateForm(forms.Form):
    on = forms.DateField(
        label=_("终止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(label=_("终止理由"), max_length=200)


class ReceiveForm(_Select):
    instalment = forms.IntegerField()
    account = forms.IntegerField(label=_("收款账户"))
    voucher = forms.FileField(
        label=_("收据凭证"),
        required=False,  # required by the action
        widget=forms.ClearableFileInput(attrs={"accept": VOUCHER_TYPES}),
    )


class ContractDocumentForm(forms.Form):
    document = forms.FileField(
        label=_("合同文本（签字盖章后的扫描件）"),
        required=False,  # required by the action, with its own code
        widget=forms.ClearableFileInput(attrs={"accept": VOUCHER_TYPES}),
    )


class AssetChangeForm(_Select):
    kind = forms.ChoiceField(label=_("变动类型"), choices=AssetChange.Kind.choices)
    organisation = forms.IntegerField(label=_("集体经济组织"))
    asset = forms.IntegerField(label=_("资产（出租、处置、重估）"), required=False)
    number = forms.CharField(label=_("卡片编号（购置）"), max_length=40, required=False)
    name = forms.CharField(label=_("资产名称（购置）"), max_length=100, required=False)
    asset_kind = forms.ChoiceField(
        label=_("资产类别（购置）"), choices=[("", "—"), *Asset.Kind.choices], required=False
    )
    value = forms.CharField(label=_("原值 / 重估价值（元）"), max_length=20, required=False)
    responsible = forms.CharField(label=_("责任人（购置）"), max_length=50, required=False)
    lon = forms.CharField(label=_("经度"), max_length=20, required=False)
    lat = forms.CharField(label=_("纬度"), max_length=20, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    amount = forms.CharField(
        label=_("成交金额（元；购置付款、处置收入，记入账簿）"), max_length=20, required=False
    )
    account = forms.IntegerField(label=_("收付款账户"), required=False)
    voucher = forms.FileField(
        label=_("凭证（购置发票、处置收据）"),
        required=False,  # the action decides when one is needed, with its own code
        widget=forms.ClearableFileInput(attrs={"accept": VOUCHER_TYPES}),
    )


class ResourceForm(_Select):
    organisation = forms.IntegerField(label=_("集体经济组织"))
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=Resource.Kind.choices)
    area_mu = forms.CharField(label=_("面积（亩）"), max_length=20)
    outline = forms.JSONField(label=_("范围（GeoJSON 多边形）"), widget=forms.Textarea(attrs={"rows": 3}))


def attach(form: forms.Form, error: DomainError) -> None:
    """Show a refusal of the action on the field it names (or above the form)."""
    if error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        form.add_error(None, error.message)


class PostForm(forms.Form):
    title = forms.CharField(label=_("岗位"), max_length=100)
    category = forms.ChoiceField(label=_("编制类型"), choices=Post.Category.choices)


class FillPostForm(forms.Form):
    post = forms.IntegerField()
    holder_name = forms.CharField(label=_("在编人员"), max_length=50)
    started_on = forms.DateField(
        label=_("到岗日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class MovePostForm(_Select):
    post = forms.IntegerField()
    to_unit = forms.IntegerField(label=_("划转至"))
    moved_on = forms.DateField(
        label=_("划转日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(label=_("划转事由"), max_length=200)


class EvaluationForm(forms.Form):
    year = forms.IntegerField(label=_("年度"))
    grade = forms.ChoiceField(label=_("等次"), choices=InstitutionEvaluation.Grade.choices)
    town_opinion = forms.CharField(label=_("镇（街道）考核意见"), widget=forms.Textarea(attrs={"rows": 2}))
    sector_opinion = forms.CharField(label=_("业务指导部门意见"), widget=forms.Textarea(attrs={"rows": 2}))


class StationDutyForm(_Select):
    """A station's duty: its patrol item on the grids of the area and the routing of its category there."""

    name = forms.CharField(label=_("职责（巡查事项）"), max_length=80)
    category = forms.IntegerField(label=_("事件分类（该类事件派给本站）"))
    frequency = forms.ChoiceField(label=_("巡查频次"), choices=PatrolFrequency.choices)
    territory_code = forms.CharField(label=_("覆盖区域"), max_length=12)
    checkpoint = forms.CharField(label=_("巡查点位"), max_length=200, required=False)


class RetireDutyForm(forms.Form):
    duty = forms.IntegerField()
