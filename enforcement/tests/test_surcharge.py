"""Late-payment surcharge (行政处罚法 art. 72): 3 % of the fine per day overdue, never above the fine,
from the payment deadline with the clock passed in; on the case page, in the API and in the documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from enforcement.cases.document_actions import do_generate_document
from enforcement.cases.surcharge import late_payment_surcharge
from enforcement.tests.test_documents import text_of
from enforcement.tests.test_documents_support import make_case, squad_people

# Payment deadline: the end of 2026-11-25 in Suzhou (15:59:59 UTC).
DUE = datetime(2026, 11, 25, 15, 59, 59, tzinfo=UTC)
FINE = Decimal("200.00")


def local_noon(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 4, 0, tzinfo=UTC)


def test_nothing_owed_until_the_deadline_day_ends():
    assert late_payment_surcharge(FINE, DUE, now=DUE) is None
    assert late_payment_surcharge(FINE, DUE, now=local_noon(25)) is None
    assert late_payment_surcharge(None, DUE, now=local_noon(30)) is None
    assert late_payment_surcharge(FINE, None, now=local_noon(30)) is None


def test_three_percent_a_day_to_the_fen():
    one = late_payment_surcharge(FINE, DUE, now=DUE + timedelta(seconds=1))  # 00:00 local on the 26th
    assert one is not None and (one.days_overdue, one.amount, one.capped) == (1, Decimal("6.00"), False)
    odd = late_payment_surcharge(Decimal("333.33"), DUE, now=local_noon(28))
    assert odd is not None and (odd.days_overdue, odd.amount) == (3, Decimal("30.00"))  # 29.9997 → 30.00
    assert odd.as_dict()["amount"] == "30.00"


def test_never_above_the_fine():
    day_33 = late_payment_surcharge(FINE, DUE, now=local_noon(28, 12))
    assert day_33 is not None and day_33.days_overdue == 33
    assert (day_33.amount, day_33.capped) == (Decimal("198.00"), False)  # 99 %
    day_34 = late_payment_surcharge(FINE, DUE, now=local_noon(29, 12))
    assert day_34 is not None and (day_34.amount, day_34.capped) == (FINE, True)  # 102 % → the fine
    year = late_payment_surcharge(FINE, DUE, now=local_noon(25) + timedelta(days=365))
    assert year is not None and year.amount == FINE and year.capped


def test_payment_stops_the_count():
    paid = late_payment_surcharge(FINE, DUE, now=local_noon(25, 12), paid_at=local_noon(27))
    assert paid is not None and (paid.days_overdue, paid.amount, paid.settled) == (2, Decimal("12.00"), True)
    assert late_payment_surcharge(FINE, DUE, now=local_noon(25, 12), paid_at=local_noon(25)) is None


@pytest.fixture
def people(personas: dict[str, Any]) -> dict[str, Any]:
    return squad_people(personas, local_noon(2))


def _overdue_case(people: dict[str, Any]) -> Any:
    return make_case(
        people,
        now=local_noon(2),
        number="黄综执立〔2026〕77号",
        decided_at=local_noon(10),
        fine_amount=FINE,
        penalty_summary="罚款人民币200元",
        payment_due_at=DUE,
    )


def test_case_page_and_api_show_it_the_outsider_sees_nothing(people: dict[str, Any]) -> None:
    case = _overdue_case(people)
    with time_machine.travel(local_noon(30), tick=False):
        page = Client()
        page.force_login(people["officer"])
        html = page.get(f"/enforcement/cases/{case.pk}/").content.decode()
        assert 'data-surcharge="30.00"' in html
        api = APIClient()
        api.force_authenticate(people["officer"])
        data = api.get(f"/api/v1/enforcement/cases/{case.pk}/").json()
        assert data["late_payment_surcharge"]["amount"] == "30.00"
        assert data["late_payment_surcharge"]["days_overdue"] == 5
        outsider = APIClient()
        outsider.force_authenticate(people["wt_officer"])
        assert outsider.get(f"/api/v1/enforcement/cases/{case.pk}/").status_code == 404
        assert api.get("/api/v1/enforcement/cases/999999/").status_code == 404


def test_decision_states_the_cap_and_the_amount_owed(
    people: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = _overdue_case(people)
    document = do_generate_document(case, "decision", actor=people["officer"], now=local_noon(30))
    text = text_of(document).replace("\n", "")
    assert "百分之三加处罚款" in text and "不超出罚款的数额" in text and "不超过人民币200元" in text
    assert "逾期5日" in text and "加处罚款人民币30元" in text
