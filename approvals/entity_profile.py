"""The entity page's (一企一档) section of approval services: the entity's applications (as a legal-person
applicant, found by the keyed hash of its credit code), newest first, as the applications list shows
them: scoped to the viewer's jurisdiction, and left out for roles that may not read applications."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import user_roles
from accounts.models import User
from approvals.models import ApplicantKind, Application
from approvals.selectors import STAFF_ROLES, applications_visible_to
from core.pii import lookup_hash
from registry import profile
from registry.models import Entity
from workflow.selectors import state_title


def _status(application: Application) -> str:
    if application.outcome:
        return application.get_outcome_display()
    item = application.work_item
    return state_title(item.process_name, item.state) if item is not None else ""


def applications_of(entity: object, user: User) -> list[profile.Row] | None:
    assert isinstance(entity, Entity)
    if not (user.is_superuser or user_roles(user) & STAFF_ROLES):
        return None
    rows = (
        applications_visible_to(user)
        .select_related(None)
        .select_related("item_version", "work_item")
        .filter(applicant_kind=ApplicantKind.LEGAL, applicant_number_hash=lookup_hash(entity.uscc))
        .order_by("-submitted_at", "-id")[: profile.SECTION_LIMIT]
    )
    return [
        profile.Row(
            label=f"{a.receipt_no} {a.item_version.name}",
            url=reverse("approvals:application", args=[a.pk]),
            status=_status(a),
            at=a.submitted_at,
        )
        for a in rows
    ]


def register() -> None:
    profile.register_section("applications", _("审批办件"), applications_of, position=20)
