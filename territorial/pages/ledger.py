"""The ledger of an organisation (entries, accounts) and the village payments with their approval chain."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.requests import acting_user
from core.errors import DomainError, NotFound
from territorial import actions, funds, selectors
from territorial.forms import AccountForm, PaymentForm, ReceiptForm, ReviewForm
from territorial.models import CollectiveOrganisation, Payment
from territorial.pages.common import form_page, now, roles, staff_page, stored_file, submit, today
from workflow.access import available_actions
from workflow.publishing import definition_for


def _ledger_page(
    request: HttpRequest, org: CollectiveOrganisation, receipt: ReceiptForm | None = None, status: int = 200
) -> HttpResponse:
    user = acting_user(request)
    accounts = list(org.accounts.all())
    receipt = receipt or ReceiptForm(initial={"booked_on": today(), "direction": "in"})
    receipt.set_choices(
        "account",
        [
            (a.pk, _("%(account)s（%(kind)s）") % {"account": a.name, "kind": a.get_kind_display()})
            for a in accounts
        ],
    )
    context = {
        "org": org,
        "ledgers": [selectors.ledger(a) for a in accounts],
        "receipt": receipt,
        "account_form": AccountForm(),
        "today": today(),
        **roles(user),
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

    def act(data: dict[str, Any]) -> Any:
        account = selectors.account_for(user, data["account"])
        if account.organisation_id != org.pk:
            raise NotFound(field="account")
        return actions.do_record_entry(
            account,
            direction=data["direction"],
            amount=data["amount"],
            booked_on=data["booked_on"],
            summary=data["summary"],
            category=data["category"] or "",
            voucher=data["voucher"] or None,
            actor=user,
            now=now(),
        )

    return submit(
        request,
        ReceiptForm(request.POST, request.FILES),
        act,
        page=lambda form, status: _ledger_page(request, org, form, status),
        done=lambda _entry: reverse("territorial:ledger", args=[org.pk]),
        message=_("已记账。"),
    )


@require_POST
@staff_page
def open_account(request: HttpRequest, org_id: int) -> HttpResponse:
    user = acting_user(request)
    org = selectors.organisation_for(user, org_id)
    form = AccountForm(request.POST)
    if not form.is_valid():
        raise DomainError("invalid_input", _("请填写账户名称和类型。"), field="name")
    # The ledger page's small form has no room for errors: a refusal shows on the error page.
    data = form.cleaned_data
    actions.do_open_account(org, name=data["name"], kind=data["kind"], actor=user, now=now())
    messages.success(request, _("已开立账户。"))
    return HttpResponseRedirect(reverse("territorial:ledger", args=[org.pk]))


@require_GET
@staff_page
def payment_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    rows = selectors.payments(user).order_by("-proposed_at")
    waiting = request.GET.get("waiting") == "1"
    if waiting:
        rows = rows.filter(work_item__state__in=selectors.AWAITING)
    payments = [(p, selectors.state_title(p.work_item)) for p in rows[:300]]
    context = {"payments": payments, "waiting": waiting, **roles(user)}
    return render(request, "territorial/staff/payments.html", context)


def _account_choices(user: User) -> list[tuple[Any, str]]:
    return [
        (
            a.pk,
            _("%(organisation)s · %(account)s（余额 %(balance)s 元）")
            % {"organisation": a.organisation.name, "account": a.name, "balance": a.balance},
        )
        for a in selectors.accounts(user).order_by("organisation__village_code", "name")
    ]


@require_http_methods(["GET", "POST"])
@staff_page
def payment_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PaymentForm(request.POST or None, request.FILES or None)
    form.set_choices("account", _account_choices(user))

    def act(data: dict[str, Any]) -> Payment:
        return funds.do_propose_payment(
            selectors.account_for(user, data["account"]),
            amount=data["amount"],
            payee=data["payee"],
            purpose=data["purpose"],
            category=data["category"] or "",
            voucher=data["voucher"] or None,
            actor=user,
            now=now(),
        )

    def page(shown: PaymentForm, status: int) -> HttpResponse:
        context = {
            "form": shown,
            "threshold": funds.town_threshold(),
            "leader_threshold": funds.leader_threshold(),
        }
        return render(request, "territorial/staff/payment_new.html", context, status=status)

    return form_page(
        request,
        form,
        act,
        page=page,
        done=lambda payment: reverse("territorial:payment", args=[payment.pk]),
        message=_("支出申请已提交，待村委会审核。"),
    )


def _payment_page(
    request: HttpRequest, payment: Payment, review: ReviewForm | None = None, status: int = 200
) -> HttpResponse:
    item = payment.work_item
    context = {
        "payment": payment,
        "state": selectors.state_title(item),
        "actions": available_actions(item, acting_user(request)),
        "process": definition_for(item).name,
        "history": selectors.timeline(item),
        "review": review or ReviewForm(),
        "threshold": funds.town_threshold(),
        "leader_threshold": funds.leader_threshold(),
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
    return submit(
        request,
        ReviewForm(request.POST),
        lambda data: funds.do_review_payment(
            payment, data["action"], actor=user, now=now(), reason=data["reason"]
        ),
        page=lambda form, status: _payment_page(request, payment, form, status),
        done=lambda _done: reverse("territorial:payment", args=[payment.pk]),
        message=_("已办理。"),
    )


@require_GET
@staff_page
def payment_voucher(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = selectors.payment_for(acting_user(request), payment_id)
    return stored_file(payment.voucher, f"voucher-{payment.pk}")


@require_GET
@staff_page
def entry_voucher(request: HttpRequest, entry_id: int) -> HttpResponse:
    """A receipt's voucher, for the keepers of its village (404 outside, and for an entry without one)."""
    entry = selectors.entry_for(acting_user(request), entry_id)
    if not entry.voucher:
        raise NotFound(field="voucher")
    return stored_file(entry.voucher, f"receipt-{entry.pk}")
