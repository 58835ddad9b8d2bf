"""Dunning-Kruger analysis: the artefact is not mistaken for an effect, a real effect is found."""

from __future__ import annotations

import math

import numpy as np
import pytest

from practica.analysis.calibration import (
    MIN_PEOPLE,
    VERDICT_ARTEFACT,
    VERDICT_REAL_EFFECT,
    VERDICT_TOO_LITTLE_DATA,
    dunning_kruger,
)

ITEMS = 20


def knowledge_check(people: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Item scores (0/1) of a 20-item check, the totals and each person's true expected total."""
    rng = np.random.default_rng(seed)
    ability = rng.standard_normal(people)
    difficulty = rng.normal(0.0, 1.0, ITEMS)
    chance = 1.0 / (1.0 + np.exp(-(ability[:, None] - difficulty[None, :])))
    items = (rng.random((people, ITEMS)) < chance).astype(float)
    return items, items.sum(axis=1), chance.sum(axis=1)


def no_effect_population(seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Everyone overestimates by two points give or take noise, whatever their ability."""
    items, actual, _ = knowledge_check(300, seed)
    noise = np.random.default_rng(seed + 1000).normal(0.0, 2.5, len(actual))
    return actual, actual + 2.0 + noise, items


def real_effect_population(seed: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Low scorers overestimate far more, and more erratically, than the artefact can explain."""
    items, actual, _ = knowledge_check(300, seed)
    rng = np.random.default_rng(seed + 1000)
    shortfall = np.maximum(0.0, np.median(actual) + 3.0 - actual)
    noise_sd = np.where(actual < np.median(actual), 4.0, 1.5)
    return actual, actual + 2.0 + 0.8 * shortfall**1.5 + rng.normal(0.0, 1.0, len(actual)) * noise_sd, items


@pytest.mark.parametrize("with_items", [False, True])
def test_no_ability_dependent_bias_gives_no_evidence(with_items: bool) -> None:
    actual, self_estimate, items = no_effect_population()
    report = dunning_kruger(actual, self_estimate, seed=0, item_scores=items if with_items else None)
    assert report.verdict == VERDICT_ARTEFACT
    assert not any(test.supports_effect for test in report.tests)
    # The classic figure still shows the pattern: the bottom quartile overestimates most.
    bottom, *_, top = report.quartiles
    assert bottom.mean_self_percentile - bottom.mean_actual_percentile > 10
    assert bottom.mean_self_percentile - bottom.mean_actual_percentile > (
        top.mean_self_percentile - top.mean_actual_percentile
    )


@pytest.mark.parametrize("with_items", [False, True])
def test_low_scorers_overestimating_beyond_the_artefact_is_evidence(with_items: bool) -> None:
    actual, self_estimate, items = real_effect_population()
    report = dunning_kruger(actual, self_estimate, seed=0, item_scores=items if with_items else None)
    assert report.verdict == VERDICT_REAL_EFFECT
    assert report.quadratic.supports_effect
    assert report.quadratic.estimate > 0
    assert report.glejser.estimate < 0
    assert report.quartiles[0].mean_self_percentile > report.quartiles[0].null_upper
    if with_items:
        assert report.split_half.supports_effect


def test_the_null_model_follows_the_reliability_when_item_scores_are_given() -> None:
    # Self-estimates track true ability one-for-one (plus 2 points and noise): the null model built
    # from the split-half reliability should reproduce the figure within its band.
    items, actual, true_score = knowledge_check(400, seed=7)
    self_estimate = true_score + 2.0 + np.random.default_rng(8).normal(0.0, 3.0, len(actual))
    report = dunning_kruger(actual, self_estimate, seed=3, item_scores=items)
    assert report.verdict == VERDICT_ARTEFACT
    assert report.reliability_source.startswith("split-half")
    assert 0.6 < report.reliability < 0.95
    for row in report.quartiles:
        assert row.null_lower - 3 <= row.mean_self_percentile <= row.null_upper + 3


def test_fewer_people_than_the_threshold_is_too_little_data() -> None:
    rng = np.random.default_rng(0)
    actual = rng.integers(0, 20, MIN_PEOPLE - 1).astype(float)
    report = dunning_kruger(actual, actual + 5.0)
    assert report.verdict == VERDICT_TOO_LITTLE_DATA
    assert not any(test.available for test in report.tests)
    assert all(math.isnan(row.null_mean_self_percentile) for row in report.quartiles)


def test_identical_scores_are_too_little_data() -> None:
    report = dunning_kruger([10.0] * 30, list(range(30)))
    assert report.verdict == VERDICT_TOO_LITTLE_DATA


def test_quartile_table_by_hand() -> None:
    # actual 10, 20, 30, 40 -> mid-rank percentiles 12.5, 37.5, 62.5, 87.5, one person per quartile.
    # Self-estimated scores placed among the actual scores: 25 -> 2 below -> 50; 20 -> 1 below and
    # 1 equal -> (1 + 0.5) / 4 = 37.5; 100 -> 100; 0 -> 0. Mean overestimation 46.875 - 50.
    report = dunning_kruger([10, 20, 30, 40], [25, 20, 100, 0])
    rows = [(r.quartile, r.count, r.mean_actual_percentile, r.mean_self_percentile) for r in report.quartiles]
    assert rows == [(1, 1, 12.5, 50.0), (2, 1, 37.5, 37.5), (3, 1, 62.5, 100.0), (4, 1, 87.5, 0.0)]
    assert report.mean_overestimation == pytest.approx(-3.125)


def test_self_estimated_percentiles_are_used_as_given() -> None:
    report = dunning_kruger([10, 20, 30, 40], [60, 70, 80, 90], self_estimate_scale="percentile")
    assert [r.mean_self_percentile for r in report.quartiles] == [60, 70, 80, 90]


def test_twenty_people_in_quartiles_of_five() -> None:
    # actual 1..20: percentiles 2.5, 7.5, ..., 97.5; quartile 1 holds 2.5..22.5, mean 12.5.
    actual = np.arange(1.0, 21.0)
    report = dunning_kruger(actual, actual, simulations=50)
    assert [r.count for r in report.quartiles] == [5, 5, 5, 5]
    assert [r.mean_actual_percentile for r in report.quartiles] == pytest.approx([12.5, 37.5, 62.5, 87.5])
    assert [r.mean_self_percentile for r in report.quartiles] == pytest.approx([12.5, 37.5, 62.5, 87.5])
    assert report.mean_overestimation == pytest.approx(0.0)


def test_split_half_is_marked_not_available_without_item_scores() -> None:
    actual, self_estimate, _ = no_effect_population()
    report = dunning_kruger(actual, self_estimate)
    assert not report.split_half.available
    assert "item scores" in report.split_half.note
    assert math.isnan(report.split_half.p_value)


def test_same_seed_gives_the_same_report_and_another_seed_another_band() -> None:
    actual, self_estimate, items = no_effect_population()
    first = dunning_kruger(actual, self_estimate, seed=11, item_scores=items, simulations=200)
    again = dunning_kruger(actual, self_estimate, seed=11, item_scores=items, simulations=200)
    other = dunning_kruger(actual, self_estimate, seed=12, item_scores=items, simulations=200)
    assert repr(first) == repr(again)  # repr, because NaN != NaN would defeat ==
    assert first.quartiles != other.quartiles


def test_null_band_surrounds_the_null_mean_and_p_values_are_probabilities() -> None:
    actual, self_estimate, items = real_effect_population()
    report = dunning_kruger(actual, self_estimate, item_scores=items, simulations=300)
    for row in report.quartiles:
        assert row.null_lower <= row.null_mean_self_percentile <= row.null_upper
    for test in report.tests:
        assert 0.0 <= test.p_value <= 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"actual": [1, 2], "self_estimate": [1]}, "differ in length"),
        ({"actual": [1, math.nan], "self_estimate": [1, 2]}, "finite"),
        ({"actual": [1, 2], "self_estimate": [1, 2], "simulations": 0}, "simulations"),
        ({"actual": [1, 2], "self_estimate": [1, 2], "item_scores": [[1, 0]]}, "item_scores"),
        ({"actual": [1, 2], "self_estimate": [1, 2], "item_scores": [[1], [0]]}, "item_scores"),
        ({"actual": [1, 2], "self_estimate": [50, 120], "self_estimate_scale": "percentile"}, r"\[0, 100\]"),
        ({"actual": [1, 2], "self_estimate": [1, 2], "self_estimate_scale": "grade"}, "self_estimate_scale"),
    ],
)
def test_dunning_kruger_rejects_bad_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dunning_kruger(**kwargs)  # type: ignore[arg-type]
