"""三员分立 in the management commands: verify_audit and export_audit_heads belong to the audit
administrator, rotate_audit_key to the security administrator. In production a command names who runs it
(--actor); anyone else gets a CommandError, and the named administrator's run is an audit row."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from accounts.models import User
from accounts.testing import make_administrator
from audit.models import AuditEvent
from core.adminroles import AdminRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins() -> dict[str, User]:
    return {
        "sys": make_administrator("sysadmin", AdminRole.SYSTEM),
        "sec": make_administrator("secadmin", AdminRole.SECURITY),
        "audit": make_administrator("auditadmin", AdminRole.AUDIT),
    }


def run(name: str, *args: str) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_audit_commands_belong_to_the_audit_administrator(admins: dict[str, User], tmp_path: Path) -> None:
    heads = str(tmp_path / "heads.jsonl")
    assert "audit chain intact" in run("verify_audit", "--actor", "auditadmin")
    run("export_audit_heads", "--actor", "auditadmin", "--out", heads)
    for who in ("sysadmin", "secadmin", "nobody"):
        with pytest.raises(CommandError, match="audit administrator"):
            run("verify_audit", "--actor", who)
        with pytest.raises(CommandError, match="audit administrator"):
            run("export_audit_heads", "--actor", who, "--out", heads)
    with override_settings(DEMO_MODE=False), pytest.raises(CommandError, match="--actor"):
        run("verify_audit")
    rows = AuditEvent.objects.filter(actor_label="auditadmin").order_by("id")
    assert [r.action for r in rows] == ["audit.verified", "audit.heads_exported"]


def test_key_rotation_belongs_to_the_security_administrator(admins: dict[str, User], tmp_path: Path) -> None:
    key_file = str(tmp_path / "audit.keys")
    for who in ("sysadmin", "auditadmin"):
        with pytest.raises(CommandError, match="security administrator"):
            run("rotate_audit_key", "--actor", who, "--key-file", key_file)
    with override_settings(DEMO_MODE=False), pytest.raises(CommandError, match="--actor"):
        run("rotate_audit_key", "--key-file", key_file)
    assert not Path(key_file).exists()
    assert "added audit key v1" in run("rotate_audit_key", "--actor", "secadmin", "--key-file", key_file)
    row = AuditEvent.objects.get(action="audit.key_rotated")
    assert row.actor_label == "secadmin" and row.after["key_id"] == "v1"  # type: ignore[index]
    assert "secret" not in str(row.after).lower() and Path(key_file).read_text().split()[0] == "v1"


def test_a_deactivated_administrator_is_refused(admins: dict[str, User]) -> None:
    User.objects.filter(username="auditadmin").update(is_active=False)
    with pytest.raises(CommandError):
        run("verify_audit", "--actor", "auditadmin")
