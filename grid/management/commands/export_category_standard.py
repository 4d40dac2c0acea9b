"""Export the current filing/closing standard (or a given version) in the import template."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grid.models import CategoryStandardVersion
from grid.standards.imports import export_standard


class Command(BaseCommand):
    help = "导出现行立案结案标准为 xlsx（与导入模板相同）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="输出的 xlsx 文件路径")
        parser.add_argument("--standard-version", type=int, default=None, help="版本号（默认现行版本）")

    def handle(self, *args: Any, **options: Any) -> None:
        version = None
        if options["standard_version"] is not None:
            version = CategoryStandardVersion.objects.filter(number=options["standard_version"]).first()
            if version is None:
                raise CommandError(f"没有版本 v{options['standard_version']}")
        count = export_standard(options["file"], version=version)
        self.stdout.write(f"已导出 {count} 条到 {options['file']}")
