"""Recompute members' participation levels from the Activity log (the rule is in analysis.participation)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from practica.analysis.participation import ParticipationRule, PersonActivity, participation_levels
from practica.communities.models import (
    CONTRIBUTIONS,
    Activity,
    ActivityKind,
    Community,
    Level,
    Membership,
    MembershipStatus,
    Role,
)

RULE = ParticipationRule()
OTHER_ACTIVITY = {ActivityKind.ATTENDED, ActivityKind.ASKED, ActivityKind.USED}


def activity_in_window(
    community: Community, *, now: datetime, rule: ParticipationRule = RULE
) -> dict[int, PersonActivity]:
    """Per person: contributions, distinct contribution weeks and other activity in the window."""
    since = now - timedelta(days=rule.window_days)
    members = {
        person_id: role
        for person_id, role in Membership.objects.filter(
            community=community, status=MembershipStatus.ACTIVE
        ).values_list("person_id", "role")
    }
    contributions: dict[int, int] = defaultdict(int)
    weeks: dict[int, set[tuple[int, int]]] = defaultdict(set)
    other: dict[int, int] = defaultdict(int)
    rows = Activity.objects.filter(
        community=community, occurred_at__gte=since, occurred_at__lte=now, person__isnull=False
    ).values_list("person_id", "kind", "occurred_at")
    for person_id, kind, occurred_at in rows:
        if kind in CONTRIBUTIONS:
            contributions[person_id] += 1
            weeks[person_id].add(occurred_at.isocalendar()[:2])
        elif kind in OTHER_ACTIVITY:
            other[person_id] += 1
    people = set(members) | set(contributions) | set(other)
    return {
        person_id: PersonActivity(
            is_member=person_id in members,
            is_lead=members.get(person_id) == Role.LEAD,
            contributions=contributions[person_id],
            contribution_weeks=len(weeks[person_id]),
            other_activity=other[person_id],
        )
        for person_id in people
    }


@transaction.atomic
def participation_recompute(*, community: Community, now: datetime | None = None) -> dict[str, int]:
    """Store each member's derived level (pinned levels stay); returns how many members are at each level."""
    now = now or timezone.now()
    levels = participation_levels(activity_in_window(community, now=now))
    memberships = list(Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE))
    for membership in memberships:
        if not membership.level_pinned:
            membership.level = levels.get(membership.person_id, Level.PERIPHERAL)
        membership.level_computed_at = now
    Membership.objects.bulk_update(memberships, ["level", "level_computed_at"], batch_size=500)
    counts: dict[str, int] = defaultdict(int)
    for membership in memberships:
        counts[membership.level] += 1
    return dict(counts)


def transactional_people(community: Community, *, now: datetime | None = None) -> list[int]:
    """Ids of non-members who attended, asked or used the community's work in the window."""
    levels = participation_levels(activity_in_window(community, now=now or timezone.now()))
    return sorted(person for person, level in levels.items() if level == Level.TRANSACTIONAL)
