"""评价: the reporter rates a closed event, once."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from accounts.models import User
from audit.actions import record_event
from core.errors import Conflict, DomainError, PermissionRefused
from grid.events.selectors import (
    effective_item,
)
from grid.models import (
    GridEvent,
)
from workflow.actors import system_actor

logger = logging.getLogger(__name__)

MAX_COMMENT = 1000


def do_rate_event(
    event: GridEvent, *, rating: int, comment: str = "", now: datetime, actor: User | None = None
) -> GridEvent:
    """评价: once, after closure (a duplicate after its original's closure); by the reporting user, or —
    `actor` None — by whoever holds the receipt number of a resident's report."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError("invalid", "评价须为 1 到 5 的整数。", field="rating")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise DomainError("too_long", f"评价意见不能超过 {MAX_COMMENT} 字。", field="comment")
    with transaction.atomic():
        event = (
            GridEvent.objects.select_for_update(of=("self",))
            .select_related("work_item", "duplicate_of", "duplicate_of__work_item", "reporter")
            .get(pk=event.pk)
        )
        if actor is None:
            if event.reporter_id is not None:
                raise PermissionRefused("not_allowed", "该事件只能由上报人评价。")
        elif event.reporter_id != actor.pk:
            raise PermissionRefused("not_allowed", "只有上报人可以评价。")
        item = effective_item(event)
        if item is None or item.state != "closed":
            raise Conflict("not_closed", "事件办结后才能评价。", field="rating")
        if event.rating is not None:
            raise Conflict("already_rated", "该事件已评价过。", field="rating")
        event.rating = rating
        event.rating_comment = comment
        event.rated_at = now
        event.updated_at = now
        event.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
        record_event(
            actor=actor or system_actor(),
            action="grid.event_rated",
            subject=event,
            territory_code=event.territory_code,
            after={"rating": rating, "comment": comment, "anonymous": actor is None},
            now=now,
        )
    return event
