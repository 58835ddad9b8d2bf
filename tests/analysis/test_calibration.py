"""Certainty-based marking and forecast scores: hand-computed cases, input checks and invariants."""

from __future__ import annotations

import math
import random
from dataclasses import astuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from practica.analysis.calibration import (
    CERTAINTY_2_THRESHOLD,
    CERTAINTY_3_THRESHOLD,
    BrierDecomposition,
    brier_decomposition,
    brier_score,
    brier_skill_score,
    calibration_curve,
    cbm_mark,
    cbm_summary,
    expected_calibration_error,
    expected_cbm_mark,
    log_score,
    maximum_calibration_error,
    optimal_certainty,
    wilson_interval,
)

PROPERTY = settings(max_examples=60, deadline=None)

probability = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
# Few distinct values so that bins by distinct forecast hold several forecasts each.
coarse_probability = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.7, 0.9, 1.0])
forecast_records = st.lists(
    st.tuples(st.one_of(probability, coarse_probability), st.integers(0, 1)), min_size=1, max_size=40
)


def split(records: list[tuple[float, int]]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([p for p, _ in records], dtype=float), np.array([o for _, o in records], dtype=float)


# ---------------------------------------------------------------------------------------------------
# Certainty-based marking
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fraction", "certainty", "expected"),
    [
        (1.0, 1, 1.0),
        (1.0, 2, 2.0),
        (1.0, 3, 3.0),
        (0.0, 1, 0.0),
        (0.0, 2, -2.0),
        (0.0, 3, -6.0),
        (0.5, 2, 1.0),  # partial credit: right[2] * 0.5 = 2 * 0.5
        (0.25, 3, 0.75),  # 3 * 0.25
        (1.0, None, 1.0),  # no certainty counts as C=1
        (0.0, 0, 0.0),  # 0 also means no certainty: wrong[1] = 0
        (math.nan, 3, 0.0),  # not answered: mark 0 whatever the certainty
        (None, None, 0.0),
    ],
)
def test_cbm_mark_follows_the_gardner_medwin_table(
    fraction: float | None, certainty: int | None, expected: float
) -> None:
    assert cbm_mark(fraction, certainty) == expected


@pytest.mark.parametrize(("fraction", "certainty"), [(1.2, 1), (-0.1, 2), (1.0, 4), (1.0, -1), (1.0, 2.5)])
def test_cbm_mark_rejects_out_of_range_input(fraction: float, certainty: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        cbm_mark(fraction, certainty)


def test_cbm_mark_rejects_a_certainty_that_is_not_a_number() -> None:
    with pytest.raises(ValueError, match="certainty"):
        cbm_mark(1.0, "high")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.0, 1),
        (0.66, 1),
        (CERTAINTY_2_THRESHOLD, 2),
        (0.75, 2),
        (CERTAINTY_3_THRESHOLD, 2),
        (0.81, 3),
        (1.0, 3),
    ],
)
def test_optimal_certainty_uses_the_published_thresholds(p: float, expected: int) -> None:
    assert optimal_certainty(p) == expected


def test_expected_marks_are_p_and_4p_minus_2_and_9p_minus_6() -> None:
    # p = 0.5: 0.5, 4 * 0.5 - 2 = 0, 9 * 0.5 - 6 = -1.5
    assert [expected_cbm_mark(0.5, c) for c in (1, 2, 3)] == [0.5, 0.0, -1.5]


@PROPERTY
@given(probability)
def test_honest_certainty_maximises_the_expected_mark(p: float) -> None:
    best = max(expected_cbm_mark(p, c) for c in (1, 2, 3))
    assert expected_cbm_mark(p, optimal_certainty(p)) >= best - 1e-12


def test_cbm_summary_of_a_small_attempt() -> None:
    # marks: 3, 3, -6, 1, 0 (not answered) -> average 1 / 5 = 0.2; accuracy 3 / 5 = 0.6
    # best fixed certainty at 0.6: max(0.6, 4*0.6-2 = 0.4, 9*0.6-6 = -0.6) = 0.6 -> bonus 0.1*(0.2-0.6)
    summary = cbm_summary([1, 1, 0, 1, None], [3, 3, 3, 1, None])
    assert summary.accuracy == pytest.approx(0.6)
    assert summary.average_mark == pytest.approx(0.2)
    assert summary.bonus == pytest.approx(-0.04)
    assert summary.unanswered == 1
    c1, c2, c3 = summary.levels
    # C1: 1 of 1 right, band [0, 2/3): above by 1/3, (1/3)^2 * 1 = 0.11 <= 0.5
    assert (c1.certainty, c1.count, c1.share_correct, c1.judgement) == (1, 1, 1.0, "slightly under-confident")
    assert (c2.certainty, c2.count, c2.judgement) == (2, 0, "no answers")
    assert math.isnan(c2.share_correct)
    # C3: 2 of 3 right, band (0.8, 1]: below by 0.8 - 2/3 = 0.133, 0.133^2 * 3 = 0.053 <= 0.5
    assert (c3.count, c3.share_correct, c3.judgement) == (3, pytest.approx(2 / 3), "slightly over-confident")


def test_cbm_summary_judges_clear_miscalibration_without_slightly() -> None:
    # C3: 5 of 10 right, 0.3 below the band: 0.09 * 10 = 0.9 > 0.5
    # C1: 10 of 10 right, 1/3 above the band: (1/9) * 10 = 1.11 > 0.5
    fractions = [1] * 5 + [0] * 5 + [1] * 10
    certainties = [3] * 10 + [1] * 10
    c1, _, c3 = cbm_summary(fractions, certainties).levels
    assert c3.judgement == "over-confident"
    assert c1.judgement == "under-confident"


@pytest.mark.parametrize(
    ("fractions", "certainty", "judgement"),
    [
        ([1, 1, 1, 1, 0], 2, "well calibrated"),  # 4/5 = 0.8 is inside C2's closed band
        ([1, 1, 0], 2, "well calibrated"),  # 2/3 is inside C2's band
        ([1, 0, 0], 1, "well calibrated"),  # 1/3 is inside [0, 2/3)
        ([1, 1, 0], 1, "slightly under-confident"),  # 2/3 is outside C1's half-open band
        ([1, 1, 1, 1, 0], 3, "slightly over-confident"),  # 0.8 is outside C3's band (0.8, 1]
        ([1] * 5, 3, "well calibrated"),
    ],
)
def test_cbm_level_band_edges(fractions: list[int], certainty: int, judgement: str) -> None:
    level = cbm_summary(fractions, [certainty] * len(fractions)).levels[certainty - 1]
    assert level.judgement == judgement


def test_cbm_summary_uses_weights() -> None:
    # marks 2 and -2 with weights 3 and 1: average (6 - 2) / 4 = 1; accuracy 3 / 4
    # best fixed at 0.75: max(0.75, 4*0.75-2 = 1, 9*0.75-6 = 0.75) = 1 -> bonus 0
    summary = cbm_summary([1, 0], [2, 2], weights=[3, 1])
    assert summary.accuracy == pytest.approx(0.75)
    assert summary.average_mark == pytest.approx(1.0)
    assert summary.bonus == pytest.approx(0.0)
    assert summary.levels[1].share_correct == pytest.approx(0.75)


def test_cbm_summary_treats_partial_credit_and_missing_certainty() -> None:
    # 0.5 at C3 -> 1.5; right without certainty (None, 0) -> C1 -> 1 each; average 3.5 / 3
    summary = cbm_summary([0.5, 1, 1], [3, None, 0])
    assert summary.average_mark == pytest.approx(3.5 / 3)
    assert summary.accuracy == pytest.approx(2.5 / 3)
    assert summary.levels[0].count == 2
    assert summary.levels[2].share_correct == 0.5


@pytest.mark.parametrize(
    ("fractions", "certainties", "weights", "message"),
    [
        ([1, 0], [1], None, "differ in length"),
        ([], [], None, "at least one item"),
        ([1.5], [1], None, "fraction"),
        ([1], [4], None, "certainty"),
        ([1, 0], [1, 1], [1], "weights has length"),
        ([1, 0], [1, 1], [1, -1], "non-negative"),
        ([1, 0], [1, 1], [0, 0], "not all be zero"),
    ],
)
def test_cbm_summary_rejects_bad_input(
    fractions: list[float], certainties: list[int], weights: list[float] | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        cbm_summary(fractions, certainties, weights)


@PROPERTY
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), probability), st.sampled_from([None, 0, 1, 2, 3])),
        min_size=1,
        max_size=20,
    ),
    st.randoms(use_true_random=False),
)
def test_cbm_summary_ignores_item_order(
    items: list[tuple[float | None, int | None]], rng: random.Random
) -> None:
    shuffled = list(items)
    rng.shuffle(shuffled)
    before = cbm_summary([f for f, _ in items], [c for _, c in items])
    after = cbm_summary([f for f, _ in shuffled], [c for _, c in shuffled])
    assert after.accuracy == pytest.approx(before.accuracy)
    assert after.average_mark == pytest.approx(before.average_mark)
    assert after.bonus == pytest.approx(before.bonus)
    assert [lv.judgement for lv in after.levels] == [lv.judgement for lv in before.levels]


# ---------------------------------------------------------------------------------------------------
# Probability forecasts
# ---------------------------------------------------------------------------------------------------


def test_brier_score_and_skill_by_hand() -> None:
    # (0.8-1)^2 + (0.3-0)^2 + (0.5-1)^2 = 0.04 + 0.09 + 0.25 = 0.38 -> BS = 0.38 / 3
    # obar = 2/3, obar (1 - obar) = 2/9 -> BSS = 1 - (0.38/3) / (2/9) = 1 - 0.57 = 0.43
    assert brier_score([0.8, 0.3, 0.5], [1, 0, 1]) == pytest.approx(0.38 / 3)
    assert brier_skill_score([0.8, 0.3, 0.5], [1, 0, 1]) == pytest.approx(0.43)


def test_brier_skill_score_is_undefined_when_all_outcomes_agree() -> None:
    assert math.isnan(brier_skill_score([0.2, 0.9], [1, 1]))


def test_brier_decomposition_by_distinct_forecasts_by_hand() -> None:
    # p = 0.1 (outcomes 0, 1) and p = 0.9 (outcomes 1, 1); obar = 0.75, UNC = 0.75 * 0.25 = 0.1875
    # REL = (2 (0.1-0.5)^2 + 2 (0.9-1)^2) / 4 = (0.32 + 0.02) / 4 = 0.085
    # RES = (2 (0.5-0.75)^2 + 2 (1-0.75)^2) / 4 = 0.25 / 4 = 0.0625
    # BS = (0.01 + 0.81 + 0.01 + 0.01) / 4 = 0.21 = 0.085 - 0.0625 + 0.1875
    parts = brier_decomposition([0.1, 0.1, 0.9, 0.9], [0, 1, 1, 1], bins=None)
    assert parts.reliability == pytest.approx(0.085)
    assert parts.resolution == pytest.approx(0.0625)
    assert parts.uncertainty == pytest.approx(0.1875)
    assert parts.remainder == pytest.approx(0.0, abs=1e-15)
    assert parts.brier == pytest.approx(0.21)


def test_brier_decomposition_reports_the_within_bin_remainder() -> None:
    # Two bins: 0.1 and 0.2 share bin [0, 0.5): pbar 0.15, obar_k 0.5 -> REL = 0.35^2 = 0.1225
    # obar = 0.5 -> RES = 0, UNC = 0.25; BS = (0.01 + 0.64) / 2 = 0.325
    # remainder = 0.325 - (0.1225 - 0 + 0.25) = -0.0475
    parts = brier_decomposition([0.1, 0.2], [0, 1], bins=2)
    assert parts == BrierDecomposition(
        pytest.approx(0.1225), pytest.approx(0.0), pytest.approx(0.25), pytest.approx(-0.0475)
    )


def test_ece_and_mce_by_hand() -> None:
    p, o = [0.1, 0.2, 0.85, 0.95], [0, 1, 1, 0]
    # ten bins, one forecast each: gaps 0.1, 0.8, 0.15, 0.95 -> ECE 2.0 / 4, MCE 0.95
    assert expected_calibration_error(p, o) == pytest.approx(0.5)
    assert maximum_calibration_error(p, o) == pytest.approx(0.95)
    # two bins: |0.5 - 0.15| = 0.35 and |0.5 - 0.9| = 0.4 -> ECE 0.375, MCE 0.4
    assert expected_calibration_error(p, o, bins=2) == pytest.approx(0.375)
    assert maximum_calibration_error(p, o, bins=2) == pytest.approx(0.4)


def test_log_score_by_hand_and_clipped() -> None:
    # -(ln 0.8 + ln 0.7) / 2 = (0.223144 + 0.356675) / 2
    assert log_score([0.8, 0.3], [1, 0]) == pytest.approx(0.2899092, rel=1e-6)
    # a certain forecast that went wrong costs -ln(1e-6) = 13.8155, not infinity
    assert log_score([0.0], [1]) == pytest.approx(13.815511, rel=1e-6)


def test_wilson_interval_by_hand() -> None:
    # 5/10: centre 0.5, half width z / (1 + z^2/n) * sqrt(0.025 + z^2/400) = 0.26342
    assert wilson_interval(5, 10) == pytest.approx((0.236593, 0.763407), abs=1e-6)
    # 0/10: lower 0, upper z^2/n / (1 + z^2/n) = 0.38415 / 1.38415 = 0.27753
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.277533), abs=1e-6)
    assert wilson_interval(10, 10)[1] == 1.0


@pytest.mark.parametrize(("successes", "n", "z"), [(1, 0, 1.96), (-1, 5, 1.96), (6, 5, 1.96), (1, 5, 0.0)])
def test_wilson_interval_rejects_bad_input(successes: int, n: int, z: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        wilson_interval(successes, n, z)


def test_calibration_curve_by_hand() -> None:
    # 0.1 and 0.15 both in bin [0.1, 0.2): mean 0.125, 1 of 2 happened; 0.9 alone in the last bin
    curve = calibration_curve([0.1, 0.15, 0.9], [0, 1, 1])
    assert [(b.mean_forecast, b.observed_frequency, b.count) for b in curve] == [
        (pytest.approx(0.125), 0.5, 2),
        (0.9, 1.0, 1),
    ]
    assert (curve[0].lower, curve[0].upper) == wilson_interval(1, 2)
    assert curve[1].upper == 1.0


def test_binning_puts_one_in_the_last_bin_and_point_seven_in_bin_seven() -> None:
    assert [b.count for b in calibration_curve([0.7, 0.75, 0.9, 1.0], [1, 1, 1, 1])] == [2, 2]


@pytest.mark.parametrize(
    ("p", "o", "message"),
    [
        ([0.5, 1.1], [0, 1], "probabilities"),
        ([0.5, -0.1], [0, 1], "probabilities"),
        ([0.5, math.nan], [0, 1], "probabilities"),
        ([0.5, 0.5], [0, 2], "0 or 1"),
        ([0.5, 0.5], [0, 0.5], "0 or 1"),
        ([0.5], [0, 1], "differ in length"),
        ([], [], "at least one"),
        ([[0.5]], [[1]], "one-dimensional"),
    ],
)
def test_forecast_scores_reject_bad_input(p: list[float], o: list[float], message: str) -> None:
    for score in (brier_score, brier_skill_score, log_score, expected_calibration_error, calibration_curve):
        with pytest.raises(ValueError, match=message):
            score(p, o)


@pytest.mark.parametrize("bins", [0, -3, 2.5, True])
def test_binned_scores_reject_bad_bins(bins: int) -> None:
    with pytest.raises(ValueError, match="bins"):
        brier_decomposition([0.2, 0.8], [0, 1], bins=bins)


@PROPERTY
@given(forecast_records)
def test_decomposition_identity_is_exact_with_distinct_value_bins(records: list[tuple[float, int]]) -> None:
    p, o = split(records)
    parts = brier_decomposition(p, o, bins=None)
    assert parts.remainder == pytest.approx(0.0, abs=1e-12)
    assert parts.reliability - parts.resolution + parts.uncertainty == pytest.approx(
        brier_score(p, o), abs=1e-12
    )


@PROPERTY
@given(forecast_records, st.integers(1, 12))
def test_decomposition_remainder_closes_the_identity_with_bins(
    records: list[tuple[float, int]], bins: int
) -> None:
    p, o = split(records)
    parts = brier_decomposition(p, o, bins=bins)
    assert parts.brier == pytest.approx(brier_score(p, o), abs=1e-12)
    assert parts.reliability >= 0 and parts.resolution >= 0


@PROPERTY
@given(forecast_records, st.one_of(st.none(), st.integers(1, 12)))
def test_ece_never_exceeds_mce(records: list[tuple[float, int]], bins: int | None) -> None:
    p, o = split(records)
    assert expected_calibration_error(p, o, bins) <= maximum_calibration_error(p, o, bins) + 1e-12


@PROPERTY
@given(forecast_records, st.randoms(use_true_random=False))
def test_every_score_ignores_input_order(records: list[tuple[float, int]], rng: random.Random) -> None:
    shuffled = list(records)
    rng.shuffle(shuffled)
    p, o = split(records)
    q, u = split(shuffled)
    for score in (brier_score, log_score, expected_calibration_error, maximum_calibration_error):
        assert score(q, u) == pytest.approx(score(p, o), abs=1e-12)
    skill_before, skill_after = brier_skill_score(p, o), brier_skill_score(q, u)
    assert (math.isnan(skill_before) and math.isnan(skill_after)) or skill_after == pytest.approx(
        skill_before
    )
    for before, after in zip(
        astuple(brier_decomposition(p, o)), astuple(brier_decomposition(q, u)), strict=True
    ):
        assert after == pytest.approx(before, abs=1e-12)
    assert calibration_curve(q, u) == [
        type(b)(pytest.approx(b.mean_forecast), b.observed_frequency, b.count, b.lower, b.upper)
        for b in calibration_curve(p, o)
    ]


@PROPERTY
@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_contains_the_proportion_within_zero_and_one(counts: tuple[int, int]) -> None:
    successes, n = counts
    lower, upper = wilson_interval(successes, n)
    assert 0.0 <= lower <= successes / n <= upper <= 1.0
