"""The portfolio panel: what it counts, what it leaves out, its filters and its CSV."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from practica.communities.models import Community, Level, Membership, Stage
from practica.communities.services import community_create
from practica.core.errors import ApplicationError
from practica.insights.portfolio import (
    CSV_HEADER,
    PortfolioFilters,
    compute_portfolio,
    csv_rows,
    parse_filters,
    portfolio_view,
)
from practica.knowledge.models import Question, ValueStory
from practica.people.models import Person
from practica.people.services import team_create, team_membership_set
from tests.insights.conftest import past_event

pytestmark = pytest.mark.django_db


def row_for(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(row for row in data["communities"] if row["name"] == name)


def test_private_communities_are_left_out_entirely(testing: Community, private: Community) -> None:
    data = compute_portfolio()
    assert [row["name"] for row in data["communities"]] == ["Testing"]
    assert "Secret Guild" not in str(data)


def test_members_by_level_leads_and_sponsors_are_counted(testing: Community, sponsor: Person) -> None:
    data = compute_portfolio()
    row = row_for(data, "Testing")
    assert row["members"] == 3
    assert row["levels"]["core"] == 1  # the lead who started it
    assert row["levels"]["peripheral"] == 2
    assert row["leads"] == ["Olivia Owner"]
    assert row["sponsors"] == ["Sam Sponsor"]


def test_cross_team_reach_counts_distinct_teams_and_departments(
    testing: Community, crowd: Callable[[Community, int], list[Person]]
) -> None:
    design = team_create(name="Design")
    research = team_create(name="Research", parent=design)
    people = crowd(testing, 2)
    team_membership_set(person=people[0], team=research, manager=None)
    team_membership_set(person=people[1], team=design, manager=None)
    row = row_for(compute_portfolio(), "Testing")
    # owner and member are in Payments (Engineering); the crowd in Research and Design (Design).
    assert row["teams_reached"] == 3
    assert row["departments_reached"] == 2


def test_events_held_and_planned_in_the_last_ninety_days(testing: Community) -> None:
    past_event(testing, days_ago=10)
    past_event(testing, days_ago=20, cancelled=True)
    past_event(testing, days_ago=120)
    row = row_for(compute_portfolio(), "Testing")
    assert row["events_held"] == 1
    assert row["events_planned"] == 2
    assert row["days_since_event"] == 10


def test_stale_unanswered_questions_and_value_stories(testing: Community, owner: Person) -> None:
    for number in range(7):
        question = Question.objects.create(
            community=testing, author=owner, title=f"Question {number}", body="?"
        )
        age = 20 if number < 6 else 3
        Question.objects.filter(pk=question.pk).update(created_at=timezone.now() - timedelta(days=age))
    ValueStory.objects.create(
        community=testing, author=owner, title="Faster builds", immediate=True, applied=True
    )
    ValueStory.objects.create(community=testing, author=owner, title="Less flakiness", realized=True)
    past_event(testing, days_ago=5)
    row = row_for(compute_portfolio(), "Testing")
    assert row["stale_open_questions"] == 6
    assert row["stories_total"] == 2
    assert row["stories"] == {"immediate": 1, "potential": 0, "applied": 1, "realized": 1, "reframing": 0}
    assert "6 questions unanswered for over 14 days (more than 5)." in row["attention"]


def test_needs_attention_names_one_lead_and_no_core(testing: Community) -> None:
    Membership.objects.filter(community=testing, role="lead").update(level=Level.ACTIVE)
    past_event(testing, days_ago=5)
    row = row_for(compute_portfolio(), "Testing")
    assert "One lead and no core members." in row["attention"]


def test_a_community_without_events_needs_attention_and_has_a_health_status(testing: Community) -> None:
    row = row_for(compute_portfolio(), "Testing")
    assert "No event held yet." in row["attention"]
    assert row["health"] in {"thriving", "steady", "at_risk", "dormant"}
    assert row["trend"] in {"improving", "worsening", "same"}


def test_health_now_is_what_the_community_health_page_says(testing: Community) -> None:
    from practica.communities.health import community_health_report

    moment = timezone.now()
    past_event(testing, days_ago=5)
    row = row_for(compute_portfolio(now=moment), "Testing")
    assert row["health"] == community_health_report(testing, now=moment).status
    assert row["previous_health"] == community_health_report(testing, now=moment - timedelta(days=90)).status


def test_stage_and_health_filters(owner: Person, testing: Community) -> None:
    other = community_create(actor=owner, name="Frontend")
    Community.objects.filter(pk=other.pk).update(stage=Stage.MATURING)
    data = compute_portfolio()
    view = portfolio_view(data, PortfolioFilters(stage=Stage.MATURING))
    assert [row["name"] for row in view.rows] == ["Frontend"]
    assert view.totals["communities"] == 1
    health = row_for(data, "Testing")["health"]
    by_health = portfolio_view(data, PortfolioFilters(health=health))
    assert "Testing" in [row["name"] for row in by_health.rows]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"stage": "adolescent"}, "stage"),
        ({"health": "great"}, "health"),
        ({"department": "999"}, "department"),
    ],
)
def test_unknown_filter_values_are_refused(testing: Community, params: dict[str, str], field: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        parse_filters(params, compute_portfolio())
    assert refused.value.field == field


@pytest.fixture
def two_departments(
    testing: Community, crowd: Callable[[Community, int], list[Person]]
) -> tuple[dict[str, Any], int, int]:
    """Testing with 7 Engineering people (owner, member + 5) and 6 from Design; returns the data and ids."""
    design = team_create(name="Design")
    engineers = crowd(testing, 5)
    engineering_team = (
        Membership.objects.get(person__display_name="Olivia Owner").person.team_memberships.get().team
    )
    for person in engineers:
        team_membership_set(person=person, team=engineering_team, manager=None)
    for person in crowd(testing, 6):
        team_membership_set(person=person, team=design, manager=None)
    data = compute_portfolio()
    ids = {item["name"]: item["id"] for item in data["departments"]}
    return data, ids["Engineering"], ids["Design"]


def test_a_department_filter_counts_only_that_department(
    two_departments: tuple[dict[str, Any], int, int],
) -> None:
    data, engineering, _ = two_departments
    view = portfolio_view(data, parse_filters({"department": str(engineering)}, data))
    row = view.rows[0]
    assert row["members"] == 7
    assert sum(row["levels"].values()) == 7
    assert view.department_name == "Engineering"


def test_a_department_filter_that_isolates_a_small_group_is_refused(
    two_departments: tuple[dict[str, Any], int, int], make_person: Callable[..., Person]
) -> None:
    # Six designers and seven others: allowed. Now a department of two people in the portfolio:
    lone = team_create(name="Legal")
    testing = Community.objects.get(name="Testing")
    from practica.communities.services import membership_join

    for number in range(2):
        lawyer = make_person(f"lawyer{number}")
        membership_join(person=lawyer, community=testing)
        team_membership_set(person=lawyer, team=lone, manager=None)
    data = compute_portfolio()
    legal = next(item["id"] for item in data["departments"] if item["name"] == "Legal")
    with pytest.raises(ApplicationError, match="too small"):
        portfolio_view(data, parse_filters({"department": str(legal)}, data))


def test_a_community_where_the_department_is_too_few_shows_the_refusal(
    two_departments: tuple[dict[str, Any], int, int], owner: Person
) -> None:
    from practica.communities.services import membership_join

    small = community_create(actor=owner, name="Small")
    designer = Person.objects.filter(team_memberships__team__name="Design").order_by("pk").first()
    assert designer is not None
    membership_join(person=designer, community=small)
    data = compute_portfolio()
    design = next(item["id"] for item in data["departments"] if item["name"] == "Design")
    view = portfolio_view(data, parse_filters({"department": str(design)}, data))
    small_row = next(row for row in view.rows if row["name"] == "Small")
    assert small_row["members"] is None and small_row["levels"] is None
    assert small_row["withheld"] == "Not enough people to show this without identifying someone."
    assert all("levels_by_department" not in row for row in view.rows)


def test_the_csv_has_the_same_numbers_as_the_view(testing: Community) -> None:
    past_event(testing, days_ago=3)
    data = compute_portfolio()
    view = portfolio_view(data, PortfolioFilters())
    lines = csv_rows(view)
    assert lines[0] == CSV_HEADER
    record = dict(zip(CSV_HEADER, lines[1], strict=True))
    row = view.rows[0]
    assert record["community"] == "Testing"
    assert record["members"] == row["members"]
    assert record["events held (90 days)"] == row["events_held"] == 1
    assert record["leads"] == "Olivia Owner"
