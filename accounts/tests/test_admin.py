"""The admin writes through accounts.actions (an audit row per change); the audit trail is read-only and
visible to superusers and auditors only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from accounts import actions
from accounts.models import Assignment, OrgUnit, Role, User
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def after(event: AuditEvent) -> dict[str, Any]:
    assert isinstance(event.after, dict)
    return event.after


def before(event: AuditEvent) -> dict[str, Any]:
    assert isinstance(event.before, dict)
    return event.before


NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


@pytest.fixture
def admin_client(client: Client, personas: dict[str, User]) -> Client:
    root = User.objects.create_superuser(username="root", password="x")
    client.force_login(root)
    return client


def org_unit_form(**overrides: str) -> dict[str, str]:
    data = {
        "code": "320507003-water",
        "name": "黄桥街道水务站",
        "kind": "station",
        "territory_code": "320507003",
        "parent": str(OrgUnit.objects.get(code="320507003-gov").pk),
        "management_mode": "territorial",
        "guiding_department": "区水务局",
        "service_level": "",
        "work_hours": '[["08:30", "12:00"], ["13:30", "17:30"]]',
    }
    data.update(overrides)
    return data


def test_add_and_change_org_unit_write_audit_rows(admin_client: Client) -> None:
    response = admin_client.post("/admin/accounts/orgunit/add/", org_unit_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = OrgUnit.objects.get(code="320507003-water")
    created = AuditEvent.objects.get(action="accounts.org_unit.created")
    assert created.subject_id == str(unit.pk) and created.actor_label == "root"
    data = org_unit_form(name="黄桥街道水务服务站")
    del data["code"]
    response = admin_client.post(f"/admin/accounts/orgunit/{unit.pk}/change/", data)
    assert response.status_code == 302
    updated = AuditEvent.objects.get(action="accounts.org_unit.updated")
    assert before(updated)["name"] == "黄桥街道水务站" and after(updated)["name"] == "黄桥街道水务服务站"


def test_bad_territory_code_is_a_form_error(admin_client: Client) -> None:
    response = admin_client.post("/admin/accounts/orgunit/add/", org_unit_form(territory_code="3205070"))
    assert response.status_code == 200
    assert not OrgUnit.objects.filter(code="320507003-water").exists()
    response = admin_client.post("/admin/accounts/orgunit/add/", org_unit_form(territory_code="320507105"))
    assert (
        response.status_code == 200
        and not AuditEvent.objects.filter(action="accounts.org_unit.created").exists()
    )


def test_delete_org_unit(admin_client: Client, personas: dict[str, User]) -> None:
    in_use = OrgUnit.objects.get(code="320507003-urban")
    admin_client.post(f"/admin/accounts/orgunit/{in_use.pk}/delete/", {"post": "yes"})
    assert OrgUnit.objects.filter(pk=in_use.pk).exists()
    empty = actions.do_create_org_unit(
        code="320507003-empty",
        name="空机构",
        kind="agency",
        territory_code="320507003",
        actor=personas["system"],
        now=NOW,
    )
    response = admin_client.post(f"/admin/accounts/orgunit/{empty.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not OrgUnit.objects.filter(pk=empty.pk).exists()
    assert before(AuditEvent.objects.get(action="accounts.org_unit.deleted"))["code"] == "320507003-empty"
    # A unit that only has sub-units is refused by the action itself.
    parent = actions.do_create_org_unit(
        code="320507003-p",
        name="上级",
        kind="agency",
        territory_code="320507003",
        actor=personas["system"],
        now=NOW,
    )
    actions.do_create_org_unit(
        code="320507003-c",
        name="下级",
        kind="agency",
        territory_code="320507003",
        parent=parent,
        actor=personas["system"],
        now=NOW,
    )
    response = admin_client.post(f"/admin/accounts/orgunit/{parent.pk}/delete/", {"post": "yes"}, follow=True)
    assert OrgUnit.objects.filter(pk=parent.pk).exists()


def test_add_user_with_assignment(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "new_clerk",
            "display_name": "王芳",
            "usable_password": "true",
            "password1": "a-Long-pass-2026",
            "password2": "a-Long-pass-2026",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="new_clerk")
    assert user.check_password("a-Long-pass-2026")
    assert AuditEvent.objects.filter(action="accounts.user.created", subject_id=str(user.pk)).exists()


def test_change_user_with_inline_assignment(admin_client: Client, personas: dict[str, User]) -> None:
    user = personas["hq_agency"]
    existing = Assignment.objects.get(user=user)
    unit = OrgUnit.objects.get(code="320507003-gov")
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": "hq_agency",
            "display_name": "黄桥城管 张敏",
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_demo": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
            "assignments-TOTAL_FORMS": "2",
            "assignments-INITIAL_FORMS": "1",
            "assignments-0-id": str(existing.pk),
            "assignments-0-user": str(user.pk),
            "assignments-0-org_unit": str(existing.org_unit_id),
            "assignments-0-role": existing.role,
            "assignments-0-territory_code": existing.territory_code,
            "assignments-0-reports_to": "",
            "assignments-1-user": str(user.pk),
            "assignments-1-org_unit": str(unit.pk),
            "assignments-1-role": Role.SUPERVISOR,
            "assignments-1-territory_code": "320507003",
            "assignments-1-reports_to": "",
            "assignments-1-active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    actions_written = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "accounts.user.updated",
        "accounts.assignment.started",
        "accounts.assignment.ended",
    } <= actions_written
    existing.refresh_from_db()
    assert not existing.active  # "active" unticked ends it
    assert Assignment.objects.get(user=user, role=Role.SUPERVISOR).active


def test_audit_admin_is_read_only_for_superusers(admin_client: Client, personas: dict[str, User]) -> None:
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert admin_client.get("/admin/audit/auditevent/").status_code == 200
    assert admin_client.get("/admin/audit/auditevent/?action=accounts.login").status_code == 200
    assert (
        admin_client.get(
            f"/admin/audit/auditevent/?town=320507003&actor__id__exact={event.actor_id}"
        ).status_code
        == 200
    )
    assert admin_client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    assert admin_client.get("/admin/audit/auditevent/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    )


def test_audit_admin_for_auditors_only(client: Client, personas: dict[str, User]) -> None:
    centre = OrgUnit.objects.get(code="320507-command")
    auditor = actions.do_create_user(username="auditor", is_staff=True, actor=personas["system"], now=NOW)
    actions.do_assign_role(
        user=auditor, org_unit=centre, role=Role.AUDITOR, actor=personas["system"], now=NOW
    )
    client.force_login(auditor)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    staff = personas["hq_leader"]
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    assert client.get("/admin/audit/auditevent/").status_code == 403
