"""Fixtures for the learning tests: reviews (a team, Payments from the shared cast, with its
retrospective) and experiments, assumptions, vision and goals (communities and a crowd large enough
to pass the group-size threshold). Plain helpers are in ``helpers.py``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from practica.communities.models import Community, Visibility
from practica.communities.services import community_create, membership_invite, membership_join
from practica.learning.models import MethodTemplate, Review
from practica.learning.reviews import review_create
from practica.people.models import Person, Team
from practica.people.services import team_create, team_membership_set

# Reviews ------------------------------------------------------------------------------------------


@pytest.fixture
def template(db: None) -> MethodTemplate:
    return MethodTemplate.objects.get(slug="start-stop-continue")


@pytest.fixture
def teammate(make_person: Callable[..., Person], team: Team, owner: Person) -> Person:
    person = make_person("teammate", display_name="Tia Teammate")
    team_membership_set(person=person, team=team, manager=owner)
    return person


@pytest.fixture
def other_team(make_person: Callable[..., Person]) -> Team:
    return team_create(name="Search")


@pytest.fixture
def make_review(template: MethodTemplate) -> Callable[..., Review]:
    def make(actor: Person, **fields: object) -> Review:
        fields.setdefault("template", template)
        return review_create(actor=actor, **fields)  # type: ignore[arg-type]

    return make


@pytest.fixture
def retro(make_review: Callable[..., Review], owner: Person, member: Person, team: Team) -> Review:
    """A retrospective of Payments, facilitated by the owner; member takes part too."""
    return make_review(owner, team=team, title="Sprint 12 retro")


@pytest.fixture
def community(owner: Person, member: Person) -> Community:
    """An open community ("Testing") that ``owner`` leads and ``member`` joined."""
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def private_community(owner: Person, member: Person) -> Community:
    """A private community with ``owner`` only."""
    return community_create(actor=owner, name="Secret guild", visibility=Visibility.PRIVATE)


# Experiments, assumptions, vision, goals ----------------------------------------------------------


@pytest.fixture
def testing(owner: Person, member: Person) -> Community:
    """An open community: ``owner`` leads it, ``member`` is an active member."""
    community = community_create(actor=owner, name="Testing", tags="qa")
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def private(owner: Person, member: Person) -> Community:
    """A private community with ``owner`` (lead) and ``member`` (active)."""
    community = community_create(actor=owner, name="Secret Guild", visibility=Visibility.PRIVATE)
    membership_invite(actor=owner, community=community, person=member)
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def crowd(make_person: Callable[..., Person], team: Team, testing: Community) -> list[Person]:
    """Six more people in the team and the community (enough to pass the group-size threshold)."""
    people = []
    for number in range(6):
        person = make_person(f"crowd{number}", display_name=f"Crowd Person {number}")
        team_membership_set(person=person, team=team, manager=None)
        membership_join(person=person, community=testing)
        people.append(person)
    return people
