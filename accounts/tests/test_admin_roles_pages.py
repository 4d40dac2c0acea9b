"""三员分立 in the Django admin: each administrator reaches their own pages and gets 403 on the other two
parts; the user form keeps the grant rules (refusal shown as a message and audited); the security
administrator sees the audit administrators' own audit rows; the audit administrator reads the trail
and the admin's history and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from accounts.models import OrgUnit, User
from accounts.testing import make_administrator
from audit.actions import record_admin_command
from audit.models import AuditEvent
from core.adminroles import AdminRole, admin_roles_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _otp_off(settings: Any) -> None:
    settings.OTP_REQUIRED_FOR_ADMINS = False  # the second factor has its own tests (test_otp.py)


@pytest.fixture
def admins(personas: dict[str, User]) -> dict[str, User]:
    return {
        "sys": make_administrator("sysadmin", AdminRole.SYSTEM),
        "sec": make_administrator("secadmin", AdminRole.SECURITY),
        "audit": make_administrator("auditadmin", AdminRole.AUDIT),
    }


def as_(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def status(user: User, method: str, path: str, data: dict[str, Any] | None = None) -> int:
    client = as_(user)
    response = client.get(path) if method == "get" else client.post(path, data or {})
    return response.status_code


def unit_form(code: str) -> dict[str, str]:
    return {
        "code": code,
        "name": "黄桥街道水务站",
        "kind": "station",
        "territory_code": "320507003",
        "parent": str(OrgUnit.objects.get(code="320507003-gov").pk),
        "management_mode": "territorial",
        "guiding_department": "",
        "service_level": "",
        "work_hours": '[["08:30", "12:00"], ["13:30", "17:30"]]',
    }


def test_system_part(admins: dict[str, User]) -> None:
    assert status(admins["sys"], "post", "/admin/accounts/orgunit/add/", unit_form("320507003-w1")) == 302
    assert OrgUnit.objects.filter(code="320507003-w1").exists()
    assert status(admins["sys"], "get", "/admin/accounts/user/add/") == 200
    for who in ("sec", "audit"):
        assert status(admins[who], "get", "/admin/accounts/orgunit/add/") == 403
        assert status(admins[who], "post", "/admin/accounts/orgunit/add/", unit_form(f"3205-{who}")) == 403
        assert status(admins[who], "get", "/admin/accounts/user/add/") == 403
        assert status(admins[who], "get", "/admin/territory/division/") in {200, 403}
    assert status(admins["sec"], "get", "/admin/territory/division/") == 403
    assert status(admins["audit"], "get", "/admin/territory/division/") == 200  # view only
    assert not OrgUnit.objects.filter(code__startswith="3205-").exists()
    pk = admins["audit"].pk
    assert status(admins["sec"], "get", f"/admin/accounts/user/{pk}/password/") == 403


def test_security_part(admins: dict[str, User], personas: dict[str, User]) -> None:
    assert status(admins["sec"], "get", "/admin/accounts/assignment/add/") == 200
    assert status(admins["sec"], "get", "/admin/otp_totp/totpdevice/") == 200
    assert status(admins["sec"], "get", "/admin/axes/accessattempt/") == 200
    for who in ("sys", "audit"):
        assert status(admins[who], "get", "/admin/accounts/assignment/add/") == 403
        assert status(admins[who], "get", "/admin/otp_totp/totpdevice/add/") == 403
    assert status(admins["sys"], "get", "/admin/axes/accessattempt/") == 403


def test_audit_part(admins: dict[str, User]) -> None:
    LogEntry.objects.create(
        user=admins["sys"],
        content_type=ContentType.objects.get_for_model(OrgUnit),
        object_id="1",
        object_repr="x",
        action_flag=ADDITION,
    )
    assert status(admins["audit"], "get", "/admin/audit/auditevent/") == 200
    assert status(admins["audit"], "get", "/admin/admin/logentry/") == 200
    unit = OrgUnit.objects.get(code="320507003-gov")
    assert status(admins["audit"], "get", f"/admin/accounts/orgunit/{unit.pk}/history/") == 200
    assert (
        status(admins["audit"], "post", f"/admin/accounts/orgunit/{unit.pk}/change/", {"name": "改"}) == 403
    )
    assert status(admins["audit"], "get", "/admin/otp_totp/totpdevice/add/") == 403
    for who in ("sys", "sec"):
        assert status(admins[who], "get", "/admin/admin/logentry/") == 403
    assert status(admins["sys"], "get", "/admin/audit/auditevent/") == 403


def test_the_security_administrator_sees_the_audit_administrators_rows_only(admins: dict[str, User]) -> None:
    record_admin_command(admins["audit"], "audit.verified", after={"events": 1})
    record_admin_command(admins["sec"], "audit.key_rotated", after={"key_id": "v2"})
    page = as_(admins["sec"]).get("/admin/audit/auditevent/").content.decode()
    assert "audit.verified" in page and "audit.key_rotated" not in page
    page = as_(admins["audit"]).get("/admin/audit/auditevent/").content.decode()
    assert "audit.verified" in page and "audit.key_rotated" in page


def user_form(user: User, groups: list[str]) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "groups": [str(Group.objects.get(name=g).pk) for g in groups],
        "user_permissions": [],
        "date_joined_0": "2026-03-02",
        "date_joined_1": "09:30:00",
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
    }


def test_granting_in_the_user_form(admins: dict[str, User], personas: dict[str, User]) -> None:
    person = personas["dispatcher"]
    path = f"/admin/accounts/user/{person.pk}/change/"
    response = as_(admins["sec"]).post(path, user_form(person, [AdminRole.AUDIT]))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert admin_roles_of(person) == {AdminRole.AUDIT}
    person.refresh_from_db()
    assert person.is_staff

    both = user_form(person, [AdminRole.AUDIT, AdminRole.SYSTEM])
    response = as_(admins["sec"]).post(path, both, follow=True)
    assert "互斥" in response.content.decode()
    assert admin_roles_of(person) == {AdminRole.AUDIT}
    refused = AuditEvent.objects.filter(action="accounts.admin_role_refused").order_by("id")
    assert [e.after["reason"] for e in refused.all()] == ["admin_roles_exclusive"]  # type: ignore[index]

    own = f"/admin/accounts/user/{admins['sec'].pk}/change/"
    response = as_(admins["sec"]).post(own, user_form(admins["sec"], [AdminRole.SECURITY, AdminRole.AUDIT]))
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert admin_roles_of(admins["sec"]) == {AdminRole.SECURITY}
    codes = [e.after["reason"] for e in refused.all()]  # type: ignore[index]
    assert codes == ["admin_roles_exclusive", "self_grant"]


def test_the_system_administrator_cannot_grant_in_the_user_form(
    admins: dict[str, User], personas: dict[str, User]
) -> None:
    person = personas["dispatcher"]
    response = as_(admins["sys"]).post(
        f"/admin/accounts/user/{person.pk}/change/", user_form(person, [AdminRole.SECURITY])
    )
    assert response.status_code == 302
    assert admin_roles_of(person) == set()  # the field is read-only for the system administrator
    page = as_(admins["sys"]).get(f"/admin/accounts/user/{person.pk}/change/").content.decode()
    assert 'name="groups"' not in page and 'name="username"' in page
    page = as_(admins["sec"]).get(f"/admin/accounts/user/{person.pk}/change/").content.decode()
    assert 'name="groups"' in page and 'name="username"' not in page


def test_the_outsider_is_kept_out(personas: dict[str, User]) -> None:
    outsider = personas["wt_grid"]
    for path in (
        "/admin/accounts/orgunit/add/",
        "/admin/accounts/assignment/add/",
        "/admin/audit/auditevent/",
    ):
        response = as_(outsider).get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]
