"""Core March (1991) model: contract, determinism, stopping rule and Figure 1's shape."""

from __future__ import annotations

import statistics

import numpy as np
import pytest

from practica.simulation.march import MarchParams, generators_for, run, run_many

SMALL = MarchParams(m=12, n=10, p1=0.5, p2=0.5)


@pytest.mark.parametrize(
    ("changes", "parameter"),
    [
        ({"p1": 1.5}, "p1"),
        ({"p2": -0.1}, "p2"),
        ({"p3": 2.0}, "p3"),
        ({"p4": -1.0}, "p4"),
        ({"m": 0}, "m"),
        ({"n": 0}, "n"),
        ({"max_periods": 0}, "max_periods"),
        ({"groups": ((5, 0.9), (4, 0.1))}, "groups"),
        ({"groups": ((5, 0.9), (5, 1.1))}, "groups"),
        ({"communities": 3}, "communities"),
        ({"bundle_size": 5}, "bundle_size"),
        ({"select_on": "luck"}, "select_on"),
    ],
)
def test_invalid_params_raise_value_error_naming_the_parameter(changes: dict, parameter: str) -> None:
    with pytest.raises(ValueError, match=parameter):
        MarchParams(**{**SMALL.to_dict(), "groups": None, **changes})


def test_defaults_are_marchs() -> None:
    params = MarchParams()
    assert (params.m, params.n, params.p3, params.p4, params.max_periods) == (30, 50, 0.0, 0.0, 10_000)
    assert params.stops_at_equilibrium


def test_same_seed_gives_the_same_run() -> None:
    assert run(SMALL, 7) == run(SMALL, 7)
    assert run(SMALL, np.random.SeedSequence(7)) == run(SMALL, 7)


def test_different_seeds_give_different_runs() -> None:
    results = {run(SMALL, seed).periods for seed in range(8)}
    assert len(results) > 1


def test_run_many_does_not_depend_on_batching() -> None:
    batch = run_many(SMALL, 6, seed=3)
    alone = [run(SMALL, generator) for generator in generators_for(3, 6)]
    assert batch == alone


def test_run_many_gives_the_same_results_with_two_workers() -> None:
    assert run_many(SMALL, 6, seed=3, workers=1) == run_many(SMALL, 6, seed=3, workers=2)


def test_equilibrium_means_every_belief_equals_a_code_without_unknowns() -> None:
    # Stopping rule (p3 = p4 = 0): beliefs all equal the code and no one can beat it even by luck,
    # which leaves no 0 in the code; so code and individual measures coincide.
    for result in run_many(MarchParams(m=20, n=20, p1=0.3, p2=0.7), 20, seed=11):
        assert not result.hit_cap
        assert result.individual_knowledge == pytest.approx(result.code_knowledge)
        assert result.individual_score == pytest.approx(result.code_score)
        assert result.code_score == pytest.approx(2 * result.code_knowledge - 1)


def test_safety_cap_is_flagged() -> None:
    result = run(MarchParams(m=30, n=50, p1=0.01, p2=0.01, max_periods=3), 1)
    assert result.hit_cap
    assert result.periods == 3


def test_without_learning_the_code_stays_empty() -> None:
    result = run(MarchParams(m=10, n=10, p1=0.0, p2=0.0, max_periods=5), 2)
    assert result.code_score == 0.0
    assert result.code_knowledge == 0.0
    assert result.hit_cap


def test_turnover_runs_a_fixed_number_of_periods_and_records_the_series() -> None:
    params = MarchParams(m=10, n=10, p1=0.5, p2=0.5, p3=0.1, periods=25, record_series=True)
    result = run(params, 4)
    assert result.periods == 25
    assert not result.hit_cap
    assert result.series is not None
    assert result.series.code_score.shape == (25,)
    assert result.series.code_score[-1] == pytest.approx(result.code_score)
    assert np.all((result.series.code_knowledge >= 0) & (result.series.code_knowledge <= 1))


def test_series_of_a_stopping_run_ends_at_its_equilibrium() -> None:
    results = run_many(MarchParams(m=10, n=10, p1=0.5, p2=0.5, record_series=True), 5, seed=9)
    for result in results:
        assert result.series is not None
        assert len(result.series.individual_knowledge) == result.periods
        assert result.series.individual_knowledge[-1] == pytest.approx(result.individual_knowledge)


def test_mixed_learners_report_measures_per_group() -> None:
    params = MarchParams(m=10, n=10, p2=0.5, p3=0.05, periods=20, groups=((6, 0.9), (4, 0.1)))
    result = run(params, 5)
    assert result.groups is not None
    assert [(group.count, group.p1) for group in result.groups] == [(6, 0.9), (4, 0.1)]
    weighted = sum(group.count * group.individual_knowledge for group in result.groups) / 10
    assert weighted == pytest.approx(result.individual_knowledge)


def test_slow_socialisation_beats_fast_as_in_marchs_figure_1() -> None:
    slow = run_many(MarchParams(m=30, n=50, p1=0.1, p2=0.5), 40, seed=1)
    fast = run_many(MarchParams(m=30, n=50, p1=0.9, p2=0.5), 40, seed=1)
    slow_knowledge = statistics.fmean(result.code_knowledge for result in slow)
    fast_knowledge = statistics.fmean(result.code_knowledge for result in fast)
    assert slow_knowledge > fast_knowledge + 0.05
    assert statistics.fmean(r.periods for r in slow) > statistics.fmean(r.periods for r in fast)


def test_measures_stay_in_their_ranges() -> None:
    for result in run_many(MarchParams(m=8, n=6, p1=0.9, p2=0.9, p4=0.05, periods=30), 5, seed=2):
        assert -1 <= result.code_score <= 1
        assert 0 <= result.code_knowledge <= 1
        assert 0 <= result.individual_knowledge <= 1
