"""Reads of approval services. The catalogue and the guides are public; applications are scoped by
jurisdiction (`scope_for` on the application's territory code; 404 outside it); the public follow-up
finds one application by receipt number and the last four digits of the applicant's phone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from accounts.jurisdiction import scope_for
from accounts.models import Assignment, OrgUnit, Role, User
from approvals.models import Application, CentreAuthorisation, ServiceItem
from approvals.report import AuthorisationReport, build_report
from core.errors import DomainError, NotFound
from core.publication import publish
from workflow.deadlines import time_left, traffic_light
from workflow.listing import attach_item_references
from workflow.models import Transition
from workflow.publishing import definition_for

Viewer = User | AnonymousUser
# Who may read applications (the staff pages; the entity page's section): the others are refused.
STAFF_ROLES: set[str] = {
    Role.WINDOW_CLERK,
    Role.APPROVER,
    Role.LEADER,
    Role.DISPATCHER,
    Role.SUPERVISOR,
    Role.DATA_STEWARD,
    Role.AUDITOR,
    Role.GRID_WORKER,
}


# ---------------------------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class ItemFilters:
    level: str = ""
    item_type: str = ""
    theme: str = ""
    centre: str = ""  # OrgUnit code
    q: str = ""


def catalogue(filters: ItemFilters | None = None) -> QuerySet[ServiceItem]:
    """Active items with their current guide, filtered (level, type, theme, centre code, name/code text)."""
    f = filters or ItemFilters()
    items = ServiceItem.objects.filter(active=True, current_version__isnull=False).select_related(
        "current_version", "agency"
    )
    if f.level:
        items = items.filter(service_level=f.level)
    if f.item_type:
        items = items.filter(item_type=f.item_type)
    if f.theme:
        items = items.filter(theme=f.theme)
    if f.centre:
        items = items.filter(authorisations__centre__code=f.centre)
    if f.q:
        items = items.filter(
            Q(name__icontains=f.q) | Q(implementation_code__icontains=f.q) | Q(basic_code__icontains=f.q)
        )
    return items.order_by("basic_code", "implementation_code")


def get_item(code: str) -> ServiceItem:
    item = (
        ServiceItem.objects.select_related("current_version", "agency")
        .filter(implementation_code=(code or "").upper(), active=True, current_version__isnull=False)
        .first()
    )
    if item is None:
        raise NotFound()
    return item


def centres_for_item(item: ServiceItem) -> list[OrgUnit]:
    return [
        a.centre
        for a in CentreAuthorisation.objects.filter(item=item)
        .select_related("centre")
        .order_by("centre__territory_code", "centre__code")
    ]


def service_centres() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(
        Q(kind=OrgUnit.Kind.SERVICE_CENTRE)
        | Q(kind=OrgUnit.Kind.VILLAGE_COMMITTEE, approvals_authorisations__isnull=False)
    ).distinct()


def centre_by_code(code: str) -> OrgUnit:
    centre = service_centres().filter(code=code).first()
    if centre is None:
        raise DomainError("invalid", "受理中心不存在。", field="centre")
    return centre


def clerk_centres(user: User) -> list[OrgUnit]:
    """The centres where `user` works a window."""
    ids = Assignment.objects.filter(user=user, role=Role.WINDOW_CLERK, active=True).values_list(
        "org_unit_id", flat=True
    )
    return list(OrgUnit.objects.filter(pk__in=list(ids)).order_by("code"))


def items_of_centre(centre: OrgUnit) -> QuerySet[ServiceItem]:
    return catalogue(ItemFilters(centre=centre.code))


def authorisation_report(user: Viewer) -> AuthorisationReport:
    centres = scope_for(user, OrgUnit.objects.all(), "territory_code")
    return build_report(centres)


# ---------------------------------------------------------------------------------------------- applications


def _applications() -> QuerySet[Application]:
    return Application.objects.select_related(
        "item",
        "item_version",
        "centre",
        "clerk",
        "proxy_worker",
        "work_item",
        "work_item__assigned_unit",
        "work_item__process_version",
    )


def applications_visible_to(user: Viewer) -> QuerySet[Application]:
    return scope_for(user, _applications(), "territory_code")


def lean_applications(rows: QuerySet[Application]) -> QuerySet[Application]:
    """A list's query: the work item's pinned version, unit and assignee come from the process caches
    (`attach_references`) instead of joins."""
    return rows.select_related(None).select_related("item", "item_version", "centre", "work_item")


def attach_references(applications: Iterable[Application]) -> list[Application]:
    rows = list(applications)
    attach_item_references([a.work_item for a in rows])
    return rows


def get_application_for(user: Viewer, application_id: int | str) -> Application:
    try:
        pk = int(application_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    application = applications_visible_to(user).filter(pk=pk).first()
    if application is None:
        raise NotFound()
    return application


def history(application: Application) -> list[Transition]:
    if application.work_item_id is None:
        return []
    return list(
        Transition.objects.filter(item_id=application.work_item_id)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )


def worklist(user: User, *, open_only: bool = True) -> QuerySet[Application]:
    """Applications waiting on one of the user's units (window clerks: their centres' intake and
    corrections; approvers: their agency's reviews)."""
    units = Assignment.objects.filter(user=user, active=True).values_list("org_unit_id", flat=True)
    rows = applications_visible_to(user).filter(work_item__assigned_unit_id__in=list(units))
    if open_only:
        rows = rows.filter(work_item__closed_at__isnull=True)
    return rows.order_by("work_item__step_due_at", "submitted_at")


@dataclass(frozen=True)
class Progress:
    """What an applicant may see: step, handling unit, time left."""

    receipt_no: str
    item_name: str
    centre_name: str
    state: str
    state_title: str
    handling_unit: str
    time_left: str
    light: str | None
    paused: bool
    submitted_at: datetime
    completed_at: datetime | None
    outcome: str
    outcome_label: str
    delivery_method: str
    ems_tracking_no: str
    certificate_identifier: str
    corrections_note: str

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()}


def progress_of(application: Application, now: datetime) -> Progress:
    item = application.work_item
    state, title, unit, left, light, paused = "", "", "", "", None, False
    if item is not None:
        definition = definition_for(item)
        state = item.state
        title = definition.states[item.state].title
        unit = item.assigned_unit.name if item.assigned_unit is not None else application.centre.name
        remaining = time_left(item, now)
        left = remaining.display if remaining is not None else ""
        light = traffic_light(item, now)
        paused = item.paused_at is not None
    return Progress(
        receipt_no=application.receipt_no,
        item_name=application.item_version.name,
        centre_name=application.centre.name,
        state=state,
        state_title=title,
        handling_unit=unit,
        time_left=left,
        light=light,
        paused=paused,
        submitted_at=application.submitted_at,
        completed_at=application.completed_at,
        outcome=application.outcome,
        outcome_label=application.get_outcome_display() if application.outcome else "",
        delivery_method=application.delivery_method,
        ems_tracking_no=application.ems_tracking_no,
        certificate_identifier=application.certificate_identifier,
        corrections_note=application.corrections_note if paused else "",
    )


def public_progress(application: Application, now: datetime) -> dict[str, Any]:
    """The applicant's follow-up page without login, through the publication path (channel
    approvals.tracking): the corrections note staff wrote is scrubbed, the applicant's name masked in it."""
    progress = progress_of(application, now)
    return publish("approvals.tracking", progress.__dict__, names=[application.applicant_name])


def track(receipt_no: str, phone_last4: str) -> Application:
    """The public follow-up: receipt number + last four digits of the applicant's phone. Any mismatch is
    the same 404 (no oracle for which part was wrong)."""
    receipt_no = (receipt_no or "").strip().upper()
    last4 = (phone_last4 or "").strip()
    if not receipt_no:
        raise DomainError("required", "请输入受理编号。", field="receipt_no")
    if not (len(last4) == 4 and last4.isdigit()):
        raise DomainError("invalid", "请输入手机号后4位。", field="phone_last4")
    application = _applications().filter(receipt_no=receipt_no).first()
    if application is None or not application.applicant_phone_masked.endswith(last4):
        raise NotFound("未找到该受理编号，或手机号后4位不符。")
    return application


__all__ = [
    "ItemFilters",
    "applications_visible_to",
    "authorisation_report",
    "catalogue",
    "centre_by_code",
    "centres_for_item",
    "clerk_centres",
    "get_application_for",
    "get_item",
    "history",
    "items_of_centre",
    "progress_of",
    "public_progress",
    "service_centres",
    "track",
    "worklist",
]
