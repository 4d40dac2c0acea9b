"""Write the state diagram of a process definition (from its YAML file) as Graphviz dot or Mermaid."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflow.definitions import DefinitionError, load_all
from workflow.diagram import to_dot, to_mermaid


class Command(BaseCommand):
    help = "Print the state diagram of a workflow process (dot or mermaid)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="process name, e.g. sample_complaint")
        parser.add_argument("--format", choices=["dot", "mermaid"], default="mermaid")
        parser.add_argument("--output", "-o", help="write to this file instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            definitions = {definition.name: definition for _path, definition in load_all()}
        except DefinitionError as error:
            raise CommandError(str(error)) from error
        definition = definitions.get(options["name"])
        if definition is None:
            known = ", ".join(sorted(definitions)) or "none"
            raise CommandError(f"unknown process {options['name']!r} (known: {known})")
        text = to_dot(definition) if options["format"] == "dot" else to_mermaid(definition)
        if options.get("output"):
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")
