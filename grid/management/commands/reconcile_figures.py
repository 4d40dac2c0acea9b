"""Recompute the grid figures of a period from the ledger and compare them with the rollup's answer
(grid/figures/rollup.py), for the district, each town and each village, and check that the division
rollup (which answers those) equals the grid rollup summed per division: prints every difference and
exits with status 1 when there is one. Repair a drifted rollup with `manage.py fold_ledger --rebuild`."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from grid.figures.ledger import Scope, compute_figures, rollup_figures
from grid.figures.rollup import PROCESS
from territory.models import Division
from workflow.rollups import division_differences


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


class Command(BaseCommand):
    help = "Compare the grid figures from the rollup with a recomputation from the ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", required=True, help="first day, YYYY-MM-DD (local)")
        parser.add_argument("--to", dest="last", required=True, help="last day, YYYY-MM-DD (included)")
        parser.add_argument("--levels", default="district,town,village", help="comma-separated levels")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            first, last = date.fromisoformat(options["first"]), date.fromisoformat(options["last"])
        except ValueError as error:
            raise CommandError("--from / --to: YYYY-MM-DD") from error
        if last < first:
            raise CommandError("--to is before --from")
        start, end = _midnight(first), _midnight(last + timedelta(days=1))
        levels = [level.strip() for level in options["levels"].split(",") if level.strip()]
        codes = (
            Division.objects.filter(level__in=levels).order_by("code").values_list("level", "code", "name")
        )
        differences = compared = 0
        for level, code, name in codes:
            scope = Scope(level, code, name, code)  # an operator's command: the whole territory
            ledger = asdict(compute_figures(scope, start, end))
            rollup = asdict(rollup_figures(scope, start, end, (first, last + timedelta(days=1))))
            compared += 1
            for name, value in ledger.items():
                if rollup.get(name) != value:
                    differences += 1
                    self.stdout.write(f"{level} {code} {name}: ledger {value!r}, rollup {rollup.get(name)!r}")
        for code, day, measure, stored, summed in division_differences(
            PROCESS, first, last + timedelta(days=1)
        ):
            differences += 1
            self.stdout.write(
                f"division rollup {code} {day} {measure}: {stored}, grid rollup summed {summed}"
            )
        self.stdout.write(f"{compared} scopes compared over {first} – {last}: {differences} differences")
        if differences:
            raise SystemExit(1)
