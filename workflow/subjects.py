"""The subject a client names when it starts a work item through the generic door (`POST /work-items/`).

A stream's own actions link the items they start to the rows they create; a client may only point an
item at a row it may see, that carries a territory code, and that no work item already handles. The
engine never imports a stream: the row is found through the model registry by its label."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from accounts.jurisdiction import scope_for
from accounts.models import User
from core.errors import Conflict, DomainError, NotFound
from workflow.models import WorkItem

NOT_FOUND = "对象不存在，或不在您的管辖范围内。"


def _model_of(subject_type: str) -> type[models.Model]:
    try:
        model = apps.get_model(subject_type)
    except (LookupError, ValueError):
        raise DomainError("invalid", "对象类型不存在（应为 app.model）。", field="subject_type") from None
    if "territory_code" not in {f.name for f in model._meta.concrete_fields}:
        raise DomainError("invalid", "该类对象不能作为办件对象。", field="subject_type")
    return model


def check_subject(actor: User, subject_type: str, subject_id: str) -> tuple[str, str]:
    """The normalised (label, id) of the subject, or ("", "") when none is named. Refuses, in order: half
    a reference (400), an unknown model or one without a territory (400), a row that does not exist or
    lies outside the actor's jurisdiction (404, the two alike), a row a work item already handles (409)."""
    subject_type, subject_id = subject_type.strip().lower(), subject_id.strip()
    if not subject_type and not subject_id:
        return "", ""
    if not subject_type:
        raise DomainError("required", "请同时填写对象类型。", field="subject_type")
    if not subject_id:
        raise DomainError("required", "请同时填写对象标识。", field="subject_id")
    model = _model_of(subject_type)
    try:
        pk = model._meta.pk.to_python(subject_id)
    except ValidationError:
        raise NotFound(NOT_FOUND, field="subject_id") from None
    rows = model._default_manager.all()
    if not actor.is_system:
        rows = scope_for(actor, rows, "territory_code")
    if not rows.filter(pk=pk).exists():
        raise NotFound(NOT_FOUND, field="subject_id")
    label = model._meta.label_lower
    if WorkItem.objects.filter(subject_type=label, subject_id=str(pk)).exists():
        raise Conflict("subject_taken", "该对象已有办件，不能再发起。", field="subject_id")
    return label, str(pk)
