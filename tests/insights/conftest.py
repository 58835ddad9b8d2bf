"""Communities, events and people shared by the dashboard tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from practica.communities.models import Community, Event, EventStatus, Membership, Role, Visibility
from practica.communities.services import community_create, membership_invite, membership_join
from practica.people.models import Person


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    """Run the refresh task inside enqueue(), as the ImmediateBackend does."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def testing(owner: Person, member: Person) -> Community:
    """An open community: ``owner`` leads it, ``member`` is an active member."""
    community = community_create(actor=owner, name="Testing", tags="qa")
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def private(owner: Person, member: Person) -> Community:
    community = community_create(actor=owner, name="Secret Guild", visibility=Visibility.PRIVATE)
    membership_invite(actor=owner, community=community, person=member)
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def sponsor(make_person: Callable[..., Person], testing: Community) -> Person:
    """An active member of ``testing`` with the sponsor role."""
    person = make_person("sponsor", display_name="Sam Sponsor")
    membership_join(person=person, community=testing)
    Membership.objects.filter(person=person, community=testing).update(role=Role.SPONSOR)
    return person


@pytest.fixture
def crowd(make_person: Callable[..., Person]) -> Callable[[Community, int], list[Person]]:
    """``crowd(community, n)``: n more active members of the community."""
    counter = iter(range(1, 10_000))

    def make(community: Community, count: int) -> list[Person]:
        people = []
        for _ in range(count):
            number = next(counter)
            person = make_person(f"crowd{number}", display_name=f"Crowd Person {number}")
            membership_join(person=person, community=community)
            people.append(person)
        return people

    return make


def past_event(community: Community, *, days_ago: int, cancelled: bool = False, title: str = "Kata") -> Event:
    """An event that took place ``days_ago`` days ago (made directly: the service refuses the past)."""
    start: datetime = timezone.now() - timedelta(days=days_ago)
    return Event.objects.create(
        community=community,
        title=title,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        status=EventStatus.CANCELLED if cancelled else EventStatus.SCHEDULED,
    )
