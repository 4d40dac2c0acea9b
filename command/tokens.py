"""Screen tokens: a read-only key for the wall screen (大屏) of one territory, so the hall PC holds no staff
password. Only the sha256 of the key is stored (the key is random and long, so no salt is needed); the key
is shown once at issue. A token opens `/command/screen/` and the screen's read endpoints for its territory
(command/screen_access.py) and nothing else. Issue and revoke are audited actions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import may_see_code, user_roles
from accounts.models import Role, User
from audit.actions import record_event
from core.errors import DomainError, NotFound, PermissionRefused
from territory.models import Division

# The prefix names the key's kind in logs and leaks; the rest is 256 bits of randomness.
KEY_PREFIX = "scr_"
ISSUER_ROLES = {str(Role.LEADER), str(Role.DATA_STEWARD)}
TERRITORY_LEVELS = {6: "district", 9: "town", 12: "village"}
MAX_NAME = 100


class ScreenToken(models.Model):
    name = models.CharField(_("屏幕名称"), max_length=MAX_NAME)
    territory_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    # The first characters of the key, so an operator can tell tokens apart without the key.
    key_hint = models.CharField(_("令牌前缀"), max_length=12)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签发人"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("签发时间"))
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吊销人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("大屏令牌")
        verbose_name_plural = _("大屏令牌")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.territory_code}, {self.key_hint}…)"

    @property
    def level(self) -> str:
        return TERRITORY_LEVELS[len(self.territory_code)]

    def valid_at(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def as_row(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "name": self.name,
            "territory_code": self.territory_code,
            "key_hint": self.key_hint,
            "issued_by": self.issued_by.username,
            "issued_at": self.issued_at,
            "expires_at": self.expires_at,
            "revoked_at": self.revoked_at,
        }


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def valid_token(key: str | None, *, now: datetime) -> ScreenToken | None:
    """The live token for a presented key, or None (unknown, revoked or expired alike)."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    token = ScreenToken.objects.filter(key_hash=digest(key)).first()
    return token if token is not None and token.valid_at(now) else None


def _require_issuer(actor: User, territory_code: str) -> None:
    if not actor.is_superuser and not user_roles(actor) & ISSUER_ROLES:
        raise PermissionRefused("not_allowed", "仅领导或数据管理员可签发或吊销大屏令牌。")
    if not actor.is_superuser and not may_see_code(actor, territory_code):
        raise NotFound(f"未找到区划：{territory_code}", field="territory_code")


@transaction.atomic
def do_issue_screen_token(
    *, name: str, territory_code: str, expires_at: datetime | None, actor: User, now: datetime
) -> tuple[ScreenToken, str]:
    """A new token for the territory (district, town or village); returns it with its key, which is
    shown this once and never stored."""
    name = (name or "").strip()
    territory_code = (territory_code or "").strip()
    if not name:
        raise DomainError("required", "请填写屏幕名称。", field="name")
    if len(name) > MAX_NAME:
        raise DomainError("too_long", f"屏幕名称不能超过 {MAX_NAME} 字。", field="name")
    if len(territory_code) not in TERRITORY_LEVELS or not territory_code.isdigit():
        raise DomainError("invalid", "区划代码应为 6、9 或 12 位数字（区、镇、村）。", field="territory_code")
    if expires_at is not None and expires_at <= now:
        raise DomainError("invalid", "到期时间须晚于现在。", field="expires_at")
    _require_issuer(actor, territory_code)
    if not Division.objects.filter(code=territory_code).exists():
        raise NotFound(f"未找到区划：{territory_code}", field="territory_code")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ScreenToken.objects.create(
        name=name,
        territory_code=territory_code,
        key_hash=digest(key),
        key_hint=key[: len(KEY_PREFIX) + 6],
        issued_by=actor,
        issued_at=now,
        expires_at=expires_at,
    )
    record_event(
        actor=actor,
        action="command.screen_token.issue",
        subject=token,
        territory_code=territory_code,
        after={"name": name, "key_hint": token.key_hint, "expires_at": expires_at},
        now=now,
    )
    return token, key


@transaction.atomic
def do_revoke_screen_token(token_id: int, *, actor: User, now: datetime) -> ScreenToken:
    """Revoke a token at once; revoking one already revoked changes nothing and writes no audit row."""
    token = ScreenToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None:
        raise NotFound(f"未找到大屏令牌：{token_id}", field="token")
    _require_issuer(actor, token.territory_code)
    if token.revoked_at is not None:
        return token
    token.revoked_at, token.revoked_by = now, actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    record_event(
        actor=actor,
        action="command.screen_token.revoke",
        subject=token,
        territory_code=token.territory_code,
        before={"revoked_at": None},
        after={"revoked_at": now},
        now=now,
    )
    return token
