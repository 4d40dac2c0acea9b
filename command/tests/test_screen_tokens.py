"""Screen tokens: issue (key shown once, only its hash kept, audited), revoke (audited, idempotent),
expiry; who may issue; the outsider and bad input; the management command."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from audit.models import AuditEvent
from command.tokens import ScreenToken, digest, do_issue_screen_token, do_revoke_screen_token, valid_token
from core.errors import DomainError, NotFound, PermissionRefused

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
HUANGQIAO = "320507003"


def issue(actor: User, code: str = HUANGQIAO, **kw: Any) -> tuple[ScreenToken, str]:
    return do_issue_screen_token(
        name=kw.pop("name", "指挥大厅主屏"),
        territory_code=code,
        expires_at=kw.pop("expires_at", None),
        actor=actor,
        now=NOW,
    )


@pytest.fixture
def outsider(personas: dict[str, User]) -> User:
    unit = OrgUnit.objects.get(code="320507105201-vc")
    return make_person("wt_leader", unit=unit, role=Role.LEADER, territory_code="320507105")


def test_issue_keeps_only_the_hash_and_audits(personas: dict[str, User]) -> None:
    token, key = issue(personas["hq_leader"])
    assert key.startswith("scr_") and len(key) > 40
    stored = ScreenToken.objects.get()
    assert stored.key_hash == digest(key) and key not in stored.key_hash and stored.key_hint == key[:10]
    assert stored.level == "town" and stored.issued_by == personas["hq_leader"]
    row = AuditEvent.objects.get(action="command.screen_token.issue")
    assert row.subject_id == str(token.pk) and row.territory_code == HUANGQIAO and key not in str(row.after)
    assert valid_token(key, now=NOW) == token
    assert valid_token(key[:-1] + ("A" if key[-1] != "A" else "B"), now=NOW) is None
    assert valid_token("", now=NOW) is None and valid_token("Token abc", now=NOW) is None


def test_a_village_token_inside_the_leaders_town(personas: dict[str, User]) -> None:
    token, _ = issue(personas["hq_leader"], "320507003201")
    assert token.level == "village"


def test_expiry_and_revocation(personas: dict[str, User]) -> None:
    token, key = issue(personas["hq_leader"], expires_at=NOW + timedelta(days=1))
    assert valid_token(key, now=NOW + timedelta(hours=23)) == token
    assert valid_token(key, now=NOW + timedelta(days=1)) is None
    other, other_key = issue(personas["hq_leader"])
    do_revoke_screen_token(other.pk, actor=personas["hq_leader"], now=NOW + timedelta(minutes=5))
    assert valid_token(other_key, now=NOW + timedelta(minutes=6)) is None
    do_revoke_screen_token(other.pk, actor=personas["hq_leader"], now=NOW + timedelta(minutes=7))
    assert AuditEvent.objects.filter(action="command.screen_token.revoke").count() == 1
    other.refresh_from_db()
    assert other.revoked_at == NOW + timedelta(minutes=5) and other.revoked_by == personas["hq_leader"]


def test_refused_roles_and_the_outsider(personas: dict[str, User], outsider: User) -> None:
    with pytest.raises(PermissionRefused):
        issue(personas["hq_grid"])
    with pytest.raises(PermissionRefused):
        issue(personas["hq_agency"])
    with pytest.raises(NotFound):
        issue(outsider)  # 黄桥 is not the outsider's town
    token, _ = issue(personas["hq_leader"])
    with pytest.raises(NotFound):
        do_revoke_screen_token(token.pk, actor=outsider, now=NOW)
    with pytest.raises(PermissionRefused):
        do_revoke_screen_token(token.pk, actor=personas["hq_grid"], now=NOW)
    assert ScreenToken.objects.get().revoked_at is None


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "屏" * 101}, "name"),
        ({"code": "3205070"}, "territory_code"),
        ({"code": "32050700320x"}, "territory_code"),
        ({"code": "320507999"}, "territory_code"),  # no such town
        ({"expires_at": NOW}, "expires_at"),
    ],
)
def test_bad_input(personas: dict[str, User], kw: dict[str, Any], field: str) -> None:
    with pytest.raises(DomainError) as caught:
        issue(personas["hq_leader"], kw.pop("code", HUANGQIAO), **kw)
    assert caught.value.field == field
    assert not ScreenToken.objects.exists()


def test_management_command(personas: dict[str, User]) -> None:
    out = StringIO()
    call_command(
        "screen_token",
        "issue",
        HUANGQIAO,
        "--name",
        "大厅",
        "--by",
        "hq_leader",
        "--expires",
        "2099-01-01",
        stdout=out,
    )
    key = out.getvalue().split(": ", 1)[1].split()[0]
    token = ScreenToken.objects.get()
    assert token.key_hash == digest(key) and token.expires_at is not None
    listed = StringIO()
    call_command("screen_token", "list", stdout=listed)
    assert "大厅" in listed.getvalue() and "有效" in listed.getvalue() and key not in listed.getvalue()
    call_command("screen_token", "revoke", str(token.pk), "--by", "hq_leader", stdout=StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(CommandError):
        call_command("screen_token", "issue", HUANGQIAO, "--name", "x", "--by", "hq_grid", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("screen_token", "issue", HUANGQIAO, "--name", "x", "--by", "nobody", stdout=StringIO())
