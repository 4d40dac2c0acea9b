"""Who looks after a connector (its quarantine, its settings, a run now): a data steward whose
jurisdiction covers the connector's territory, or the system user. Outside the jurisdiction a connector
is not found (404); inside it, anyone else is refused (403)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from accounts.models import Assignment, Role, User
from core.errors import NotFound, PermissionRefused
from datashare.models import Connector
from datashare.selectors import overlaps


def may_steward(user: User | AnonymousUser, territory_code: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_system", False):
        return True
    codes = Assignment.objects.filter(user=user, active=True, role=Role.DATA_STEWARD).values_list(
        "territory_code", flat=True
    )
    return any(territory_code.startswith(code) for code in codes)


def is_steward(user: User | AnonymousUser) -> bool:
    """A data steward anywhere (who may set up a connector in their jurisdiction)."""
    if not user.is_authenticated:
        return False
    return Assignment.objects.filter(user=user, active=True, role=Role.DATA_STEWARD).exists()


def check_steward(user: User | AnonymousUser, territory_code: str, *, field: str = "connector") -> None:
    if getattr(user, "is_system", False):
        return
    if not isinstance(user, User) or not overlaps(user, territory_code):
        raise NotFound(field=field)
    if not may_steward(user, territory_code):
        raise PermissionRefused("not_allowed", _("只有该数据源所在辖区的数据管理员可以办理。"), field=field)


def access_connector(user: User | AnonymousUser, connector_id: int) -> Connector:
    """The connector, for its steward (NotFound outside the jurisdiction, PermissionRefused inside)."""
    connector = Connector.objects.select_related("owner_unit").filter(pk=connector_id).first()
    if connector is None:
        raise NotFound(field="connector")
    check_steward(user, connector.territory_code)
    return connector
