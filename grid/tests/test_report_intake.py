"""A resident's report off the request path (grid.events.intake): the request checks it in full and writes
one intake row with the receipt; the consumer registers pending rows in a batch (events, work items, the
grid staff told, one audit event) and marks them registered; a crash leaves them pending for the sweep,
which registers each exactly once; a row that no longer passes is retried, then failed with its reason.
Until the event exists the receipt, the API and the tracking page all say "received, being registered"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from audit.models import AuditEvent
from core import pii
from grid.events import intake as event_intake
from grid.events.intake import MAX_ATTEMPTS, do_register_pending_reports
from grid.models import Category, EventAttachment, GridEvent, IntakeState, ReportIntake
from grid.tests import test_event_support as support
from grid.tests.test_event_support import HQ_GRID, HQ_POINT, HQ_POINT_2, at, client_for, photo
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db
media, people = support.media, support.people  # fixtures

REPORTS = "/api/v1/public/reports/"
RECEIVED = "已收到，正在登记"


def body(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "category_code": "0102",
        "description": "小区门口垃圾两天没人收",
        "lon": HQ_POINT[0],
        "lat": HQ_POINT[1],
        "reporter_name": "李女士",
        "reporter_phone": "13912345678",
    }
    values.update(changes)
    return values


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The consumer does not run in the request (as with a real queue): the enqueues are counted."""
    calls: list[int] = []
    for module in ("grid.events.api.public", "grid.web.public"):
        monkeypatch.setattr(f"{module}.schedule_report_registration", lambda: calls.append(1))
    monkeypatch.setattr("grid.events.api.public.huey_runs_inline", lambda: False)
    yield calls


def post(**changes: Any) -> Any:
    return client_for(None).post(REPORTS, body(**changes), format="multipart")


def test_the_receipt_is_immediate_and_the_consumer_registers_the_event(
    people: dict[str, Any], queued: list[int]
) -> None:
    with time_machine.travel(at(3, 2, 9), tick=False):
        created = post(photos=[photo()], publish_consent=True)
    assert created.status_code == 201, created.content
    receipt = created.json()["receipt_number"]
    answered = created.json()["status"]
    assert answered["public_state"] == "received" and answered["state_title"] == RECEIVED
    assert answered["state"] == "" and answered["status"] == "open"
    assert [step["text"] for step in answered["timeline"]] == ["已收到您的反映"]
    assert "李" not in created.content.decode() and "13912345678" not in created.content.decode()
    assert queued == [1]
    intake = ReportIntake.objects.get(receipt_number=receipt)
    assert intake.state == IntakeState.PENDING and intake.report["grid_code"] == HQ_GRID
    assert pii.decrypt(intake.reporter_phone_encrypted) == "13912345678"
    assert "13912345678" not in str(intake.report)
    assert not GridEvent.objects.exists()
    # Tracking answers from the intake row, in the receipt's words, on the API and the page.
    tracked = client_for(None).get(f"{REPORTS}{receipt.lower()}/").json()
    assert tracked == answered
    page = Client().get(f"/grid/track/{receipt}/")
    assert page.status_code == 200 and RECEIVED in page.content.decode()
    early = client_for(None).post(f"{REPORTS}{receipt}/rating/", {"rating": 5}, format="json")
    assert early.status_code == 409 and early.json()["errors"][0]["code"] == "not_closed"

    run = do_register_pending_reports(now=at(3, 2, 9, 1))
    assert (run.claimed, run.registered, run.retried, run.failed) == (1, 1, 0, 0)
    intake.refresh_from_db()
    event = GridEvent.objects.get(receipt_number=receipt)
    assert intake.state == IntakeState.REGISTERED and intake.event == event and intake.attempts == 1
    assert event.reported_at == at(3, 2, 9) and event.channel == "resident_web" and event.reporter is None
    assert event.work_item is not None and event.work_item.state == "reported"
    assert event.publish_consent and event.grid_id == HQ_GRID
    assert pii.decrypt(event.reporter_phone_encrypted) == "13912345678"
    assert event.title.startswith("暴露垃圾（")
    stored = EventAttachment.objects.get(event=event)
    assert stored.content_type == "image/jpeg" and stored.file.read()[:2] == b"\xff\xd8"
    # The grid's staff are told, and the batch has its audit event naming the receipt.
    told = OutboxMessage.objects.filter(kind="grid.event_reported", payload__receipt_number=receipt)
    assert [m.recipient.username for m in told if m.recipient is not None] == ["hq_grid"]
    assert len(told) == 1  # the staff on the grid itself
    audited = AuditEvent.objects.get(action="grid.events_registered")
    assert audited.after is not None
    assert audited.after["receipts"] == [receipt] and audited.after["count"] == 1
    # From now on the event answers, and both doors agree.
    with time_machine.travel(at(3, 2, 9, 5), tick=False):
        tracked = client_for(None).get(f"{REPORTS}{receipt}/").json()
        later = Client().get(f"/grid/track/{receipt}/").content.decode()
    assert tracked["state"] == "reported" and tracked["state_title"] == "已收到"
    assert RECEIVED not in later and "已收到" in later


def test_one_run_registers_a_batch(people: dict[str, Any], queued: list[int]) -> None:
    with time_machine.travel(at(3, 2, 9), tick=False):
        receipts = [
            post(lon=lon, lat=lat, category_code=code).json()["receipt_number"]
            for lon, lat, code in ((*HQ_POINT, "0102"), (*HQ_POINT_2, "0102"), (*HQ_POINT, ""))
        ]
    assert ReportIntake.objects.filter(state=IntakeState.PENDING).count() == 3
    run = do_register_pending_reports(now=at(3, 2, 9, 1))
    assert (run.claimed, run.registered) == (3, 3)
    events = {e.receipt_number: e for e in GridEvent.objects.select_related("category")}
    assert set(events) == set(receipts)
    # A resident's report without a category is filed unclassified, as on the single path.
    assert events[receipts[2]].category.code == "0601" and events[receipts[2]].attributes["unclassified"]
    assert AuditEvent.objects.filter(action="grid.events_registered").count() == 1
    assert do_register_pending_reports(now=at(3, 2, 9, 2)).claimed == 0


def test_a_crash_leaves_the_row_pending_and_the_sweep_registers_it_once(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The enqueue after the request is lost (the queue is down): the report is on file all the same.
    def queue_down() -> None:
        raise ConnectionError("redis down")

    monkeypatch.setattr("grid.tasks.register_received_reports", queue_down)
    with time_machine.travel(at(3, 2, 9), tick=False):
        created = post()
    assert created.status_code == 201
    receipt = created.json()["receipt_number"]
    assert created.json()["status"]["state_title"] == RECEIVED
    assert ReportIntake.objects.get().state == IntakeState.PENDING

    # The consumer dies after writing the events, before it commits: nothing of it stays.
    real = event_intake.do_register_received_reports

    class Killed(BaseException):
        pass

    def dies(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise Killed

    monkeypatch.setattr(event_intake, "do_register_received_reports", dies)
    with pytest.raises(Killed):
        do_register_pending_reports(now=at(3, 2, 9, 1))
    assert not GridEvent.objects.exists()
    assert ReportIntake.objects.get().state == IntakeState.PENDING
    monkeypatch.setattr(event_intake, "do_register_received_reports", real)

    from grid.tasks import sweep_received_reports

    with time_machine.travel(at(3, 2, 9, 2), tick=False):
        sweep_received_reports.call_local()
        sweep_received_reports.call_local()
    assert GridEvent.objects.filter(receipt_number=receipt).count() == 1
    assert ReportIntake.objects.get().state == IntakeState.REGISTERED


def test_a_row_that_no_longer_passes_holds_no_other_back_and_fails_with_its_reason(
    people: dict[str, Any], queued: list[int]
) -> None:
    with time_machine.travel(at(3, 2, 9), tick=False):
        good = post().json()["receipt_number"]
        bad = post(category_code="0103").json()["receipt_number"]
    # Between the receipt and the registration the category is retired.
    Category.objects.filter(kind="event", code="0103").update(active=False)
    run = do_register_pending_reports(now=at(3, 2, 9, 1))
    assert (run.claimed, run.registered, run.retried, run.failed) == (2, 1, 1, 0)
    assert GridEvent.objects.filter(receipt_number=good).exists()
    row = ReportIntake.objects.get(receipt_number=bad)
    assert row.state == IntakeState.PENDING and row.attempts == 1 and "0103" in row.last_error
    assert row.next_attempt_at == at(3, 2, 9, 2)  # backed off a minute
    assert do_register_pending_reports(now=at(3, 2, 9, 1, 30)).claimed == 0
    now = at(3, 2, 9, 2)
    for _ in range(MAX_ATTEMPTS - 1):
        do_register_pending_reports(now=now)
        row.refresh_from_db()
        now = row.next_attempt_at
    assert row.state == IntakeState.FAILED and row.attempts == MAX_ATTEMPTS
    assert not GridEvent.objects.filter(receipt_number=bad).exists()
    # The resident still reads "received": the report is on file for staff to take up, never lost.
    tracked = client_for(None).get(f"{REPORTS}{bad}/").json()
    assert tracked["public_state"] == "received"


def test_bad_input_writes_nothing(people: dict[str, Any], queued: list[int], media: Any) -> None:
    for changes, field, code in (
        ({"reporter_phone": "110"}, "reporter_phone", "invalid_phone"),
        ({"lon": 121.5, "lat": 31.2}, "lon", "outside_grids"),
        ({"category_code": "0000"}, "category_code", "invalid_category"),
        ({"description": ""}, "description", None),
        ({"photos": [photo(b"<html>", "x.jpg")]}, "photos", None),
    ):
        refused = post(**changes)
        assert refused.status_code == 400, (changes, refused.content)
        error = refused.json()["errors"][0]
        assert error["field"] == field and (code is None or error["code"] == code)
    assert not ReportIntake.objects.exists() and queued == []
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_rate_limited_reports_write_nothing(people: dict[str, Any], queued: list[int], settings: Any) -> None:
    settings.GRID_PUBLIC_REPORTS_PER_HOUR = 1
    assert client_for(None).post(REPORTS, body(), format="json", REMOTE_ADDR="10.0.0.1").status_code == 201
    limited = client_for(None).post(REPORTS, body(), format="json", REMOTE_ADDR="10.0.0.1")
    assert limited.status_code == 429 and limited.json()["errors"][0]["code"] == "rate_limited"
    assert ReportIntake.objects.count() == 1


def test_inline_consumer_answers_from_the_event(people: dict[str, Any]) -> None:
    """Huey's immediate mode (the test settings; HUEY_IMMEDIATE=1): the report is registered in its own
    request, and the receipt shows the event's state at once."""
    with time_machine.travel(at(3, 2, 9), tick=False):
        created = client_for(None).post(REPORTS, body(), format="json")
    assert created.json()["status"]["state"] == "reported"
    intake = ReportIntake.objects.get()
    assert intake.state == IntakeState.REGISTERED
    assert intake.event == GridEvent.objects.get(receipt_number=created.json()["receipt_number"])
