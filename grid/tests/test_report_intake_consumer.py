"""The report intake under a REAL huey consumer (not immediate mode): a SqliteHuey on a temporary file; the
request's enqueue reaches the consumer's worker thread, which registers the committed intake row with its
own database connection (so the test commits: transactional)."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from huey import SqliteHuey

from core.testing import RunningConsumer, wait_for
from grid.models import GridEvent, IntakeState, ReportIntake
from grid.tasks import run_report_registration
from grid.tests import test_event_support as support
from grid.tests.test_event_support import HQ_POINT, client_for

pytestmark = pytest.mark.django_db(transaction=True)
media, people = support.media, support.people  # fixtures


def test_a_real_consumer_registers_the_received_report(
    people: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    huey = SqliteHuey(f"zhili-test-{uuid.uuid4().hex}", filename=str(tmp_path / "huey.sqlite3"))
    ran = threading.Event()

    @huey.task(name="grid.register_received_reports")
    def register_received_reports() -> None:
        try:
            run_report_registration()
        finally:
            ran.set()

    monkeypatch.setattr("grid.tasks.register_received_reports", register_received_reports)
    monkeypatch.setattr("grid.events.api.public.huey_runs_inline", lambda: False)
    created = client_for(None).post(
        "/api/v1/public/reports/",
        {"category_code": "0102", "description": "楼下垃圾没人收", "lon": HQ_POINT[0], "lat": HQ_POINT[1]},
        format="json",
    )
    assert created.status_code == 201, created.content
    receipt = created.json()["receipt_number"]
    assert created.json()["status"]["public_state"] == "received"
    assert ReportIntake.objects.get().state == IntakeState.PENDING
    assert huey.pending_count() == 1

    try:
        with RunningConsumer(huey):
            wait_for(ran.is_set, "the registration task to run")
    finally:
        huey.flush()
        huey.storage.close()

    intake = ReportIntake.objects.get()
    assert intake.state == IntakeState.REGISTERED
    assert intake.event == GridEvent.objects.get(receipt_number=receipt)
    assert client_for(None).get(f"/api/v1/public/reports/{receipt}/").json()["state"] == "reported"
