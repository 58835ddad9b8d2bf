"""The knowledge-flow and calibration indicators of a community's health, now measured."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.communities.health import health_inputs
from practica.communities.services import community_create, membership_join
from practica.knowledge import qa
from practica.knowledge.models import Practice, Question
from practica.knowledge.practices import practice_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def testing(owner, member):
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    return community


def period(now):
    return {"start": now - timedelta(days=90), "end": now}


def test_questions_answered_time_to_answer_and_accepted_share(testing, owner, member):
    answered = qa.question_ask(actor=owner, community=testing, title="How do we test payments?")
    qa.question_ask(actor=owner, community=testing, title="Nobody answers this one")
    answer = qa.answer_post(actor=member, question=answered, body="Use a sandbox.", certainty=2)
    asked_at = timezone.now() - timedelta(hours=10)
    Question.objects.filter(pk=answered.pk).update(
        created_at=asked_at, first_answer_at=asked_at + timedelta(hours=4)
    )
    qa.answer_accept(actor=owner, answer=answer)
    inputs = health_inputs(testing, **period(timezone.now()))
    assert inputs.share_answered == 0.5
    assert inputs.median_hours_to_first_answer == 4.0
    assert inputs.accepted_share == 0.5


def test_no_questions_is_reported_as_none_not_as_zero(testing):
    inputs = health_inputs(testing, **period(timezone.now()))
    assert (inputs.share_answered, inputs.accepted_share) == (None, None)
    assert inputs.questions_asked == 0


def test_stale_articles_are_counted(testing, owner):
    practice = practice_create(
        actor=owner, community=testing, title="Checklist", body="x", status="published"
    )
    now = timezone.now()
    assert health_inputs(testing, **period(now)).stale_articles == 0
    Practice.objects.filter(pk=practice.pk).update(reviewed_at=now - timedelta(days=200))
    assert health_inputs(testing, **period(now)).stale_articles == 1


def test_calibration_is_withheld_below_the_minimum_group_size(testing, owner, member, make_person, settings):
    settings.PRACTICA_MIN_GROUP_SIZE = 3
    answerers = [member] + [make_person(f"answerer{number}") for number in range(2)]
    for person in answerers[1:]:
        membership_join(person=person, community=testing)
    question = qa.question_ask(actor=owner, community=testing, title="Which tool?")
    answers = [qa.answer_post(actor=p, question=question, body="This one.", certainty=3) for p in answerers]
    qa.answer_set_outcome(actor=owner, answer=answers[0], outcome="worked")
    qa.answer_set_outcome(actor=owner, answer=answers[1], outcome="did_not_work")
    two_people = health_inputs(testing, **period(timezone.now()))
    assert two_people.calibration is None
    assert "Not enough people" in two_people.calibration_note
    qa.answer_set_outcome(actor=owner, answer=answers[2], outcome="worked")
    three_people = health_inputs(testing, **period(timezone.now()))
    assert three_people.calibration == 0.0  # (3 - 6 + 3) / 3
