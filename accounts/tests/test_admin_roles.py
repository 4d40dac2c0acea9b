"""三员分立 in the actions: only the security administrator grants or revokes the three administrator
roles, never for themselves, one per person; each refusal is an audit row. Accounts and org units belong
to the system administrator, assignments to the security administrator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group

from accounts import actions
from accounts.adminroles import AdminRoleRefused, do_grant_admin_role, do_revoke_admin_role
from accounts.models import OrgUnit, Role, User
from accounts.testing import make_administrator
from audit.models import AuditEvent
from core.adminroles import AdminRole, admin_roles_of, has_admin_role
from core.errors import DomainError, PermissionRefused

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


@pytest.fixture
def admins(personas: dict[str, User]) -> dict[str, User]:
    return {
        "sys": make_administrator("sysadmin", AdminRole.SYSTEM),
        "sec": make_administrator("secadmin", AdminRole.SECURITY),
        "audit": make_administrator("auditadmin", AdminRole.AUDIT),
    }


def refusals() -> list[str]:
    return [
        e.after["reason"]  # type: ignore[index]
        for e in AuditEvent.objects.filter(action="accounts.admin_role_refused").order_by("id")
    ]


def test_groups_exist_with_their_permissions() -> None:
    perms = {
        name: set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        for name in AdminRole.values
    }
    assert {"add_orgunit", "change_user", "add_user"} <= perms[AdminRole.SYSTEM]
    assert not {"add_assignment", "delete_totpdevice", "view_auditevent"} & perms[AdminRole.SYSTEM]
    assert {"add_assignment", "delete_totpdevice", "delete_accessattempt"} <= perms[AdminRole.SECURITY]
    assert "change_orgunit" not in perms[AdminRole.SECURITY]
    assert {"view_auditevent", "view_logentry", "view_orgunit"} <= perms[AdminRole.AUDIT]
    assert all(p.startswith("view_") for p in perms[AdminRole.AUDIT])


def test_security_administrator_grants_and_revokes(
    admins: dict[str, User], personas: dict[str, User]
) -> None:
    person = personas["dispatcher"]
    do_grant_admin_role(person, AdminRole.SYSTEM, actor=admins["sec"], now=NOW)
    person.refresh_from_db()
    assert admin_roles_of(person) == {AdminRole.SYSTEM} and person.is_staff
    event = AuditEvent.objects.get(action="accounts.admin_role_changed")
    assert event.actor_label == "secadmin" and event.subject_id == str(person.pk)
    assert event.after == {"admin_roles": [AdminRole.SYSTEM], "is_staff": True}
    do_revoke_admin_role(person, AdminRole.SYSTEM, actor=admins["sec"], now=NOW)
    assert admin_roles_of(person) == set()
    assert AuditEvent.objects.filter(action="accounts.admin_role_changed").count() == 2


@pytest.mark.parametrize("who", ["sys", "audit"])
def test_other_administrators_may_not_grant(
    admins: dict[str, User], personas: dict[str, User], who: str
) -> None:
    with pytest.raises(AdminRoleRefused) as info:
        do_grant_admin_role(personas["dispatcher"], AdminRole.AUDIT, actor=admins[who], now=NOW)
    assert info.value.code == "not_allowed" and info.value.status == 403
    assert admin_roles_of(personas["dispatcher"]) == set()
    assert refusals() == ["not_allowed"]


def test_the_outsider_may_not_grant(personas: dict[str, User]) -> None:
    with pytest.raises(AdminRoleRefused) as info:
        do_grant_admin_role(personas["hq_leader"], AdminRole.SECURITY, actor=personas["wt_grid"], now=NOW)
    assert info.value.code == "not_allowed"
    assert refusals() == ["not_allowed"]


def test_no_self_grant(admins: dict[str, User]) -> None:
    for role in (AdminRole.SYSTEM, AdminRole.AUDIT):
        with pytest.raises(AdminRoleRefused) as info:
            do_grant_admin_role(admins["sec"], role, actor=admins["sec"], now=NOW)
        assert info.value.code == "not_allowed" and info.value.status == 403
    with pytest.raises(AdminRoleRefused):
        do_revoke_admin_role(admins["sec"], AdminRole.SECURITY, actor=admins["sec"], now=NOW)
    assert admin_roles_of(admins["sec"]) == {AdminRole.SECURITY}
    assert refusals() == ["self_grant"] * 3


def test_mutual_exclusion(admins: dict[str, User]) -> None:
    with pytest.raises(AdminRoleRefused) as info:
        do_grant_admin_role(admins["sys"], AdminRole.AUDIT, actor=admins["sec"], now=NOW)
    assert info.value.code == "admin_roles_exclusive" and info.value.status == 400
    assert info.value.field == "groups" and "互斥" in info.value.message
    assert admin_roles_of(admins["sys"]) == {AdminRole.SYSTEM}
    event = AuditEvent.objects.get(action="accounts.admin_role_refused")
    assert event.actor_label == "secadmin" and event.subject_id == str(admins["sys"].pk)
    assert event.after == {
        "code": "admin_roles_exclusive",
        "reason": "admin_roles_exclusive",
        "wanted": sorted([AdminRole.SYSTEM, AdminRole.AUDIT]),
    }


def test_the_permissions_action_keeps_the_same_rules(
    admins: dict[str, User], personas: dict[str, User]
) -> None:
    both = list(Group.objects.filter(name__in=[AdminRole.SYSTEM, AdminRole.SECURITY]))
    with pytest.raises(AdminRoleRefused):
        actions.do_set_user_permissions(
            personas["hq_leader"], groups=both, permissions=[], actor=admins["sec"], now=NOW
        )
    plain = [Group.objects.create(name="窗口组")]
    with pytest.raises(PermissionRefused) as info:
        actions.do_set_user_permissions(
            personas["hq_leader"], groups=plain, permissions=[], actor=admins["sys"], now=NOW
        )
    assert info.value.code == "not_allowed"
    one = list(Group.objects.filter(name=AdminRole.AUDIT))
    actions.do_set_user_permissions(
        personas["hq_leader"], groups=one, permissions=[], actor=admins["sec"], now=NOW
    )
    assert admin_roles_of(personas["hq_leader"]) == {AdminRole.AUDIT}


def test_unknown_role(admins: dict[str, User], personas: dict[str, User]) -> None:
    with pytest.raises(DomainError) as info:
        do_grant_admin_role(personas["dispatcher"], "root", actor=admins["sec"], now=NOW)
    assert info.value.code == "invalid_role"


def test_accounts_and_org_units_belong_to_the_system_administrator(admins: dict[str, User]) -> None:
    actions.do_create_user(username="newbie", actor=admins["sys"], now=NOW)
    actions.do_create_org_unit(
        code="320507003-water",
        name="水务站",
        kind="station",
        territory_code="320507003",
        actor=admins["sys"],
        now=NOW,
    )
    for who in ("sec", "audit"):
        with pytest.raises(PermissionRefused):
            actions.do_create_user(username=f"by_{who}", actor=admins[who], now=NOW)
        with pytest.raises(PermissionRefused):
            actions.do_create_org_unit(
                code=f"320507003-{who}",
                name="x",
                kind="station",
                territory_code="320507003",
                actor=admins[who],
                now=NOW,
            )


def test_assignments_belong_to_the_security_administrator(
    admins: dict[str, User], personas: dict[str, User]
) -> None:
    unit = OrgUnit.objects.get(code="320507003-gov")
    person = personas["hq_agency"]
    made = actions.do_assign_role(user=person, org_unit=unit, role=Role.LEADER, actor=admins["sec"], now=NOW)
    for who in ("sys", "audit"):
        with pytest.raises(PermissionRefused):
            actions.do_assign_role(
                user=person, org_unit=unit, role=Role.SUPERVISOR, actor=admins[who], now=NOW
            )
        with pytest.raises(PermissionRefused):
            actions.do_end_assignment(made, actor=admins[who], now=NOW)
    actions.do_end_assignment(made, actor=admins["sec"], now=NOW)


def test_nobody_assigns_themselves_a_role(admins: dict[str, User]) -> None:
    unit = OrgUnit.objects.get(code="320507-command")
    with pytest.raises(PermissionRefused) as info:
        actions.do_assign_role(
            user=admins["sec"], org_unit=unit, role=Role.LEADER, actor=admins["sec"], now=NOW
        )
    assert info.value.code == "not_allowed" and "自己" in info.value.message


def test_a_deactivated_administrator_holds_nothing(admins: dict[str, User]) -> None:
    admins["sec"].is_active = False
    assert not has_admin_role(admins["sec"], AdminRole.SECURITY)


def test_bulk_staff_needs_more_than_one_administrator_role(admins: dict[str, User]) -> None:
    spec = actions.StaffSpec("bulk1", "批量", "320507003-gov", Role.LEADER)
    for who in ("sys", "sec", "audit"):
        with pytest.raises(PermissionRefused):
            actions.do_bulk_create_staff([spec], actor=admins[who], now=NOW)
    assert not User.objects.filter(username="bulk1").exists()
