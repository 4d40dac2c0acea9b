"""What of a grid event reaches anonymous readers, and the two staff writes that decide it:

- the public reply (公开答复): an optional `public_reply` input of the actions that end handling
  (feedback, self_resolve, verify_pass, void), stored on the event apart from the internal result text;
  tracking pages and Open311 show only it, scrubbed (core.publication);
- the release of a resident's description (`do_release_description`): shown on Open311 only when the
  reporter agreed at report time (`publish_consent`) and a dispatcher or supervisor released it;
- places of sensitive categories (`Category.public_location_coarse`) leave rounded to ~100 m;
- the resident's wording of progress, one for the receipt, the tracking page, the public API and Open311:
  the public state of each engine state, the public timeline (dates and resident words from the work
  item's transitions: no staff, no reasons, no internal results), the expected date from the work
  calendar's deadline, and the after-photos (the feedback photos that closed the event);
- the photos a resident sent with their own report: public (Open311's `media_url` links them), the
  photos staff took on patrol or for a hotline call never."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import may_see_code, user_roles
from accounts.models import Role, User
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from grid.models import AttachmentStage, EventAttachment, EventChannel, GridEvent
from workflow.models import Transition, WorkItem

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


# ---------------------------------------------------------------------- progress in the resident's words

# The public states (codes are part of the public API: `public_state`) and their wording.
PUBLIC_STATE_TITLES: dict[str, Promise] = {
    "received": _("已收到"),
    "accepted": _("已受理"),
    "in_progress": _("处理中"),
    "on_hold": _("暂缓办理"),
    "handled": _("已处理，待核查"),
    "closed": _("已办结"),
    "not_accepted": _("不予受理"),
    "merged": _("已合并办理"),
}
# A report received but not yet registered (grid.events.intake): public state `received`, in words that
# say the event is on its way; the same on the receipt, the tracking page, the API and Open311.
INTAKE_STATE_TITLE = _("已收到，正在登记")
INTAKE_EXPECTED = _("您的反映已收到，正在登记，稍后即可查看办理进度。")
# Every state of process grid_event → its public state (a test keeps this complete).
PUBLIC_STATES: dict[str, str] = {
    "reported": "received",
    "filed": "accepted",
    "dispatched": "in_progress",
    "handling": "in_progress",
    "extension_requested": "in_progress",
    "enforcement": "in_progress",
    "parked": "on_hold",
    "verifying": "handled",
    "closed": "closed",
    "voided": "not_accepted",
    "duplicate": "merged",
}
# The transitions a resident reads about, in their words; the others (send-back, supervision, refused
# extensions…) stay inside. A line equal to the one before it is not repeated (改类 after 立案).
PUBLIC_STEPS: dict[str, Promise] = {
    "start": _("已收到您的反映"),
    "file": _("已受理"),
    "reclassify": _("已受理"),
    "dispatch": _("已派给办理单位"),
    "whistle": _("已提请上级部门协调办理"),
    "sign": _("办理单位已接单，正在处理"),
    "park": _("暂缓办理（暂停计时）"),
    "unpark": _("恢复办理"),
    "approve_extension": _("办理期限已延长"),
    "feedback": _("办理单位已处理，等待核查"),
    "verify_fail": _("核查发现未处理到位，已要求重新处理"),
    "verify_pass": _("核查通过，已办结"),
    "self_resolve": _("网格员已现场处理，已办结"),
    "void": _("经核实，不予受理"),
    "mark_duplicate": _("与其他群众反映的同一问题合并办理"),
    "to_enforcement": _("已转交执法部门办理"),
    "enforcement_returned": _("执法部门退回，重新安排办理"),
    "enforcement_closed": _("执法部门已办结"),
}
# What the current step's deadline means to the resident, by engine state.
EXPECTATIONS: dict[str, Promise] = {
    "reported": _("预计 %(when)s 前受理"),
    "filed": _("预计 %(when)s 前派给办理单位"),
    "dispatched": _("预计 %(when)s 前由办理单位接单"),
    "handling": _("预计 %(when)s 前处理完毕"),
    "verifying": _("预计 %(when)s 前完成核查"),
}
WORKING_UNITS = ("work_hours", "work_days")
AFTER_PHOTO_ACTIONS = ("feedback", "self_resolve")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


def public_state(state: str) -> str:
    return PUBLIC_STATES.get(state, "in_progress")


def public_state_title(state: str) -> str:
    return str(PUBLIC_STATE_TITLES[public_state(state)])


def local_when(moment: datetime) -> str:
    """A date and time as residents read them ("3月2日 12:00"), in the site's time zone."""
    return dateformat.format(timezone.localtime(moment), gettext("n月j日 H:i"))


def public_expectation(item: WorkItem, now: datetime) -> str | None:
    """The current step's deadline (counted by the work calendar) in words: "预计 3月3日 10:00 前处理完毕
    （按工作日计算，节假日顺延）"; overdue and paused steps say so; nothing once closed or without a limit."""
    if item.closed_at is not None:
        return None
    if item.paused_at is not None:
        return gettext("暂缓办理期间暂停计时，恢复办理后继续计算。")
    if item.step_due_at is None:
        return None
    phrase = EXPECTATIONS.get(item.state)
    if phrase is None:
        return None
    when = local_when(item.step_due_at)
    if now >= item.step_due_at:
        return gettext("已超过预计时间（%(when)s），正在督促办理。") % {"when": when}
    text = str(phrase) % {"when": when}
    if item.step_unit not in WORKING_UNITS:
        return text
    if item.deadline_provisional:
        basis = gettext("按工作日计算；节假日安排尚未公布，日期可能调整")
    else:
        basis = gettext("按工作日计算，节假日顺延")
    return gettext("%(text)s（%(basis)s）") % {"text": text, "basis": basis}


def public_timeline(event: GridEvent, item: WorkItem | None) -> list[dict[str, Any]]:
    """The resident's timeline: {at, text} from the transitions of the event's own work item and — for a
    duplicate — of the original's (`item`) from the moment this report came in. Only the time and the
    step in resident words: never who acted, a reason or an internal result."""
    own = event.work_item_id
    items = [i for i in {own, item.pk if item is not None else None} if i is not None]
    rows = (
        Transition.objects.filter(item_id__in=items, action__in=PUBLIC_STEPS)
        .order_by("occurred_at", "id")
        .values_list("item_id", "action", "occurred_at")
    )
    timeline: list[dict[str, Any]] = []
    for item_id, action, occurred_at in rows:
        if item_id != own and (action == "start" or occurred_at < event.reported_at):
            continue
        text = str(PUBLIC_STEPS[action])
        if timeline and timeline[-1]["text"] == text:
            continue
        timeline.append({"at": occurred_at, "text": text})
    return timeline


def after_photo_ids(item: WorkItem | None) -> list[int]:
    """The photos of the handling that closed the item (the last feedback or on-the-spot resolution):
    the only photos a resident sees (stored re-encoded, EXIF dropped: grid.events.report.check_photos);
    none before the closure, never the report's or the verification's photos."""
    if item is None or item.state != "closed" or item.closed_at is None:
        return []
    last = (
        Transition.objects.filter(item_id=item.pk, action__in=AFTER_PHOTO_ACTIONS)
        .order_by("-occurred_at", "-id")
        .values_list("inputs", flat=True)
        .first()
    )
    given = (last or {}).get("attachments") if isinstance(last, dict) else None
    if not isinstance(given, list):
        return []
    ids = [int(a) for a in given if str(a).isdigit()]
    return list(
        EventAttachment.objects.filter(
            pk__in=ids,
            event_id=int(item.subject_id),
            stage=AttachmentStage.FEEDBACK,
            content_type__in=IMAGE_TYPES,
        )
        .exclude(file="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def is_public_report_photo(event: GridEvent, attachment: EventAttachment) -> bool:
    """A photo a resident sent with their own report (channels open311 and resident_web): public, stored
    re-encoded with EXIF dropped (grid.events.report.check_photos). No query (a list's attachments are
    prefetched); staff's report photos, handling and verification photos and links are not."""
    return (
        event.channel in RESIDENT_CHANNELS
        and attachment.event_id == event.pk
        and attachment.stage == AttachmentStage.REPORT
        and attachment.content_type in IMAGE_TYPES
        and bool(attachment.file)
    )


def public_report_photo(event: GridEvent, attachment_id: int) -> EventAttachment | None:
    """A report photo of the event by id, or None when it is not one `is_public_report_photo` admits."""
    attachment = EventAttachment.objects.filter(pk=attachment_id, event_id=event.pk).first()
    if attachment is None or not is_public_report_photo(event, attachment):
        return None
    return attachment


def public_photo(item: WorkItem | None, attachment_id: int) -> EventAttachment | None:
    """An after-photo of the item by id, or None when it is not one of those `after_photo_ids` shows."""
    if attachment_id not in after_photo_ids(item):
        return None
    return EventAttachment.objects.filter(pk=attachment_id).only("file", "content_type").first()
