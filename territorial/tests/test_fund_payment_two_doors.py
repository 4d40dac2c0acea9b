"""fund_payment through both doors (tests/two_doors.py): every action walked on two village payments in
lockstep — `do_review_payment` (the ledger pages and the 三资 API) and the generic work-item endpoint —
each payment drawn on its own account, with the same state, the same payment and ledger entry (amount,
heading, booking day, who booked it), the same account balance, audit rows and notifications. The
rules of the chain hold alike at both doors: the proposer does not approve, a large sum needs the town,
the money must still be there when it is paid; other roles and the outsider are refused."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from itertools import count
from typing import Any

import pytest

from accounts.models import User
from territorial import actions
from territorial.funds import do_propose_payment, do_review_payment
from territorial.models import Account, CollectiveOrganisation, Payment
from territorial.tests.conftest import NOW, voucher
from territory.testing import HUANGQIAO_VILLAGE
from tests.two_doors import Move, Streams, act_without_subject, present, refused_alike, uncovered
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db

PROCESS = "fund_payment"
SMALL, LARGE = "4999.99", "8000.00"  # either side of TERRITORIAL_TOWN_APPROVAL_YUAN (5,000)


def _account(people: dict[str, User], org: CollectiveOrganisation, name: str) -> Account:
    """An account of its own for each payment (so each balance shows only its payment), 20,000.00 in."""
    account = actions.do_open_account(org, name=name, kind="bank", actor=people["hq_agency"], now=NOW)
    actions.do_record_entry(
        account,
        direction="in",
        amount="20000.00",
        booked_on=NOW.date(),
        summary="土地租金",
        actor=people["hq_agency"],
        now=NOW,
        voucher=voucher(),
    )
    account.refresh_from_db()
    return account


def _maker(people: dict[str, User], org: CollectiveOrganisation, amount: str, proposer: User) -> Any:
    serials = count(1)

    def make(now: datetime) -> Payment:
        account = _account(people, org, f"农商行基本户{amount}-{next(serials)}")
        return do_propose_payment(
            account,
            amount=amount,
            payee="某某建筑队",
            purpose="村道修补",
            category="",
            voucher=voucher(),
            actor=proposer,
            now=now,
        )

    return make


def _door(payment: Payment, move: Move, actor: User, now: datetime) -> None:
    do_review_payment(payment, move.action, actor=actor, now=now, reason=move.reason)


def _item(payment: Payment) -> WorkItem:
    return WorkItem.objects.get(pk=payment.work_item_id)


def _records(payment: Payment) -> dict[str, Any]:
    """The payment, the entry that took the money out of the ledger, and what is left on the account."""
    payment.refresh_from_db()
    entry = payment.entry
    account = Account.objects.get(pk=payment.account_id)
    return {
        "amount": payment.amount,
        "voucher": present(payment.voucher.name),
        "entry": None
        if entry is None
        else {
            "amount": entry.amount,
            "category": entry.category,
            "summary": entry.summary,
            "booked_on": entry.booked_on,
            "recorded_by": entry.recorded_by_id,
            "recorded_at": entry.recorded_at,
        },
        "balance": account.balance,
        "entries": sorted(account.entries.values_list("amount", flat=True)),
    }


def _streams(people: dict[str, User], org: CollectiveOrganisation, amount: str, proposer: User) -> Streams:
    return Streams(
        process=PROCESS,
        people=people,
        make=_maker(people, org, amount, proposer),
        stream_door=_door,
        item_of=_item,
        records=_records,
    )


COMMITTEE_APPROVE = Move("committee_approve", "hq_head")
ROUTES: dict[str, list[Move]] = {
    "small_sum_settled_by_the_committee": [Move("committee_settle", "hq_head")],
    "large_sum_paid_by_the_town_office": [COMMITTEE_APPROVE, Move("town_approve", "hq_agency")],
    "large_sum_paid_by_the_town_leader": [COMMITTEE_APPROVE, Move("town_approve", "hq_leader")],
    "small_sum_referred_to_the_town": [COMMITTEE_APPROVE, Move("town_approve", "hq_agency")],
    "rejected_by_the_committee": [Move("reject", "hq_head", reason="凭证与用途不符")],
    "rejected_by_the_town": [COMMITTEE_APPROVE, Move("reject", "hq_agency", reason="超出年度预算")],
}
# The sum each route is walked with.
SUMS = {
    "small_sum_settled_by_the_committee": SMALL,
    "large_sum_paid_by_the_town_office": LARGE,
    "large_sum_paid_by_the_town_leader": LARGE,
    "small_sum_referred_to_the_town": SMALL,
    "rejected_by_the_committee": SMALL,
    "rejected_by_the_town": LARGE,
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_step_is_the_same_through_both_doors(
    people: dict[str, User], org: CollectiveOrganisation, clerk: User, route: str
) -> None:
    streams = _streams(people, org, SUMS[route], clerk)
    assert streams.walk(ROUTES[route], NOW) == [m.action for m in ROUTES[route]]


def test_the_routes_take_every_action(
    people: dict[str, User], org: CollectiveOrganisation, clerk: User
) -> None:
    assert uncovered(list(ROUTES.values()), _streams(people, org, SMALL, clerk).actions(NOW)) == set()


@pytest.mark.parametrize(
    ("route", "balance"),
    [
        ("small_sum_settled_by_the_committee", Decimal("15000.01")),
        ("large_sum_paid_by_the_town_office", Decimal("12000.00")),
        ("rejected_by_the_town", Decimal("20000.00")),
    ],
)
def test_what_the_payment_leaves_on_the_ledger(
    people: dict[str, User], org: CollectiveOrganisation, clerk: User, route: str, balance: Decimal
) -> None:
    """What the walk compared, once in full: both accounts after their payment."""
    _streams(people, org, SUMS[route], clerk).walk(ROUTES[route], NOW)
    for payment in Payment.objects.all():
        records = _records(payment)
        assert records["balance"] == balance
        if balance == Decimal("20000.00"):
            assert records["entry"] is None
        else:
            assert records["entry"] is not None and records["entry"]["amount"] == -Decimal(SUMS[route])
            assert (
                records["entry"]["category"] == "other"
                and records["entry"]["summary"] == "村道修补（某某建筑队）"
            )


def _refused_alike(payment: Payment, actor: User, action: str, status: int, code: str) -> None:
    """Refused with the same status, code, field and message at the 三资 door and the generic one (the
    expected status and code), and nothing leaves the ledger."""
    move = Move(action, actor.username)
    refusal = refused_alike(lambda: _door(payment, move, actor, NOW), _item(payment), move, actor, NOW)
    assert (refusal.status, refusal.code) == (status, code)
    payment.refresh_from_db()
    assert payment.entry_id is None


@pytest.mark.parametrize(
    ("who", "action", "status", "code"),
    [
        ("hq_head", "committee_settle", 403, "not_allowed"),  # the head proposed it: segregation of duties
        ("hq_agency", "committee_settle", 403, "not_allowed"),  # the town does not sit on the committee
        ("hq_officer", "reject", 403, "not_allowed"),
        ("wt_head", "committee_settle", 404, "not_found"),
        ("hq_agency", "pay_now", 400, "unknown_action"),  # no such step: the engine's word at both doors
    ],
)
def test_who_may_not_decide_is_refused_at_either_door(
    people: dict[str, User], org: CollectiveOrganisation, who: str, action: str, status: int, code: str
) -> None:
    payment = _maker(people, org, SMALL, people["hq_head"])(NOW)
    _refused_alike(payment, people[who], action, status, code)
    assert _item(payment).state == "proposed"


def test_a_large_sum_is_not_settled_by_the_committee_at_either_door(
    people: dict[str, User], org: CollectiveOrganisation, clerk: User
) -> None:
    payment = _maker(people, org, LARGE, clerk)(NOW)
    _refused_alike(payment, people["hq_head"], "committee_settle", 422, "town_approval_required")
    assert _item(payment).state == "proposed"


def test_money_spent_in_between_is_not_paid_at_either_door(
    people: dict[str, User], org: CollectiveOrganisation, clerk: User
) -> None:
    """The balance was there when proposed; a town correction took it since: the payment is refused (422)
    at the committee's settlement through either door, and nothing leaves the ledger."""
    payment = _maker(people, org, SMALL, clerk)(NOW)
    actions.do_record_entry(
        payment.account,
        direction="out",
        amount="16000.00",
        booked_on=NOW.date(),
        summary="更正",
        actor=people["hq_agency"],
        now=NOW,
    )
    _refused_alike(payment, people["hq_head"], "committee_settle", 422, "insufficient_balance")
    assert _item(payment).state == "proposed"
    assert Account.objects.get(pk=payment.account_id).balance == Decimal("4000.00")


@pytest.mark.parametrize("action", ["committee_settle", "reject"])
def test_an_item_without_its_payment_is_refused(people: dict[str, User], clerk: User, action: str) -> None:
    answer = act_without_subject(
        PROCESS, action, starter=clerk, actor=people["hq_head"], territory_code=HUANGQIAO_VILLAGE, now=NOW
    )
    assert answer.status_code == 409 and answer.json()["errors"][0]["code"] == "no_subject"
