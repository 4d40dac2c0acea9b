"""Staff pages of 三资 (under /territorial/): the village's 报账员 and committee, the town's 三资 office and
leaders. Parse → access (territorial.selectors, 404 outside the jurisdiction) → the same action the API
calls → render; a refusal shows on the form with its status and nothing is written."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.jurisdiction import user_roles
from accounts.models import User
from accounts.requests import acting_user
from core.errors import DomainError, NotFound
from registry import selectors as registry
from territorial import actions, assets, contracts, funds, institutions, selectors
from territorial.access import TOWN_ROLES, VILLAGE_ROLES
from territorial.findings import findings
from territorial.forms import (
    AccountForm,
    AssetChangeForm,
    ContractForm,
    EvaluationForm,
    FillPostForm,
    MovePostForm,
    PaymentForm,
    PostForm,
    ReceiptForm,
    ReceiveForm,
    RenewForm,
    ResourceForm,
    ReviewForm,
    TerminateForm,
    attach,
    parse_schedule,
)
from territorial.models import Asset, AssetChange, Contract, Instalment, InstitutionEvaluation, Post
from workflow.engine import available_actions


def staff_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log-in required; only the 三资 roles (403 otherwise); a refusal not shown on a form renders the
    error page with its status (404 for what is outside the jurisdiction)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            selectors.check_viewer(acting_user(request))
            return view(request, *args, **kwargs)
        except DomainError as error:
            status = 404 if isinstance(error, NotFound) else error.status
            context = {"message": error.message, "code": error.code}
            return render(request, "territorial/staff/error.html", context, status=status)

    return wrapper


def _now() -> Any:
    return timezone.now()


def _today() -> Any:
    return timezone.localdate()


def _roles(user: User) -> dict[str, bool]:
    roles = user_roles(user)
    return {"is_village": bool(roles & VILLAGE_ROLES), "is_town": bool(roles & TOWN_ROLES)}


# ---------------------------------------------------------------------------------------------- overview


@require_GET
@staff_page
def index(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    today = _today()
    orgs = selectors.organisations(user).prefetch_related("accounts")
    awaiting = selectors.payments(user).filter(work_item__state__in=selectors.AWAITING).count()
    context = {
        "organisations": orgs,
        "figures": selectors.command_figures(user, now=_now()),
        "awaiting": awaiting,
        "year": today.year,
        "month": today.month,
        **_roles(user),
    }
    return render(request, "territorial/staff/index.html", context)


# ---------------------------------------------------------------------------------------------- ledger


def _ledger_page(
    request: HttpRequest, org: Any, *, receipt: ReceiptForm | None = None, status: int = 200
) -> HttpResponse:
    user = acting_user(request)
    accounts = list(org.accounts.all())
    receipt = receipt or ReceiptForm(initial={"booked_on": _today(), "direction": "in"})
    receipt.set_choices("account", [(a.pk, f"{a.name}（{a.get_kind_display()}）") for a in accounts])
    context = {
        "org": org,
        "ledgers": [selectors.ledger(a) for a in accounts],
        "receipt": receipt,
        "account_form": AccountForm(),
        "today": _today(),
        **_roles(user),
    }
    return render(request, "territorial/staff/ledger.html", context, status=status)


@require_GET
@staff_page
def ledger(request: HttpRequest, org_id: int) -> HttpResponse:
    return _ledger_page(request, selectors.organisation_for(acting_user(request), org_id))


@require_POST
@staff_page
def record_entry(request: HttpRequest, org_id: int) -> HttpResponse:
    user = acting_user(request)
    org = selectors.organisation_for(user, org_id)
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        return _ledger_page(request, org, receipt=form, status=400)
    account = selectors.account_for(user, form.cleaned_data["account"])
    if account.organisation_id != org.pk:
        raise NotFound(field="account")
    try:
        actions.do_record_entry(
            account,
            direction=form.cleaned_data["direction"],
            amount=form.cleaned_data["amount"],
            booked_on=form.cleaned_data["booked_on"],
            summary=form.cleaned_data["summary"],
            category=form.cleaned_data["category"] or "",
            actor=user,
            now=_now(),
        )
    except NotFound:
        raise
    except DomainError as error:
        attach(form, error)
        return _ledger_page(request, org, receipt=form, status=error.status)
    messages.success(request, "已记账。")
    return HttpResponseRedirect(reverse("territorial:ledger", args=[org.pk]))


@require_POST
@staff_page
def open_account(request: HttpRequest, org_id: int) -> HttpResponse:
    user = acting_user(request)
    org = selectors.organisation_for(user, org_id)
    form = AccountForm(request.POST)
    if not form.is_valid():
        raise DomainError("invalid_input", "请填写账户名称和类型。", field="name")
    actions.do_open_account(
        org, name=form.cleaned_data["name"], kind=form.cleaned_data["kind"], actor=user, now=_now()
    )
    messages.success(request, "已开立账户。")
    return HttpResponseRedirect(reverse("territorial:ledger", args=[org.pk]))


# ---------------------------------------------------------------------------------------------- payments


@require_GET
@staff_page
def payment_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    rows = selectors.payments(user).order_by("-proposed_at")
    waiting = request.GET.get("waiting") == "1"
    if waiting:
        rows = rows.filter(work_item__state__in=selectors.AWAITING)
    payments = [(p, selectors.state_title(p.work_item)) for p in rows[:300]]
    context = {"payments": payments, "waiting": waiting, **_roles(user)}
    return render(request, "territorial/staff/payments.html", context)


def _account_choices(user: User) -> list[tuple[Any, str]]:
    return [
        (a.pk, f"{a.organisation.name} · {a.name}（余额 {a.balance} 元）")
        for a in selectors.accounts(user).order_by("organisation__village_code", "name")
    ]


@require_http_methods(["GET", "POST"])
@staff_page
def payment_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PaymentForm(request.POST or None, request.FILES or None)
    form.set_choices("account", _account_choices(user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            account = selectors.account_for(user, form.cleaned_data["account"])
            try:
                payment = funds.do_propose_payment(
                    account,
                    amount=form.cleaned_data["amount"],
                    payee=form.cleaned_data["payee"],
                    purpose=form.cleaned_data["purpose"],
                    category=form.cleaned_data["category"] or "",
                    voucher=form.cleaned_data["voucher"] or None,
                    actor=user,
                    now=_now(),
                )
            except NotFound:
                raise
            except DomainError as error:
                attach(form, error)
                status = error.status
            else:
                messages.success(request, "支出申请已提交，待村委会审核。")
                return HttpResponseRedirect(reverse("territorial:payment", args=[payment.pk]))
        else:
            status = 400
    context = {"form": form, "threshold": funds.town_threshold()}
    return render(request, "territorial/staff/payment_new.html", context, status=status)


def _payment_page(
    request: HttpRequest, payment: Any, *, review: ReviewForm | None = None, status: int = 200
) -> HttpResponse:
    user = acting_user(request)
    item = payment.work_item
    context = {
        "payment": payment,
        "state": selectors.state_title(item),
        "actions": available_actions(item, user),
        "history": selectors.timeline(item),
        "review": review or ReviewForm(),
        "threshold": funds.town_threshold(),
    }
    return render(request, "territorial/staff/payment.html", context, status=status)


@require_GET
@staff_page
def payment_detail(request: HttpRequest, payment_id: int) -> HttpResponse:
    return _payment_page(request, selectors.payment_for(acting_user(request), payment_id))


@require_POST
@staff_page
def payment_review(request: HttpRequest, payment_id: int) -> HttpResponse:
    user = acting_user(request)
    payment = selectors.payment_for(user, payment_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _payment_page(request, payment, review=form, status=400)
    try:
        funds.do_review_payment(
            payment,
            form.cleaned_data["action"],
            actor=user,
            now=_now(),
            reason=form.cleaned_data["reason"],
        )
    except NotFound:
        raise
    except DomainError as error:
        attach(form, error)
        return _payment_page(request, payment, review=form, status=error.status)
    messages.success(request, "已办理。")
    return HttpResponseRedirect(reverse("territorial:payment", args=[payment.pk]))


@require_GET
@staff_page
def payment_voucher(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = selectors.payment_for(acting_user(request), payment_id)
    with payment.voucher.open("rb") as image:
        content = image.read()
    kind = mimetypes.guess_type(str(payment.voucher.name))[0] or "application/octet-stream"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'inline; filename="voucher-{payment.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------------------------- contracts


@require_GET
@staff_page
def contract_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    today = _today()
    rows = selectors.contracts(user).prefetch_related("instalments").order_by("state", "ends_on")
    show = request.GET.get("show", "")
    listed = [(c, selectors.contract_flags(c, today)) for c in rows[:500]]
    if show == "expiring":
        listed = [(c, f) for c, f in listed if f.expiring_30 or f.expiring_90 or f.ended]
    elif show == "overdue":
        listed = [(c, f) for c, f in listed if f.overdue]
    elif show == "below":
        listed = [(c, f) for c, f in listed if f.below_reference]
    context = {"contracts": listed, "show": show, "today": today, **_roles(user)}
    return render(request, "territorial/staff/contracts.html", context)


def _subject_choices(user: User) -> list[tuple[Any, str]]:
    rows: list[tuple[Any, str]] = [
        (f"asset:{a.pk}", f"{a.organisation.name} · 资产 {a.number} {a.name}")
        for a in selectors.assets(user).exclude(state=Asset.State.DISPOSED)
    ]
    rows += [
        (f"resource:{r.pk}", f"{r.organisation.name} · 资源 {r.name}") for r in selectors.resources(user)
    ]
    return rows


def _contract_input(user: User, data: dict[str, Any]) -> tuple[Any, contracts.ContractInput]:
    kind, _sep, pk = data["subject"].partition(":")
    if kind == "asset" and pk.isdigit():
        asset, resource = selectors.asset_for(user, int(pk)), None
        org = asset.organisation
    elif kind == "resource" and pk.isdigit():
        resource = selectors.resources(user).filter(pk=int(pk)).first()
        if resource is None:
            raise NotFound(field="subject")
        asset, org = None, resource.organisation
    else:
        raise DomainError("object_required", "须选择标的资产或资源。", field="subject")
    person = entity = None
    key = data["counterparty"].strip().upper()
    if data["counterparty_kind"] == "entity":
        entity = registry.entities_visible_to(user).filter(uscc=key).first()
        if entity is None:
            raise DomainError("counterparty_unknown", "基础信息库中没有该单位。", field="counterparty")
    else:
        try:
            person = registry.person_by_id_number(user, key)
        except DomainError:
            raise DomainError(
                "counterparty_unknown", "基础信息库中没有该人员。", field="counterparty"
            ) from None
    return org, contracts.ContractInput(
        number=data["number"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        annual_price=data["annual_price"],
        reference_price=data["reference_price"] or None,
        schedule=parse_schedule(data["schedule"]),
        person=person,
        entity=entity,
        asset=asset,
        resource=resource,
    )


@require_http_methods(["GET", "POST"])
@staff_page
def contract_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ContractForm(request.POST or None)
    form.set_choices("subject", _subject_choices(user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                org, data = _contract_input(user, form.cleaned_data)
                contract = contracts.do_sign_contract(org, data, actor=user, now=_now())
            except NotFound:
                raise
            except DomainError as error:
                attach(form, error)
                status = error.status
            else:
                messages.success(request, "合同已登记。")
                return HttpResponseRedirect(reverse("territorial:contract", args=[contract.pk]))
        else:
            status = 400
    return render(request, "territorial/staff/contract_new.html", {"form": form}, status=status)


def _contract_page(
    request: HttpRequest, contract: Contract, *, status: int = 200, **forms: Any
) -> HttpResponse:
    user = acting_user(request)
    receive = forms.get("receive") or ReceiveForm()
    receive.set_choices(
        "account",
        [(a.pk, f"{a.name}（{a.get_kind_display()}）") for a in contract.organisation.accounts.all()],
    )
    instalments = list(contract.instalments.select_related("entry"))
    context = {
        "contract": contract,
        "flags": selectors.contract_flags(contract, _today()),
        "instalments": instalments,
        "receive": receive,
        "renew": forms.get("renew") or RenewForm(),
        "terminate": forms.get("terminate") or TerminateForm(initial={"on": _today()}),
        "counterparty": selectors.counterparty_label(contract),
        **_roles(user),
    }
    return render(request, "territorial/staff/contract.html", context, status=status)


@require_GET
@staff_page
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    return _contract_page(request, selectors.contract_for(acting_user(request), contract_id))


@require_POST
@staff_page
def contract_act(request: HttpRequest, contract_id: int, verb: str) -> HttpResponse:
    """receive (an instalment into an account), renew, terminate: one action function each."""
    user = acting_user(request)
    contract = selectors.contract_for(user, contract_id)
    form_class = {"receive": ReceiveForm, "renew": RenewForm, "terminate": TerminateForm}.get(verb)
    if form_class is None:
        raise NotFound(field="action")
    form = form_class(request.POST)
    if not form.is_valid():
        return _contract_page(request, contract, status=400, **{verb: form})
    data, now = form.cleaned_data, _now()
    try:
        if verb == "receive":
            instalment = Instalment.objects.filter(contract=contract, pk=data["instalment"]).first()
            account = contract.organisation.accounts.filter(pk=data["account"]).first()
            if instalment is None or account is None:
                raise NotFound(field="instalment" if instalment is None else "account")
            contracts.do_receive_instalment(instalment, account, actor=user, now=now)
        elif verb == "renew":
            schedule = parse_schedule(data["schedule"])
            contracts.do_renew_contract(
                contract, ends_on=data["ends_on"], schedule=schedule, actor=user, now=now
            )
        else:
            contracts.do_terminate_contract(
                contract, on=data["on"], reason=data["reason"], actor=user, now=now
            )
    except NotFound:
        raise
    except DomainError as error:
        attach(form, error)
        contract.refresh_from_db()
        return _contract_page(request, contract, status=error.status, **{verb: form})
    messages.success(request, "已办理。")
    return HttpResponseRedirect(reverse("territorial:contract", args=[contract.pk]))


# ---------------------------------------------------------------------------------------------- assets


@require_GET
@staff_page
def asset_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    rows = selectors.assets(user).annotate(changes_count=Count("changes"))
    kind = request.GET.get("kind", "")
    if kind in Asset.Kind.values:
        rows = rows.filter(kind=kind)
    pending = selectors.asset_changes(user).filter(applied_at__isnull=True, work_item__closed_at__isnull=True)
    context = {
        "assets": rows,
        "kinds": Asset.Kind.choices,
        "kind": kind,
        "pending": pending,
        "map_config": _map_config(
            [
                {"lon": a.lon, "lat": a.lat, "label": f"{a.number} {a.name}"}
                for a in rows
                if a.lon is not None and a.lat is not None
            ]
        ),
        **_roles(user),
    }
    return render(request, "territorial/staff/assets.html", context)


def _map_config(points: list[dict[str, Any]], outlines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "points": points,
        "outlines": outlines or [],
    }


def _asset_page(
    request: HttpRequest, asset: Asset, *, photo_error: str = "", status: int = 200
) -> HttpResponse:
    user = acting_user(request)
    changes = [
        (c, selectors.state_title(c.work_item))
        for c in AssetChange.objects.filter(asset=asset).select_related("work_item", "proposed_by")
    ]
    points = [] if asset.lon is None else [{"lon": asset.lon, "lat": asset.lat, "label": asset.name}]
    leases = selectors.contracts(user).filter(asset=asset)
    context = {
        "asset": asset,
        "changes": changes,
        "leases": leases,
        "photos": asset.photos.all(),
        "photo_error": photo_error,
        "map_config": _map_config(points),
    }
    return render(request, "territorial/staff/asset.html", context, status=status)


@require_GET
@staff_page
def asset_detail(request: HttpRequest, asset_id: int) -> HttpResponse:
    return _asset_page(request, selectors.asset_for(acting_user(request), asset_id))


@require_POST
@staff_page
def asset_photo_add(request: HttpRequest, asset_id: int) -> HttpResponse:
    user = acting_user(request)
    asset = selectors.asset_for(user, asset_id)
    try:
        assets.do_add_asset_photo(asset, photo=request.FILES.get("photo"), actor=user, now=_now())
    except NotFound:
        raise
    except DomainError as error:
        return _asset_page(request, asset, photo_error=error.message, status=error.status)
    messages.success(request, "照片已上传。")
    return HttpResponseRedirect(reverse("territorial:asset", args=[asset.pk]))


@require_GET
@staff_page
def asset_photo(request: HttpRequest, asset_id: int, photo_id: int) -> HttpResponse:
    asset = selectors.asset_for(acting_user(request), asset_id)
    row = asset.photos.filter(pk=photo_id).first()
    if row is None:
        raise NotFound(field="photo")
    with row.image.open("rb") as image:
        content = image.read()
    kind = mimetypes.guess_type(str(row.image.name))[0] or "application/octet-stream"
    response = HttpResponse(content, content_type=kind)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
@staff_page
def asset_change_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    initial = {"asset": request.GET.get("asset"), "kind": request.GET.get("kind") or "purchase"}
    form = AssetChangeForm(request.POST or None, initial=initial)
    form.set_choices("organisation", [(o.pk, o.name) for o in selectors.organisations(user)])
    form.set_choices(
        "asset",
        [(a.pk, f"{a.number} {a.name}") for a in selectors.assets(user).exclude(state=Asset.State.DISPOSED)],
        blank=True,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            org = selectors.organisation_for(user, data["organisation"])
            asset = selectors.asset_for(user, data["asset"]) if data["asset"] else None
            card = {
                "number": data["number"],
                "name": data["name"],
                "kind": data["asset_kind"],
                "value": data["value"],
                "responsible": data["responsible"],
                "lon": data["lon"] or None,
                "lat": data["lat"] or None,
            }
            try:
                change = assets.do_propose_asset_change(
                    org,
                    kind=data["kind"],
                    asset=asset,
                    card=card,
                    value=data["value"],
                    note=data["note"],
                    actor=user,
                    now=_now(),
                )
            except NotFound:
                raise
            except DomainError as error:
                attach(form, error)
                status = error.status
            else:
                messages.success(request, "资产变动已提交，待镇三资办审核。")
                return HttpResponseRedirect(reverse("territorial:asset_change", args=[change.pk]))
        else:
            status = 400
    return render(request, "territorial/staff/asset_change_new.html", {"form": form}, status=status)


def _change_page(
    request: HttpRequest, change: AssetChange, *, review: ReviewForm | None = None, status: int = 200
) -> HttpResponse:
    item = change.work_item
    context = {
        "change": change,
        "state": selectors.state_title(item),
        "actions": available_actions(item, acting_user(request)),
        "history": selectors.timeline(item),
        "review": review or ReviewForm(),
    }
    return render(request, "territorial/staff/asset_change.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_page
def asset_change_detail(request: HttpRequest, change_id: int) -> HttpResponse:
    user = acting_user(request)
    change = selectors.asset_change_for(user, change_id)
    if request.method == "GET":
        return _change_page(request, change)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _change_page(request, change, review=form, status=400)
    try:
        assets.do_review_asset_change(
            change, form.cleaned_data["action"], actor=user, now=_now(), reason=form.cleaned_data["reason"]
        )
    except NotFound:
        raise
    except DomainError as error:
        attach(form, error)
        return _change_page(request, change, review=form, status=error.status)
    messages.success(request, "已办理。")
    return HttpResponseRedirect(reverse("territorial:asset_change", args=[change.pk]))


# ---------------------------------------------------------------------------------------------- resources


@require_http_methods(["GET", "POST"])
@staff_page
def resource_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ResourceForm(request.POST or None)
    form.set_choices("organisation", [(o.pk, o.name) for o in selectors.organisations(user)])
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            org = selectors.organisation_for(user, data["organisation"])
            try:
                actions.do_record_resource(
                    org,
                    name=data["name"],
                    kind=data["kind"],
                    area_mu=data["area_mu"],
                    outline=data["outline"],
                    actor=user,
                    now=_now(),
                )
            except NotFound:
                raise
            except DomainError as error:
                attach(form, error)
                status = error.status
            else:
                messages.success(request, "资源已登记。")
                return HttpResponseRedirect(reverse("territorial:resources"))
        else:
            status = 400
    rows = selectors.resources(user).prefetch_related(
        Prefetch("contract_set", queryset=Contract.objects.filter(state=Contract.State.ACTIVE))
    )
    outlines = [{"outline": r.outline, "label": r.name} for r in rows]
    context = {"resources": rows, "form": form, "map_config": _map_config([], outlines)}
    return render(request, "territorial/staff/resources.html", context, status=status)


# ---------------------------------------------------------------------------------------------- warnings


@require_GET
@staff_page
def warning_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    found = findings(user, today=_today())
    code = request.GET.get("code", "")
    codes = [(c, selectors.FINDING_LABELS.get(c, c)) for c in sorted({f.code for f in found})]
    links = {"contract": "territorial:contract", "payment": "territorial:payment"}
    rows = [
        {
            "code": f.code,
            "label": selectors.FINDING_LABELS.get(f.code, f.code),
            "village_code": f.village_code,
            "message": f.message,
            "amount": f.amount,
            "url": reverse(links[f.subject_type], args=[f.subject_id]) if f.subject_type in links else "",
        }
        for f in found
        if not code or f.code == code
    ]
    return render(
        request, "territorial/staff/warnings.html", {"findings": rows, "codes": codes, "code": code}
    )


# ---------------------------------------------------------------------------------------------- institutions


@require_GET
@staff_page
def institution_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    units = list(institutions.institutions(user))
    posts = Post.objects.filter(org_unit__in=units).prefetch_related("holdings")
    evaluations = InstitutionEvaluation.objects.filter(org_unit__in=units).order_by("org_unit", "-year")
    latest: dict[int, InstitutionEvaluation] = {}
    for e in evaluations:
        latest.setdefault(e.org_unit_id, e)
    counts: dict[int, list[int]] = {}
    for p in posts:
        filled = any(h.ended_on is None for h in p.holdings.all())
        row = counts.setdefault(p.org_unit_id, [0, 0])
        row[0] += 1
        row[1] += int(filled)
    rows = [(u, counts.get(u.pk, [0, 0]), latest.get(u.pk)) for u in units]
    return render(request, "territorial/staff/institutions.html", {"rows": rows})


def _institution_page(request: HttpRequest, unit: Any, *, status: int = 200, **forms: Any) -> HttpResponse:
    user = acting_user(request)
    move = forms.get("move") or MovePostForm()
    move.set_choices("to_unit", [(u.pk, u.name) for u in institutions.institutions(user).exclude(pk=unit.pk)])
    posts = Post.objects.filter(org_unit=unit).prefetch_related(
        "holdings", "moves__from_unit", "moves__to_unit"
    )
    context = {
        "unit": unit,
        "posts": posts,
        "evaluations": InstitutionEvaluation.objects.filter(org_unit=unit).select_related("recorded_by"),
        "post_form": forms.get("post") or PostForm(),
        "fill": forms.get("fill") or FillPostForm(initial={"started_on": _today()}),
        "move": move,
        "evaluation": forms.get("evaluation") or EvaluationForm(initial={"year": _today().year - 1}),
        **_roles(user),
    }
    return render(request, "territorial/staff/institution.html", context, status=status)


@require_GET
@staff_page
def institution_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    return _institution_page(request, institutions.institution_for(acting_user(request), unit_id))


@require_POST
@staff_page
def institution_act(request: HttpRequest, unit_id: int, verb: str) -> HttpResponse:
    """post (create), fill, move, evaluation: one action function each."""
    user = acting_user(request)
    unit = institutions.institution_for(user, unit_id)
    form_class = {
        "post": PostForm,
        "fill": FillPostForm,
        "move": MovePostForm,
        "evaluation": EvaluationForm,
    }.get(verb)
    if form_class is None:
        raise NotFound(field="action")
    form = form_class(request.POST)
    if not form.is_valid():
        return _institution_page(request, unit, status=400, **{verb: form})
    data, now = form.cleaned_data, _now()

    def post_of() -> Post:
        post = Post.objects.filter(org_unit=unit, pk=data["post"]).first()
        if post is None:
            raise NotFound(field="post")
        return post

    try:
        if verb == "post":
            institutions.do_create_post(
                unit, title=data["title"], category=data["category"], actor=user, now=now
            )
        elif verb == "fill":
            institutions.do_fill_post(
                post_of(), holder_name=data["holder_name"], started_on=data["started_on"], actor=user, now=now
            )
        elif verb == "move":
            institutions.do_move_post(
                post_of(),
                to_unit=institutions.institution_for(user, data["to_unit"]),
                moved_on=data["moved_on"],
                reason=data["reason"],
                actor=user,
                now=now,
            )
        else:
            institutions.do_record_evaluation(
                unit,
                year=data["year"],
                grade=data["grade"],
                town_opinion=data["town_opinion"],
                sector_opinion=data["sector_opinion"],
                actor=user,
                now=now,
            )
    except NotFound:
        raise
    except DomainError as error:
        attach(form, error)
        return _institution_page(request, unit, status=error.status, **{verb: form})
    messages.success(request, "已登记。")
    return HttpResponseRedirect(reverse("territorial:institution", args=[unit.pk]))
