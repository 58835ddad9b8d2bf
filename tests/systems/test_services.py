"""Creating, running and re-running lab runs: validation, permission, reproducibility, failures."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from practica.core.errors import ApplicationError
from practica.people.models import Person
from practica.systems.models import RunStatus, SimulationRun
from practica.systems.services import simulation_run_create, simulation_run_rerun
from practica.systems.tasks import execute_run
from tests.systems.conftest import SMALL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


def test_steward_runs_fast_vs_slow_socialisation_to_the_end(steward: Person) -> None:
    run = simulation_run_create(
        actor=steward, preset="socialisation", parameters={**SMALL, "values": "0.1, 0.9"}, seed=7
    )
    assert run.status == RunStatus.DONE and run.progress == 1.0 and run.error == ""
    assert run.task_id and run.started_at and run.finished_at
    assert run.title == "Fast vs slow socialisation (p1 = 0.1, 0.9)"
    assert run.parameters["sweep"] == {"parameter": "p1", "values": [0.1, 0.9]}
    assert run.parameters["runs"] == 4
    assert [point["params"]["p1"] for point in run.parameters["points"]] == [0.1, 0.9]
    assert all(point["params"]["m"] == 10 for point in run.parameters["points"])
    assert [result["label"] for result in run.results] == ["p1 = 0.1", "p1 = 0.9"]
    for result in run.results:
        assert result["runs"] == 4
        assert 0 <= result["mean_code_knowledge"] <= 1 and result["sd_code_knowledge"] >= 0
        series = result["series"]
        assert len(series["period"]) == len(series["code_knowledge"]) == len(series["individual_knowledge"])
    # Every line has the same length: a run that stopped early keeps its final state.
    assert len({len(result["series"]["period"]) for result in run.results}) == 1
    assert run.verdict["outcome"] in {"agrees", "partly", "unclear", "does_not_agree"}
    assert run.verdict["summary"]


def test_the_same_settings_and_seed_give_identical_results_when_run_again(
    steward: Person, admin: Person
) -> None:
    first = simulation_run_create(
        actor=steward, preset="trust", parameters={**SMALL, "values": [0, 1]}, seed=3
    )
    again = simulation_run_rerun(actor=admin, run=first)
    assert again.pk != first.pk and again.rerun_of == first and again.owner == admin
    assert again.seed == first.seed and again.parameters == first.parameters
    assert again.results == first.results and again.verdict == first.verdict


def test_a_different_seed_gives_different_luck(steward: Person) -> None:
    parameters = {**SMALL, "values": [0.5]}
    one = simulation_run_create(actor=steward, preset="socialisation", parameters=parameters, seed=1)
    two = simulation_run_create(actor=steward, preset="socialisation", parameters=parameters, seed=2)
    assert one.results[0]["series"] != two.results[0]["series"]


def test_without_a_seed_a_random_one_is_stored(steward: Person) -> None:
    run = simulation_run_create(actor=steward, preset="turbulence", parameters={**SMALL, "periods": 10})
    assert isinstance(run.seed, int) and run.status == RunStatus.DONE


def test_mixed_learners_report_each_group(steward: Person) -> None:
    run = simulation_run_create(
        actor=steward, preset="mixed-learners", parameters={**SMALL, "fast_count": 5}, seed=1
    )
    by_x = {result["x"]: result for result in run.results}
    assert set(by_x) == {"all_fast", "mixed", "all_slow"}
    assert [group["count"] for group in by_x["mixed"]["groups"]] == [5, 5]


def test_a_member_cannot_start_a_run(member: Person) -> None:
    with pytest.raises(PermissionDenied, match="stewards and admins"):
        simulation_run_create(actor=member, preset="socialisation", parameters=SMALL, seed=1)
    assert not SimulationRun.objects.exists()


def test_a_member_cannot_run_one_again(steward: Person, member: Person) -> None:
    run = simulation_run_create(actor=steward, preset="socialisation", parameters=SMALL, seed=1)
    with pytest.raises(PermissionDenied):
        simulation_run_rerun(actor=member, run=run)
    assert SimulationRun.objects.count() == 1


@pytest.mark.parametrize(
    ("preset", "parameters", "field", "words"),
    [
        ("socialisation", {"p2": 1.5}, "p2", "p2 (code learning rate) must be from 0 to 1, got 1.5"),
        ("socialisation", {"p2": "fast"}, "p2", "p2 (code learning rate) must be a number"),
        ("socialisation", {"m": 10.5}, "m", "m (things to know) must be a whole number"),
        ("socialisation", {"runs": 500}, "runs", "runs must be from 1 to 200 (whole numbers), got 500"),
        (
            "socialisation",
            {"values": "0.1, 2"},
            "values",
            "values: p1 (socialisation rate) must be from 0 to 1",
        ),
        ("socialisation", {"values": ""}, "values", "values: give the values of p1"),
        ("socialisation", {"values": [i / 10 for i in range(11)]}, "values", "at most 9 values of p1"),
        ("socialisation", {"p3": 0.1}, "p3", "p3: not a setting of “Fast vs slow socialisation”"),
        (
            "communities",
            {"n": 12, "communities": 5},
            "communities",
            "n=12 cannot be split into 5 equal groups",
        ),
        ("mixed-learners", {"n": 10, "fast_count": 10}, "fast_count", "between 1 and n - 1 = 9"),
        ("nonsense", {}, "preset", "'nonsense' is not a preset"),
    ],
)
def test_bad_input_names_the_parameter_and_creates_nothing(
    steward: Person, preset: str, parameters: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ApplicationError) as caught:
        simulation_run_create(actor=steward, preset=preset, parameters={**SMALL, **parameters}, seed=1)
    assert caught.value.field == field
    assert words in caught.value.message
    assert "\n" not in caught.value.message
    assert not SimulationRun.objects.exists()


def test_a_bad_seed_is_refused(steward: Person) -> None:
    with pytest.raises(ApplicationError, match="seed must be a whole number") as caught:
        simulation_run_create(actor=steward, preset="socialisation", parameters=SMALL, seed=-1)
    assert caught.value.field == "seed"
    assert not SimulationRun.objects.exists()


def _stored_run(owner: Person, **fields: Any) -> SimulationRun:
    """A queued run written directly, to test the task's edge cases without the service's checks."""
    parameters = {
        "runs": 2, "settings": {}, "sweep": None, "lines": [],
        "points": [{"label": "broken", "x": 0.1, "line": None, "params": {"m": 10, "n": 10, "p1": 7.0}}],
    }  # fmt: skip
    return SimulationRun.objects.create(
        owner=owner, preset="socialisation", title="t", parameters=parameters, seed=1, **fields
    )


def test_a_failing_run_is_marked_failed_with_the_error(steward: Person) -> None:
    run = _stored_run(steward)
    with pytest.raises(ValueError, match="p1 must be in"):
        execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "p1 must be in [0, 1]" in run.error and run.finished_at is not None


def test_a_finished_run_is_not_run_twice(steward: Person) -> None:
    run = _stored_run(steward, status=RunStatus.DONE)
    assert execute_run(run.pk) == "skipped"
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.error == ""
