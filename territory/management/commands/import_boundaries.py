"""manage.py import_boundaries FILE.geojson: import real town/village/grid boundaries, all or nothing.
The file format and the checks are described in territory/importing.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.errors import DomainError
from territory.actions.boundaries import ImportRejected, do_import_boundaries


class Command(BaseCommand):
    help = "Import real boundaries from a GeoJSON FeatureCollection (towns, villages, grids); all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="GeoJSON FeatureCollection, WGS-84")
        parser.add_argument(
            "--actor", default="system", help="username recorded in the audit trail (default: system)"
        )
        parser.add_argument(
            "--tolerance",
            type=float,
            default=None,
            help="overlap/containment tolerance in m² (default: setting, 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"无法读取 {path}：{exc}") from exc
        actor = get_user_model().objects.filter(username=options["actor"]).first()
        try:
            counts = do_import_boundaries(
                document, actor=actor, now=timezone.now(), source=path.name, tolerance_m2=options["tolerance"]
            )
        except ImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(", ".join(f"{k}={v}" for k, v in counts.items()))
