"""Forms of the approvals pages: they parse; every rule lives in approvals.actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from approvals.models import ApplicantKind, DeliveryMethod, ItemType, ServiceLevel, Theme

EMPTY: list[tuple[str, Any]] = [("", _("全部"))]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several scans in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("名称或编码"), required=False, max_length=60)
    level = forms.ChoiceField(label=_("层级"), required=False, choices=EMPTY + list(ServiceLevel.choices))
    type = forms.ChoiceField(label=_("类型"), required=False, choices=EMPTY + list(ItemType.choices))
    theme = forms.ChoiceField(label=_("主题"), required=False, choices=EMPTY + list(Theme.choices))
    centre = forms.ChoiceField(label=_("进驻中心"), required=False, choices=EMPTY)

    def __init__(self, *args: Any, centres: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].choices = EMPTY + list(centres or [])  # type: ignore[attr-defined]


class ApplicantForm(forms.Form):
    applicant_kind = forms.ChoiceField(
        label=_("申请人类型"), choices=ApplicantKind.choices, initial=ApplicantKind.NATURAL
    )
    applicant_name = forms.CharField(label=_("申请人姓名/单位名称"), max_length=100)
    applicant_number = forms.CharField(
        label=_("公民身份号码/统一社会信用代码"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    applicant_phone = forms.CharField(
        label=_("手机号码"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )


class CheckedMaterialsForm(ApplicantForm):
    """Staff at the counter (window, proxy) tick the paper materials they have seen."""

    materials = forms.MultipleChoiceField(
        label=_("已收材料"), required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )

    def __init__(self, *args: Any, materials: list[dict[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        for m in materials or []:
            need = _("必需") if m.get("required") else _("情形：%(c)s") % {"c": m.get("condition", "")}
            choices.append((m["name"], f"{m['name']}（{need}）"))
        self.fields["materials"].choices = choices  # type: ignore[attr-defined]


class WindowForm(CheckedMaterialsForm):
    decision = forms.ChoiceField(
        label=_("受理意见"),
        choices=[("accept", _("受理")), ("corrections", _("一次性告知补正")), ("refuse", _("不予受理"))],
        widget=forms.RadioSelect,
        initial="accept",
    )
    reason = forms.CharField(
        label=_("补正内容/不予受理理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    scans = MultipleFileField(label=_("扫描件（PDF/JPG/PNG）"), required=False)


class ProxyForm(CheckedMaterialsForm):
    proxy_consent = forms.CharField(
        label=_("委托代办同意记录"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：申请人本人签字同意委托网格员代办（日期）"),
    )


# What a material's file input offers to pick; the server reads the type from the content.
MATERIAL_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class OnlineForm(ApplicantForm):
    """网上申请: one file input per material of the guide (`materials_<i>`, the i-th material), several
    files each (an ID card's two sides). Whether a required one is missing, and whether a file is a real
    PDF/JPG/PNG under the size limit, is decided by `do_file_application`, not here."""

    code = forms.CharField(label=_("短信验证码"), required=False, max_length=6)

    def __init__(
        self,
        *args: Any,
        materials: list[dict[str, Any]] | None = None,
        max_bytes: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.guide_materials = list(materials or [])
        for index, m in enumerate(self.guide_materials):
            attrs = {"accept": MATERIAL_ACCEPT, "data-max-bytes": str(max_bytes), "data-material": m["name"]}
            if m.get("required"):
                attrs["aria-required"] = "true"
            self.fields[f"materials_{index}"] = MultipleFileField(
                label=m["name"], required=False, widget=MultipleFileInput(attrs=attrs)
            )

    def material_rows(self) -> list[tuple[dict[str, Any], forms.BoundField]]:
        return [(m, self[f"materials_{index}"]) for index, m in enumerate(self.guide_materials)]

    def uploads(self) -> list[tuple[str, Any]]:
        """(material name, file) for every file chosen, in the guide's order."""
        return [
            (m["name"], upload)
            for index, m in enumerate(self.guide_materials)
            for upload in self.cleaned_data.get(f"materials_{index}") or []
        ]


class TrackForm(forms.Form):
    receipt_no = forms.CharField(label=_("受理编号"), max_length=24)
    phone_last4 = forms.CharField(label=_("手机号后4位"), max_length=4, min_length=4)


class ActionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("意见/理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    legal_basis = forms.CharField(label=_("法律依据"), required=False, max_length=2000)
    approve = forms.TypedChoiceField(
        label=_("决定"),
        required=False,
        choices=[("1", _("准予")), ("0", _("不予许可"))],
        coerce=lambda v: v == "1",
    )
    method = forms.ChoiceField(
        label=_("送达方式"), required=False, choices=[c for c in DeliveryMethod.choices if c[0]]
    )
    ems_tracking_no = forms.CharField(label=_("EMS 运单号"), required=False, max_length=30)
    materials = forms.MultipleChoiceField(label=_("补正收到的材料"), required=False, choices=[])

    def __init__(self, *args: Any, material_names: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["materials"].choices = [(n, n) for n in material_names or []]  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("目录文件（XLSX）"))
