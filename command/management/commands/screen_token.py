"""Issue, list and revoke wall-screen tokens (大屏令牌). The key is printed once at issue; only its hash
is kept. Each issue and revoke acts as a named leader or data steward and is audited."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date

from accounts.models import User
from command.tokens import ScreenToken, do_issue_screen_token, do_revoke_screen_token
from core.errors import DomainError


def _actor(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"没有这个在职用户：{username}")
    return user


def _expiry(value: str | None) -> datetime | None:
    """`--expires YYYY-MM-DD`: the token ends at the start of that local day."""
    if not value:
        return None
    day = parse_date(value)
    if day is None:
        raise CommandError("--expires 的格式应为 YYYY-MM-DD。")
    return timezone.make_aware(datetime.combine(day, time.min))


class Command(BaseCommand):
    help = "大屏令牌：issue 签发（令牌只显示一次）、list 列出、revoke 吊销"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        issue = sub.add_parser("issue", help="签发令牌")
        issue.add_argument("territory", help="区划代码（区 6 位、镇 9 位、村 12 位）")
        issue.add_argument("--name", required=True, help="屏幕名称，如 指挥大厅主屏")
        issue.add_argument("--by", required=True, help="签发人用户名（领导或数据管理员）")
        issue.add_argument("--expires", default=None, help="到期日 YYYY-MM-DD（缺省：不过期）")
        sub.add_parser("list", help="列出令牌")
        revoke = sub.add_parser("revoke", help="吊销令牌")
        revoke.add_argument("id", type=int, help="令牌编号（见 list）")
        revoke.add_argument("--by", required=True, help="吊销人用户名")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        try:
            if options["verb"] == "issue":
                token, key = do_issue_screen_token(
                    name=options["name"],
                    territory_code=options["territory"],
                    expires_at=_expiry(options["expires"]),
                    actor=_actor(options["by"]),
                    now=now,
                )
                self.stdout.write(f"{token.pk} {token.name} {token.territory_code}: {key}")
                self.stdout.write(f"/command/screen/?token={key}")
            elif options["verb"] == "revoke":
                token = do_revoke_screen_token(options["id"], actor=_actor(options["by"]), now=now)
                self.stdout.write(f"{token.pk} {token.name}: 已吊销 {token.revoked_at:%Y-%m-%d %H:%M}")
            else:
                for token in ScreenToken.objects.select_related("issued_by"):
                    state = "已吊销" if token.revoked_at else ("有效" if token.valid_at(now) else "已过期")
                    self.stdout.write(
                        f"{token.pk}\t{token.name}\t{token.territory_code}\t{token.key_hint}…\t{state}"
                    )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
