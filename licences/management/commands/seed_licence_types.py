"""Create the missing licence types and, optionally, name the unit that signs self-service 无房证明."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import OrgUnit
from core.errors import DomainError
from licences.reference import do_seed_licence_types
from workflow.actors import system_actor


class Command(BaseCommand):
    help = "Create the licence types (证照类型); --issuer/--credit-code set the 无房证明 signer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--issuer", default="", help="OrgUnit code signing 无房证明, e.g. 320507-approval"
        )
        parser.add_argument("--credit-code", default="", help="that unit's unified social credit code")

    def handle(self, *args: Any, **options: Any) -> None:
        issuer = None
        if options["issuer"]:
            issuer = OrgUnit.objects.filter(code=options["issuer"]).first()
            if issuer is None:
                raise CommandError(f"no org unit {options['issuer']}")
        try:
            created = do_seed_licence_types(
                actor=system_actor(),
                now=timezone.now(),
                no_housing_issuer=issuer,
                issuer_credit_code=options["credit_code"],
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"created {created} licence type(s)")
