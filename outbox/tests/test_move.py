"""The outbox app took its models over from workflow (messages) and licences (phone codes) on the same
tables: no data is copied, the content types follow (so granted permissions keep working), and the move
can be undone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User
from outbox.models import OutboxMessage, PhoneChallenge

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
BEFORE: list[tuple[str, str | None]] = [
    ("workflow", "0005_open_queue_indexes"),
    ("licences", "0001_initial"),
    ("outbox", None),
]


def test_the_models_keep_their_tables() -> None:
    assert OutboxMessage._meta.db_table == "workflow_outboxmessage"
    assert PhoneChallenge._meta.db_table == "licences_phonechallenge"
    assert OutboxMessage._meta.app_label == PhoneChallenge._meta.app_label == "outbox"


def _migrate(targets: list[tuple[str, str | None]] | None) -> None:
    """Migrate to `targets`; None: back to the latest migration of every app (every migration the way
    back undid, whichever app it belongs to, so later tests in this process find every table)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets if targets is not None else executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


@pytest.mark.django_db(transaction=True)
def test_an_existing_database_moves_without_copying_and_keeps_permissions() -> None:
    clerk = User.objects.create_user(username="outbox_clerk", password="not-used-Pass-123")
    clerk.user_permissions.add(Permission.objects.get(codename="change_outboxmessage"))
    message = OutboxMessage.objects.create(
        created_at=NOW,
        channel="console",
        address="a@example.cn",
        kind="probe",
        body="hi",
        next_attempt_at=NOW,
    )
    try:
        _migrate(BEFORE)  # the schema as it was: the models in workflow and licences
        labels = set(
            ContentType.objects.filter(model__in=["outboxmessage", "phonechallenge"]).values_list(
                "app_label", "model"
            )
        )
        assert labels == {("workflow", "outboxmessage"), ("licences", "phonechallenge")}
        with connection.cursor() as cursor:
            cursor.execute("SELECT kind FROM workflow_outboxmessage WHERE id = %s", [message.pk])
            assert cursor.fetchone() == ("probe",)
    finally:
        _migrate(None)
    labels = set(
        ContentType.objects.filter(model__in=["outboxmessage", "phonechallenge"]).values_list(
            "app_label", "model"
        )
    )
    assert labels == {("outbox", "outboxmessage"), ("outbox", "phonechallenge")}
    assert OutboxMessage.objects.get(pk=message.pk).kind == "probe"
    assert User.objects.get(pk=clerk.pk).has_perm("outbox.change_outboxmessage")
