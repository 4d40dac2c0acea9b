"""accounts.actions: validation, rights, and one audit row with before/after for every write."""

from __future__ import annotations

from typing import Any

import pytest

from accounts import actions
from accounts.models import Assignment, OrgUnit, Role, User
from accounts.tests.conftest import NOW
from audit.models import AuditEvent
from core.errors import Conflict, DomainError, PermissionRefused

pytestmark = pytest.mark.django_db


def after(event: AuditEvent) -> dict[str, Any]:
    assert isinstance(event.after, dict)
    return event.after


def before(event: AuditEvent) -> dict[str, Any]:
    assert isinstance(event.before, dict)
    return event.before


def last_event() -> AuditEvent:
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    return event


def test_create_org_unit_writes_audit_row(steward: User) -> None:
    parent = OrgUnit.objects.get(code="320507003-gov")
    unit = actions.do_create_org_unit(
        code="320507003-water",
        name="黄桥街道水务站",
        kind=OrgUnit.Kind.STATION,
        territory_code="320507003",
        parent=parent,
        guiding_department="区水务局",
        actor=steward,
        now=NOW,
    )
    event = last_event()
    assert (event.action, event.subject_id, event.actor_id) == (
        "accounts.org_unit.created",
        str(unit.pk),
        steward.pk,
    )
    assert after(event)["guiding_department"] == "区水务局" and after(event)["parent"] == "320507003-gov"
    assert event.occurred_at == NOW and event.territory_code == "320507003"


@pytest.mark.parametrize("code", ["32050", "3205070031", "32050700320a", "", "3205070032010011"])
def test_territory_code_must_be_6_9_12_or_15_digits(steward: User, code: str) -> None:
    with pytest.raises(DomainError) as exc:
        actions.do_create_org_unit(
            code="x", name="x", kind="agency", territory_code=code, actor=steward, now=NOW
        )
    assert (exc.value.code, exc.value.field) == ("invalid_territory_code", "territory_code")


def test_org_unit_code_taken_and_bad_kind(steward: User) -> None:
    with pytest.raises(Conflict) as exc:
        actions.do_create_org_unit(
            code="320507003-gov", name="x", kind="agency", territory_code="320507003", actor=steward, now=NOW
        )
    assert exc.value.field == "code"
    with pytest.raises(DomainError) as bad:
        actions.do_create_org_unit(
            code="y", name="y", kind="bank", territory_code="320507003", actor=steward, now=NOW
        )
    assert bad.value.field == "kind"


def test_child_must_lie_inside_parent_territory(steward: User) -> None:
    parent = OrgUnit.objects.get(code="320507003-gov")
    with pytest.raises(DomainError) as exc:
        actions.do_create_org_unit(
            code="z",
            name="z",
            kind="agency",
            territory_code="320507105",
            parent=parent,
            actor=steward,
            now=NOW,
        )
    assert exc.value.code == "outside_parent"


def test_update_org_unit_records_before_and_after(steward: User) -> None:
    unit = OrgUnit.objects.get(code="320507003-urban")
    actions.do_update_org_unit(
        unit, changes={"name": "黄桥街道城市管理局", "management_mode": "entrusted"}, actor=steward, now=NOW
    )
    event = last_event()
    assert before(event)["name"] == "黄桥街道城市管理办公室" and after(event)["name"] == "黄桥街道城市管理局"
    assert after(event)["management_mode"] == "entrusted"
    count = AuditEvent.objects.count()
    actions.do_update_org_unit(unit, changes={"name": "黄桥街道城市管理局"}, actor=steward, now=NOW)
    assert AuditEvent.objects.count() == count  # nothing changed, nothing recorded


def test_parent_cannot_be_self_or_descendant(steward: User) -> None:
    gov = OrgUnit.objects.get(code="320507003-gov")
    urban = OrgUnit.objects.get(code="320507003-urban")
    with pytest.raises(DomainError) as own:
        actions.do_update_org_unit(gov, changes={"parent": gov}, actor=steward, now=NOW)
    assert own.value.field == "parent"
    with pytest.raises(DomainError) as cycle:
        actions.do_update_org_unit(gov, changes={"parent": urban}, actor=steward, now=NOW)
    assert cycle.value.code == "parent_cycle"


def test_only_stewards_manage_org_units(personas: dict[str, User]) -> None:
    with pytest.raises(PermissionRefused):
        actions.do_create_org_unit(
            code="a",
            name="a",
            kind="agency",
            territory_code="320507003",
            actor=personas["hq_leader"],
            now=NOW,
        )
    assert not OrgUnit.objects.filter(code="a").exists()


def test_town_steward_cannot_manage_another_town(personas: dict[str, User]) -> None:
    hq_gov = OrgUnit.objects.get(code="320507003-gov")
    hq_steward = actions.do_create_user(username="hq_steward", actor=personas["system"], now=NOW)
    actions.do_assign_role(
        user=hq_steward, org_unit=hq_gov, role=Role.DATA_STEWARD, actor=personas["system"], now=NOW
    )
    with pytest.raises(PermissionRefused):
        actions.do_create_org_unit(
            code="b", name="b", kind="agency", territory_code="320507105", actor=hq_steward, now=NOW
        )


def test_create_user_and_assign_role(steward: User, personas: dict[str, User]) -> None:
    user = actions.do_create_user(
        username="new_clerk", display_name="王芳", password="s3cret-Long-pw", actor=steward, now=NOW
    )
    assert user.check_password("s3cret-Long-pw")
    created = last_event()
    assert created.action == "accounts.user.created" and "password" not in after(created)
    unit = OrgUnit.objects.get(code="320507003-gov")
    assignment = actions.do_assign_role(
        user=user,
        org_unit=unit,
        role=Role.WINDOW_CLERK,
        reports_to=personas["hq_leader"],
        actor=steward,
        now=NOW,
    )
    assert assignment.territory_code == "320507003" and assignment.started_at == NOW
    event = last_event()
    assert after(event)["reports_to"] == "hq_leader" and after(event)["role"] == "window_clerk"
    with pytest.raises(Conflict):
        actions.do_assign_role(user=user, org_unit=unit, role=Role.WINDOW_CLERK, actor=steward, now=NOW)


def test_assignment_validation(steward: User, personas: dict[str, User]) -> None:
    user = personas["hq_agency"]
    unit = OrgUnit.objects.get(code="320507003-urban")
    with pytest.raises(DomainError) as role:
        actions.do_assign_role(user=user, org_unit=unit, role="king", actor=steward, now=NOW)
    assert role.value.field == "role"
    with pytest.raises(DomainError) as own:
        actions.do_assign_role(
            user=user, org_unit=unit, role=Role.LEADER, reports_to=user, actor=steward, now=NOW
        )
    assert own.value.field == "reports_to"
    with pytest.raises(DomainError) as outside:
        actions.do_assign_role(
            user=user, org_unit=unit, role=Role.LEADER, territory_code="320507105201", actor=steward, now=NOW
        )
    assert outside.value.code == "outside_org_unit"
    with pytest.raises(DomainError) as code:
        actions.do_assign_role(
            user=user, org_unit=unit, role=Role.LEADER, territory_code="32050700", actor=steward, now=NOW
        )
    assert code.value.field == "territory_code"


def test_end_assignment_keeps_row_and_narrows_jurisdiction(steward: User, personas: dict[str, User]) -> None:
    from accounts.jurisdiction import jurisdiction_codes

    grid_worker = personas["hq_grid"]
    assignment = Assignment.objects.get(user=grid_worker)
    ended = actions.do_end_assignment(assignment, actor=steward, now=NOW)
    assert not ended.active and ended.ended_at == NOW
    assert before(last_event())["active"] is True and after(last_event())["active"] is False
    assert jurisdiction_codes(User.objects.get(pk=grid_worker.pk)) == []
    with pytest.raises(Conflict):
        actions.do_end_assignment(assignment, actor=steward, now=NOW)
    # Re-assigning starts the same row again.
    again = actions.do_assign_role(
        user=grid_worker,
        org_unit=assignment.org_unit,
        role=assignment.role,
        territory_code=assignment.territory_code,
        actor=steward,
        now=NOW,
    )
    assert again.pk == assignment.pk and again.active and again.ended_at is None


def test_only_superusers_grant_admin_rights(steward: User, personas: dict[str, User]) -> None:
    with pytest.raises(PermissionRefused):
        actions.do_update_user(personas["hq_leader"], changes={"is_superuser": True}, actor=steward, now=NOW)
    with pytest.raises(PermissionRefused):
        actions.do_update_user(personas["system"], changes={"display_name": "x"}, actor=steward, now=NOW)
    actions.do_update_user(
        personas["hq_leader"], changes={"display_name": "黄桥领导"}, actor=steward, now=NOW
    )
    assert after(last_event())["display_name"] == "黄桥领导"


def test_bulk_create_org_units_is_idempotent_with_one_summary_event(steward: User) -> None:
    specs = [
        actions.OrgUnitSpec("320507105-gov", "渭塘镇党委政府", "government", "320507105"),
        actions.OrgUnitSpec(
            "320507105-school", "渭塘中心小学", "school", "320507105", parent="320507105-gov"
        ),
    ]
    before = AuditEvent.objects.count()
    created = actions.do_bulk_create_org_units(specs, actor=steward, now=NOW, batch="t")
    assert {u.code for u in created} == {"320507105-gov", "320507105-school"}
    assert OrgUnit.objects.get(code="320507105-school").parent == OrgUnit.objects.get(code="320507105-gov")
    assert AuditEvent.objects.count() == before + 1
    assert after(last_event())["count"] == 2 and last_event().territory_code == "320507105"
    assert actions.do_bulk_create_org_units(specs, actor=steward, now=NOW) == []
    assert AuditEvent.objects.count() == before + 1


def test_bulk_create_staff(steward: User) -> None:
    specs = [
        actions.StaffSpec("g1", "张伟", "320507003201-vc", Role.GRID_WORKER, "320507003201001"),
        actions.StaffSpec(
            "g2", "李娜", "320507003201-vc", Role.GRID_WORKER, "320507003201002", reports_to="g1"
        ),
    ]
    people = actions.do_bulk_create_staff(specs, actor=steward, now=NOW)
    assert [p.username for p in people] == ["g1", "g2"]
    assert not people[0].has_usable_password()
    assert Assignment.objects.get(user__username="g2").reports_to == people[0]
    assert last_event().action == "accounts.user.bulk_created" and after(last_event())["count"] == 2
    count = AuditEvent.objects.count()
    assert actions.do_bulk_create_staff(specs, actor=steward, now=NOW) == []
    assert AuditEvent.objects.count() == count
    with pytest.raises(DomainError):
        actions.do_bulk_create_staff(
            [actions.StaffSpec("g3", "x", "320507003201-vc", Role.GRID_WORKER, "320507105201001")],
            actor=steward,
            now=NOW,
        )


def test_set_password_records_no_secret(steward: User, personas: dict[str, User]) -> None:
    actions.do_set_password(personas["hq_leader"], password="another-Long-pw", actor=steward, now=NOW)
    event = last_event()
    assert event.action == "accounts.user.password_changed"
    assert "another-Long-pw" not in str(event.before) + str(event.after)
    assert User.objects.get(username="hq_leader").check_password("another-Long-pw")
