"""`manage.py seed_demo`: load the demo district (idempotent; demo mode only)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.errors import DomainError
from demo.seed import seed_demo
from licences.documents import public_base_url


class Command(BaseCommand):
    help = "Load the demo district: territory, organisation, personas and staff. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("seed_demo creates demo accounts; it runs only in demo mode (ZHILI_DEMO=1)")
        try:
            public_base_url()  # the demo certificates print it in their QR codes
        except DomainError as error:
            raise CommandError(
                f"{error.message} seed_demo issues demo certificates: set PUBLIC_BASE_URL, e.g. "
                "PUBLIC_BASE_URL=http://127.0.0.1:8000 (`make demo` and `make run` set it)"
            ) from error
        started = time.monotonic()
        result = seed_demo(now=timezone.now())
        t = result["territory"]
        self.stdout.write(
            f"territory: {t['towns']} towns, {t['villages']} villages, {t['grids']} grids, {t['zones']} "
            f"enforcement zones ({t['divisions_created']} divisions and {t['grids_created']} grids new)"
        )
        self.stdout.write(
            f"organisation: {result['org_units_created']} units new; "
            f"personas: {result['persona_writes']} writes; staff: {result['staff_created']} people new"
        )
        g = result["grid_reference"]
        self.stdout.write(
            f"grid reference: {g['categories']} categories, {g['standard_rows']} standard rows new; "
            f"responsibility list {g['responsibilities_created']} new, "
            f"{g['responsibilities_skipped']} skipped"
        )
        self.stdout.write(f"workflow: {result['processes_published']} process versions published")
        o = result["open311_services"]
        self.stdout.write(f"open311: {o['services']} services, {o['attributes_created']} attributes new")
        h = result["history"]
        self.stdout.write(
            f"history: {h['events']} grid events new ({h['real_events']} through the actions), "
            f"{h['patrols']} patrols, {h['check_ins']} check-ins"
        )
        for name, figures in result["streams"].items():
            counts = ", ".join(f"{key} {value}" for key, value in figures.items() if key != "seconds")
            self.stdout.write(f"{name}: {counts} ({figures['seconds']} s)")
        folded = ", ".join(f"{name} {count}" for name, count in result["rollup"].items())
        self.stdout.write(f"ledger rollup: transitions folded: {folded}")
        self.stdout.write(f"done in {time.monotonic() - started:.1f} s")
