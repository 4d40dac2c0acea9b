"""处置反馈: the photos of the handling steps — the ids a step names must be uploaded images of this very
event (not a link, not another event's), and the uploads of the grid's own door are stored under the
step's stage. Used by every binding in `grid.events.steps`."""

from __future__ import annotations

from core.errors import DomainError
from grid.events.report import save_photos
from grid.models import AttachmentStage, EventAttachment, GridEvent
from workflow.handlers import Step

# The stage a photo uploaded with the step is stored under (the stream door's uploads).
PHOTO_ACTIONS = {
    "self_resolve": AttachmentStage.FEEDBACK,
    "feedback": AttachmentStage.FEEDBACK,
    "verify_fail": AttachmentStage.VERIFICATION,
    "verify_pass": AttachmentStage.VERIFICATION,
}
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


def save_door_photos(step: Step, event: GridEvent) -> list[str]:
    """Photos uploaded through the grid's own door (checked there), stored under the step's stage. The
    door keeps the list of saved files to discard them if the transaction fails."""
    photos = step.door.get("photos") or ()
    if not photos:
        return []
    if step.name not in PHOTO_ACTIONS:
        raise DomainError("invalid", "该操作不接受照片。", field="photos")
    saved = save_photos(event, photos, stage=PHOTO_ACTIONS[step.name], actor=step.actor, now=step.now)
    kept = step.door.get("saved")
    if isinstance(kept, list):
        kept.extend(saved)
    return [str(a.pk) for a in saved]


def attachment_ids(step: Step, event: GridEvent) -> None:
    """`inputs.attachments`: ids of photos uploaded for this event (an uploaded image file, not a link,
    not another event's); the door's new uploads are added."""
    given = step.inputs.get("attachments")
    ids: list[str] = []
    if given is not None:
        if not isinstance(given, list) or not all(
            isinstance(a, str | int) and not isinstance(a, bool) for a in given
        ):
            raise DomainError("invalid", "附件须为附件编号的列表。", field="inputs.attachments")
        ids = [str(a) for a in given]
        if not all(a.isdigit() for a in ids):
            raise DomainError(
                "invalid", "附件编号无效（须为本事件已上传照片的编号）。", field="inputs.attachments"
            )
        known = {
            str(pk)
            for pk in EventAttachment.objects.filter(event=event, content_type__in=IMAGE_TYPES)
            .exclude(file="")
            .values_list("pk", flat=True)
        }
        if not set(ids) <= known:
            raise DomainError("invalid", "附件须为本事件已上传的照片。", field="inputs.attachments")
    ids += save_door_photos(step, event)
    if ids:
        step.inputs["attachments"] = ids
    elif "attachments" in step.inputs:
        del step.inputs["attachments"]
