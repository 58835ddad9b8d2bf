"""The large-organisation demo step: a year of activity, recorded as the services would record it."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from django.db.models import Count
from faker import Faker

from practica.calibration.models import CalibrationRecord, RecordSource
from practica.communities.models import Activity, ActivityKind, Attendance, Community, Membership
from practica.demo.generator import DemoContext
from practica.insights import demo_activity
from practica.knowledge.models import Answer, Question
from practica.learning.models import LearningGoal, Review
from practica.people.models import Person
from practica.people.services import team_create, team_membership_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(make_person: Callable[..., Person]) -> DemoContext:
    people = []
    departments = [team_create(name="Engineering"), team_create(name="Design")]
    for number in range(6):
        team = team_create(name=f"Team {number}", parent=departments[number % 2])
        for member in range(10):
            person = make_person(f"p{number}-{member}")
            team_membership_set(person=person, team=team, manager=None)
            people.append(person)
    return DemoContext(
        rng=random.Random(7),
        faker=Faker(),
        size=len(people),
        people=people,
        accounts={"demo-lead": people[0]},
    )


def test_small_organisations_get_no_extra_activity(context: DemoContext) -> None:
    demo_activity.organisation_activity_step(context)
    assert not Community.objects.exists()


def test_large_organisation_step_writes_consistent_rows(
    context: DemoContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_activity, "MIN_PEOPLE", 50)
    monkeypatch.setattr(demo_activity, "PEOPLE_PER_COMMUNITY", 20)
    demo_activity.organisation_activity_step(context)

    assert Community.objects.count() == 3
    assert Membership.objects.count() > 0
    assert Attendance.objects.count() > 0
    # Every attendance has the activity row participation levels are derived from.
    assert Activity.objects.filter(kind=ActivityKind.ATTENDED).count() == Attendance.objects.count()
    assert Activity.objects.filter(kind=ActivityKind.ANSWERED).count() == Answer.objects.count()
    # Counters on questions match their answers, as the services keep them.
    for question in Question.objects.annotate(real=Count("answers")):
        assert question.answer_count == question.real
        assert question.accepted_count == question.answers.filter(accepted=True).count()
    judged = Answer.objects.exclude(outcome="").count()
    assert CalibrationRecord.objects.filter(source=RecordSource.ANSWER).count() == judged
    # Participation levels and health were derived by the real code.
    assert not Membership.objects.filter(level_computed_at__isnull=True).exists()
    assert not Community.objects.filter(health_computed_at__isnull=True).exists()
    assert Review.objects.filter(team__isnull=False).count() == 6 * 4
    assert LearningGoal.shared_with.through.objects.count() == LearningGoal.objects.count()
