"""Every write to people, organisation units and assignments, one module a concern: organisation units
(org_units), users (users), assignments and staff in bulk (assignments), log-ins and API tokens (logins);
the snapshots, checks and rights they share are in common. Each function is one transaction, checks the
actor's right, and writes its audit row (before/after) with `audit.actions.record_event`.
The names below are the app's public actions."""

from accounts.actions.assignments import (
    StaffSpec,
    do_assign_role,
    do_bulk_create_staff,
    do_end_assignment,
    do_update_assignment,
)
from accounts.actions.logins import do_issue_api_token, do_record_login, do_record_login_failure
from accounts.actions.org_units import (
    OrgUnitSpec,
    do_bulk_create_org_units,
    do_create_org_unit,
    do_delete_org_unit,
    do_update_org_unit,
)
from accounts.actions.users import do_create_user, do_set_password, do_set_user_permissions, do_update_user

__all__ = [
    "OrgUnitSpec",
    "StaffSpec",
    "do_assign_role",
    "do_bulk_create_org_units",
    "do_bulk_create_staff",
    "do_create_org_unit",
    "do_create_user",
    "do_delete_org_unit",
    "do_end_assignment",
    "do_issue_api_token",
    "do_record_login",
    "do_record_login_failure",
    "do_set_password",
    "do_set_user_permissions",
    "do_update_assignment",
    "do_update_org_unit",
    "do_update_user",
]
