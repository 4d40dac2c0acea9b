"""Village payments on process `fund_payment`: proposed with the voucher (no payment without one),
approved by the village committee, from TERRITORIAL_TOWN_APPROVAL_YUAN on by the town's 三资 office too,
and from TERRITORIAL_LEADER_APPROVAL_YUAN on signed off by a town leader after it (分级审批: each tier is a
step of the definition, its amount a setting). The rules of each step live in HANDLERS; the money leaves
the ledger in the effect of the last approval needed, in the transaction of the transition."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.actions import record_event
from core.errors import Conflict, DomainError, PermissionRefused
from territorial.access import check_keeper
from territorial.actions import _text, clean_category, clean_voucher, post_entry
from territorial.files import atomic_with_files, store_file
from territorial.models import Account, LedgerEntry, Payment
from territorial.money import clean_amount
from workflow.engine import transition
from workflow.handlers import Handler, Step, bind, not_the_requester
from workflow.models import Transition, WorkItem
from workflow.start import ELLIPSIS, do_start_item

PROCESS = "fund_payment"
SUBJECT_TYPE = "territorial.payment"
# A purpose (200) and a payee (100) are longer together than the ledger line.
SUMMARY_LENGTH = LedgerEntry._meta.get_field("summary").max_length or 200


def town_threshold() -> Decimal:
    return Decimal(settings.TERRITORIAL_TOWN_APPROVAL_YUAN)


def leader_threshold() -> Decimal:
    return Decimal(settings.TERRITORIAL_LEADER_APPROVAL_YUAN)


def payment_summary(purpose: str, payee: str) -> str:
    """The payment's ledger line, "用途（收款方）", within the summary column: the purpose is shortened on
    a character, with an ellipsis, when the two do not fit; the payee never is — the public page
    (territorial.disclosure) masks a person's name wherever it appears, by the whole name."""
    room = SUMMARY_LENGTH - len(payee) - len("（）")
    return f"{Truncator(purpose).chars(room, truncate=ELLIPSIS)}（{payee}）"


def do_propose_payment(
    account: Account,
    *,
    amount: Any,
    payee: str,
    purpose: str,
    voucher: UploadedFile | None,
    actor: User,
    now: datetime,
    category: str = "",
) -> Payment:
    organisation = account.organisation
    check_keeper(actor, organisation.village_code, field="account")
    value = clean_amount(amount)
    heading = clean_category(category)
    payee = _text(payee, "payee", 100)
    purpose = _text(purpose, "purpose", 200)
    scan = clean_voucher(voucher, required=True, message=_("支出须附原始凭证。"))
    assert scan is not None  # required: refused above when missing
    if value > account.balance:
        raise DomainError("insufficient_balance", _("账户余额不足。"), field="amount", status=422)
    with atomic_with_files():
        item = do_start_item(
            PROCESS,
            actor=actor,
            now=now,
            title=f"支出 {value} 元：{purpose}",
            territory_code=organisation.village_code,
            subject_type=SUBJECT_TYPE,
        )
        payment = Payment(
            organisation=organisation,
            account=account,
            amount=value,
            payee=payee,
            purpose=purpose,
            category=heading,
            work_item=item,
            proposed_by=actor,
            proposed_at=now,
        )
        store_file(payment.voucher, f"{item.pk}.{scan.extension}", scan.content)
        payment.save()
        item.subject_id = str(payment.pk)
        item.save(update_fields=["subject_id"])
        record_event(
            actor=actor,
            action="territorial.propose_payment",
            subject=payment,
            territory_code=organisation.village_code,
            after={"amount": str(value), "payee": payee, "purpose": purpose, "category": heading},
            now=now,
        )
    return payment


# ---------------------------------------------------------------------------------------- the handlers


def _payment_of(step: Step) -> Payment:
    payment = step.scratch.get("payment")
    if payment is None:
        rows = Payment.objects.select_related("organisation").filter(work_item_id=step.item.pk)
        # Inside a transition the row is locked; the engine's offer of actions (available_actions)
        # only reads, outside any transaction, where a lock is refused on PostgreSQL.
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update(of=("self",))
        payment = rows.first()
        if payment is None:
            raise Conflict("no_subject", _("该办件没有对应的支出申请。"), field="action")
        step.scratch["payment"] = payment
    return payment


def _proposer(step: Step) -> int | None:
    return _payment_of(step).proposed_by_id


# Segregation of duties: whoever proposed a payment does not approve it (workflow.handlers.not_the_requester).
_not_the_proposer = not_the_requester(_proposer)


def _lock(step: Step) -> None:
    _payment_of(step)


def _small_sum(step: Step) -> None:
    if _payment_of(step).amount >= town_threshold():
        raise DomainError(
            "town_approval_required",
            _("%(threshold)s 元及以上的支出须报镇三资办审核。") % {"threshold": town_threshold()},
            field="action",
            status=422,
        )


def _below_leader_tier(step: Step) -> None:
    """The town office pays only below the leader's tier; an item pinned to a definition without the
    leader's step (started before it existed) keeps the rule it started with."""
    _lock(step)
    if "leader_review" not in step.definition.states:
        return
    if _payment_of(step).amount >= leader_threshold():
        raise DomainError(
            "leader_approval_required",
            _("%(threshold)s 元及以上的支出须报镇领导审批。") % {"threshold": leader_threshold()},
            field="action",
            status=422,
        )


def _not_the_referrer(step: Step) -> None:
    """Segregation of duties across the tiers: who referred the payment to the leaders does not sign it
    off too (a plain read: asked outside any transaction when the actions are offered)."""
    referrer = (
        Transition.objects.filter(item_id=step.item.pk, action="town_refer")
        .order_by("-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    if referrer == step.actor.pk:
        raise PermissionRefused("not_allowed", _("报镇领导审批的人不能再签批同一笔支出。"), field="action")


def _leader_actors(step: Step) -> None:
    _not_the_proposer(step)
    _not_the_referrer(step)


def _pay(step: Step) -> None:
    payment = _payment_of(step)
    account = Account.objects.select_for_update().get(pk=payment.account_id)
    if account.balance < payment.amount:
        raise DomainError("insufficient_balance", _("账户余额不足，不能支付。"), field="amount", status=422)
    payment.entry = post_entry(
        account,
        amount=-payment.amount,
        booked_on=timezone.localtime(step.now).date(),
        summary=payment_summary(payment.purpose, payment.payee),
        actor=step.actor,
        now=step.now,
        category=payment.category,
    )
    payment.save(update_fields=["entry"])
    record_event(
        actor=step.actor,
        action="territorial.pay",
        subject=payment,
        territory_code=payment.organisation.village_code,
        after={"amount": str(payment.amount)},
        now=step.now,
    )


HANDLERS: dict[str, Handler] = {
    "committee_settle": Handler(actors=_not_the_proposer, guard=_small_sum, effect=_pay),
    "committee_approve": Handler(actors=_not_the_proposer, guard=_lock),
    "town_approve": Handler(actors=_not_the_proposer, guard=_below_leader_tier, effect=_pay),
    "town_refer": Handler(actors=_not_the_proposer, guard=_lock),
    "leader_approve": Handler(actors=_leader_actors, guard=_lock, effect=_pay),
    "reject": Handler(guard=_lock),  # nothing is paid; the reason is on the transition
}


# Where the stream starts this process's items (the generic create door refuses it and names this).
START_DOOR = gettext_lazy("支出申请（POST /api/v1/territorial/payments/）")


def register() -> None:
    bind(PROCESS, HANDLERS, owner="territorial", start_door=START_DOOR)


def do_review_payment(
    payment: Payment, action: str, *, actor: User, now: datetime, reason: str = ""
) -> Payment:
    """As the generic door takes it: the engine checks jurisdiction, the action, state and role, and the
    bound handler checks (never the proposer, the sum, the balance) and pays; every refusal is theirs."""
    item = WorkItem.objects.select_related("process_version").get(pk=payment.work_item_id)
    transition(item, action, actor=actor, now=now, reason=reason)
    return Payment.objects.select_related("entry", "work_item").get(pk=payment.pk)
