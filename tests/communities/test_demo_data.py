"""The demo organisation gives every community page something true to show, and a privacy case."""

from __future__ import annotations

import pytest
from django.test import Client

from practica.communities.models import (
    Attendance,
    Community,
    Event,
    Level,
    Membership,
    Rsvp,
    Stage,
    Visibility,
)
from practica.demo.generator import generate_organisation
from practica.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    generate_organisation(people=120, seed=7)


def test_demo_communities_cover_every_stage_and_visibility(demo):
    communities = Community.objects.all()
    assert 8 <= communities.count() <= 15
    assert {c.stage for c in communities} == set(Stage.values)
    assert {c.visibility for c in communities} == set(Visibility.values)
    assert all(c.health_status for c in communities)


def test_a_private_community_led_by_demo_lead_excludes_demo_member(demo):
    lead = Person.objects.get(user__username="demo-lead")
    member = Person.objects.get(user__username="demo-member")
    private = Community.objects.filter(
        visibility=Visibility.PRIVATE, memberships__person=lead, memberships__role="lead"
    )
    assert private.exists()
    community = private.first()
    assert not Membership.objects.filter(community=community, person=member).exists()
    assert Event.objects.filter(community=community).exists()
    client = Client()
    client.force_login(member.user)
    assert client.get(f"/communities/{community.slug}/").status_code == 404
    assert community.name not in client.get("/communities/").text


def test_events_have_attendance_in_the_past_and_rsvps_ahead(demo):
    assert Attendance.objects.count() > 50
    assert Rsvp.objects.exists()
    assert Event.objects.filter(attendance_taken_at__isnull=False).exists()


def test_participation_levels_are_derived_and_varied(demo):
    levels = set(Membership.objects.values_list("level", flat=True))
    assert {Level.CORE, Level.OCCASIONAL, Level.PERIPHERAL} <= levels


def test_demo_member_sees_a_full_home_page(demo):
    member = Person.objects.get(user__username="demo-member")
    client = Client()
    client.force_login(member.user)
    page = client.get("/").text
    assert "Coming up" in page
    assert "Nothing scheduled in your communities" not in page


def test_demo_knowledge_has_resolved_answers_revised_practices_and_every_value_cycle(demo):
    from practica.calibration.models import CalibrationRecord
    from practica.knowledge.models import Answer, Cycle, Practice, Question, ValueStory

    assert Question.objects.count() >= 20
    assert Answer.objects.exclude(outcome="").exists()
    answers_scored = CalibrationRecord.objects.filter(source="answer").count()
    assert answers_scored == Answer.objects.exclude(outcome="").count()
    assert Practice.objects.filter(revision__gt=1).exists()
    reached = {cycle for story in ValueStory.objects.all() for cycle in story.cycles}
    assert reached == set(Cycle)


def test_demo_forecasts_are_resolved_and_scored_with_some_left_open(demo):
    from practica.calibration.models import CalibrationRecord, ForecastQuestion, RecordSource, Resolution

    assert ForecastQuestion.objects.filter(resolution=Resolution.OPEN).exists()
    resolved = ForecastQuestion.objects.exclude(resolution=Resolution.OPEN)
    assert resolved.exists()
    assert CalibrationRecord.objects.filter(source=RecordSource.FORECAST).exists()
    assert not ForecastQuestion.objects.filter(community__visibility="private").exists()


def test_demo_forecasts_came_in_before_their_question_closed_and_the_group_figure_shows(demo):
    from django.db.models import F

    from practica.calibration.forecast_selectors import group_forecasts
    from practica.calibration.models import Forecast, ForecastQuestion

    questions = list(ForecastQuestion.objects.all())
    assert not Forecast.objects.filter(created_at__gt=F("question__closes_at")).exists()
    assert not Forecast.objects.filter(created_at__lt=F("question__created_at")).exists()
    # Forecasts are weeks old, so every question with enough forecasters shows its group figure.
    groups = group_forecasts(question.pk for question in questions)
    assert groups and all(group.figure.shown for group in groups.values() if group.forecasters >= 5)
