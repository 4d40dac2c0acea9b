"""Second factor (TOTP): administrators and auditors must enrol and pass it before any page or the API;
others may enrol; demo personas are exempt only in demo mode."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.otp import second_factor_required
from accounts.testing import PASSWORD
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _required(settings: Any) -> None:
    settings.OTP_REQUIRED_FOR_ADMINS = True


@pytest.fixture
def admin(personas: dict[str, User]) -> User:
    user = personas["hq_leader"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def log_in(client: Client, username: str) -> Any:
    return client.post("/login/", {"username": username, "password": PASSWORD})


def test_an_administrator_enrols_then_reaches_the_pages(client: Client, admin: User) -> None:
    log_in(client, admin.username)
    held = client.get("/admin/")
    assert held.status_code == 302 and held["Location"].startswith("/login/otp/setup/")
    setup = client.get("/login/otp/setup/")
    assert setup.status_code == 200 and "<svg" in setup.content.decode()
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    wrong = client.post("/login/otp/setup/", {"token": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # each failure makes the next check wait longer
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    done = client.post("/login/otp/setup/", {"token": code(device), "next": "/admin/"})
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action="accounts.otp_enrolled", actor_id=admin.pk).count() == 1


def test_an_enrolled_user_enters_a_code_at_each_log_in(client: Client, admin: User) -> None:
    device = TOTPDevice.objects.create(user=admin, name="TOTP", confirmed=True)
    log_in(client, admin.username)
    held = client.get("/")
    assert held.status_code == 302 and held["Location"].startswith("/login/otp/?next=/")
    assert client.post("/login/otp/", {"token": "12345"}).status_code == 400  # malformed
    assert client.post("/login/otp/", {"token": code(device)}).status_code == 302
    assert client.get("/").status_code == 200


def test_the_api_refuses_an_unverified_session_and_a_token_without_a_code(
    client: Client, admin: User
) -> None:
    device = TOTPDevice.objects.create(user=admin, name="TOTP", confirmed=True)
    log_in(client, admin.username)
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "otp_required"
    api = APIClient()
    no_code = api.post(
        "/api/v1/auth/token/", {"username": admin.username, "password": PASSWORD}, format="json"
    )
    assert no_code.status_code == 403 and no_code.json()["errors"][0]["field"] == "otp_token"
    body = {"username": admin.username, "password": PASSWORD, "otp_token": code(device)}
    assert api.post("/api/v1/auth/token/", body, format="json").status_code == 200


def test_who_must_have_it(personas: dict[str, User], admin: User, settings: Any) -> None:
    assert second_factor_required(admin)
    auditor = personas["hq_grid"]
    assert not second_factor_required(auditor)  # a grid worker: optional
    auditor.assignments.filter(active=True).update(role=Role.AUDITOR)
    assert second_factor_required(auditor)
    settings.OTP_REQUIRED_FOR_ADMINS = False
    assert not second_factor_required(admin)
    TOTPDevice.objects.create(user=admin, name="TOTP", confirmed=True)
    assert second_factor_required(admin)  # enrolled by choice: always asked


def test_demo_personas_are_exempt_only_in_demo_mode(admin: User, settings: Any) -> None:
    admin.is_demo = True
    admin.save(update_fields=["is_demo"])
    settings.DEMO_MODE, settings.OTP_DEMO_EXEMPT = True, True
    assert not second_factor_required(admin)
    settings.DEMO_MODE = False  # production: the exemption never applies
    assert second_factor_required(admin)


def test_the_three_administrators_must_have_it(personas: dict[str, User], settings: Any) -> None:
    from accounts.otp import second_factor_required
    from accounts.testing import make_administrator
    from core.adminroles import AdminRole

    for name, role in (("s1", AdminRole.SYSTEM), ("s2", AdminRole.SECURITY), ("s3", AdminRole.AUDIT)):
        user = make_administrator(name, role)
        User.objects.filter(pk=user.pk).update(is_staff=False)  # the group alone is enough
        user.refresh_from_db()
        assert second_factor_required(user)
