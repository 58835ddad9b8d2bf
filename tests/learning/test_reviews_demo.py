"""The demo organisation's reviews: successive retrospectives with varied follow-through, an after-action
review of a resolved forecast, and insights that travelled to communities and other teams."""

from __future__ import annotations

import pytest
from django.test import Client

from practica.demo.generator import generate_organisation
from practica.learning.models import Action, Insight, InsightAdoption, InsightShare, Review, ReviewPhase
from practica.learning.review_selectors import review_history
from practica.people.models import Person, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db: None) -> None:
    generate_organisation(people=120, seed=7)


def test_teams_have_successive_retros_with_follow_through_that_varies(demo):
    teams = Team.objects.filter(reviews__isnull=False).distinct()
    assert 3 <= teams.count() <= 6
    rates = set()
    for team in teams:
        rows, total = review_history(team=team)
        assert 2 <= len(rows) <= 3
        assert all(row.review.previous_id is not None for row in rows[:-1])
        if total.rate is not None:
            rates.add(round(total.rate, 2))
    assert len(rates) >= 2
    assert Action.objects.filter(status="done", followed_up_in__isnull=False).exists()
    assert (
        Action.objects.filter(status="dropped").exists()
        or Action.objects.filter(status="open", followed_up_in__isnull=False).exists()
    )


def _the_demo_members_latest_retro_waits_for_follow_up() -> None:
    member = Person.objects.get(user__username="demo-member")
    latest = Review.objects.filter(team__memberships__person=member).order_by("-held_at").first()
    assert latest is not None and latest.phase == ReviewPhase.COLLECT
    assert Action.objects.filter(review=latest.previous, followed_up_in__isnull=True).exists()
    client = Client()
    client.force_login(member.user)
    assert (
        "Actions from the previous review" in client.get(f"/learning/reviews/{latest.pk}/").content.decode()
    )


def _an_after_action_review_is_linked_to_a_resolved_forecast() -> None:
    aar = Review.objects.get(template__slug="after-action-review")
    question = aar.forecasts.get()
    assert question.resolution in {"yes", "no"}
    assert aar.items.filter(section="supposed", text__contains=question.title).exists()


def _insights_were_shared_and_adopted_by_other_teams() -> None:
    assert Insight.objects.count() >= 3
    assert InsightShare.objects.exists()
    adoption = InsightAdoption.objects.select_related("insight").first()
    assert adoption is not None and adoption.team_id != adoption.insight.team_id


def test_demo_member_retro_after_action_review_and_travelling_insights(demo):
    # One organisation for the three checks: generating it is the slow part.
    _the_demo_members_latest_retro_waits_for_follow_up()
    _an_after_action_review_is_linked_to_a_resolved_forecast()
    _insights_were_shared_and_adopted_by_other_teams()
