"""Time invested in communities: people log hours, sponsors set quarterly budgets, the dashboard adds up.

A person logs time only for a community they are an active member of, and sees only their own log.
The dashboard shows hours by community against the budget, and per-person figures (median and mean
hours per person who logged) only when enough people logged to keep anyone from being identified.
Private communities are left out of the dashboard, like everywhere else on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from practica.analysis.portfolio import (
    budget_use,
    last_quarters,
    parse_quarter,
    per_person,
    quarter_bounds,
    quarter_key,
)
from practica.communities.models import Community, Event, Membership, MembershipStatus, Role, Visibility
from practica.core.errors import ApplicationError
from practica.core.permissions import (
    can_lead_community,
    can_log_time,
    can_set_time_budget,
    membership_of,
    require,
)
from practica.core.privacy import guarded
from practica.insights.models import TimeBudget, TimeLog
from practica.insights.panels import panel
from practica.people.models import Person

MAX_HOURS_PER_DAY = Decimal(24)
OLDEST_LOG_DAYS = 366
MAX_BUDGET_HOURS = 100_000
QUARTERS_SHOWN = 4
NOT_A_MEMBER = "Only active members of this community can log time for it."
NOT_A_SPONSOR = "Only a sponsor of this community can set its time budget."
NOT_A_LEAD = "Only a lead of this community can log time for its attendees."


def _hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ApplicationError("Hours must be a number, e.g. 1.5.", field="hours") from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS_PER_DAY:
        raise ApplicationError("Hours must be more than 0 and at most 24.", field="hours")
    if (hours * 4) != (hours * 4).to_integral_value():
        raise ApplicationError("Log hours in quarters of an hour, e.g. 0.25, 1.5 or 2.", field="hours")
    return hours


@transaction.atomic
def time_log_create(
    *,
    actor: Person,
    community: Community,
    hours: Any,
    on: date,
    note: str = "",
    event: Event | None = None,
) -> TimeLog:
    """Log hours the actor spent on a community's work on one day (not in the future, within a year).

    The actor must be an active member; an event must belong to the community and have started; a
    day's logs for one person may not add up to more than 24 hours.
    """
    require(can_log_time(membership_of(actor, community)), NOT_A_MEMBER)
    amount = _hours(hours)
    today = timezone.localdate()
    if on > today:
        raise ApplicationError("You can only log time already spent, not future days.", field="on")
    if on < today - timedelta(days=OLDEST_LOG_DAYS):
        raise ApplicationError("Log time within a year of spending it.", field="on")
    if event is not None and (event.community_id != community.pk or event.starts_at > timezone.now()):
        raise ApplicationError("Choose an event of this community that has already started.", field="event")
    note = (note or "").strip()
    if len(note) > 200:
        raise ApplicationError("Keep the note under 200 characters.", field="note")
    # Lock the person's row so two logs at once cannot both pass the daily total.
    Person.objects.select_for_update().filter(pk=actor.pk).first()
    day_total = TimeLog.objects.filter(person=actor, on=on).aggregate(total=Sum("hours"))["total"] or Decimal(
        0
    )
    if day_total + amount > MAX_HOURS_PER_DAY:
        raise ApplicationError(
            f"You already logged {day_total:g} hours on {on:%d %b %Y}; a day has 24.", field="hours"
        )
    return TimeLog.objects.create(
        person=actor, community=community, event=event, hours=amount, on=on, note=note, logged_by=actor
    )


@transaction.atomic
def time_log_event_attendees(*, actor: Person, event: Event, hours: Any, note: str = "") -> int:
    """A lead logs an event's time for everyone recorded as present who is an active member.

    People who already have a log for this event are skipped, and so is anyone whose day would pass
    24 hours; returns how many logs were made. The event must have started and not be cancelled.
    """
    from practica.communities.models import Attendance, EventStatus

    require(can_lead_community(membership_of(actor, event.community)), NOT_A_LEAD)
    amount = _hours(hours)
    if event.status == EventStatus.CANCELLED or event.starts_at > timezone.now():
        raise ApplicationError("Log time for an event that has taken place.", field="event")
    note = (note or "").strip()[:200] or f"Attended {event.title}"[:200]
    day = timezone.localdate(event.starts_at)
    present = set(Attendance.objects.filter(event=event).values_list("person_id", flat=True))
    members = set(
        Membership.objects.filter(
            community=event.community, status=MembershipStatus.ACTIVE, person_id__in=present
        ).values_list("person_id", flat=True)
    )
    if not members:
        raise ApplicationError("Take attendance first: nobody who is a member is recorded as present.")
    already = set(TimeLog.objects.filter(event=event).values_list("person_id", flat=True))
    day_totals = dict(
        TimeLog.objects.filter(person_id__in=members, on=day)
        .values("person_id")
        .annotate(total=Sum("hours"))
        .values_list("person_id", "total")
    )
    logs = [
        TimeLog(person_id=person_id, community=event.community, event=event, hours=amount, on=day, note=note,
                logged_by=actor)
        for person_id in sorted(members - already)
        if day_totals.get(person_id, Decimal(0)) + amount <= MAX_HOURS_PER_DAY
    ]  # fmt: skip
    TimeLog.objects.bulk_create(logs)
    return len(logs)


def led_events(person: Person, *, days: int = 60) -> QuerySet[Event]:
    """Events of the last ``days`` days, in communities the person leads, whose attendance was taken."""
    from practica.communities.models import EventStatus

    now = timezone.now()
    return (
        Event.objects.filter(
            community__memberships__person=person,
            community__memberships__status=MembershipStatus.ACTIVE,
            community__memberships__role=Role.LEAD,
            starts_at__lte=now,
            starts_at__gte=now - timedelta(days=days),
            attendance_taken_at__isnull=False,
        )
        .exclude(status=EventStatus.CANCELLED)
        .select_related("community")
        .order_by("-starts_at")
    )


def time_log_delete(*, actor: Person, log_id: int) -> None:
    """Delete one of the actor's own time logs (someone else's is reported as not found)."""
    deleted, _ = TimeLog.objects.filter(pk=log_id, person=actor).delete()
    if not deleted:
        raise ApplicationError("No such time log of yours.")


def _quarter(key: str) -> str:
    try:
        parse_quarter(key)
    except ValueError:
        raise ApplicationError("Quarter must look like 2026-Q4.", field="quarter") from None
    return key


@transaction.atomic
def time_budget_set(*, actor: Person, community: Community, quarter: str, hours: Any) -> TimeBudget | None:
    """A sponsor sets the hours budgeted for the community in a quarter; 0 removes the budget."""
    require(can_set_time_budget(membership_of(actor, community)), NOT_A_SPONSOR)
    quarter = _quarter(str(quarter).strip())
    if isinstance(hours, bool):
        raise ApplicationError("The budget must be a whole number of hours.", field="hours")
    try:
        amount = int(str(hours).strip())
    except ValueError:
        raise ApplicationError("The budget must be a whole number of hours.", field="hours") from None
    if not 0 <= amount <= MAX_BUDGET_HOURS:
        raise ApplicationError(f"The budget must be from 0 to {MAX_BUDGET_HOURS:,} hours.", field="hours")
    if amount == 0:
        TimeBudget.objects.filter(community=community, quarter=quarter).delete()
        return None
    budget, _ = TimeBudget.objects.update_or_create(
        community=community,
        quarter=quarter,
        defaults={"hours": amount, "set_by": actor, "updated_at": timezone.now()},
    )
    return budget


# Selectors ---------------------------------------------------------------------------------------


def time_logs_of(person: Person) -> QuerySet[TimeLog]:
    """The person's own time logs, newest first, with community and event for display."""
    return TimeLog.objects.filter(person=person).select_related("community", "event").order_by("-on", "-id")


def loggable_communities(person: Person) -> QuerySet[Community]:
    """Communities the person may log time for: those they are an active member of."""
    return Community.objects.filter(
        memberships__person=person, memberships__status=MembershipStatus.ACTIVE
    ).order_by("name")


def sponsored_communities(person: Person) -> QuerySet[Community]:
    """Communities the person sponsors (active sponsor membership)."""
    return Community.objects.filter(
        memberships__person=person,
        memberships__status=MembershipStatus.ACTIVE,
        memberships__role=Role.SPONSOR,
    ).order_by("name")


@dataclass(frozen=True)
class OwnQuarter:
    quarter: str
    hours: Decimal
    logs: int


def own_totals(person: Person, *, quarters: int = QUARTERS_SHOWN) -> list[OwnQuarter]:
    """The person's own hours in each of the last quarters, newest first: one query."""
    keys = last_quarters(timezone.localdate(), quarters)
    start, _ = quarter_bounds(keys[0])
    totals: dict[str, tuple[Decimal, int]] = {}
    for on, hours in TimeLog.objects.filter(person=person, on__gte=start).values_list("on", "hours"):
        key = quarter_key(on)
        total, count = totals.get(key, (Decimal(0), 0))
        totals[key] = (total + hours, count + 1)
    return [
        OwnQuarter(
            quarter=key, hours=totals.get(key, (Decimal(0), 0))[0], logs=totals.get(key, (Decimal(0), 0))[1]
        )
        for key in reversed(keys)
    ]


def budgets_for(communities: list[Community], quarter: str) -> dict[int, int]:
    """community id -> budgeted hours in ``quarter``: one query."""
    return dict(
        TimeBudget.objects.filter(community__in=communities, quarter=quarter).values_list(
            "community_id", "hours"
        )
    )


# The panel ---------------------------------------------------------------------------------------


def _aggregate(per_person_hours: list[float]) -> dict[str, Any]:
    median, mean = per_person(per_person_hours)
    people = len(per_person_hours)
    median_value, mean_value = guarded(median, people), guarded(mean, people)
    return {
        "people": people,
        "shown": median_value.shown,
        "median": None if median is None or not median_value.shown else round(median, 2),
        "mean": None if mean is None or not mean_value.shown else round(mean, 2),
        "reason": median_value.reason,
    }


def compute_time_quarter(key: str) -> dict[str, Any]:
    """Hours by community against budget in one quarter, with per-person figures above the threshold."""
    start, end = quarter_bounds(key)
    communities = list(Community.objects.exclude(visibility=Visibility.PRIVATE).order_by("name"))
    per_pair = (
        TimeLog.objects.filter(on__gte=start, on__lt=end, community__in=communities)
        .values("community_id", "person_id")
        .annotate(hours=Sum("hours"))
        .values_list("community_id", "person_id", "hours")
    )
    by_community: dict[int, list[float]] = {}
    by_person: dict[int, float] = {}
    for community_id, person_id, hours in per_pair:
        by_community.setdefault(community_id, []).append(float(hours))
        by_person[person_id] = by_person.get(person_id, 0.0) + float(hours)
    active_members = dict(
        Membership.objects.filter(community__in=communities, status=MembershipStatus.ACTIVE)
        .values("community_id")
        .annotate(count=Count("pk"))
        .values_list("community_id", "count")
    )
    budgets = budgets_for(communities, key)
    rows = []
    for community in communities:
        hours_list = by_community.get(community.pk, [])
        logged = round(float(sum(hours_list)), 2)
        budget = budgets.get(community.pk)
        use = budget_use(logged, budget)
        rows.append(
            {
                "id": community.pk,
                "name": community.name,
                "slug": community.slug,
                "hours": logged,
                "budget": budget,
                "budget_use": None if use is None else round(use, 3),
                "active_members": active_members.get(community.pk, 0),
                "per_person": _aggregate(hours_list),
            }
        )
    total_hours = round(sum(by_person.values()), 2)
    total_budget = sum(budget for budget in budgets.values())
    return {
        "quarter": key,
        "start": start.isoformat(),
        "end": (end - timedelta(days=1)).isoformat(),
        "communities": rows,
        "hours": total_hours,
        "budget": total_budget or None,
        "budget_use": None if not total_budget else round(total_hours / total_budget, 3),
        "per_person": _aggregate(list(by_person.values())),
    }


@panel("time", title="Time invested", order=30, keyed=True)
def compute_time() -> dict[str, Any]:
    """One snapshot per quarter, for the current quarter and the three before it."""
    return {key: compute_time_quarter(key) for key in last_quarters(timezone.localdate(), QUARTERS_SHOWN)}


def hours_spec(data: dict[str, Any]) -> dict[str, Any]:
    """Vega-Lite: hours logged per community in the quarter, with the budget as a tick."""
    values = [
        {"community": row["name"], "hours": row["hours"], "budget": row["budget"]}
        for row in data["communities"]
        if row["hours"] or row["budget"]
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": "container",
        "height": {"step": 22},
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "bar", "tooltip": True, "color": "#2f6fb3"},
                "encoding": {
                    "y": {"field": "community", "type": "nominal", "title": None},
                    "x": {"field": "hours", "type": "quantitative", "title": "Hours logged"},
                },
            },
            {
                "transform": [{"filter": "datum.budget != null"}],
                "mark": {"type": "tick", "color": "#b3261e", "thickness": 3, "tooltip": True},
                "encoding": {
                    "y": {"field": "community", "type": "nominal"},
                    "x": {"field": "budget", "type": "quantitative"},
                },
            },
        ],
    }
