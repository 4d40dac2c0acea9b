"""Contracts (leases): the list with its flags, signing, and the contract page's verbs — receive an
instalment, renew, terminate — each one action function."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.requests import acting_user
from core.errors import DomainError, NotFound
from registry import selectors as registry
from territorial import contracts, selectors
from territorial.forms import (
    ContractDocumentForm,
    ContractForm,
    ReceiveForm,
    RenewForm,
    TerminateForm,
    parse_schedule,
)
from territorial.models import Asset, Contract, Instalment
from territorial.pages.common import (
    form_page,
    now,
    roles,
    staff_page,
    stored_file,
    submit,
    today,
    verb_form,
)


@require_GET
@staff_page
def contract_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    day = today()
    rows = selectors.contracts(user).prefetch_related("instalments").order_by("state", "ends_on")
    show = request.GET.get("show", "")
    listed = [(c, selectors.contract_flags(c, day)) for c in rows[:500]]
    if show == "expiring":
        listed = [(c, f) for c, f in listed if f.expiring_30 or f.expiring_90 or f.ended]
    elif show == "overdue":
        listed = [(c, f) for c, f in listed if f.overdue]
    elif show == "below":
        listed = [(c, f) for c, f in listed if f.below_reference]
    context = {"contracts": listed, "show": show, "today": day, **roles(user)}
    return render(request, "territorial/staff/contracts.html", context)


def _subject_choices(user: User) -> list[tuple[Any, str]]:
    rows: list[tuple[Any, str]] = [
        (
            f"asset:{a.pk}",
            _("%(organisation)s · 资产 %(number)s %(name)s")
            % {"organisation": a.organisation.name, "number": a.number, "name": a.name},
        )
        for a in selectors.assets(user).exclude(state=Asset.State.DISPOSED)
    ]
    rows += [
        (
            f"resource:{r.pk}",
            _("%(organisation)s · 资源 %(name)s") % {"organisation": r.organisation.name, "name": r.name},
        )
        for r in selectors.resources(user)
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
        raise DomainError("object_required", _("须选择标的资产或资源。"), field="subject")
    person = entity = None
    key = data["counterparty"].strip().upper()
    if data["counterparty_kind"] == "entity":
        entity = registry.entities_visible_to(user).filter(uscc=key).first()
        if entity is None:
            raise DomainError("counterparty_unknown", _("基础信息库中没有该单位。"), field="counterparty")
    else:
        try:
            person = registry.person_by_id_number(user, key)
        except DomainError:
            raise DomainError(
                "counterparty_unknown", _("基础信息库中没有该人员。"), field="counterparty"
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

    def act(data: dict[str, Any]) -> Contract:
        org, contract = _contract_input(user, data)
        return contracts.do_sign_contract(org, contract, actor=user, now=now())

    return form_page(
        request,
        form,
        act,
        page=lambda shown, status: render(
            request, "territorial/staff/contract_new.html", {"form": shown}, status=status
        ),
        done=lambda contract: reverse("territorial:contract", args=[contract.pk]),
        message=_("合同已登记。"),
    )


def _contract_page(
    request: HttpRequest, contract: Contract, *, status: int = 200, **forms: Any
) -> HttpResponse:
    user = acting_user(request)
    receive = forms.get("receive") or ReceiveForm()
    receive.set_choices(
        "account",
        [
            (a.pk, _("%(account)s（%(kind)s）") % {"account": a.name, "kind": a.get_kind_display()})
            for a in contract.organisation.accounts.all()
        ],
    )
    instalments = list(contract.instalments.select_related("entry"))
    context = {
        "contract": contract,
        "flags": selectors.contract_flags(contract, today()),
        "instalments": instalments,
        "receive": receive,
        "renew": forms.get("renew") or RenewForm(),
        "terminate": forms.get("terminate") or TerminateForm(initial={"on": today()}),
        "document": forms.get("document") or ContractDocumentForm(),
        "counterparty": selectors.counterparty_label(contract),
        **roles(user),
    }
    return render(request, "territorial/staff/contract.html", context, status=status)


@require_GET
@staff_page
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    return _contract_page(request, selectors.contract_for(acting_user(request), contract_id))


def _receive(user: User, contract: Contract, data: dict[str, Any]) -> Any:
    instalment = Instalment.objects.filter(contract=contract, pk=data["instalment"]).first()
    account = contract.organisation.accounts.filter(pk=data["account"]).first()
    if instalment is None or account is None:
        raise NotFound(field="instalment" if instalment is None else "account")
    return contracts.do_receive_instalment(
        instalment, account, voucher=data["voucher"] or None, actor=user, now=now()
    )


def _renew(user: User, contract: Contract, data: dict[str, Any]) -> Any:
    schedule = parse_schedule(data["schedule"])
    return contracts.do_renew_contract(
        contract, ends_on=data["ends_on"], schedule=schedule, actor=user, now=now()
    )


def _terminate(user: User, contract: Contract, data: dict[str, Any]) -> Any:
    return contracts.do_terminate_contract(
        contract, on=data["on"], reason=data["reason"], actor=user, now=now()
    )


def _document(user: User, contract: Contract, data: dict[str, Any]) -> Any:
    return contracts.do_attach_contract_document(
        contract, document=data["document"] or None, actor=user, now=now()
    )


FORMS = {
    "receive": ReceiveForm,
    "renew": RenewForm,
    "terminate": TerminateForm,
    "document": ContractDocumentForm,
}
ACTS = {"receive": _receive, "renew": _renew, "terminate": _terminate, "document": _document}


@require_POST
@staff_page
def contract_act(request: HttpRequest, contract_id: int, verb: str) -> HttpResponse:
    """receive (an instalment into an account), renew, terminate, document (the signed scan): one action
    function each."""
    user = acting_user(request)
    contract = selectors.contract_for(user, contract_id)
    form = verb_form(FORMS, verb, request)

    def page(shown: Any, status: int) -> HttpResponse:
        contract.refresh_from_db()
        return _contract_page(request, contract, status=status, **{verb: shown})

    return submit(
        request,
        form,
        lambda data: ACTS[verb](user, contract, data),
        page=page,
        done=lambda _done: reverse("territorial:contract", args=[contract.pk]),
        message=_("已办理。"),
    )


@require_GET
@staff_page
def contract_document(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The signed contract's scan, for the keepers of its village (404 outside, and before one is
    attached)."""
    contract = selectors.contract_for(acting_user(request), contract_id)
    if not contract.document:
        raise NotFound(field="document")
    return stored_file(contract.document, f"contract-{contract.pk}")
