"""``practica manage refresh_insights``: recompute the steward's dashboard snapshots."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from practica.core.errors import ApplicationError
from practica.insights.refresh import PanelResult, refresh_insights


class Command(BaseCommand):
    help = (
        "Recompute every panel of the steward's dashboard (or only the named ones) and store the snapshots."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--panel", action="append", metavar="NAME", help="Only this panel (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        def report(result: PanelResult) -> None:
            self.stdout.write(
                f"  {result.title}: {result.keys} snapshot(s) in {result.duration_ms / 1000:.2f} s"
            )

        try:
            results = refresh_insights(only=options["panel"], progress=report)
        except ApplicationError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Refreshed {len(results)} panel(s)."))
