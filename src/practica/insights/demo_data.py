"""Demo data for the steward's dashboard: time logged on community work, sponsors' budgets, snapshots.

Time logs follow what happened in the demo communities: many attendees log the length of the meetup
they came to, speakers and organisers log their preparation, and core members log some work between
events. Sponsors budget each quarter near what their community tends to spend, some too low, some too
high. The last step computes every dashboard panel, so a fresh ``make run`` shows a full dashboard.
Bulk-created, with a constant number of queries per community, so it scales to 20,000 people.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from practica.analysis.portfolio import last_quarters, quarter_key
from practica.communities.models import (
    Attendance,
    Community,
    EventStatus,
    Level,
    Membership,
    MembershipStatus,
    Role,
)
from practica.demo.generator import DemoContext, demo_step
from practica.insights import demo_activity  # noqa: F401  (its step registers on import)
from practica.insights.models import TimeBudget, TimeLog
from practica.insights.refresh import refresh_insights

LOG_ATTENDANCE_PROBABILITY = 0.55
PREPARATION_HOURS = (Decimal("1"), Decimal("1.5"), Decimal("2"), Decimal("3"))
BETWEEN_EVENTS_HOURS = (Decimal("0.5"), Decimal("0.75"), Decimal("1"), Decimal("1.5"), Decimal("2"))


def _quarter_hours(hours: Decimal) -> Decimal:
    """Round to a quarter of an hour, at least 0.25 and at most 8."""
    rounded = (hours * 4).to_integral_value() / 4
    return min(max(rounded, Decimal("0.25")), Decimal(8))


@demo_step(order=60, label="time invested")
def time_invested_step(context: DemoContext) -> None:
    """Time logs from attendance, preparation and core members' work; budgets from the sponsors."""
    rng = context.rng
    today = timezone.localdate()
    oldest = today - timedelta(days=365)
    communities = list(Community.objects.order_by("name"))
    logs: list[TimeLog] = []
    for index, community in enumerate(communities):
        context.progress("time invested", index, len(communities))
        events = list(
            community.events.filter(starts_at__lte=timezone.now())
            .exclude(status=EventStatus.CANCELLED)
            .values_list("pk", "title", "starts_at", "ends_at", "created_by_id")
        )
        attendance: dict[int, list[int]] = defaultdict(list)
        for event_id, person_id in Attendance.objects.filter(event__community=community).values_list(
            "event_id", "person_id"
        ):
            attendance[event_id].append(person_id)
        members = set(
            Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE).values_list(
                "person_id", flat=True
            )
        )
        for event_id, title, starts_at, ends_at, organiser_id in events:
            day = timezone.localdate(starts_at)
            if day < oldest:
                continue
            length = _quarter_hours(Decimal((ends_at - starts_at).total_seconds()) / 3600)
            for person_id in sorted(attendance[event_id]):
                if person_id in members and rng.random() < LOG_ATTENDANCE_PROBABILITY:
                    logs.append(_log(person_id, community, day, length, f"Attended {title}"[:200], event_id))
            if organiser_id in members:
                prepared = day - timedelta(days=rng.randint(1, 5))
                logs.append(
                    _log(
                        organiser_id,
                        community,
                        prepared,
                        rng.choice(PREPARATION_HOURS),
                        f"Prepared {title}"[:200],
                        event_id,
                    )
                )
        core = sorted(
            Membership.objects.filter(
                community=community, status=MembershipStatus.ACTIVE, level=Level.CORE
            ).values_list("person_id", flat=True)
        )
        for person_id in core:
            day = today - timedelta(days=rng.randint(0, 13))
            while day >= today - timedelta(days=180):
                if rng.random() < 0.6:
                    note = rng.choice(
                        ["Answered questions", "Reviewed a practice", "Planned the next meetup"]
                    )
                    logs.append(_log(person_id, community, day, rng.choice(BETWEEN_EVENTS_HOURS), note, None))
                day -= timedelta(days=14)
    TimeLog.objects.bulk_create(logs, batch_size=2000)
    _budgets(context, communities)
    context.progress("time invested", len(communities), len(communities))


def _log(
    person_id: int, community: Community, day: date, hours: Decimal, note: str, event_id: int | None
) -> TimeLog:
    return TimeLog(
        person_id=person_id,
        community=community,
        event_id=event_id,
        hours=hours,
        on=day,
        note=note,
        logged_by_id=person_id,
    )


def _budgets(context: DemoContext, communities: list[Community]) -> None:
    """Each community's sponsor budgets the last two quarters and the current one near the hours spent."""
    rng = context.rng
    quarters = last_quarters(timezone.localdate(), 3)
    spent: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for community_id, on, hours in TimeLog.objects.filter(
        on__gte=timezone.localdate() - timedelta(days=300)
    ).values_list("community_id", "on", "hours"):
        spent[(community_id, quarter_key(on))] += hours
    sponsors = dict(
        Membership.objects.filter(role=Role.SPONSOR, status=MembershipStatus.ACTIVE)
        .values_list("community_id", "person_id")
        .order_by("pk")
    )
    budgets = []
    for community in communities:
        sponsor = sponsors.get(community.pk)
        if sponsor is None:
            continue
        typical = max((spent[(community.pk, quarter)] for quarter in quarters), default=Decimal(0))
        for quarter in quarters:
            budget = int(round(float(typical) * rng.uniform(0.7, 1.4) / 10) * 10) or 20
            budgets.append(TimeBudget(community=community, quarter=quarter, hours=budget, set_by_id=sponsor))
    TimeBudget.objects.bulk_create(budgets)


@demo_step(order=99, label="insight snapshots")
def insight_snapshots_step(context: DemoContext) -> None:
    """Compute every panel of the steward's dashboard, as the scheduled refresh would."""
    context.progress("insight snapshots", 0, 1)
    refresh_insights()
    context.progress("insight snapshots", 1, 1)
