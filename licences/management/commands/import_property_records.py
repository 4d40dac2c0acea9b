"""Import the property register (产权登记) from an XLSX file in the documented template (docs/licences.md),
as the system user. All or nothing: every bad row is printed with its row number and reason."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.spreadsheets import SpreadsheetImportError
from licences.imports import do_import_property_records
from workflow.actors import system_actor


class Command(BaseCommand):
    help = "Import property records (产权登记) from an XLSX file; nothing is imported if any row is bad."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the .xlsx file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["path"], "rb") as file:
                result = do_import_property_records(file, actor=system_actor(), now=timezone.now())
        except OSError as error:
            raise CommandError(str(error)) from error
        except SpreadsheetImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(error.problems)} problem(s); nothing imported") from error
        self.stdout.write(f"created {result.created}, updated {result.updated}")
