"""The rows and the detail the grid events API and pages return, built from one event and its work item."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts.jurisdiction import user_roles
from accounts.models import Role, User
from core import pii
from grid.events import selectors as event_selectors
from grid.events.api.shapes import EventDetailOut
from grid.models import EventAttachment, GridEvent
from workflow.access import available_actions
from workflow.models import WorkItem
from workflow.process_definition import ActionDef
from workflow.selectors import timeline_of, view_of

# The columns `event_row` reads (with its work item's, and the ids the page's references are attached
# by): a list loads only these, not the description, attributes and audit columns it never shows.
EVENT_ROW_FIELDS = (
    "id",
    "receipt_number",
    "kind",
    "category",
    "title",
    "channel",
    "address",
    "lon",
    "lat",
    "grid",
    "level",
    "closure_level",
    "reported_at",
    "reporter",
    "reporter_name",
    "reporter_phone_encrypted",
    "duplicate_of",
    "rating",
    "work_item",
    *(
        f"work_item__{name}"
        for name in (
            "process_name",
            "process_version",
            "state",
            "assigned_unit",
            "assignee",
            "step_unit",
            "step_limit_seconds",
            "step_due_at",
            "warn_at",
            "paused_at",
            "paused_remaining_seconds",
            "closed_at",
        )
    ),
)


def _ref(obj: Any) -> dict[str, str] | None:
    return {"code": obj.code, "name": obj.name} if obj is not None else None


def _masked_phone(event: GridEvent) -> str:
    if not event.reporter_phone_encrypted:
        return ""
    try:
        return pii.mask_phone(pii.decrypt(event.reporter_phone_encrypted))
    except pii.InvalidToken:
        return "***"


def event_row(event: GridEvent, now: datetime) -> dict[str, Any]:
    item = event.work_item
    state = state_title = ""
    light: str | None = None
    left: dict[str, Any] | None = None
    if item is not None:
        view = view_of(item, now=now)
        state, state_title, light = item.state, view.state_title, view.light
        if view.time_left is not None:
            left = {
                "seconds": view.time_left.seconds,
                "unit": view.time_left.unit,
                "display": view.time_left.display,
            }
    return {
        "id": event.pk,
        "receipt_number": event.receipt_number,
        "kind": event.kind,
        "category": _ref(event.category),
        "title": event.title,
        "channel": event.channel,
        "address": event.address,
        "lon": event.lon,
        "lat": event.lat,
        "grid": _ref(event.grid),
        "level": event.level,
        "closure_level": event.closure_level,
        "reported_at": event.reported_at,
        "reporter": event.reporter.username if event.reporter is not None else None,
        "reporter_name": pii.mask_name(event.reporter_name),
        "reporter_phone": _masked_phone(event),
        "duplicate_of": event.duplicate_of.receipt_number if event.duplicate_of is not None else None,
        "rating": event.rating,
        "state": state,
        "state_title": state_title,
        "assigned_unit": _ref(item.assigned_unit) if item is not None else None,
        "step_due_at": item.step_due_at if item is not None else None,
        "closed_at": item.closed_at if item is not None else None,
        "light": light,
        "time_left": left,
    }


def _work_item_data(item: WorkItem, now: datetime) -> dict[str, Any]:
    view = view_of(item, now=now)
    return {
        "id": item.pk,
        "state": item.state,
        "state_title": view.state_title,
        "version": item.version,
        "assigned_unit": _ref(item.assigned_unit),
        "assignee": item.assignee.username if item.assignee is not None else None,
        "priority": item.priority,
        "step_started_at": item.step_started_at,
        "step_due_at": item.step_due_at,
        "warn_at": item.warn_at,
        "step_unit": item.step_unit,
        "deadline_provisional": item.deadline_provisional,
        "clock_stopped": item.paused_at is not None,
        "closed_at": item.closed_at,
        "limit_overrides": item.limit_overrides or {},
    }


def _action_data(action: ActionDef) -> dict[str, Any]:
    return {
        "name": action.name,
        "title": action.title,
        "to": action.target,
        "requires": {
            "reason": action.requires.reason,
            "attachments": action.requires.attachments,
            "fields": list(action.requires.fields),
        },
    }


def _attachment_data(attachment: EventAttachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "stage": attachment.stage,
        "url": attachment.file.url if attachment.file else attachment.url,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_at": attachment.uploaded_at,
    }


def detail_data(user: User, event_id: int, now: datetime) -> dict[str, Any]:
    event = event_selectors.get_event_for(user, event_id)
    data = event_row(event, now)
    item = event.work_item
    data["description"] = event.description
    data["attributes"] = event.attributes
    data["standard"] = (
        {
            "id": event.standard.pk,
            "filing_condition": event.standard.filing_condition,
            "closing_condition": event.standard.closing_condition,
            "limit": event.standard.limit_for_area(event.grid.area_class),
            "unit": event.standard.unit,
            "area_class": event.grid.area_class,
        }
        if event.standard is not None
        else None
    )
    data["work_item"] = _work_item_data(item, now) if item is not None else None
    data["timeline"] = (
        [
            {
                "id": row.transition.pk,
                "action": row.transition.action,
                "action_title": row.action_title,
                "from_state": row.transition.from_state,
                "from_title": row.from_title,
                "to_state": row.transition.to_state,
                "to_title": row.to_title,
                "actor": row.transition.actor.display_name or row.transition.actor.username,
                "reason": row.transition.reason,
                "inputs": row.transition.inputs,
                "occurred_at": row.transition.occurred_at,
                "step_elapsed_seconds": row.transition.step_elapsed_seconds,
                "step_unit": row.transition.step_unit,
            }
            for row in timeline_of(item)
        ]
        if item is not None
        else []
    )
    data["actions"] = [_action_data(a) for a in available_actions(item, user)] if item is not None else []
    data["attachments"] = [_attachment_data(a) for a in event.attachments.order_by("id")]
    candidates: list[dict[str, Any]] = []
    if item is not None and item.state == "reported" and Role.DISPATCHER in user_roles(user):
        for other, distance in event_selectors.duplicate_candidates_with_distance(event):
            candidates.append(
                {
                    "id": other.pk,
                    "receipt_number": other.receipt_number,
                    "title": other.title,
                    "reported_at": other.reported_at,
                    "state": other.work_item.state if other.work_item is not None else "",
                    "distance_m": round(distance, 1),
                }
            )
    data["duplicate_candidates"] = candidates
    data["duplicates"] = list(event.duplicates.order_by("id").values_list("receipt_number", flat=True))
    decision = event_selectors.latest_routing(event)
    data["routing"] = (
        {
            "unit": _ref(decision.chosen_unit),
            "level": decision.level,
            "reason": decision.reason,
            "decided_at": decision.decided_at,
        }
        if decision is not None
        else None
    )
    return dict(EventDetailOut(data).data)
