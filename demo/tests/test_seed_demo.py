"""seed_demo: idempotent, the personas' jurisdictions, the outsider sees nothing of 黄桥, and a production
start refuses the seeded demo accounts (zhili.E001)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory, override_settings

from accounts.jurisdiction import jurisdiction_codes, scope_for, user_roles
from accounts.models import Assignment, OrgUnit, User
from accounts.selectors import org_units_visible_to, people_visible_to
from audit.models import AuditEvent
from audit.verify import verify_chain
from core.adminroles import AdminRole, admin_roles_of
from demo.seed import PASSWORD, seed_demo
from territory.models import Division, EnforcementZone, Grid

# Seeding the whole demo district takes minutes on a loaded machine: a longer hang guard than the suite's.
pytestmark = [pytest.mark.django_db, pytest.mark.timeout(1200)]
NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
MODELS = (User, OrgUnit, Assignment, Division, Grid, EnforcementZone, AuditEvent)


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, object]]:
    """The demo, seeded once per test process for the module (a seed takes most of a minute), in a
    transaction rolled back at its end: each test's own transaction nests in it as a savepoint, so what
    one test writes is gone before the next."""
    from accounts.testing import remove_session_base

    with django_db_blocker.unblock(), transaction.atomic():
        remove_session_base()  # the demo starts from an empty database
        yield seed_demo(now=NOW)
        transaction.set_rollback(True)


def test_second_run_changes_nothing_and_writes_no_audit_row(seeded: dict[str, object]) -> None:
    first = counts()
    assert first["Division"] == 1 + 13 + 143 and first["OrgUnit"] > 143 + 13 * 10
    again = seed_demo(now=datetime(2026, 3, 3, tzinfo=UTC))
    assert counts() == first
    assert again["org_units_created"] == again["persona_writes"] == again["staff_created"] == 0
    # Every history event got a place in its grid (the map shows them); none is moved on a second run.
    history, repeated = seeded["history"], again["history"]
    assert isinstance(history, dict) and isinstance(repeated, dict)
    assert history["placed"] == history["events"] > 0 and repeated["placed"] == 0
    assert verify_chain().intact


def test_every_write_is_audited_and_the_chain_is_intact(seeded: dict[str, object]) -> None:
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "territory.load_territory",
        "accounts.org_unit.bulk_created",
        "accounts.user.created",
        "accounts.assignment.started",
        "accounts.user.bulk_created",
    } <= actions
    assert verify_chain().intact


def test_organisation_shape(seeded: dict[str, object]) -> None:
    huangqiao = OrgUnit.objects.filter(territory_code="320507003")
    agencies = huangqiao.filter(kind=OrgUnit.Kind.AGENCY, management_mode=OrgUnit.ManagementMode.TERRITORIAL)
    assert 6 <= agencies.count() <= 8
    assert huangqiao.get(kind=OrgUnit.Kind.SERVICE_CENTRE).service_level == "demonstration"
    assert OrgUnit.objects.get(code="320507105-service").service_level == "standard"
    assert (
        huangqiao.filter(kind=OrgUnit.Kind.SQUAD).count()
        == EnforcementZone.objects.filter(town_id="320507003").count()
    )
    school = huangqiao.get(kind=OrgUnit.Kind.SCHOOL)
    assert (school.management_mode, school.guiding_department) == ("territorial", "区教育局")
    assert huangqiao.get(kind=OrgUnit.Kind.HOSPITAL).guiding_department == "区卫生健康委员会"
    assert OrgUnit.objects.get(code="320507003-nrp").management_mode == "vertical"
    assert OrgUnit.objects.get(code="320507003-finance-branch").management_mode == "entrusted"
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.VILLAGE_COMMITTEE).count() == 143
    assert OrgUnit.objects.filter(code="320507004-enforcement", name="北桥街道综合行政执法局").exists()
    assert OrgUnit.objects.filter(code="320507004-economy", name__endswith="中心").exists()
    # Every grid of the model towns has a person.
    grids = set(Grid.objects.filter(code__startswith="320507003").values_list("code", flat=True))
    staffed = set(Assignment.objects.filter(role="grid_worker").values_list("territory_code", flat=True))
    assert grids <= staffed


def test_personas_log_in_with_the_right_jurisdiction(seeded: dict[str, object]) -> None:
    expected = {
        "dispatcher": (["320507"], {"dispatcher"}),
        "huangqiao_leader": (["320507003"], {"leader"}),
        "huangqiao_window": (["320507003"], {"window_clerk"}),
        "huangqiao_officer": (["320507003"], {"officer"}),
        "district_sysadmin": (["320507"], {"data_steward"}),
        "district_auditadmin": (["320507"], {"auditor"}),
    }
    for username, (codes, roles) in expected.items():
        # django-axes counts attempts per request: authenticate as the login page would.
        user = authenticate(RequestFactory().post("/login/"), username=username, password=PASSWORD)
        assert isinstance(user, User), username
        assert user.is_demo and jurisdiction_codes(user) == codes and user_roles(user) == roles
    wangting = User.objects.get(username="wangting_grid")
    (grid,) = jurisdiction_codes(wangting)
    assert len(grid) == 15 and grid.startswith("320507100")
    assert grid == Grid.objects.filter(code__startswith="320507100").order_by("code").first().pk  # type: ignore[union-attr]
    assert Assignment.objects.get(user=wangting).org_unit.code == f"{grid[:12]}-vc"
    # 三员分立: three administrators, one role each, and no superuser among the personas.
    held = {
        name: admin_roles_of(User.objects.get(username=name))
        for name in ("district_sysadmin", "district_secadmin", "district_auditadmin")
    }
    assert held == {
        "district_sysadmin": {AdminRole.SYSTEM},
        "district_secadmin": {AdminRole.SECURITY},
        "district_auditadmin": {AdminRole.AUDIT},
    }
    assert not User.objects.filter(is_demo=True, is_superuser=True).exists()
    assert User.objects.get(username="district_secadmin").is_staff
    system = User.objects.get(username="system")
    assert system.is_system and not system.has_usable_password()


def test_outsider_sees_nothing_of_huangqiao(seeded: dict[str, object]) -> None:
    outsider = User.objects.get(username="weitang_grid")
    (code,) = jurisdiction_codes(outsider)
    assert code.startswith("320507105")
    assert (
        not people_visible_to(outsider).filter(assignments__territory_code__startswith="320507003").exists()
    )
    assert not org_units_visible_to(outsider).filter(territory_code__startswith="320507003").exists()
    assert not scope_for(outsider, Grid.objects.all(), "code").filter(code__startswith="320507003").exists()
    visible = people_visible_to(outsider)
    assert "weitang_grid" in set(visible.values_list("username", flat=True))
    # Only people of 渭塘 (the grid worker, the party secretaries of its villages): nobody of another town.
    codes = set(visible.values_list("assignments__territory_code", flat=True))
    assert codes and all(c.startswith("320507105") for c in codes), codes
    leader = User.objects.get(username="huangqiao_leader")
    assert not people_visible_to(leader).filter(username="weitang_grid").exists()


def test_e001_fires_after_seeding_in_production(seeded: dict[str, object]) -> None:
    with override_settings(DEMO_MODE=False):
        assert "zhili.E001" in [m.id for m in run_checks(include_deployment_checks=True)]
    assert "zhili.E001" not in [m.id for m in run_checks()]


def test_commands(seeded: dict[str, object]) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "0 units new" in out.getvalue()
    out = StringIO()
    call_command("demo_logins", stdout=out)
    table = out.getvalue()
    for username in (
        "dispatcher",
        "huangqiao_leader",
        "wangting_grid",
        "weitang_grid",
        "district_sysadmin",
        "district_secadmin",
        "district_auditadmin",
    ):
        assert username in table
    assert PASSWORD in table and "黄桥街道" in table
    assert "QR codes and verify links point at https://zhili.example.gov.cn (PUBLIC_BASE_URL)" in table
    with override_settings(PUBLIC_BASE_URL=""):
        # The demo certificates would print no address: refused up front, with the way out.
        with pytest.raises(CommandError, match=r"PUBLIC_BASE_URL=http://127\.0\.0\.1:8000"):
            call_command("seed_demo", stdout=StringIO())
        out = StringIO()
        call_command("demo_logins", stdout=out)
        assert "cannot be issued: PUBLIC_BASE_URL is not set" in out.getvalue()
    with override_settings(DEMO_MODE=False):
        with pytest.raises(CommandError):
            call_command("demo_logins", stdout=StringIO())
        with pytest.raises(CommandError):
            call_command("seed_demo", stdout=StringIO())
