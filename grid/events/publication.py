"""What of a grid event reaches anonymous readers, and the two staff writes that decide it:

- the public reply (公开答复): an optional `public_reply` input of the actions that end handling
  (feedback, self_resolve, verify_pass, void), stored on the event apart from the internal result text;
  tracking pages and Open311 show only it, scrubbed (core.publication);
- the release of a resident's description (`do_release_description`): shown on Open311 only when the
  reporter agreed at report time (`publish_consent`) and a dispatcher or supervisor released it;
- places of sensitive categories (`Category.public_location_coarse`) leave rounded to ~100 m."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.jurisdiction import may_see_code, user_roles
from accounts.models import Role, User
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from grid.models import EventChannel, GridEvent

PUBLIC_REPLY_ACTIONS = frozenset({"feedback", "self_resolve", "verify_pass", "void"})
PUBLIC_REPLY_MAX = 1000
RELEASE_ROLES: frozenset[str] = frozenset({Role.DISPATCHER, Role.SUPERVISOR})
# Residents' own reports; what staff typed for patrol and hotline events never leaves.
RESIDENT_CHANNELS = (EventChannel.OPEN311, EventChannel.RESIDENT_WEB)
COARSE_DECIMALS = 3  # 0.001° ≈ 111 m of latitude, ~95 m of longitude at 31° N


def clean_public_reply(action: str, inputs: dict[str, Any]) -> str | None:
    """The public reply an action's inputs carry (stripped), None when they carry none. Refused on an
    action that does not end handling, or when it is not text or too long."""
    if "public_reply" not in inputs:
        return None
    value = inputs["public_reply"]
    if action not in PUBLIC_REPLY_ACTIONS:
        raise DomainError("invalid", "该操作不接受公开答复。", field="inputs.public_reply")
    if not isinstance(value, str):
        raise DomainError("invalid", "公开答复须为文字。", field="inputs.public_reply")
    value = value.strip()
    if len(value) > PUBLIC_REPLY_MAX:
        raise DomainError(
            "too_long", f"公开答复不能超过 {PUBLIC_REPLY_MAX} 字。", field="inputs.public_reply"
        )
    return value


def may_release_description(event: GridEvent) -> bool:
    return (
        event.channel in RESIDENT_CHANNELS and event.publish_consent and event.description_released_at is None
    )


def description_is_public(event: GridEvent) -> bool:
    return (
        event.channel in RESIDENT_CHANNELS
        and event.publish_consent
        and event.description_released_at is not None
    )


def public_place(event: GridEvent) -> tuple[float | None, float | None]:
    """(lat, lon) as anonymous readers get them: rounded to ~100 m for sensitive categories."""
    if event.lat is None or event.lon is None or not event.category.public_location_coarse:
        return event.lat, event.lon
    return round(event.lat, COARSE_DECIMALS), round(event.lon, COARSE_DECIMALS)


def do_release_description(event: GridEvent, *, actor: User, now: datetime) -> GridEvent:
    """审核公开: a dispatcher or supervisor of the event's jurisdiction releases the resident's description
    for the public lists (the reporter must have agreed). Audited; a second release is refused."""
    if not actor.is_system and not may_see_code(actor, event.territory_code):
        raise NotFound("未找到该事件。", field="event")
    if not actor.is_system and not (user_roles(actor) & RELEASE_ROLES):
        raise PermissionRefused("not_allowed", "只有指挥中心调度员或督办员可以审核公开。")
    with transaction.atomic():
        event = GridEvent.objects.select_for_update().get(pk=event.pk)
        if event.channel not in RESIDENT_CHANNELS or not event.publish_consent:
            raise Conflict("no_consent", "反映人未同意公开，不能公开描述。", field="event")
        if event.description_released_at is not None:
            raise Conflict("already_released", "该描述已审核公开。", field="event")
        event.description_released_at = now
        event.description_released_by = actor
        event.updated_at = now
        event.save(update_fields=["description_released_at", "description_released_by", "updated_at"])
        record_event(
            actor=actor,
            action="grid.event_description_released",
            subject=event,
            territory_code=event.territory_code,
            before={"description_released_at": None},
            after={"description_released_at": now.isoformat()},
            now=now,
        )
    return event
