"""/command/reports/: the archive page (scoped), downloads, and subscribing / unsubscribing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from command.reports.models import Report, ReportSubscription
from command.tests.reports_support import generate, outsider_leader
from core.pii import decrypt

pytestmark = pytest.mark.django_db
HUANGQIAO, WEITANG, DISTRICT = "320507003", "320507105", "320507"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reports(personas: dict[str, User], settings: Any, tmp_path: Any) -> dict[str, Report]:
    settings.MEDIA_ROOT = str(tmp_path)
    return {code: generate(code)[0] for code in (DISTRICT, HUANGQIAO, WEITANG)}


def test_town_leader_lists_and_downloads_their_towns_reports(
    reports: dict[str, Report], personas: dict[str, User]
) -> None:
    client = client_for(personas["hq_leader"])
    page = client.get("/command/reports/")
    html = page.content.decode()
    assert page.status_code == 200 and html.count("data-report=") == 1
    assert f'data-report="{reports[HUANGQIAO].pk}"' in html and "2026-03" in html and "月报" in html
    response = client.get(f"/command/reports/{reports[HUANGQIAO].pk}/xlsx/")
    assert (
        response.status_code == 200 and b"".join(response.streaming_content) == reports[HUANGQIAO].xlsx.read()  # type: ignore[attr-defined]
    )
    assert client.get(f"/command/reports/{reports[DISTRICT].pk}/pdf/").status_code == 404
    district = client_for(personas["dispatcher"]).get("/command/reports/", {"kind": "monthly"})
    assert district.content.decode().count("data-report=") == 3


def test_the_outsider_gets_404_for_another_towns_report(reports: dict[str, Report]) -> None:
    client = client_for(outsider_leader())
    assert client.get(f"/command/reports/{reports[HUANGQIAO].pk}/pdf/").status_code == 404
    assert client.get("/command/reports/").content.decode().count("data-report=") == 1


@pytest.mark.parametrize("who", ["hq_grid", "hq_agency"])
def test_other_roles_are_refused(reports: dict[str, Report], personas: dict[str, User], who: str) -> None:
    client = client_for(personas[who])
    assert client.get("/command/reports/").status_code == 403
    assert client.get(f"/command/reports/{reports[HUANGQIAO].pk}/pdf/").status_code == 403
    response = client.post(
        "/command/reports/subscriptions/",
        {"kind": "monthly", "territory_code": HUANGQIAO, "channel": "sms", "address": "13800138000"},
    )
    assert response.status_code == 403 and not ReportSubscription.objects.exists()


def test_subscribe_twice_and_unsubscribe(personas: dict[str, User]) -> None:
    leader = personas["hq_leader"]
    leader.email = "hq.leader@example.org"
    leader.save(update_fields=["email"])
    client = client_for(leader)
    form = {"kind": "monthly", "territory_code": HUANGQIAO, "channel": "email", "address": ""}
    assert client.post("/command/reports/subscriptions/", form).status_code == 302
    assert client.post("/command/reports/subscriptions/", form).status_code == 302  # a retried request
    sub = ReportSubscription.objects.get()
    assert (sub.user, sub.kind, sub.channel) == (leader, "monthly", "email")
    assert (
        decrypt(sub.address_encrypted) == "hq.leader@example.org"
        and sub.address_display == "h***@example.org"
    )
    assert "h***@example.org" in client.get("/command/reports/").content.decode()
    # Someone else's subscription is not found; the subscriber's own is ended.
    assert (
        client_for(personas["dispatcher"])
        .post(f"/command/reports/subscriptions/{sub.pk}/delete/")
        .status_code
        == 404
    )
    assert client.post(f"/command/reports/subscriptions/{sub.pk}/delete/").status_code == 302
    assert not ReportSubscription.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="command.report.").count() == 2


@pytest.mark.parametrize(
    ("form", "status", "field"),
    [
        (
            {"kind": "daily", "territory_code": HUANGQIAO, "channel": "sms", "address": "13800138000"},
            400,
            "kind",
        ),
        ({"kind": "monthly", "territory_code": HUANGQIAO, "channel": "fax", "address": "1"}, 400, "channel"),
        (
            {"kind": "monthly", "territory_code": HUANGQIAO, "channel": "sms", "address": "12345"},
            400,
            "address",
        ),
        ({"kind": "monthly", "territory_code": HUANGQIAO, "channel": "email", "address": ""}, 400, "address"),
        (
            {"kind": "monthly", "territory_code": WEITANG, "channel": "sms", "address": "13800138000"},
            404,
            "territory_code",
        ),
        (
            {"kind": "monthly", "territory_code": DISTRICT, "channel": "sms", "address": "13800138000"},
            404,
            "territory_code",
        ),
        (
            {"kind": "weekly", "territory_code": "320507003201", "channel": "sms", "address": "13800138000"},
            404,
            "code",
        ),
    ],
)
def test_bad_subscriptions_are_refused(
    personas: dict[str, User], form: dict[str, str], status: int, field: str
) -> None:
    response = client_for(personas["hq_leader"]).post("/command/reports/subscriptions/", form)
    assert response.status_code == status
    assert f'data-field-error="{field}"' in response.content.decode()
    assert not ReportSubscription.objects.exists()
