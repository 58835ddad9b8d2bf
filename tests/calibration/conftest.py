"""Communities and forecast questions shared by the forecast tests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.calibration import forecasts
from practica.communities.models import Visibility
from practica.communities.services import community_create, membership_invite, membership_join


@pytest.fixture
def testing(owner, member):
    """An open community: ``owner`` leads it, ``member`` is an active member."""
    community = community_create(actor=owner, name="Testing", tags="qa")
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def private(owner, member):
    community = community_create(actor=owner, name="Secret Guild", visibility=Visibility.PRIVATE)
    membership_invite(actor=owner, community=community, person=member)
    membership_join(person=member, community=community)
    return community


def ask(community, author, title: str = "Will the new CI ship by Friday?"):
    return forecasts.forecast_question_create(
        actor=author,
        community=community,
        title=title,
        details="Yes if the pipeline runs on *main*.",
        closes_at=timezone.now() + timedelta(days=3),
    )


@pytest.fixture
def question(testing, member):
    """Asked by ``member`` (not a lead) in ``testing``."""
    return ask(testing, member)


@pytest.fixture
def private_question(private, member):
    return ask(private, member, "Will the guild meet in March?")


@pytest.fixture
def forecasters(make_person, testing):
    """Five more active members of ``testing``."""
    people = [make_person(f"forecaster{i}", display_name=f"Fran Forecaster {i}") for i in range(5)]
    for person in people:
        membership_join(person=person, community=testing)
    return people
