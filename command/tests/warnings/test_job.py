"""The periodic job and the management command evaluate every rule at the current time, print what each
found and raised, and raise nothing twice."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from command.tasks import evaluate_early_warnings
from command.warnings.models import EarlyWarning
from workflow.start import do_start_item

from .conftest import HQ_GRID, SHANGHAI

pytestmark = pytest.mark.django_db


def test_the_job_and_the_command(people: dict[str, Any], time_machine: Any) -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    time_machine.move_to(start, tick=False)
    do_start_item(
        "sample_complaint", actor=people["dispatcher"], now=start, title="噪声投诉", territory_code=HQ_GRID
    )
    time_machine.move_to(datetime(2026, 3, 2, 13, 45, tzinfo=SHANGHAI), tick=False)
    report = evaluate_early_warnings.call_local()
    assert report["deadline_risk"] == {"found": 1, "raised": 1, "withdrawn": 0, "failed": 0}
    assert set(report) == {
        "deadline_risk",
        "spike",
        "repeated_place",
        "unrouted_backlog",
        "approvals_queue",
        "publication_late",
        "one_shoulder",
        "territorial_contract_expiring",
        "territorial_instalment_overdue",
        "territorial_cash_not_deposited",
        "territorial_large_unapproved",
        "territorial_split_payment",
        "territorial_contract_no_income",
    }
    out = StringIO()
    call_command("evaluate_warnings", "--rule", "deadline_risk", stdout=out)
    assert out.getvalue() == "deadline_risk: found 1, raised 0, withdrawn 0, failed 0\n"
    assert EarlyWarning.objects.filter(rule="deadline_risk").count() == 1
