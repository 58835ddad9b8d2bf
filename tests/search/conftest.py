"""Communities, questions, answers and practices for search tests, made with the ORM directly.

Search must follow any save or delete, so these fixtures deliberately go around the knowledge services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from practica.calibration.models import Certainty
from practica.communities.models import Community, Tag, Visibility
from practica.communities.services import community_create, membership_invite, membership_join
from practica.knowledge.models import Answer, Practice, PracticeStatus, Question
from practica.people.models import Person


@pytest.fixture
def testing(owner: Person, member: Person) -> Community:
    community = community_create(
        actor=owner,
        name="Testing",
        summary="Getting better at tests",
        tags="qa, testing",
        charter={"domain": "Mutation testing and **property-based** checks"},
    )
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def private(owner: Person, member: Person) -> Community:
    community = community_create(
        actor=owner,
        name="Secret Guild",
        summary="Covert things",
        visibility=Visibility.PRIVATE,
        tags="hidden-tag",
        charter={"domain": "Quantum basilisk matters"},
    )
    membership_invite(actor=owner, community=community, person=member)
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def ask() -> Callable[..., Question]:
    def make(community: Community, title: str, body: str = "", tags: tuple[str, ...] = ()) -> Question:
        question = Question.objects.create(community=community, title=title, body=body)
        if tags:
            question.tags.set([tag_named(name) for name in tags])
        return question

    return make


@pytest.fixture
def answer() -> Callable[..., Answer]:
    def make(question: Question, body: str) -> Answer:
        return Answer.objects.create(question=question, body=body, certainty=Certainty.MID)

    return make


@pytest.fixture
def write_practice() -> Callable[..., Practice]:
    counter = iter(range(1, 10_000))

    def make(community: Community, title: str, body: str = "", **fields: Any) -> Practice:
        fields.setdefault("status", PracticeStatus.PUBLISHED)
        return Practice.objects.create(
            community=community,
            title=title,
            slug=f"practice-{next(counter)}",
            body=body,
            reviewed_at=timezone.now(),
            **fields,
        )

    return make


def tag_named(name: str) -> Tag:
    return Tag.objects.get_or_create(name=name, defaults={"slug": name})[0]
