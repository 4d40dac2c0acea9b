"""Generate a period's reports on demand, e.g. a past month:
`manage.py generate_report --kind monthly --period 2026-03 [--code 320507003]`. An existing report is
left as it is (reports are made once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from command.reports.jobs import generate_period
from command.reports.periods import parse_period
from core.errors import DomainError


class Command(BaseCommand):
    help = "生成指定期别的定期报告（周报/月报/季报）。Generate the reports of one period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, help="weekly / monthly / quarterly")
        parser.add_argument("--period", required=True, help="2026-W10 / 2026-03 / 2026-Q1")
        parser.add_argument("--code", default="", help="一个区县或镇/街道代码（缺省：全部）")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        try:
            period = parse_period(options["kind"], options["period"], today=timezone.localdate(now))
            run = generate_period(period, now=now, code=options["code"])
        except DomainError as error:
            raise CommandError(f"{error.field}: {error.message}") from error
        if options["code"] and run.generated + run.existing == 0:
            raise CommandError(f"code: 未找到区县或镇/街道：{options['code']}")
        self.stdout.write(
            f"{period.key} {period.kind}: generated {run.generated}, already there {run.existing}"
        )
