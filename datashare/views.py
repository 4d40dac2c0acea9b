"""Staff pages: the data catalogue, one connected source (its runs and its quarantine), and the grant
requests of 有条件使用 (a unit asks for a dataset for a purpose and period; reviewers approve on the
engine; the requester takes the access token once)."""

from __future__ import annotations

from datetime import timedelta
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

from accounts.models import User
from accounts.requests import acting_user
from core.errors import DomainError, NotFound, PermissionRefused
from datashare import access, connectors, grants, selectors, sync
from datashare.models import Connector, DatasetGrant, QuarantinedRow

RUNS_SHOWN = 20
FIELD_LABELS = {
    "uscc": gettext_lazy("统一社会信用代码"),
    "name": gettext_lazy("名称"),
    "legal_representative": gettext_lazy("法定代表人（个人信息）"),
    "industry_code": gettext_lazy("行业代码"),
    "size": gettext_lazy("规模"),
    "territory_code": gettext_lazy("所属网格"),
}
# The action's error field → the form's field (the form cannot have a field called `fields`).
FORM_FIELDS = {
    "connector": "connector",
    "fields": "dataset_fields",
    "purpose": "purpose",
    "starts_at": "starts_at",
    "ends_at": "ends_at",
}
LOCAL_INPUT = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
RETRY_OUTCOMES = {
    "created": gettext_lazy("新增"),
    "updated": gettext_lazy("更新"),
    "unchanged": gettext_lazy("未变"),
    "proposed": gettext_lazy("待审核"),
}


@login_required
def catalogue_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    context = {"assets": selectors.catalogue(user), "may_add": access.is_steward(user)}
    return render(request, "datashare/catalogue.html", context)


@login_required
def connector_page(request: HttpRequest, connector_id: int) -> HttpResponse:
    """The source's runs and its quarantine; its data steward retries quarantined rows here."""
    user = acting_user(request)
    connector = Connector.objects.select_related("owner_unit").filter(pk=connector_id).first()
    if connector is None or not selectors.overlaps(user, connector.territory_code):
        raise Http404
    quarantine = connector.quarantine.select_related("retried_by")
    waiting = list(quarantine.filter(status=QuarantinedRow.Status.WAITING)[: RUNS_SHOWN * 5])
    for row in waiting:
        row.columns = [(c, v) for c, v in row.payload.items() if c != "_digest"]  # type: ignore[attr-defined]
    resolved = list(
        quarantine.filter(status=QuarantinedRow.Status.RESOLVED).order_by("-retried_at")[:RUNS_SHOWN]
    )
    for row in resolved:
        row.outcome_label = RETRY_OUTCOMES.get(row.outcome, row.outcome)  # type: ignore[attr-defined]
    return render(
        request,
        "datashare/connector.html",
        {
            "connector": connector,
            "runs": connector.runs.all()[:RUNS_SHOWN],
            "quarantine": waiting,
            "resolved": resolved,
            "is_steward": access.may_steward(user, connector.territory_code),
            "settings": [
                (key, connectors.SETTING_LABELS.get(key, key), value)
                for key, value in connectors.shown_settings(connector)
            ],
        },
    )


VALUE_PREFIX = "value__"


@login_required
@require_POST
def retry_quarantined(request: HttpRequest, connector_id: int, row_id: int) -> HttpResponse:
    """Retry one quarantined row: as the source has it now, or (mode=edit) with the steward's values."""
    user = acting_user(request)
    try:
        connector = access.access_connector(user, connector_id)
    except NotFound as error:
        raise Http404 from error
    except PermissionRefused as error:
        raise PermissionDenied(error.message) from error
    row = connector.quarantine.filter(pk=row_id).first()
    if row is None:
        raise Http404
    values = None
    if request.POST.get("mode") == "edit":
        values = {
            k.removeprefix(VALUE_PREFIX): v for k, v in request.POST.items() if k.startswith(VALUE_PREFIX)
        }
    try:
        row = sync.do_retry_quarantined(row, actor=user, now=timezone.now(), values=values)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if row.status == QuarantinedRow.Status.RESOLVED:
            outcome = RETRY_OUTCOMES.get(row.outcome, row.outcome)
            messages.success(
                request, _("隔离行 %(id)s 已导入（%(outcome)s）。") % {"id": row.pk, "outcome": outcome}
            )
        else:
            messages.error(
                request, _("隔离行 %(id)s 仍未通过：%(reason)s") % {"id": row.pk, "reason": row.reason}
            )
    return HttpResponseRedirect(
        reverse("datashare:connector", args=[connector.pk]) + "#quarantine", status=303
    )


class GrantRequestForm(forms.Form):
    connector = forms.TypedChoiceField(label=gettext_lazy("数据集"), coerce=int)
    dataset_fields = forms.MultipleChoiceField(
        label=gettext_lazy("字段"), choices=list(FIELD_LABELS.items()), widget=forms.CheckboxSelectMultiple
    )
    purpose = forms.CharField(label=gettext_lazy("用途"), max_length=300, widget=forms.Textarea({"rows": 2}))
    starts_at = forms.DateTimeField(
        label=gettext_lazy("起始时间"),
        input_formats=LOCAL_INPUT,
        widget=forms.DateTimeInput({"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("截止时间"),
        input_formats=LOCAL_INPUT,
        widget=forms.DateTimeInput({"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    unmask = forms.BooleanField(label=gettext_lazy("需要个人信息原文（否则脱敏）"), required=False)

    def __init__(self, connectors: list[Connector], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["connector"]
        assert isinstance(field, forms.TypedChoiceField)
        # Datasets are entity sources (grants.do_request_grant refuses the others).
        shareable = [c for c in connectors if c.target == Connector.Target.ENTITY]
        field.choices = [(c.pk, f"{c.name}（{c.owner_unit.name}）") for c in shareable]


def _grants_context(user: User, form: GrantRequestForm, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    mine = list(selectors.grants_requested_by(user))
    to_review = selectors.grants_to_review(user)
    for grant in [*mine, *(row.grant for row in to_review)]:
        grant.field_names = "、".join(str(FIELD_LABELS.get(f, f)) for f in grant.fields)  # type: ignore[attr-defined]
    for grant in mine:
        grant.is_live = grant.live(now)  # type: ignore[attr-defined]
        grant.has_expired = grant.status == DatasetGrant.Status.APPROVED and grant.ends_at <= now  # type: ignore[attr-defined]
    connector_field = form.fields["connector"]
    return {
        "form": form,
        "has_connectors": bool(getattr(connector_field, "choices", None)),
        "mine": mine,
        "to_review": to_review,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def grants_page(request: HttpRequest) -> HttpResponse:
    """Request a dataset; follow one's requests; review the requests waiting in one's jurisdiction."""
    user = acting_user(request)
    now = timezone.now()
    initial = {"starts_at": timezone.localtime(now), "ends_at": timezone.localtime(now + timedelta(days=30))}
    connectors = selectors.visible_connectors(user)
    form = GrantRequestForm(connectors, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            connector = grants.visible_connector(user, data["connector"])
            grant = grants.do_request_grant(
                connector,
                fields=data["dataset_fields"],
                purpose=data["purpose"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                unmask=data["unmask"],
                actor=user,
                now=now,
            )
        except DomainError as error:
            form.add_error(FORM_FIELDS.get(error.field or ""), error.message)
        else:
            messages.success(request, _("申请已提交（编号 %(id)s），等待审批。") % {"id": grant.pk})
            return HttpResponseRedirect(reverse("datashare:grants"), status=303)
    status = 400 if form.errors else 200
    return render(request, "datashare/grants.html", _grants_context(user, form), status=status)


@login_required
@require_POST
def review_grant(request: HttpRequest, grant_id: int) -> HttpResponse:
    """Approve or reject: the engine checks state, role and jurisdiction; the bound handler decides."""
    user = acting_user(request)
    try:
        grant = selectors.grant_for_reviewer(user, grant_id)
    except DomainError as error:
        raise Http404 from error
    action = request.POST.get("action", "")
    try:
        grants.do_review_grant(
            grant, action, actor=user, now=timezone.now(), reason=request.POST.get("reason", "").strip()
        )
    except DomainError as error:
        if error.status == 404:
            raise Http404 from error
        messages.error(request, error.message)
    else:
        messages.success(request, _("已处理数据使用申请 %(id)s。") % {"id": grant.pk})
    return HttpResponseRedirect(reverse("datashare:grants"), status=303)


@login_required
@require_POST
def grant_token(request: HttpRequest, grant_id: int) -> HttpResponse:
    """A new access token for the requester's live grant, shown once on the page (only its hash is kept)."""
    user = acting_user(request)
    grant = DatasetGrant.objects.filter(pk=grant_id, requested_by=user).first()
    if grant is None:
        raise Http404
    form = GrantRequestForm(selectors.visible_connectors(user), initial={})
    try:
        token = grants.do_issue_token(grant, actor=user, now=timezone.now())
    except DomainError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(reverse("datashare:grants"), status=303)
    context = _grants_context(user, form, token=token, token_grant=grant)
    response = render(request, "datashare/grants.html", context)
    response["Cache-Control"] = "no-store"
    return response
