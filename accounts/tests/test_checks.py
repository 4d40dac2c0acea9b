"""System check zhili.E001: demo accounts refuse a production start."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.checks import run_checks
from django.db import OperationalError, ProgrammingError
from django.test import override_settings

from accounts.checks import demo_accounts_in_production
from accounts.models import User

pytestmark = pytest.mark.django_db


def e001() -> list[str]:
    return [m.id for m in run_checks() if m.id == "zhili.E001"]


def test_fires_in_production_with_demo_accounts() -> None:
    User.objects.create_user(username="demo_person", is_demo=True)
    with override_settings(DEMO_MODE=False):
        assert e001() == ["zhili.E001"]
        assert "ZHILI_DEMO=1" in demo_accounts_in_production()[0].msg
    with override_settings(DEMO_MODE=True):
        assert e001() == []


def test_also_runs_with_deploy_checks() -> None:
    User.objects.create_user(username="demo_person", is_demo=True)
    with override_settings(DEMO_MODE=False):
        assert "zhili.E001" in [m.id for m in run_checks(include_deployment_checks=True)]


def test_silent_without_demo_accounts() -> None:
    User.objects.create_user(username="real_person")
    with override_settings(DEMO_MODE=False):
        assert e001() == []


@pytest.mark.parametrize("error", [OperationalError, ProgrammingError])
def test_does_not_crash_before_migrate(error: type[Exception]) -> None:
    with (
        override_settings(DEMO_MODE=False),
        mock.patch.object(User.objects, "filter", side_effect=error("no table")),
    ):
        assert demo_accounts_in_production() == []


def test_deactivated_demo_accounts_are_harmless() -> None:
    User.objects.create_user(username="demo_person", is_demo=True, is_active=False)
    with override_settings(DEMO_MODE=False):
        assert e001() == []


def w002() -> list[str]:
    return [m.id for m in run_checks(include_deployment_checks=True) if m.id == "zhili.W002"]


def test_w002_warns_of_superusers_besides_break_glass_in_production() -> None:
    User.objects.create_superuser(username="breakglass", password="x")
    with override_settings(DEMO_MODE=False, BREAK_GLASS_USER="breakglass"):
        assert w002() == []
        User.objects.create_superuser(username="root", password="x")
        assert w002() == ["zhili.W002"]
        assert [m.id for m in run_checks() if m.id == "zhili.W002"] == []  # a deployment check only
        User.objects.filter(username="root").update(is_active=False)
        assert w002() == []
    User.objects.filter(username="root").update(is_active=True)
    with override_settings(DEMO_MODE=True):
        assert w002() == []
