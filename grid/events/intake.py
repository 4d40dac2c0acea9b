"""受理登记 off the request path: a resident's report is checked in full in the request (`check_report`,
the single path's rules and error codes), its photos stored, and ONE intake row written with the receipt
number the resident keeps (`do_receive_report`); the intake consumer (`do_register_pending_reports`, run
by a huey task after each report and by a periodic sweep) turns pending rows into events and work items
in one batch through the grid's batch writer (`bulk.do_register_received_reports`: the engine's bulk
start, the grid staff told, one audit event per batch) and marks each row registered in the same
transaction. A crash leaves the rows pending for the next run; a row's event is written at most once
(the rows are locked while they are registered, and the event's receipt number is unique)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import pii
from grid.events.bulk import Received, StoredPhoto, do_register_received_reports
from grid.events.report import RECEIPT_ATTEMPTS, RESIDENT_CHANNELS, check_report, draw_receipt_number
from grid.models import Category, IntakeState, ReportIntake

logger = logging.getLogger(__name__)

INTAKE_BATCH = 500
MAX_ATTEMPTS = 5
# After the n-th failed attempt a row waits BACKOFF[n-1] (the last one repeats) before it is tried again.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))


def _store_photos(checked: list[Any], receipt: str, now: datetime) -> list[StoredPhoto]:
    """The re-encoded photos written to storage under the name the event's attachments will keep."""
    stored = []
    folder = timezone.localtime(now).strftime("events/%Y/%m")
    for photo, content_type, extension in checked:
        digest = hashlib.sha256()
        photo.seek(0)
        for chunk in photo.chunks():
            digest.update(chunk)
        photo.seek(0)
        # The stored name never comes from the client.
        name = default_storage.save(f"{folder}/{receipt}-{secrets.token_hex(6)}.{extension}", photo)
        stored.append(StoredPhoto(name, content_type, photo.size or 0, digest.hexdigest()))
    return stored


def do_receive_report(*, now: datetime, channel: str, **fields: Any) -> tuple[ReportIntake, Category]:
    """An anonymous resident's report received: every check of `do_report_event` (DomainError with its
    code and field; nothing written on a refusal), the photos stored, one intake row pending registration.
    Returns the row and its category (for the receipt). No audit row here: the row itself is the
    record of what came in, and the registration that makes the event writes the audit event."""
    if channel not in RESIDENT_CHANNELS:
        raise ValueError(f"intake takes residents' reports only, not {channel}")
    checked = check_report(actor=None, channel=channel, **fields)
    receipt = draw_receipt_number(now)
    photos = _store_photos(checked.photos, receipt, now)
    report = {
        "kind": checked.kind,
        "category_code": checked.category.code,
        "description": checked.description,
        "title": checked.title,
        "address": checked.address,
        "grid_code": checked.grid.code,
        "lon": checked.lon,
        "lat": checked.lat,
        "reporter_name": checked.reporter_name,
        "media_urls": checked.urls,
        "attributes": checked.attributes,
        "publish_consent": checked.publish_consent,
        "photos": [asdict(p) for p in photos],
    }
    try:
        # The receipt number is drawn without a look-up, as the single path's; the unique column refuses
        # the rare clash and the row is written again with a new number.
        for attempt in range(RECEIPT_ATTEMPTS):
            try:
                with transaction.atomic():
                    intake = ReportIntake.objects.create(
                        receipt_number=receipt,
                        channel=channel,
                        received_at=now,
                        report=report,
                        reporter_phone_encrypted=pii.encrypt(checked.phone),
                        reporter_phone_hash=pii.lookup_hash(checked.phone),
                        next_attempt_at=now,
                    )
                break
            except IntegrityError:
                if attempt + 1 == RECEIPT_ATTEMPTS:
                    raise
                receipt = draw_receipt_number(now)
    except BaseException:
        for photo in photos:
            default_storage.delete(photo.name)
        raise
    logger.info("grid report %s received through %s in %s", receipt, channel, checked.grid.code)
    return intake, checked.category


@dataclass
class IntakeRun:
    """What one consumer run did: rows claimed, registered (events written), and put back or failed."""

    claimed: int = 0
    registered: int = 0
    retried: int = 0
    failed: int = 0


def _row(intake: ReportIntake) -> dict[str, Any]:
    """The intake row in the batch writer's row shape (the place as located when the report came in)."""
    report = intake.report
    return {
        "channel": intake.channel,
        "kind": report["kind"],
        "category_code": report["category_code"],
        "description": report["description"],
        "title": report["title"],
        "address": report["address"],
        "grid_code": report["grid_code"],
        "lon": report["lon"],
        "lat": report["lat"],
        "crs": "wgs84",
        "reporter_name": report["reporter_name"],
        "reporter_phone": pii.decrypt(intake.reporter_phone_encrypted),
        "media_urls": report["media_urls"],
        "attributes": report["attributes"],
    }


def _received(intake: ReportIntake) -> Received:
    return Received(
        receipt_number=intake.receipt_number,
        received_at=intake.received_at,
        publish_consent=bool(intake.report["publish_consent"]),
        photos=tuple(StoredPhoto(**p) for p in intake.report["photos"]),
    )


def _register(rows: list[ReportIntake], now: datetime) -> None:
    events = do_register_received_reports([_row(r) for r in rows], [_received(r) for r in rows], now=now)
    for intake, event in zip(rows, events, strict=True):
        intake.event = event
        intake.state = IntakeState.REGISTERED
        intake.registered_at = now
        intake.attempts += 1
        intake.last_error = ""
    ReportIntake.objects.bulk_update(rows, ["event", "state", "registered_at", "attempts", "last_error"])


def _failed(intake: ReportIntake, error: BaseException, now: datetime, run: IntakeRun) -> None:
    """A row that could not be registered on its own: tried again after a back-off, failed for good (with
    the reason, for staff to see) after MAX_ATTEMPTS."""
    intake.refresh_from_db()  # as stored: the failed attempt's changes in memory are void
    intake.attempts += 1
    intake.last_error = f"{type(error).__name__}: {error}"[:2000]
    if intake.attempts >= MAX_ATTEMPTS:
        intake.state = IntakeState.FAILED
        run.failed += 1
    else:
        intake.next_attempt_at = now + BACKOFF[min(intake.attempts, len(BACKOFF)) - 1]
        run.retried += 1
    intake.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
    logger.warning(
        "grid report %s not registered (attempt %d): %s", intake.receipt_number, intake.attempts, error
    )


def do_register_pending_reports(*, now: datetime, limit: int = INTAKE_BATCH) -> IntakeRun:
    """The intake consumer: up to `limit` pending rows due at `now` (oldest first), locked (others' locked
    rows skipped, so two consumers share the work), registered in one batch. When the batch is refused
    (a row no longer passes, a clash), each row is registered on its own in a savepoint, so one bad row
    holds no other back. Everything commits together: a crash leaves the rows pending, never half done.
    Safe to run twice or on two workers at once; the clock is passed in."""
    run = IntakeRun()
    with transaction.atomic():
        rows = list(
            ReportIntake.objects.select_for_update(skip_locked=True)
            .filter(state=IntakeState.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[:limit]
        )
        run.claimed = len(rows)
        if not rows:
            return run
        try:
            with transaction.atomic():
                _register(rows, now)
            run.registered = len(rows)
            return run
        except Exception as error:
            if len(rows) == 1:
                _failed(rows[0], error, now, run)
                return run
            logger.warning("intake batch of %d refused (%s); registering row by row", len(rows), error)
        for intake in rows:
            try:
                with transaction.atomic():
                    _register([intake], now)
                run.registered += 1
            except Exception as error:
                _failed(intake, error, now, run)
    return run


def drain_pending_reports(*, now: datetime, limit: int = INTAKE_BATCH, max_batches: int = 20) -> IntakeRun:
    """`do_register_pending_reports` repeated while batches come back full (a surge), up to max_batches."""
    total = IntakeRun()
    for _ in range(max_batches):
        run = do_register_pending_reports(now=now, limit=limit)
        for name in ("claimed", "registered", "retried", "failed"):
            setattr(total, name, getattr(total, name) + getattr(run, name))
        if run.claimed < limit:
            break
    return total
