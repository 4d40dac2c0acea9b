"""Issue an Open311 API key (as the system actor) and print it once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.errors import DomainError
from open311.actions import do_issue_api_key
from workflow.actors import system_actor


class Command(BaseCommand):
    help = "签发 Open311 API 密钥（密钥只显示这一次，平台只保存哈希）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="密钥名称（客户端/合作方）")
        parser.add_argument("--key", default=None, help="指定密钥（默认随机生成）")
        parser.add_argument("--contact", default="", help="联系人/联系方式")
        parser.add_argument("--rate-limit", type=int, default=None, help="每小时请求上限")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            api_key, raw = do_issue_api_key(
                name=options["name"],
                key=options["key"],
                contact=options["contact"],
                rate_limit_per_hour=options["rate_limit"],
                actor=system_actor(),
                now=timezone.now(),
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{api_key.name}: {raw}")
