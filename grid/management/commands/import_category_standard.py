"""Import a filing/closing standard from XLSX and publish it as a new version."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import User
from core.spreadsheets import SpreadsheetImportError
from grid.standards.imports import do_import_standard


class Command(BaseCommand):
    help = "导入立案结案标准（xlsx 模板见 docs/templates/category-standard.md），成功后发布为新版本"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="xlsx 文件路径")
        parser.add_argument("--note", default="", help="版本说明")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(is_system=True).first()
        if actor is None:
            raise CommandError("没有系统账号（is_system）；请先运行演示或初始化数据。")
        try:
            version = do_import_standard(
                options["file"], actor=actor, now=timezone.now(), note=options["note"]
            )
        except SpreadsheetImportError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} 处错误，未导入任何数据。") from exc
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{options['file']}") from exc
        self.stdout.write(f"已发布立案结案标准 v{version.number}，共 {version.rows.count()} 条。")
