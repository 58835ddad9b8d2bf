"""Scheduling helpers shared by the event and calendar tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from practica.communities.events import event_create
from practica.communities.models import Community, Event
from practica.people.models import Person


def soon(days: int = 7) -> datetime:
    """A naive wall-clock time ``days`` from today at 18:00, as a person types it into the form."""
    day = timezone.now().date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, 18, 0)


def schedule(owner: Person, community: Community, *, days: int = 7, **fields: Any) -> list[Event]:
    """A two-hour Berlin event (or series, with ``frequency``) ``days`` from today, through the service."""
    fields.setdefault("title", "Kata night")
    start = soon(days)
    return event_create(
        actor=owner,
        community=community,
        starts_local=start,
        ends_local=start + timedelta(hours=2),
        time_zone="Europe/Berlin",
        **fields,
    )
