"""Organisational learning indicators: each computed by hand on a small case, guarded, private left out.

Rows are made directly in the learning and calibration tables (their services belong to other apps and
these indicators only read the tables), with dates inside the current quarter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from practica.analysis.portfolio import quarter_key
from practica.calibration.models import CalibrationRecord, RecordSource
from practica.communities.models import Community
from practica.insights.indicators import (
    DEFINITIONS,
    action_follow_through,
    assumption_revisions,
    check_calibration,
    compute_indicators,
    experiment_learnings,
    forecast_calibration,
    insight_spread,
)
from practica.learning.models import (
    Action,
    ActionStatus,
    Assumption,
    AssumptionChange,
    AssumptionScope,
    Experiment,
    ExperimentStatus,
    Insight,
    InsightAdoption,
    MethodTemplate,
    Review,
)
from practica.people.models import Person, Team
from practica.people.services import team_create

pytestmark = pytest.mark.django_db

NOT_ENOUGH = "Not enough people to show this without identifying someone."


def now_key() -> str:
    return quarter_key(timezone.localdate())


def moment() -> Any:
    """A moment inside the current quarter (today, early morning)."""
    return timezone.now().replace(hour=1, minute=0, second=0, microsecond=0)


@pytest.fixture
def teams(team: Team) -> list[Team]:
    return [team, team_create(name="Checkout"), team_create(name="Search")]


@pytest.fixture
def template() -> MethodTemplate:
    return MethodTemplate.objects.create(slug="retro", name="Retro", method="agile")


def test_an_empty_organisation_has_no_data_for_any_indicator() -> None:
    data = compute_indicators()
    assert len(data["quarters"]) == 8
    assert [item["key"] for item in data["indicators"]] == list(DEFINITIONS)
    for item in data["indicators"]:
        assert item["has_data"] is False
        assert item["definition"]
        assert all(point["value"] is None for point in item["series"])


def test_insight_spread_counts_adoptions_by_other_teams_only(teams: list[Team], owner: Person) -> None:
    origin, checkout, search = teams
    spread = Insight.objects.create(title="Pair on incidents", team=origin, author=owner, created_at=moment())
    Insight.objects.create(title="Smaller PRs", team=origin, author=owner, created_at=moment())
    kept = Insight.objects.create(title="Retro every sprint", team=origin, author=owner, created_at=moment())
    InsightAdoption.objects.create(insight=spread, team=checkout)
    InsightAdoption.objects.create(insight=spread, team=search)
    InsightAdoption.objects.create(insight=kept, team=origin)  # its own team: not spread
    result = insight_spread(now_key())
    assert result["count"] == 3
    assert result["value"] == pytest.approx(33.3)  # 1 of 3 insights adopted elsewhere
    assert result["detail"].startswith("1 of 3 insights adopted by another team")
    assert "0.67 adoptions per insight" in result["detail"]  # 2 adoptions elsewhere / 3 insights


def test_experiment_learnings_count_concluded_experiments_with_a_learning_card(teams: list[Team]) -> None:
    for number, learning in enumerate(["We learned that users skip the tour.", "", "Pricing page confuses."]):
        Experiment.objects.create(
            title=f"Experiment {number}", team=teams[0], hypothesis="h", method="m", metric="x",
            success_criterion="c", status=ExperimentStatus.CONCLUDED, concluded_at=moment(),
            learning=learning,
        )  # fmt: skip
    Experiment.objects.create(
        title="Still running", team=teams[0], hypothesis="h", method="m", metric="x", success_criterion="c",
        status=ExperimentStatus.RUNNING,
    )  # fmt: skip
    result = experiment_learnings(now_key())
    assert result["value"] == 2 and result["count"] == 3


def _forecasters(make_person: Callable[..., Person], count: int) -> list[Person]:
    return [make_person(f"forecaster{number}") for number in range(count)]


def _record(person: Person, source: str, number: int, **fields: Any) -> CalibrationRecord:
    return CalibrationRecord.objects.create(
        person=person, source=source, source_id=number, summary="judged", resolved_at=moment(), **fields
    )


def test_forecast_calibration_is_withheld_below_five_forecasters(make_person: Callable[..., Person]) -> None:
    for number, person in enumerate(_forecasters(make_person, 4)):
        _record(person, RecordSource.FORECAST, number, probability=0.8, fraction=1.0, mark=0)
    result = forecast_calibration(now_key())
    assert result["value"] is None
    assert result["withheld"] == NOT_ENOUGH
    assert result["count"] == 0  # four people are not a step: none of their forecasts is counted yet


def test_calibration_moves_in_steps_of_enough_people(make_person: Callable[..., Person]) -> None:
    from datetime import timedelta

    people = _forecasters(make_person, 9)
    for number, person in enumerate(people[:5]):
        _record(person, RecordSource.CHECK_ITEM, number, certainty=3, fraction=1.0, mark=3)
    assert check_calibration(now_key())["value"] == 3
    # One more person's answers, however many, do not move the figure: watching it reveals nothing.
    for number in range(3):
        record = _record(people[5], RecordSource.CHECK_ITEM, 10 + number, certainty=3, fraction=0.0, mark=-6)
        CalibrationRecord.objects.filter(pk=record.pk).update(resolved_at=moment() + timedelta(minutes=1))
    assert check_calibration(now_key()) == {
        "value": 3, "count": 5, "people": 5, "withheld": "", "detail": "5 judgements by 5 people"
    }  # fmt: skip
    for number, person in enumerate(people[6:]):
        record = _record(person, RecordSource.CHECK_ITEM, 20 + number, certainty=1, fraction=1.0, mark=1)
        CalibrationRecord.objects.filter(pk=record.pk).update(resolved_at=moment() + timedelta(minutes=2))
    # Four new people (people[5] to people[8]) are still one short of a step of five.
    assert check_calibration(now_key())["people"] == 5


def test_forecast_calibration_is_the_mean_brier_score_of_the_organisation(
    make_person: Callable[..., Person],
) -> None:
    people = _forecasters(make_person, 5)
    # Brier: (0.8-1)^2 = 0.04 for three forecasts, (0.3-0)^2 = 0.09 for two -> (0.12 + 0.18) / 5 = 0.06.
    for number, person in enumerate(people):
        if number < 3:
            _record(person, RecordSource.FORECAST, number, probability=0.8, fraction=1.0, mark=0)
        else:
            _record(person, RecordSource.FORECAST, number, probability=0.3, fraction=0.0, mark=0)
    result = forecast_calibration(now_key())
    assert result["value"] == pytest.approx(0.06)
    assert result["people"] == 5 and result["withheld"] == ""


def test_check_calibration_is_the_mean_cbm_mark_and_is_guarded(make_person: Callable[..., Person]) -> None:
    people = _forecasters(make_person, 5)
    marks = [3, 3, 2, -6, 1]
    for number, (person, mark) in enumerate(zip(people, marks, strict=True)):
        _record(
            person, RecordSource.CHECK_ITEM, number, certainty=3, fraction=1.0 if mark > 0 else 0.0, mark=mark
        )
    assert check_calibration(now_key())["value"] == pytest.approx(0.6)
    CalibrationRecord.objects.filter(person=people[0]).delete()
    assert check_calibration(now_key())["withheld"] == NOT_ENOUGH


def test_private_communities_are_left_out_of_calibration(
    make_person: Callable[..., Person], private: Community
) -> None:
    for number, person in enumerate(_forecasters(make_person, 5)):
        _record(
            person, RecordSource.FORECAST, number, probability=0.9, fraction=1.0, mark=0, community=private
        )
    assert forecast_calibration(now_key())["count"] == 0


def test_assumption_revisions_leave_personal_assumptions_out(teams: list[Team], owner: Person) -> None:
    team_belief = Assumption.objects.create(
        statement="Customers read release notes", owner=owner, team=teams[0], confidence=0.7
    )
    personal = Assumption.objects.create(
        statement="I work best at night", owner=owner, scope=AssumptionScope.PERSONAL, confidence=0.6
    )
    for assumption, to_status in ((team_belief, "refuted"), (team_belief, "revised"), (personal, "refuted")):
        AssumptionChange.objects.create(
            assumption=assumption, from_status="untested", to_status=to_status, from_confidence=0.7,
            to_confidence=0.2, note="The experiment said otherwise", created_at=moment(),
        )  # fmt: skip
    result = assumption_revisions(now_key())
    assert result["value"] == 2
    assert result["detail"] == "1 refuted, 1 revised"


def test_action_follow_through_counts_actions_done_by_the_follow_up(
    teams: list[Team], template: MethodTemplate
) -> None:
    first = Review.objects.create(
        title="Sprint 1", template=template, team=teams[0], held_at=moment() - timedelta(hours=5)
    )
    follow_up = Review.objects.create(title="Sprint 2", template=template, team=teams[0], held_at=moment())
    Action.objects.create(
        review=first, title="Fix flaky test", status=ActionStatus.DONE,
        done_at=moment() - timedelta(hours=1), followed_up_in=follow_up,
    )  # fmt: skip
    Action.objects.create(
        review=first, title="Done too late", status=ActionStatus.DONE,
        done_at=moment() + timedelta(hours=1), followed_up_in=follow_up,
    )  # fmt: skip
    Action.objects.create(review=first, title="Still open", followed_up_in=follow_up)
    Action.objects.create(review=first, title="Not followed up yet")
    result = action_follow_through(now_key())
    assert result["count"] == 3
    assert result["value"] == pytest.approx(33.3)


def test_the_panel_marks_indicators_with_data(make_person: Callable[..., Person]) -> None:
    for number, person in enumerate(_forecasters(make_person, 5)):
        _record(person, RecordSource.FORECAST, number, probability=0.5, fraction=1.0, mark=0)
    data = compute_indicators()
    forecast = next(item for item in data["indicators"] if item["key"] == "forecast_calibration")
    assert forecast["has_data"] is True
    assert forecast["series"][-1]["value"] == pytest.approx(0.25)
    assert forecast["series"][-1]["quarter"] == now_key()
