"""Validate and publish every `processes/*.yaml` of the installed apps. A definition whose content hash
differs from its latest published version becomes a new version; running instances keep theirs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from workflow.definitions import DefinitionError
from workflow.publishing import do_publish_processes


class Command(BaseCommand):
    help = "Publish the workflow process definitions (new version when a definition changed)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            results = do_publish_processes(now=timezone.now())
        except DefinitionError as error:
            raise CommandError(str(error)) from error
        for version, created in results:
            label = "published" if created else "unchanged"
            self.stdout.write(f"{version.name} v{version.version}: {label}")
