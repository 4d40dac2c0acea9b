"""结案: closing an event (自行处置, 核查通过) — the handling photo the standard row may require, the
closure level — and telling the reporters (and every linked duplicate's reporter) about an ending.
Used by the bindings in `grid.events.steps`."""

from __future__ import annotations

from collections.abc import Callable

from core.errors import Unprocessable
from grid.events.handling import IMAGE_TYPES
from grid.events.report import notify_reporter
from grid.models import AttachmentStage, EventAttachment, EventLevel, GridEvent
from workflow.handlers import Step


def closing_photos(step: Step, event: GridEvent) -> None:
    """结案条件: the standard row may require the handling photo(s) — an uploaded image at the feedback
    stage (for `self_resolve` the photos of this very step count)."""
    standard = event.standard
    if standard is None or not standard.closing_photo_required:
        return
    photos = (
        EventAttachment.objects.filter(
            event=event, stage=AttachmentStage.FEEDBACK, content_type__in=IMAGE_TYPES
        )
        .exclude(file="")
        .exists()
    )
    if not photos:
        raise Unprocessable(
            "photos_required",
            f"结案条件（{standard.closing_condition}）须有处置后的现场照片，请先上传处置照片。",
            field="inputs.attachments",
        )


def level_grid(step: Step, event: GridEvent) -> None:
    event.level = EventLevel.GRID


def closure_level(step: Step, event: GridEvent) -> None:
    event.closure_level = event.level


def tell_duplicate_reporter(step: Step, event: GridEvent) -> None:
    """合并: the reporter of the event marked duplicate learns which receipt it now follows."""
    original = event.duplicate_of
    assert original is not None
    text = f"您反映的问题与受理编号 {original.receipt_number} 为同一问题，将随其一并办理。"
    original_item = original.work_item
    if original_item is not None and original_item.closed_at is not None:
        text += f"该件已{'办结' if original_item.state == 'closed' else '终止'}。"
    notify_reporter(event, kind="grid.event_duplicate", body=text, now=step.now)


def tell_ending(verb: str) -> Callable[[Step, GridEvent], None]:
    """An ending (办结 or 作废, `verb`) told to the event's own reporter and every linked duplicate's."""

    def tell(step: Step, event: GridEvent) -> None:
        body = f"您反映的问题（受理编号 {event.receipt_number}）{verb}，可凭受理编号查询结果并评价。"
        if event.reporter_id != step.actor.pk:
            notify_reporter(event, kind=f"grid.event_{step.name}", body=body, now=step.now)
        for duplicate in event.duplicates.select_related("reporter", "category"):
            text = (
                f"您反映的问题（受理编号 {duplicate.receipt_number}）与 {event.receipt_number} 为同一问题，"
                f"该件{verb}，可凭受理编号查询结果并评价。"
            )
            notify_reporter(duplicate, kind=f"grid.event_duplicate_{step.name}", body=text, now=step.now)

    return tell
