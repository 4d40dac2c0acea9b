"""Seed the category tree, the first filing/closing standard and the towns' responsibility lists."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import User
from grid.standards.actions import do_seed_reference


class Command(BaseCommand):
    help = "初始化事部件分类、立案结案标准（首个版本）和各镇责任清单（幂等）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", default="320507", help="区县代码")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(is_system=True).first()
        if actor is None:
            raise CommandError("没有系统账号（is_system）。")
        counts = do_seed_reference(actor=actor, now=timezone.now(), district_code=options["district"])
        self.stdout.write(", ".join(f"{k}={v}" for k, v in counts.items()))
