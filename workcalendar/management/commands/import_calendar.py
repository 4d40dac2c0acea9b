"""`manage.py import_calendar FILE.csv`: load a year's holidays and adjusted working days (columns
date,kind,name). Thin: reading the file and the clock here, every rule in actions.do_import_calendar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.errors import DomainError
from core.spreadsheets import SpreadsheetImportError
from workcalendar.actions import do_import_calendar, read_calendar_csv


class Command(BaseCommand):
    help = "导入工作日历 CSV（列：date,kind,name；kind 为 holiday 或 workday）。文件中出现的年份整年替换。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV 文件（UTF-8，可带 BOM）")
        parser.add_argument("--source", default="", help="依据，例如国务院办公厅通知文号")
        parser.add_argument("--actor", default="", help="操作人账号（默认：系统账号）")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取 {path}：{exc}") from exc
        actor = self._actor(options["actor"])
        source_note = options["source"] or f"CSV 导入：{path.name}"
        try:
            result = do_import_calendar(
                read_calendar_csv(text), actor=actor, now=timezone.now(), source_note=source_note
            )
        except SpreadsheetImportError as exc:
            lines = "\n".join(f"  {error}" for error in exc.problems)
            raise CommandError(f"{path} 有 {len(exc.problems)} 处错误，未导入任何数据：\n{lines}") from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        years = "、".join(str(year) for year in result.years)
        self.stdout.write(f"已导入 {years} 年：{result.holidays} 个节假日，{result.workdays} 个调休上班日。")

    def _actor(self, username: str) -> Any:
        users = get_user_model().objects
        if username:
            actor = users.filter(username=username).first()
            if actor is None:
                raise CommandError(f"没有账号 {username}")
            return actor
        actor = users.filter(is_system=True).order_by("pk").first()
        if actor is None:
            raise CommandError("没有系统账号；请用 --actor 指定操作人")
        return actor
