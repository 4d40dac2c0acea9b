"""Reads of ratings, scoped by jurisdiction (accounts.jurisdiction.scope_for on the rating's territory
code); the applicant-side look-up (receipt number + phone) used before a phone code is confirmed."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.jurisdiction import scope_for, user_roles
from accounts.models import Assignment, Role, User
from approvals.models import Application
from core.errors import NotFound, PermissionRefused
from core.pii import lookup_hash
from outbox.phone_codes import normalize_phone
from ratings.models import Rating, Stage

# Roles that see the figures and the ratings list of their jurisdiction.
FIGURE_ROLES: set[str] = {
    Role.LEADER,
    Role.SUPERVISOR,
    Role.DISPATCHER,
    Role.APPROVER,
    Role.WINDOW_CLERK,
    Role.AUDITOR,
    Role.DATA_STEWARD,
}
# Staff of a centre who record a window rating on the pad.
PAD_ROLES: set[str] = {Role.WINDOW_CLERK, Role.APPROVER, Role.LEADER}


def ratings_visible_to(user: User | AnonymousUser) -> QuerySet[Rating]:
    queryset = Rating.objects.select_related("application", "centre", "clerk", "item", "rectification")
    return scope_for(user, queryset, "territory_code")


def get_rating_for(user: User | AnonymousUser, rating_id: int) -> Rating:
    rating = ratings_visible_to(user).filter(pk=rating_id).first()
    if rating is None:
        raise NotFound("该评价不存在，或不在您的管辖范围内。")
    return rating


def check_figure_access(user: User | AnonymousUser) -> None:
    if not (user_roles(user) & FIGURE_ROLES):
        raise PermissionRefused("not_allowed", "您的角色无权查看好差评统计。")


def find_application(receipt_no: str, phone: str) -> Application:
    """The application with this receipt number whose applicant phone is `phone`. The same 404 for an
    unknown receipt number and a phone that does not match (nothing is revealed about either)."""
    number = normalize_phone(phone)
    receipt = (receipt_no or "").strip()
    application = (
        Application.objects.select_related("item", "centre", "clerk", "work_item")
        .filter(receipt_no=receipt, applicant_phone_hash=lookup_hash(number))
        .first()
        if receipt
        else None
    )
    if application is None:
        raise NotFound("未找到与该手机号对应的办件，请核对受理编号和手机号。", field="receipt_no")
    return application


def application_for_pad(user: User, application_id: int) -> Application:
    """An application the user may record a window rating for: in jurisdiction (404 otherwise) and
    handled at a centre the user works in with a pad role (403 otherwise)."""
    queryset = Application.objects.select_related("item", "centre", "clerk", "work_item")
    application = scope_for(user, queryset, "territory_code").filter(pk=application_id).first()
    if application is None:
        raise NotFound("该办件不存在，或不在您的管辖范围内。")
    if not Assignment.objects.filter(
        user=user, org_unit_id=application.centre_id, role__in=PAD_ROLES, active=True
    ).exists():
        raise PermissionRefused("not_allowed", "只有受理中心的窗口人员可以为该办件记录评价。")
    return application


def stages_open(application: Application) -> list[str]:
    """The stages the applicant may rate now: reached and not rated yet."""
    rated = set(application.ratings.values_list("stage", flat=True))
    reached = []
    if application.accepted_at is not None:
        reached.append(Stage.ACCEPTED.value)
    if application.completed_at is not None:
        reached.append(Stage.COMPLETED.value)
    return [stage for stage in reached if stage not in rated]
