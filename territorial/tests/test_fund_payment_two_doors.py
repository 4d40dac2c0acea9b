"""fund_payment through both doors (tests/two_doors.py): every action walked on two village payments in
lockstep — `do_review_payment` (the ledger pages and the 三资 API) and the generic work-item endpoint —
each payment drawn on its own account, with the same state, the same payment and ledger entry (amount,
heading, booking day, who booked it), the same account balance, audit rows and notifications. The
rules of the chain hold alike at both doors: the proposer does not approve, a large sum needs the town,
the money must still be there when it is paid; other roles and the outsider are refused."""

from __future__ import annotations

import os
from datetime import datetime
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_org_unit, make_person
from territorial import actions
from territorial.funds import do_propose_payment, do_review_payment
from territorial.models import Account, CollectiveOrganisation, Payment
from territorial.tests.conftest import NOW, voucher
from territory.testing import HUANGQIAO_VILLAGE
from tests.two_doors import Move, Streams, act_without_subject, present, refused_alike, uncovered
from workflow.definitions import load_file
from workflow.models import WorkItem
from workflow.process_definition import from_json
from workflow.publishing import definition_for, do_publish_process

pytestmark = pytest.mark.django_db

PROCESS = "fund_payment"
SMALL, LARGE = "4999.99", "8000.00"  # either side of TERRITORIAL_TOWN_APPROVAL_YUAN (5,000)
HUGE = "15000.00"  # at or above TERRITORIAL_LEADER_APPROVAL_YUAN, 10,000 here (the leader's tier)


@pytest.fixture(autouse=True)
def _leader_tier(settings: Any) -> None:
    settings.TERRITORIAL_LEADER_APPROVAL_YUAN = 10000


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
TOWN_REFER = Move("town_refer", "hq_agency")
ROUTES: dict[str, list[Move]] = {
    "small_sum_settled_by_the_committee": [Move("committee_settle", "hq_head")],
    "large_sum_paid_by_the_town_office": [COMMITTEE_APPROVE, Move("town_approve", "hq_agency")],
    "large_sum_paid_by_the_town_leader": [COMMITTEE_APPROVE, Move("town_approve", "hq_leader")],
    "small_sum_referred_to_the_town": [COMMITTEE_APPROVE, Move("town_approve", "hq_agency")],
    "rejected_by_the_committee": [Move("reject", "hq_head", reason="凭证与用途不符")],
    "rejected_by_the_town": [COMMITTEE_APPROVE, Move("reject", "hq_agency", reason="超出年度预算")],
    "huge_sum_signed_off_by_a_leader": [COMMITTEE_APPROVE, TOWN_REFER, Move("leader_approve", "hq_leader")],
    "huge_sum_returned_by_a_leader": [
        COMMITTEE_APPROVE,
        TOWN_REFER,
        Move("reject", "hq_leader", reason="须经镇党委会研究"),
    ],
}
# The sum each route is walked with.
SUMS = {
    "small_sum_settled_by_the_committee": SMALL,
    "large_sum_paid_by_the_town_office": LARGE,
    "large_sum_paid_by_the_town_leader": LARGE,
    "small_sum_referred_to_the_town": SMALL,
    "rejected_by_the_committee": SMALL,
    "rejected_by_the_town": LARGE,
    "huge_sum_signed_off_by_a_leader": HUGE,
    "huge_sum_returned_by_a_leader": HUGE,
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
        ("huge_sum_signed_off_by_a_leader", Decimal("5000.00")),  # 20,000.00 − 15,000.00
        ("huge_sum_returned_by_a_leader", Decimal("20000.00")),
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


# ------------------------------------------------------------------------- the leader's tier (分级审批)


def _at_the_town(people: dict[str, User], org: CollectiveOrganisation, clerk: User, amount: str) -> Payment:
    payment = _maker(people, org, amount, clerk)(NOW)
    do_review_payment(payment, "committee_approve", actor=people["hq_head"], now=NOW)
    return payment


def test_a_huge_sum_is_not_paid_by_the_town_office_at_either_door(
    people: dict[str, User], org: CollectiveOrganisation, clerk: User
) -> None:
    """10,000.00 is the leader's tier itself: the office refers it, it cannot pay it."""
    payment = _at_the_town(people, org, clerk, "10000.00")
    _refused_alike(payment, people["hq_agency"], "town_approve", 422, "leader_approval_required")
    _refused_alike(payment, people["hq_leader"], "town_approve", 422, "leader_approval_required")
    assert _item(payment).state == "town_review"
    do_review_payment(payment, "town_refer", actor=people["hq_agency"], now=NOW)
    assert _item(payment).state == "leader_review"


def test_just_below_the_leader_tier_the_town_office_pays(
    people: dict[str, User], org: CollectiveOrganisation, clerk: User
) -> None:
    payment = _at_the_town(people, org, clerk, "9999.99")
    do_review_payment(payment, "town_approve", actor=people["hq_agency"], now=NOW)
    assert _item(payment).state == "paid"
    assert Account.objects.get(pk=payment.account_id).balance == Decimal("10000.01")  # 20,000.00 − 9,999.99


@pytest.fixture
def leaders(people: dict[str, User]) -> dict[str, User]:
    """A second leader of 黄桥 and a leader of 渭塘 (the outsider)."""
    wt_gov = make_org_unit("320507105-gov", "渭塘镇人民政府", OrgUnit.Kind.GOVERNMENT, "320507105")
    return {
        **people,
        "hq_leader2": make_person(
            "hq_leader2", unit=OrgUnit.objects.get(code="320507003-gov"), role=Role.LEADER
        ),
        "wt_leader": make_person("wt_leader", unit=wt_gov, role=Role.LEADER),
    }


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("hq_leader", 403, "not_allowed"),  # referred it: does not sign it off too
        ("hq_agency", 403, "not_allowed"),  # the office is not a leader
        ("hq_head", 403, "not_allowed"),
        ("wt_leader", 404, "not_found"),  # a leader of another town
    ],
)
def test_who_may_not_sign_off_is_refused_at_either_door(
    leaders: dict[str, User], org: CollectiveOrganisation, clerk: User, who: str, status: int, code: str
) -> None:
    payment = _at_the_town(leaders, org, clerk, HUGE)
    do_review_payment(payment, "town_refer", actor=leaders["hq_leader"], now=NOW)
    _refused_alike(payment, leaders[who], "leader_approve", status, code)
    assert _item(payment).state == "leader_review"
    do_review_payment(payment, "leader_approve", actor=leaders["hq_leader2"], now=NOW)
    assert _item(payment).state == "paid"
    assert Account.objects.get(pk=payment.account_id).balance == Decimal("5000.00")


def test_the_leader_sign_off_is_refused_when_the_money_is_gone(
    people: dict[str, User], org: CollectiveOrganisation, clerk: User
) -> None:
    payment = _at_the_town(people, org, clerk, HUGE)
    do_review_payment(payment, "town_refer", actor=people["hq_agency"], now=NOW)
    actions.do_record_entry(
        payment.account,
        direction="out",
        amount="5000.01",
        booked_on=NOW.date(),
        summary="更正",
        actor=people["hq_agency"],
        now=NOW,
    )
    _refused_alike(payment, people["hq_leader"], "leader_approve", 422, "insufficient_balance")
    assert Account.objects.get(pk=payment.account_id).balance == Decimal("14999.99")


def test_the_leader_tier_must_sit_above_the_town_tier() -> None:
    import subprocess
    import sys

    env = {**os.environ, "TERRITORIAL_TOWN_APPROVAL_YUAN": "5000", "TERRITORIAL_LEADER_APPROVAL_YUAN": "5000"}
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "zhili.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "TERRITORIAL_LEADER_APPROVAL_YUAN must be above TERRITORIAL_TOWN_APPROVAL_YUAN" in run.stderr


def test_a_payment_started_before_the_leader_tier_keeps_its_rule(
    people: dict[str, User], org: CollectiveOrganisation, clerk: User
) -> None:
    """An item pins the definition it started with: one without the leader's step is paid by the town
    office whatever the sum (it has no step to refer it to)."""
    data = load_file(Path(__file__).resolve().parents[1] / "processes" / "fund_payment.yaml").as_json()
    del data["states"]["leader_review"], data["actions"]["town_refer"], data["actions"]["leader_approve"]
    data["actions"]["reject"]["from"] = ["proposed", "town_review"]
    data["order"] = {
        "states": [s for s in data["order"]["states"] if s in data["states"]],
        "actions": [a for a in data["order"]["actions"] if a in data["actions"]],
    }
    do_publish_process(from_json(data), actor=people["system"], now=NOW)
    payment = _at_the_town(people, org, clerk, HUGE)
    assert "leader_review" not in definition_for(_item(payment)).states
    do_review_payment(payment, "town_approve", actor=people["hq_agency"], now=NOW)
    assert _item(payment).state == "paid"
    assert Account.objects.get(pk=payment.account_id).balance == Decimal("5000.00")
