"""Strategic skills: targets set by stewards, coverage from evidence behind the privacy threshold."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from practica.calibration.models import AssessmentSource, Skill, SkillAssessment
from practica.communities.models import Visibility
from practica.communities.services import community_create
from practica.core.errors import ApplicationError
from practica.core.privacy import NOT_ENOUGH_PEOPLE
from practica.insights.models import InsightSnapshot
from practica.insights.refresh import refresh_insights
from practica.insights.skills_coverage import compute_skills, skill_set_strategic
from practica.people.models import Person, Team
from practica.people.services import team_membership_set

pytestmark = pytest.mark.django_db


def last_month(day: int) -> datetime:
    """A day of the last finished month: figures include only released months (core.privacy)."""
    this_month = timezone.now().replace(day=1, hour=12, minute=0, second=0, microsecond=0)
    return (this_month - timedelta(days=1)).replace(day=day)


def assess(person: Person, skill: Skill, source: str, level: int, *, days_ago: int = 5) -> None:
    """An assessment ``days_ago`` days before the 10th of last month."""
    SkillAssessment.objects.create(
        person=person,
        skill=skill,
        source=source,
        level=level,
        created_at=last_month(10) - timedelta(days=days_ago),
    )


@pytest.fixture
def people(make_person: Callable[..., Person], team: Team) -> list[Person]:
    crowd = []
    for number in range(7):
        person = make_person(f"engineer{number}", display_name=f"Engineer Number {number}")
        team_membership_set(person=person, team=team, manager=None)
        crowd.append(person)
    return crowd


@pytest.fixture
def python(people: list[Person]) -> Skill:
    """Seven people rate themselves expert; peers put four at proficient and three at competent."""
    skill = Skill.objects.create(
        name="Python", slug="python", strategic=True, target_people=6, target_level=4
    )
    for index, person in enumerate(people):
        assess(person, skill, AssessmentSource.SELF, 5)
        assess(person, skill, AssessmentSource.PEER, 4 if index < 4 else 3)
    return skill


@pytest.fixture
def rust(people: list[Person]) -> Skill:
    """Strategic, but only two people are assessed: one of them proficient by a lead's assessment."""
    skill = Skill.objects.create(name="Rust", slug="rust", strategic=True, target_people=3, target_level=4)
    assess(people[0], skill, AssessmentSource.LEAD, 4)
    assess(people[1], skill, AssessmentSource.SELF, 5)
    return skill


def rows(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in data["skills"]}


def test_coverage_counts_evidence_not_self_assessment(python: Skill) -> None:
    row = rows(compute_skills())["Python"]
    assert row["assessed"] == {"shown": True, "value": 7}
    assert row["evidence_at_target"] == {"shown": True, "value": 4}
    assert row["self_at_target"] == {"shown": True, "value": 7}
    assert row["count_gap"]["value"] == 3
    # Self 5 against evidence 4 (four people) and 3 (three people): (4 * 1 + 3 * 2) / 7.
    assert row["mean_gap"]["value"] == pytest.approx(round(10 / 7, 2))
    assert row["target_met"] is False


def test_a_stale_self_assessment_does_not_hide_a_newer_one(python: Skill, people: list[Person]) -> None:
    assess(people[0], python, AssessmentSource.SELF, 2, days_ago=1)  # same month, four days later
    assert rows(compute_skills())["Python"]["self_at_target"]["value"] == 6


def test_a_skill_with_too_few_people_is_refused_not_counted(python: Skill, rust: Skill) -> None:
    row = rows(compute_skills())["Rust"]
    for key in ("assessed", "with_evidence", "evidence_at_target", "self_at_target", "count_gap"):
        assert row[key] == {"shown": False, "value": None}
    assert row["target_met"] is None


def test_bus_factor_flags_the_skill_and_never_names_anyone(
    python: Skill, rust: Skill, people: list[Person]
) -> None:
    data = compute_skills()
    assert data["bus_factor"] == ["Rust"]
    assert rows(data)["Rust"]["bus_factor_risk"] is True
    assert rows(data)["Python"]["bus_factor_risk"] is False
    text = json.dumps(data)
    for person in people:
        assert person.display_name not in text


def test_heat_map_cells_below_the_threshold_are_refused(python: Skill, rust: Skill) -> None:
    cells = {(cell["skill"], cell["department"]): cell["proficient"] for cell in compute_skills()["heatmap"]}
    assert cells[("Python", "Engineering")] == {"shown": True, "value": 4}
    assert cells[("Rust", "Engineering")] == {"shown": False, "value": None}


def test_trend_counts_people_at_target_at_each_quarter_end(python: Skill) -> None:
    trend = [row for row in compute_skills()["trend"] if row["skill"] == "Python"]
    assert len(trend) == 6
    assert trend[-1]["at_target"] == {"shown": True, "value": 4}
    # Two quarters ago nobody had been assessed yet: refused rather than shown as zero.
    assert trend[0]["at_target"] == {"shown": False, "value": None}


def test_skills_of_private_communities_are_left_out(owner: Person, people: list[Person]) -> None:
    secret = community_create(actor=owner, name="Secret", visibility=Visibility.PRIVATE)
    hidden = Skill.objects.create(name="Lockpicking", slug="lockpicking", community=secret, strategic=True)
    for person in people:
        assess(person, hidden, AssessmentSource.PEER, 5)
    data = compute_skills()
    assert "Lockpicking" not in json.dumps(data)


def test_computing_reads_a_constant_number_of_queries(
    python: Skill, rust: Skill, people: list[Person], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(6):
        compute_skills()
    for person in people:
        assess(person, rust, AssessmentSource.PEER, 4)
    with django_assert_max_num_queries(6):
        compute_skills()


# Setting targets -----------------------------------------------------------------------------------


def test_steward_marks_a_skill_strategic(steward: Person) -> None:
    skill = Skill.objects.create(name="Kotlin", slug="kotlin")
    skill_set_strategic(actor=steward, skill=skill, strategic=True, target_people=6, target_level=4)
    skill.refresh_from_db()
    assert (skill.strategic, skill.target_people, skill.target_level) == (True, 6, 4)
    skill_set_strategic(actor=steward, skill=skill, strategic=False, target_people=6, target_level=4)
    skill.refresh_from_db()
    assert (skill.strategic, skill.target_people) == (False, None)


def test_a_member_may_not_set_targets(member: Person) -> None:
    skill = Skill.objects.create(name="Kotlin", slug="kotlin")
    with pytest.raises(PermissionDenied):
        skill_set_strategic(actor=member, skill=skill, strategic=True, target_people=6, target_level=4)
    skill.refresh_from_db()
    assert not skill.strategic


@pytest.mark.parametrize(("target_people", "target_level"), [(None, 4), (0, 4), (6, 9)])
def test_bad_targets_are_refused_and_change_nothing(
    steward: Person, target_people: Any, target_level: int
) -> None:
    skill = Skill.objects.create(name="Kotlin", slug="kotlin")
    with pytest.raises(ApplicationError):
        skill_set_strategic(
            actor=steward, skill=skill, strategic=True, target_people=target_people, target_level=target_level
        )
    skill.refresh_from_db()
    assert (skill.strategic, skill.target_people) == (False, None)


# Page and API ----------------------------------------------------------------------------------------


def test_steward_sees_coverage_and_the_refusal_for_small_groups(
    python: Skill, rust: Skill, people: list[Person], steward: Person, client_for: Callable[[Person], Client]
) -> None:
    refresh_insights(only=["skills"])
    response = client_for(steward).get("/insights/skills/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="coverage-table"' in html and 'id="bus-factor"' in html
    assert NOT_ENOUGH_PEOPLE in html
    assert 'data-vega-spec="heatmap-spec"' in html
    for person in people:
        assert person.display_name not in html


def test_steward_sets_a_target_with_the_form(steward: Person, client_for: Callable[[Person], Client]) -> None:
    skill = Skill.objects.create(name="Kotlin", slug="kotlin")
    response = client_for(steward).post(
        "/insights/skills/strategic/",
        {"skill": skill.pk, "strategic": "on", "target_people": "6", "target_level": "4"},
    )
    assert response.status_code == 302
    skill.refresh_from_db()
    assert (skill.strategic, skill.target_people) == (True, 6)


def test_the_form_shows_what_is_wrong_next_to_the_field(
    steward: Person, client_for: Callable[[Person], Client]
) -> None:
    skill = Skill.objects.create(name="Kotlin", slug="kotlin")
    response = client_for(steward).post(
        "/insights/skills/strategic/",
        {"skill": skill.pk, "strategic": "on", "target_people": "", "target_level": "4"},
    )
    assert response.status_code == 400
    assert "Say how many people should reach the target level" in response.content.decode()
    assert 'value="4"' in response.content.decode() or "selected" in response.content.decode()
    skill.refresh_from_db()
    assert not skill.strategic


def test_members_outsiders_and_signed_out_visitors_are_refused(
    member: Person, outsider: Person, client_for: Callable[[Person], Client]
) -> None:
    skill = Skill.objects.create(name="Kotlin", slug="kotlin")
    for person in (member, outsider):
        client = client_for(person)
        assert client.get("/insights/skills/").status_code == 403
        assert client.get("/api/v1/insights/skills").status_code == 403
        assert (
            client.post("/insights/skills/strategic/", {"skill": skill.pk, "target_people": "3"}).status_code
            == 403
        )
        url = f"/api/v1/insights/skills/{skill.pk}/strategic"
        assert client.put(url, {"target_people": 3}, content_type="application/json").status_code == 403
    assert Client().get("/insights/skills/").status_code == 302
    assert Client().get("/api/v1/insights/skills").status_code == 401
    skill.refresh_from_db()
    assert not skill.strategic


def test_page_reads_a_constant_number_of_queries(
    python: Skill,
    rust: Skill,
    steward: Person,
    client_for: Callable[[Person], Client],
    django_assert_max_num_queries: Any,
) -> None:
    refresh_insights(only=["skills"])
    client = client_for(steward)
    client.get("/insights/skills/")
    with django_assert_max_num_queries(8):
        assert client.get("/insights/skills/").status_code == 200


def test_api_gives_the_stored_numbers_and_sets_targets(
    python: Skill, rust: Skill, steward: Person, client_for: Callable[[Person], Client]
) -> None:
    refresh_insights(only=["skills"])
    client = client_for(steward)
    body = client.get("/api/v1/insights/skills").json()
    assert body["computed"] is True
    assert body["data"] == InsightSnapshot.objects.get(kind="skills", key="").data
    url = f"/api/v1/insights/skills/{python.pk}/strategic"
    response = client.put(url, {"target_people": 2, "target_level": 5}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["target_level"] == 5
    bad = client.put(url, {"target_people": 0}, content_type="application/json")
    assert bad.status_code == 400
    python.refresh_from_db()
    assert python.target_people == 2
