"""Fixtures and builders shared by the knowledge-check tests (imported by each test module)."""

from __future__ import annotations

import pytest

from practica.calibration import checks
from practica.calibration.models import KnowledgeCheck, Skill
from practica.communities.services import membership_join

ITEMS = [
    {
        "kind": "single",
        "prompt": "Which test double records the calls made to it?",
        "options": ["Stub", "Spy", "Dummy"],
        "answer": 1,
        "explanation": "A spy records how it was called.",
    },
    {
        "kind": "multiple",
        "prompt": "Which are properties of a good unit test?",
        "options": ["Fast", "Depends on the network", "Deterministic", "Needs a shared database"],
        "answer": [0, 2],
        "explanation": "Fast and deterministic.",
    },
    {
        "kind": "true_false",
        "prompt": "100% line coverage proves the code is correct.",
        "answer": False,
        "explanation": "Coverage shows what ran, not that it is right.",
    },
    {
        "kind": "numeric",
        "prompt": "How many layers does the classic test pyramid have?",
        "answer": 3,
        "tolerance": 0,
        "explanation": "Unit, service, UI.",
    },
]
RIGHT = [1, [0, 2], False, 3]
WRONG = [0, [1, 3], True, 4]


@pytest.fixture
def design_skill(db):
    return Skill.objects.create(name="Test design", slug="test-design")


@pytest.fixture
def draft_check(owner, testing, design_skill) -> KnowledgeCheck:
    check = checks.check_create(
        actor=owner,
        community=testing,
        title="Testing fundamentals",
        description="Ten minutes on *test doubles*.",
        skill_ids=[design_skill.pk],
    )
    for fields in ITEMS:
        checks.item_create(actor=owner, check=check, **fields)
    return check


@pytest.fixture
def published_check(owner, draft_check) -> KnowledgeCheck:
    return checks.check_set_status(actor=owner, check=draft_check, status="published")


def take(person, check, answers, certainties, *, estimate=0.5, submit=True):
    """Start an attempt, answer item i with answers[i] (None: skip) at certainties[i], and submit."""
    attempt = checks.attempt_start(person=person, check=check, estimated_score=estimate)
    for item, response, certainty in zip(check.items.order_by("position"), answers, certainties, strict=True):
        if response is not None:
            checks.attempt_answer(
                person=person, attempt=attempt, item=item, response=response, certainty=certainty
            )
    if submit:
        checks.attempt_submit(person=person, attempt=attempt)
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def takers(make_person, testing):
    """Twenty-four more active members of ``testing``."""
    people = [make_person(f"taker{i}", display_name=f"Tess Taker {i}") for i in range(24)]
    for person in people:
        membership_join(person=person, community=testing)
    return people


def group_takes(people, check, count):
    """``count`` people take the check: a quarter each get 0, 1, 2 and 3 items right."""
    for index, person in enumerate(people[:count]):
        right = index % 4
        answers = [RIGHT[i] if i < right else WRONG[i] for i in range(4)]
        take(person, check, answers, [2, 2, 3, 1], estimate=min(1.0, 0.4 + 0.05 * (index % 7)))
