"""Who may open an application's files (a resident's uploaded materials, a clerk's scans): they carry ID
cards and household registers, so only the people who handle the application — the window clerks of its
centre and the staff of its reviewing unit, or of the unit it is assigned to now — within their
jurisdiction. Outside the jurisdiction: 404; inside it without handling the application: 403."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from accounts.models import Assignment, Role, User
from approvals.actions import reviewing_unit
from approvals.models import Application, ApplicationAttachment
from approvals.selectors import get_application_for
from core.errors import NotFound, PermissionRefused

FILE_ROLES = frozenset({Role.WINDOW_CLERK, Role.APPROVER})


def handling_unit_ids(application: Application) -> set[int]:
    units = {application.centre_id, reviewing_unit(application.item, application.centre).pk}
    if application.work_item is not None and application.work_item.assigned_unit_id is not None:
        units.add(application.work_item.assigned_unit_id)
    return units


def may_open_files(user: User | AnonymousUser, application: Application) -> bool:
    """`user` handles `application` (its jurisdiction already checked by the caller's selector)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return Assignment.objects.filter(
        user=user, active=True, role__in=FILE_ROLES, org_unit_id__in=handling_unit_ids(application)
    ).exists()


def access_application_file(user: User, application_id: int, attachment_id: int) -> ApplicationAttachment:
    """The file `attachment_id` of application `application_id`, for a user who handles it."""
    application = get_application_for(user, application_id)
    attachment = application.attachments.filter(pk=attachment_id).first()
    if attachment is None or not attachment.file:
        raise NotFound()
    if not may_open_files(user, application):
        raise PermissionRefused("not_allowed", "只有受理中心的窗口人员和审批单位的人员可以查看申请材料。")
    return attachment
