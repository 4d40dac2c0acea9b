"""Staff pages for setting up a connector (数据接入设置): create or edit one — adapter, source settings,
target registry, schedule, owner unit — and run it now. Parse → access → action → render; the rules
live in datashare.connectors. The source's password or token is a password field, never filled back."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import OrgUnit
from accounts.requests import acting_user
from core.errors import DomainError, NotFound, PermissionRefused
from datashare import access, connectors
from datashare.models import Connector


class ConnectorForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    category = forms.ChoiceField(label=gettext_lazy("数据系统类别"), choices=Connector.Category.choices)
    owner_unit = forms.TypedChoiceField(label=gettext_lazy("数据提供单位"), coerce=int)
    territory_code = forms.CharField(
        label=gettext_lazy("所属区划"), max_length=15, help_text=gettext_lazy("数据写入该区划内的网格。")
    )
    target = forms.ChoiceField(label=gettext_lazy("写入的基础信息库"), choices=Connector.Target.choices)
    key_field = forms.CharField(label=gettext_lazy("主键字段"), max_length=50, initial="uscc")
    cursor_field = forms.CharField(label=gettext_lazy("游标字段"), max_length=50, initial="updated_at")
    frequency_minutes = forms.IntegerField(label=gettext_lazy("更新频率（分钟）"), initial=60)
    enabled = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)
    adapter = forms.ChoiceField(label=gettext_lazy("接入方式"), choices=Connector.Adapter.choices)
    directory = forms.CharField(label=gettext_lazy("投放目录（文件）"), max_length=300, required=False)
    url = forms.CharField(label=gettext_lazy("接口地址（JSON 接口）"), max_length=300, required=False)
    dsn = forms.CharField(label=gettext_lazy("连接串（SQL）"), max_length=300, required=False)
    table = forms.CharField(label=gettext_lazy("表名（SQL）"), max_length=100, required=False)
    secret = forms.CharField(
        label=gettext_lazy("口令/令牌（SQL 密码或接口令牌）"),
        max_length=300,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_secret = forms.BooleanField(label=gettext_lazy("清除已设置的口令/令牌"), required=False)

    def __init__(self, *args: Any, has_secret: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner_unit"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(u.pk, f"{u.name}（{u.code}）") for u in OrgUnit.objects.order_by("code")]
        self.fields["secret"].help_text = (
            gettext_lazy("已设置，不显示；留空则保持不变。")
            if has_secret
            else gettext_lazy("加密保存，不回显。")
        )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        basics = ["name", "category", "owner_unit", "territory_code", "target", "key_field", "cursor_field"]
        schedule = ["frequency_minutes", "enabled"]
        source = ["adapter", "directory", "url", "dsn", "table", "secret", "clear_secret"]
        return [
            (_("基本信息"), [self[name] for name in basics]),
            (_("同步计划"), [self[name] for name in schedule]),
            (_("数据源"), [self[name] for name in source]),
        ]

    def data_input(self) -> connectors.ConnectorInput:
        data = self.cleaned_data
        secret = "" if data["clear_secret"] else (data["secret"] or None)
        return connectors.ConnectorInput(
            name=data["name"],
            category=data["category"],
            adapter=data["adapter"],
            target=data["target"],
            key_field=data["key_field"],
            cursor_field=data["cursor_field"],
            owner_unit_id=data["owner_unit"],
            territory_code=data["territory_code"],
            frequency_minutes=data["frequency_minutes"],
            enabled=data["enabled"],
            directory=data["directory"],
            url=data["url"],
            dsn=data["dsn"],
            table=data["table"],
            secret=secret,
        )


def _initial(connector: Connector) -> dict[str, Any]:
    names = ["name", "category", "adapter", "target", "key_field", "cursor_field", "territory_code"]
    initial = {name: getattr(connector, name) for name in names}
    initial |= {"owner_unit": connector.owner_unit_id, "frequency_minutes": connector.frequency_minutes}
    initial |= {"enabled": connector.enabled}
    shown = dict(connectors.shown_settings(connector))
    return initial | {key: shown[key] for key in ("directory", "url", "dsn", "table") if key in shown}


def _connector_for(request: HttpRequest, connector_id: int) -> Connector:
    try:
        return access.access_connector(acting_user(request), connector_id)
    except NotFound as error:
        raise Http404 from error
    except PermissionRefused as error:
        raise PermissionDenied(error.message) from error


@login_required
@require_http_methods(["GET", "POST"])
def connector_form(request: HttpRequest, connector_id: int | None = None) -> HttpResponse:
    user = acting_user(request)
    connector = _connector_for(request, connector_id) if connector_id is not None else None
    if connector is None and not access.is_steward(user):
        raise PermissionDenied(_("只有数据管理员可以设置数据接入。"))
    initial = _initial(connector) if connector is not None else {}
    has_secret = bool(connector and connector.secret_sealed)
    form = ConnectorForm(request.POST or None, initial=initial, has_secret=has_secret)
    if request.method == "POST" and form.is_valid():
        try:
            saved = connectors.do_save_connector(connector, form.data_input(), actor=user, now=timezone.now())
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("数据接入“%(name)s”已保存。") % {"name": saved.name})
            return HttpResponseRedirect(reverse("datashare:connector", args=[saved.pk]), status=303)
    context = {"form": form, "connector": connector}
    return render(request, "datashare/connector_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def run_now(request: HttpRequest, connector_id: int) -> HttpResponse:
    connector = _connector_for(request, connector_id)
    try:
        connectors.do_request_run(connector, actor=acting_user(request), now=timezone.now())
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已安排立即同步，稍后刷新查看同步记录。"))
    return HttpResponseRedirect(reverse("datashare:connector", args=[connector.pk]), status=303)
