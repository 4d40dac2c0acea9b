"""Forms of the licences pages: they parse input; the rules live in the actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class VerifyForm(forms.Form):
    identifier = forms.CharField(label=_("证照标识"), max_length=120)


class NoHousingForm(forms.Form):
    name = forms.CharField(
        label=_("姓名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label=_("公民身份号码"),
        max_length=18,
        min_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        help_text=_("我们将向该号码发送6位验证码。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class PropertyImportForm(forms.Form):
    file = forms.FileField(label=_("产权登记 XLSX 文件"))
