"""The keyed chain: history rewritten without the key (an unkeyed SHA-256 chain as the old scheme had,
or an HMAC under a wrong key) fails verification; keys rotate without breaking older rows; production
refuses to run without a key."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import transaction

from audit import keys
from audit.chain import GENESIS, block_head, legacy_row_hash, row_hmac
from audit.models import AuditBlock, AuditEvent
from audit.sealing import seal_pending
from audit.tests.helpers import NOW, raw, write_events
from audit.verify import _FIELDS, verify_chain

V1 = "v1 " + "a" * 40
V2 = "v2 " + "b" * 40


@pytest.fixture
def key_settings(settings: Any) -> Iterator[Any]:
    keys.reset_cache()
    yield settings
    keys.reset_cache()


def rows() -> list[dict]:
    return list(AuditEvent.objects.order_by("id").values(*_FIELDS))


@pytest.mark.django_db
def test_history_rewritten_with_an_unkeyed_chain_fails() -> None:
    """What the outside probe did: edit a row, recompute the unkeyed SHA-256 chain over every row."""
    events = write_events(6)
    seal_pending(block_size=4)
    raw("DELETE FROM audit_auditblock WHERE number > %s", [0])
    previous = GENESIS
    for row in rows():
        row |= {"prev_hash": previous, "key_id": ""}
        if row["id"] == events[2].pk:
            row["action"] = "test.thing.undone"
        row["hash"] = legacy_row_hash(row)
        raw(
            "UPDATE audit_auditevent SET prev_hash = %s, key_id = '', hash = %s, action = %s WHERE id = %s",
            [row["prev_hash"], row["hash"], row["action"], row["id"]],
        )
        previous = row["hash"]
    report = verify_chain()
    assert report.broken is not None
    assert (report.broken.event_id, report.broken.kind) == (events[0].pk, "unsealed-legacy")
    with pytest.raises(CommandError, match="unkeyed row outside every sealed block"):
        call_command("verify_audit", stdout=StringIO())


@pytest.mark.django_db
def test_history_rewritten_under_a_wrong_key_fails() -> None:
    """Rows and block heads recomputed consistently, but with a key the attacker guessed."""
    events = write_events(5)
    seal_pending(block_size=2)
    wrong = b"not-the-configured-key-but-long-enough-to-pass"
    key_id = events[0].key_id
    for row in rows():
        if row["id"] == events[3].pk:
            row["action"] = "test.thing.undone"
        raw(
            "UPDATE audit_auditevent SET hash = %s, action = %s WHERE id = %s",
            [row_hmac(wrong, key_id, row), row["action"], row["id"]],
        )
    prev = GENESIS
    for block in AuditBlock.objects.order_by("number"):
        entries = AuditEvent.objects.filter(id__gte=block.first_event_id, id__lte=block.last_event_id)
        head, _, _ = block_head(
            wrong,
            key_id=key_id,
            number=block.number,
            prev_head=prev,
            entries=entries.values_list("id", "hash"),
        )
        raw("UPDATE audit_auditblock SET prev_head = %s, head = %s WHERE id = %s", [prev, head, block.pk])
        prev = head
    report = verify_chain()
    assert report.broken is not None
    assert (report.broken.event_id, report.broken.kind) == (events[0].pk, "content")


@pytest.mark.django_db
def test_row_hash_is_an_hmac_under_the_current_key(key_settings: Any) -> None:
    key_settings.AUDIT_KEYS = V1
    keys.reset_cache()
    event = write_events(1)[0]
    row = rows()[0]
    assert event.key_id == "v1"
    assert event.hash == row_hmac(b"a" * 40, "v1", row)
    assert event.hash != row_hmac(b"b" * 40, "v1", row)
    assert event.hash != hashlib.sha256(b"").hexdigest() and len(event.hash) == 64
    assert hmac.compare_digest(event.hash, row_hmac(b"a" * 40, "v1", row))


@pytest.mark.django_db
def test_rotation_keeps_older_rows_verifiable(key_settings: Any) -> None:
    key_settings.AUDIT_KEYS = V1
    keys.reset_cache()
    write_events(3)
    seal_pending()
    key_settings.AUDIT_KEYS = f"{V1},{V2}"  # the last one listed becomes current
    keys.reset_cache()
    write_events(2, start=3)
    seal_pending()
    write_events(1, start=5)
    assert list(AuditEvent.objects.values_list("key_id", flat=True)) == ["v1"] * 3 + ["v2"] * 3
    assert list(AuditBlock.objects.values_list("key_id", flat=True)) == ["v1", "v2"]
    report = verify_chain()
    assert report.intact and (report.checked, report.blocks, report.unsealed) == (6, 2, 1)
    key_settings.AUDIT_KEYS = V2  # an operator dropped the old key: the old rows no longer verify
    keys.reset_cache()
    report = verify_chain()
    assert report.broken is not None and report.broken.kind == "unknown-key"


@pytest.mark.django_db
def test_rotate_command_appends_a_new_version_to_the_key_file(key_settings: Any, tmp_path: Path) -> None:
    key_file = tmp_path / "audit.keys"
    call_command("rotate_audit_key", "--key-file", str(key_file), stdout=StringIO())
    call_command("rotate_audit_key", "--key-file", str(key_file), stdout=StringIO())
    assert [line.split()[0] for line in key_file.read_text().splitlines()] == ["v1", "v2"]
    assert key_file.stat().st_mode & 0o077 == 0
    key_settings.AUDIT_KEYS, key_settings.AUDIT_KEY_FILE = "", str(key_file)
    keys.reset_cache()
    assert keys.current_key()[0] == "v2"
    key_settings.AUDIT_KEY_ID = "v1"
    keys.reset_cache()
    assert write_events(1)[0].key_id == "v1"


@pytest.mark.django_db
def test_production_refuses_to_write_without_a_key(key_settings: Any) -> None:
    key_settings.DEMO_MODE, key_settings.AUDIT_KEYS, key_settings.AUDIT_KEY_FILE = False, "", ""
    keys.reset_cache()
    with pytest.raises(ImproperlyConfigured, match="AUDIT_KEY_FILE"), transaction.atomic():
        write_events(1)
    key_settings.AUDIT_KEYS = "v1:short"
    keys.reset_cache()
    with pytest.raises(ImproperlyConfigured, match="≥ 32"):
        keys.current_key()
    key_settings.AUDIT_KEYS, key_settings.AUDIT_KEY_ID = V1, "v9"
    keys.reset_cache()
    with pytest.raises(ImproperlyConfigured, match="v9"):
        keys.current_key()


@pytest.mark.django_db
def test_rows_from_before_the_keyed_chain_verify_once_sealed() -> None:
    """An upgraded database: unkeyed, linked rows first, keyed rows after; the first seal covers both."""
    previous = GENESIS
    for n in range(3):
        row = {**rows_template(n), "prev_hash": previous}
        row["hash"] = legacy_row_hash(row)
        AuditEvent(**row, key_id="").save()
        previous = row["hash"]
    write_events(2, start=3)
    report = verify_chain()
    assert report.broken is not None and report.broken.kind == "unsealed-legacy"
    seal_pending()
    report = verify_chain()
    assert report.intact and (report.checked, report.blocks, report.unsealed) == (5, 1, 0)


def rows_template(n: int) -> dict[str, Any]:
    return {
        "occurred_at": NOW,
        "actor_id": None,
        "actor_label": "",
        "action": "legacy.thing.done",
        "subject_type": "test.thing",
        "subject_id": str(n),
        "territory_code": "320507003",
        "before": None,
        "after": {"n": n},
        "request_id": "",
    }
