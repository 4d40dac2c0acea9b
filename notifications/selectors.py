"""Reads over the outbox for operators (the admin and `manage.py outbox_status`). The outbox is not
territorial data: only staff with the model's permissions reach these."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from outbox.models import OutboxMessage


def outbox_state_counts() -> dict[str, int]:
    """Rows per state, every state present (0 when empty)."""
    counts = {state.value: 0 for state in OutboxMessage.State}
    rows = OutboxMessage.objects.order_by().values("state").annotate(n=Count("id")).values_list("state", "n")
    for state, n in rows:
        counts[state] = n
    return counts


def dead_letters() -> QuerySet[OutboxMessage]:
    return (
        OutboxMessage.objects.filter(state=OutboxMessage.State.DEAD)
        .select_related("recipient")
        .order_by("id")
    )


def dead_letter_count() -> int:
    return OutboxMessage.objects.filter(state=OutboxMessage.State.DEAD).count()
