"""``practica manage refresh_health``: recompute participation levels and health, daily or on demand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from practica.communities.health import community_health_compute
from practica.communities.models import Community, HealthStatus
from practica.communities.participation import participation_recompute


class Command(BaseCommand):
    help = "Recompute members' participation levels and the health status of every community (or one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--community", metavar="SLUG", help="Only this community.")

    def handle(self, *args: Any, **options: Any) -> None:
        communities = Community.objects.order_by("name")
        if options["community"]:
            communities = communities.filter(slug=options["community"])
            if not communities.exists():
                raise CommandError(f"No community with the slug {options['community']!r}.")
        total = communities.count()
        now = timezone.now()
        statuses: dict[str, int] = {}
        # One community per transaction (inside the services), so a failure part-way keeps earlier results.
        for number, community in enumerate(communities.iterator(), start=1):
            levels = participation_recompute(community=community, now=now)
            report = community_health_compute(community=community, now=now)
            status = HealthStatus(report.status).label
            statuses[status] = statuses.get(status, 0) + 1
            members = sum(levels.values())
            self.stdout.write(f"[{number}/{total}] {community.name}: {members} members, {status.lower()}")
        summary = ", ".join(f"{count} {status.lower()}" for status, count in sorted(statuses.items()))
        self.stdout.write(self.style.SUCCESS(f"Refreshed {total} communities: {summary or 'none'}."))
