"""Calibration: how well confidence tracks being right.

Three families of pure functions over plain numbers and numpy arrays (no Django):

1. Certainty-based marking (CBM) for knowledge checks (Gardner-Medwin).
2. Proper scoring rules and calibration measures for probability forecasts on binary questions
   (Brier score and its Murphy decomposition, log score, expected calibration error, calibration curve).
3. A Dunning-Kruger analysis for a group that always shows the statistical artefact (regression to the
   mean plus a general better-than-average bias) beside the classic figure, and tests for a real effect.

The specification is ``shared/specs/calibration.md`` (sections 1, 2 and 4).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

# ---------------------------------------------------------------------------------------------------
# 1. Certainty-based marking
# ---------------------------------------------------------------------------------------------------

CERTAINTY_LEVELS: tuple[int, int, int] = (1, 2, 3)
CBM_MARK_CORRECT: dict[int, float] = {1: 1.0, 2: 2.0, 3: 3.0}
CBM_MARK_WRONG: dict[int, float] = {1: 0.0, 2: -2.0, 3: -6.0}

CERTAINTY_2_THRESHOLD = 2.0 / 3.0
"""Probability of being right from which certainty 2 pays at least as well as certainty 1 (p >= 2/3)."""

CERTAINTY_3_THRESHOLD = 0.8
"""Probability of being right above which certainty 3 pays best (p > 0.8)."""

CBM_OPTIMAL_BANDS: dict[int, tuple[float, float]] = {
    1: (0.0, CERTAINTY_2_THRESHOLD),
    2: (CERTAINTY_2_THRESHOLD, CERTAINTY_3_THRESHOLD),
    3: (CERTAINTY_3_THRESHOLD, 1.0),
}
"""Share-correct band in which each certainty is the honest choice.

C1 [0, 2/3), C2 [2/3, 0.8], C3 (0.8, 1]; see :func:`optimal_certainty`."""

SLIGHTLY_LIMIT = 0.5
"""A level outside its band is only "slightly" off when (distance to the band)^2 * count <= this."""

_BAND_SNAP = 1e-12  # shares computed as 2/3 or 4/5 from counts must land on the band edge, not beside it


@dataclass(frozen=True)
class CBMLevel:
    """How one certainty level was used in an attempt."""

    certainty: int
    count: int
    share_correct: float
    judgement: str


@dataclass(frozen=True)
class CBMSummary:
    """Accuracy, CBM average mark, calibration bonus and per-level judgements of one attempt."""

    accuracy: float
    average_mark: float
    bonus: float
    levels: tuple[CBMLevel, CBMLevel, CBMLevel]
    unanswered: int


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))


def _certainty_or_default(certainty: object) -> int:
    """Map a stated certainty to 1, 2 or 3; no certainty (None, NaN or 0) counts as 1."""
    if _is_missing(certainty):
        return 1
    if isinstance(certainty, bool) or not isinstance(certainty, int | np.integer | float | np.floating):
        raise ValueError(f"certainty must be 1, 2, 3 or None (no certainty given), got {certainty!r}")
    if float(certainty) == 0.0:
        return 1
    if float(certainty) not in (1.0, 2.0, 3.0):
        raise ValueError(f"certainty must be 1, 2, 3 or None (no certainty given), got {certainty!r}")
    return int(certainty)


def _check_fraction(fraction: float) -> None:
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be in [0, 1] (or NaN/None for not answered), got {fraction!r}")


def cbm_mark(fraction: float | None, certainty: int | None) -> float:
    """Return the certainty-based mark of one answered (or unanswered) item.

    Certainty-based marking rewards honest confidence: a confident right answer earns more, a
    confident wrong answer costs more, so learners are pushed to notice what they do not know.

    Args:
        fraction: credit for the answer in [0, 1] (1 right, 0 wrong, in between for partial credit).
            ``None`` or NaN means the item was not answered; its mark is 0.
        certainty: 1 (low), 2 (mid) or 3 (high). ``None`` or 0 means no certainty was given and is
            treated as 1.

    Returns:
        ``correct[C] * fraction`` when fraction > 0, else ``wrong[C]``, with
        correct = (1, 2, 3) and wrong = (0, -2, -6) for C = 1, 2, 3.

    Raises:
        ValueError: fraction outside [0, 1] or certainty not in {None, 0, 1, 2, 3}.

    References:
        A. R. Gardner-Medwin, "Confidence assessment in the teaching of basic science",
        ALT-J 3(1), 1995; Gardner-Medwin & Gahan, "Formative and summative confidence-based
        assessment", Proc. 7th CAA Conference, 2003. The same table is Moodle's CBM behaviour.
    """
    if fraction is None or math.isnan(fraction):
        _certainty_or_default(certainty)
        return 0.0
    _check_fraction(fraction)
    level = _certainty_or_default(certainty)
    if fraction > 0.0:
        return CBM_MARK_CORRECT[level] * float(fraction)
    return CBM_MARK_WRONG[level]


def expected_cbm_mark(p: float, certainty: int) -> float:
    """Return the expected CBM mark at certainty C for someone right with probability p.

    This is what makes CBM a proper scoring rule: p, 4p - 2 and 9p - 6 for C = 1, 2, 3, so honest
    reporting (see :func:`optimal_certainty`) maximises the expected mark.

    References:
        A. R. Gardner-Medwin, "Confidence assessment in the teaching of basic science",
        ALT-J 3(1), 1995.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be in [0, 1], got {p!r}")
    level = _certainty_or_default(certainty)
    return p * CBM_MARK_CORRECT[level] + (1.0 - p) * CBM_MARK_WRONG[level]


def optimal_certainty(p: float) -> int:
    """Return the certainty that maximises the expected CBM mark when right with probability p.

    C=1 when p < 2/3, C=2 when 2/3 <= p <= 0.8, C=3 when p > 0.8 (at 2/3 and 0.8 the two
    neighbouring levels tie). Shown to learners so that they can state their certainty honestly.

    References:
        A. R. Gardner-Medwin, "Confidence assessment in the teaching of basic science",
        ALT-J 3(1), 1995.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be in [0, 1], got {p!r}")
    if p < CERTAINTY_2_THRESHOLD:
        return 1
    if p <= CERTAINTY_3_THRESHOLD:
        return 2
    return 3


def _judge_level(certainty: int, share: float, count: int) -> str:
    if count == 0:
        return "no answers"
    low, high = CBM_OPTIMAL_BANDS[certainty]
    if abs(share - low) <= _BAND_SNAP:
        share = low
    if abs(share - high) <= _BAND_SNAP:
        share = high
    low_inclusive = certainty != 3
    high_inclusive = certainty != 1
    below = share < low or (share == low and not low_inclusive)
    above = share > high or (share == high and not high_inclusive)
    if not below and not above:
        return "well calibrated"
    distance = (low - share) if below else (share - high)
    judgement = "over-confident" if below else "under-confident"
    if distance**2 * count <= SLIGHTLY_LIMIT:
        return f"slightly {judgement}"
    return judgement


_MARK_CORRECT_BY_LEVEL = np.array([0.0, *(CBM_MARK_CORRECT[c] for c in CERTAINTY_LEVELS)])
_MARK_WRONG_BY_LEVEL = np.array([0.0, *(CBM_MARK_WRONG[c] for c in CERTAINTY_LEVELS)])


def _certainty_levels(raw: npt.NDArray[np.generic]) -> npt.NDArray[np.intp]:
    """Certainties as levels 1..3 (no certainty counts as 1), validated like
    :func:`_certainty_or_default`; numeric arrays without a Python loop."""
    values: FloatArray | None = None
    if raw.dtype.kind in "iuf":
        values = raw.astype(float)
    elif raw.dtype == object and all(
        c is None or (isinstance(c, int | float | np.integer | np.floating) and not isinstance(c, bool))
        for c in raw.tolist()
    ):
        values = raw.astype(float)  # None becomes NaN: no certainty given
    if values is not None:
        values = np.where(np.isnan(values) | (values == 0.0), 1.0, values)
        valid = (values == 1.0) | (values == 2.0) | (values == 3.0)
        if not valid.all():
            bad = raw[int(np.argmax(~valid))]
            _certainty_or_default(bad.item() if isinstance(bad, np.generic) else bad)
        return values.astype(np.intp)
    return np.fromiter((_certainty_or_default(c) for c in raw.tolist()), dtype=np.intp, count=len(raw))


def _fractions_or_nan(raw: npt.NDArray[np.generic]) -> FloatArray:
    """Fractions as floats, NaN for not answered (``None`` or NaN); a copy the caller may change."""
    if raw.dtype.kind in "biuf":
        return raw.astype(float)
    try:
        return raw.astype(float)  # None becomes NaN: not answered
    except (TypeError, ValueError):
        return np.array([math.nan if _is_missing(f) else float(f) for f in raw.tolist()], dtype=float)


def cbm_summary(
    fractions: Sequence[float | None] | ArrayLike,
    certainties: Sequence[int | None] | ArrayLike,
    weights: Sequence[float] | ArrayLike | None = None,
) -> CBMSummary:
    """Summarise one attempt under certainty-based marking.

    Gives the learner accuracy, the average CBM mark, the calibration bonus (how much better or worse
    the certainty choices did than the best fixed certainty for this accuracy) and, per certainty level,
    how often they were right and whether that matches the honest band for the level.

    Not answered items: pass ``fraction=None`` (or NaN); their certainty is ignored. They get mark 0,
    count in the denominator of accuracy and average mark, and appear in no certainty level
    (``unanswered`` counts them). Answered items without a certainty (``None`` or 0) count as C=1.

    Per level: ``count`` is the number of answered items at that certainty, ``share_correct`` the
    weighted mean credit (fraction) of those items (NaN when count is 0) and ``judgement`` one of
    "well calibrated", "[slightly ]over-confident", "[slightly ]under-confident" or "no answers".

    Raises:
        ValueError: unequal lengths, no items, fraction outside [0, 1], certainty outside
            {None, 0, 1, 2, 3}, negative or non-finite weights, or weights summing to 0.

    References:
        A. R. Gardner-Medwin & M. Gahan, "Formative and summative confidence-based assessment",
        Proc. 7th International CAA Conference, Loughborough, 2003 (marks, calibration bonus and
        the per-level calibration bands); Moodle "deferred feedback with CBM" question behaviour.
    """
    raw_fractions = np.asarray(fractions)
    # A list is read element by element (as object) so that True/False or "2" are refused as
    # certainties rather than silently converted by numpy; arrays take the fast numeric path.
    raw_certainties = (
        np.asarray(certainties)
        if isinstance(certainties, np.ndarray)
        else np.asarray(certainties, dtype=object)
    )
    if raw_fractions.ndim != 1:
        raw_fractions = raw_fractions.ravel()
    if raw_certainties.ndim != 1:
        raw_certainties = raw_certainties.ravel()
    n = len(raw_fractions)
    if len(raw_certainties) != n:
        raise ValueError(f"fractions and certainties differ in length ({n} and {len(raw_certainties)})")
    if n == 0:
        raise ValueError("an attempt needs at least one item")
    if weights is None:
        item_weights = np.ones(n)
    else:
        item_weights = np.asarray(weights, dtype=float).ravel()
        if len(item_weights) != n:
            raise ValueError(f"weights has length {len(item_weights)}, expected {n}")
        if not np.all(np.isfinite(item_weights)) or np.any(item_weights < 0):
            raise ValueError("weights must be finite and non-negative")
        if item_weights.sum() <= 0:
            raise ValueError("weights must not all be zero")

    levels = _certainty_levels(raw_certainties)
    credit = _fractions_or_nan(raw_fractions)
    answered = ~np.isnan(credit)
    bad = answered & ~((credit >= 0.0) & (credit <= 1.0))
    if bad.any():
        _check_fraction(float(credit[np.argmax(bad)]))
    credit[~answered] = 0.0
    marks = np.where(credit > 0.0, _MARK_CORRECT_BY_LEVEL[levels] * credit, _MARK_WRONG_BY_LEVEL[levels])
    marks[~answered] = 0.0

    total_weight = float(item_weights.sum())
    accuracy = float(item_weights @ credit) / total_weight
    average_mark = float(item_weights @ marks) / total_weight
    best_fixed = max(accuracy, 4.0 * accuracy - 2.0, 9.0 * accuracy - 6.0)
    bonus = 0.1 * (average_mark - best_fixed)

    # Unanswered items go to slot 0, which no level reads.
    slot = np.where(answered, levels, 0)
    counts = np.bincount(slot, minlength=4)
    level_rows: list[CBMLevel] = []
    for certainty in CERTAINTY_LEVELS:
        count = int(counts[certainty])
        if count == 0:
            share = math.nan
        else:
            chosen = slot == certainty
            chosen_weights = item_weights[chosen]
            level_weight = float(chosen_weights.sum())
            if level_weight > 0:
                share = float(chosen_weights @ credit[chosen]) / level_weight
            else:
                share = float(credit[chosen].mean())
        level_rows.append(CBMLevel(certainty, count, share, _judge_level(certainty, share, count)))
    return CBMSummary(
        accuracy=accuracy,
        average_mark=average_mark,
        bonus=bonus,
        levels=(level_rows[0], level_rows[1], level_rows[2]),
        unanswered=int(n - answered.sum()),
    )


# ---------------------------------------------------------------------------------------------------
# 2. Probability forecasts on binary questions
# ---------------------------------------------------------------------------------------------------

LOG_SCORE_CLIP = 1e-6
WILSON_Z_95 = 1.959963984540054


@dataclass(frozen=True)
class BrierDecomposition:
    """Murphy's three-component decomposition of the Brier score plus the within-bin remainder.

    brier = reliability - resolution + uncertainty + remainder; remainder is 0 (up to rounding) when
    forecasts inside each bin are equal, e.g. with ``bins=None``.
    """

    reliability: float
    resolution: float
    uncertainty: float
    remainder: float

    @property
    def brier(self) -> float:
        return self.reliability - self.resolution + self.uncertainty + self.remainder


@dataclass(frozen=True)
class CalibrationBin:
    """One point of a calibration curve with its 95% Wilson interval for the observed frequency."""

    mean_forecast: float
    observed_frequency: float
    count: int
    lower: float
    upper: float


def _forecasts_and_outcomes(p: ArrayLike, o: ArrayLike) -> tuple[FloatArray, FloatArray]:
    forecasts = np.asarray(p, dtype=float)
    outcomes = np.asarray(o, dtype=float)
    if forecasts.ndim != 1 or outcomes.ndim != 1:
        raise ValueError("forecasts and outcomes must be one-dimensional")
    if len(forecasts) != len(outcomes):
        raise ValueError(f"forecasts and outcomes differ in length ({len(forecasts)} and {len(outcomes)})")
    if len(forecasts) == 0:
        raise ValueError("need at least one forecast")
    if not np.all((forecasts >= 0.0) & (forecasts <= 1.0)):
        raise ValueError("forecasts must be probabilities in [0, 1]")
    if not np.all((outcomes == 0.0) | (outcomes == 1.0)):
        raise ValueError("outcomes must be 0 or 1")
    return forecasts, outcomes


def _bin_statistics(
    forecasts: FloatArray, outcomes: FloatArray, bins: int | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Counts, mean forecast and mean outcome of each non-empty bin, in increasing forecast order."""
    if bins is None:
        _, index = np.unique(forecasts, return_inverse=True)
        size = int(index.max()) + 1
    else:
        if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
            raise ValueError(f"bins must be a positive integer or None, got {bins!r}")
        size = int(bins)
        # floor(p * K) puts 0.7 in bin 7 of 10 (edges from linspace would put it in bin 6);
        # 1.0 joins the last bin
        index = np.minimum(np.floor(forecasts * size).astype(int), size - 1)
    counts = np.bincount(index, minlength=size).astype(float)
    forecast_sums = np.bincount(index, weights=forecasts, minlength=size)
    outcome_sums = np.bincount(index, weights=outcomes, minlength=size)
    filled = counts > 0
    counts = counts[filled]
    return counts, forecast_sums[filled] / counts, outcome_sums[filled] / counts


def brier_score(p: ArrayLike, o: ArrayLike) -> float:
    """Return the Brier score mean((p - o)^2) of probability forecasts p for binary outcomes o.

    A strictly proper scoring rule: lower is better, 0 is perfect, always forecasting 0.5 gives 0.25.

    References:
        G. W. Brier, "Verification of forecasts expressed in terms of probability",
        Monthly Weather Review 78(1), 1950.
    """
    forecasts, outcomes = _forecasts_and_outcomes(p, o)
    return float(np.mean((forecasts - outcomes) ** 2))


def brier_skill_score(p: ArrayLike, o: ArrayLike) -> float:
    """Return the Brier skill score 1 - BS / (obar (1 - obar)) against always forecasting the base rate.

    Positive means better than the base rate, 0 as good, negative worse. NaN when all outcomes are
    equal (the base-rate forecast is then perfect and no skill can be measured).

    References:
        G. W. Brier, Monthly Weather Review 78(1), 1950; A. H. Murphy, "A new vector partition of the
        probability score", Journal of Applied Meteorology 12(4), 1973.
    """
    forecasts, outcomes = _forecasts_and_outcomes(p, o)
    base_rate = float(outcomes.mean())
    uncertainty = base_rate * (1.0 - base_rate)
    if uncertainty == 0.0:
        return math.nan
    return 1.0 - float(np.mean((forecasts - outcomes) ** 2)) / uncertainty


def brier_decomposition(p: ArrayLike, o: ArrayLike, bins: int | None = 10) -> BrierDecomposition:
    """Split the Brier score into reliability, resolution and uncertainty (Murphy 1973).

    Reliability says how far stated probabilities are from observed frequencies (lower is better),
    resolution how much the forecasts separate outcomes (higher is better), uncertainty how hard the
    questions were (the base rate's variance). Forecasts are grouped into ``bins`` equal-width bins on
    [0, 1] (1.0 in the last bin), or by distinct forecast value with ``bins=None``. The identity
    BS = REL - RES + UNC holds exactly only when forecasts within a bin are equal; the remainder
    BS - (REL - RES + UNC) is reported so the identity stays visible.

    References:
        A. H. Murphy, "A new vector partition of the probability score", Journal of Applied
        Meteorology 12(4), 1973; D. B. Stephenson, C. A. S. Coelho & I. T. Jolliffe, "Two extra
        components in the Brier score decomposition", Weather and Forecasting 23(4), 2008.
    """
    forecasts, outcomes = _forecasts_and_outcomes(p, o)
    counts, mean_forecast, mean_outcome = _bin_statistics(forecasts, outcomes, bins)
    n = len(forecasts)
    base_rate = float(outcomes.mean())
    reliability = float(counts @ (mean_forecast - mean_outcome) ** 2) / n
    resolution = float(counts @ (mean_outcome - base_rate) ** 2) / n
    uncertainty = base_rate * (1.0 - base_rate)
    brier = float(np.mean((forecasts - outcomes) ** 2))
    return BrierDecomposition(
        reliability=reliability,
        resolution=resolution,
        uncertainty=uncertainty,
        remainder=brier - (reliability - resolution + uncertainty),
    )


def expected_calibration_error(p: ArrayLike, o: ArrayLike, bins: int | None = 10) -> float:
    """Return ECE = sum_k (n_k / N) |obar_k - pbar_k| over equal-width forecast bins.

    The average gap between what was forecast and what happened, weighted by how many forecasts fell
    in each bin; 0 for a perfectly calibrated record.

    References:
        M. P. Naeini, G. F. Cooper & M. Hauskrecht, "Obtaining well calibrated probabilities using
        Bayesian binning", AAAI 2015; C. Guo, G. Pleiss, Y. Sun & K. Q. Weinberger, "On calibration
        of modern neural networks", ICML 2017.
    """
    forecasts, outcomes = _forecasts_and_outcomes(p, o)
    counts, mean_forecast, mean_outcome = _bin_statistics(forecasts, outcomes, bins)
    return float(counts @ np.abs(mean_outcome - mean_forecast)) / len(forecasts)


def maximum_calibration_error(p: ArrayLike, o: ArrayLike, bins: int | None = 10) -> float:
    """Return MCE = max over non-empty bins of |obar_k - pbar_k|: the worst-calibrated bin.

    References:
        M. P. Naeini, G. F. Cooper & M. Hauskrecht, "Obtaining well calibrated probabilities using
        Bayesian binning", AAAI 2015.
    """
    forecasts, outcomes = _forecasts_and_outcomes(p, o)
    _, mean_forecast, mean_outcome = _bin_statistics(forecasts, outcomes, bins)
    return float(np.max(np.abs(mean_outcome - mean_forecast)))


def log_score(p: ArrayLike, o: ArrayLike) -> float:
    """Return the mean logarithmic score -(o ln p + (1 - o) ln(1 - p)), p clipped to [1e-6, 1 - 1e-6].

    A strictly proper scoring rule that punishes confident mistakes much harder than the Brier
    score; clipping keeps a single forecast of 0 or 1 that went wrong from making the score infinite.

    References:
        I. J. Good, "Rational decisions", Journal of the Royal Statistical Society B 14(1), 1952;
        T. Gneiting & A. E. Raftery, "Strictly proper scoring rules, prediction, and estimation",
        JASA 102(477), 2007.
    """
    forecasts, outcomes = _forecasts_and_outcomes(p, o)
    clipped = np.clip(forecasts, LOG_SCORE_CLIP, 1.0 - LOG_SCORE_CLIP)
    return float(np.mean(-(outcomes * np.log(clipped) + (1.0 - outcomes) * np.log1p(-clipped))))


def wilson_interval(successes: float, n: float, z: float = WILSON_Z_95) -> tuple[float, float]:
    """Return the Wilson score interval for a proportion successes / n (95% by default).

    Unlike the normal-approximation interval it stays inside [0, 1] and behaves well for small n and
    proportions near 0 or 1, which is the usual case in calibration bins.

    Raises:
        ValueError: n <= 0, successes outside [0, n], or z <= 0.

    References:
        E. B. Wilson, "Probable inference, the law of succession, and statistical inference",
        JASA 22(158), 1927.
    """
    if not n > 0:
        raise ValueError(f"n must be positive, got {n!r}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be in [0, n], got {successes!r} of {n!r}")
    if not z > 0:
        raise ValueError(f"z must be positive, got {z!r}")
    proportion = successes / n
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (proportion + z2 / (2.0 * n)) / denominator
    half_width = z / denominator * math.sqrt(proportion * (1.0 - proportion) / n + z2 / (4.0 * n * n))
    lower = 0.0 if successes == 0 else min(max(centre - half_width, 0.0), proportion)
    upper = 1.0 if successes == n else max(min(centre + half_width, 1.0), proportion)
    return lower, upper


def calibration_curve(p: ArrayLike, o: ArrayLike, bins: int | None = 10) -> list[CalibrationBin]:
    """Return the calibration curve: per non-empty bin, mean forecast vs observed frequency.

    Each point carries its count and a 95% Wilson interval so that a bin with three forecasts is not
    read like one with three hundred. Bins as in :func:`brier_decomposition`.

    References:
        A. H. Murphy & R. L. Winkler, "Reliability of subjective probability forecasts of
        precipitation and temperature", Applied Statistics 26(1), 1977 (reliability diagrams);
        E. B. Wilson, JASA 22(158), 1927 (interval).
    """
    forecasts, outcomes = _forecasts_and_outcomes(p, o)
    counts, mean_forecast, mean_outcome = _bin_statistics(forecasts, outcomes, bins)
    curve = []
    for count, forecast, frequency in zip(counts, mean_forecast, mean_outcome, strict=True):
        successes = round(float(frequency * count))
        lower, upper = wilson_interval(successes, float(count))
        curve.append(CalibrationBin(float(forecast), float(frequency), int(count), lower, upper))
    return curve


# ---------------------------------------------------------------------------------------------------
# 3. Dunning-Kruger analysis for a group
# ---------------------------------------------------------------------------------------------------

MIN_PEOPLE = 20
"""Below this many people the analysis says "too little data": quartiles of fewer than five people and
three tests on fewer than twenty points cannot separate a real effect from noise."""

MIN_DISTINCT_SCORES = 3
"""A quadratic regression on actual scores needs at least three distinct scores."""

DK_ALPHA = 0.05
"""Family-wise significance level; split over the available tests (Bonferroni)."""

NULL_BAND_PERCENTILES = (5.0, 95.0)
"""The null-model band is the central 90% of the simulated quartile means."""

VERDICT_REAL_EFFECT = "evidence of a real effect"
VERDICT_ARTEFACT = "no evidence beyond the statistical artefact"
VERDICT_TOO_LITTLE_DATA = "too little data"

RELIABILITY_SPLIT_HALF = "split-half (odd/even items, Spearman-Brown)"
RELIABILITY_FROM_CORRELATION = "observed score/self-estimate correlation (no item scores)"


@dataclass(frozen=True)
class DKQuartile:
    """One row of the Dunning-Kruger figure: observed means beside the null model's mean and 90% band.

    Percentiles are 0..100. ``null_*`` fields describe the mean self-estimated percentile of the same
    quartile in simulated groups without an ability-dependent bias (NaN when not simulated).
    """

    quartile: int
    count: int
    mean_actual_percentile: float
    mean_self_percentile: float
    null_mean_self_percentile: float
    null_lower: float
    null_upper: float


@dataclass(frozen=True)
class DKTest:
    """One test for a real Dunning-Kruger effect.

    ``p_value`` is one-sided, in the direction the Dunning-Kruger account predicts; ``supports_effect``
    is true when the estimate goes that way and p is below the Bonferroni-corrected level.
    ``null_expectation`` is the estimate expected without a real effect.
    """

    name: str
    available: bool
    estimate: float
    p_value: float
    null_expectation: float
    supports_effect: bool
    note: str


@dataclass(frozen=True)
class DKReport:
    """Classic Dunning-Kruger quartile table with its null-model band, three tests and a verdict."""

    n: int
    quartiles: tuple[DKQuartile, ...]
    quadratic: DKTest
    glejser: DKTest
    split_half: DKTest
    reliability: float
    reliability_source: str
    null_correlation: float
    mean_overestimation: float
    simulations: int
    seed: int
    verdict: str

    @property
    def tests(self) -> tuple[DKTest, DKTest, DKTest]:
        return (self.quadratic, self.glejser, self.split_half)


def _midrank_percentiles(values: FloatArray) -> FloatArray:
    """Percentile 100 (rank - 1/2) / n with average ranks for ties, so ties share a percentile."""
    if len(values) == 0:
        return np.zeros(0)
    return 100.0 * (stats.rankdata(values) - 0.5) / len(values)


def _percentiles_among(reference: FloatArray, values: FloatArray) -> FloatArray:
    """Where each value would stand among the reference values: 100 (below + equal / 2) / n."""
    ordered = np.sort(reference)
    below = np.searchsorted(ordered, values, side="left")
    at_or_below = np.searchsorted(ordered, values, side="right")
    return 100.0 * (below + 0.5 * (at_or_below - below)) / len(reference)


def _quartile_index(percentiles: FloatArray) -> npt.NDArray[np.intp]:
    return np.minimum(np.floor(percentiles / 25.0), 3).astype(np.intp)


def _correlation(first: FloatArray, second: FloatArray) -> float:
    """Pearson correlation, taken as 0 when either variable does not vary."""
    if float(first.std()) == 0.0 or float(second.std()) == 0.0:
        return 0.0
    return float(np.corrcoef(first, second)[0, 1])


def _standardise(values: FloatArray) -> FloatArray:
    spread = float(values.std())
    if spread == 0.0:
        return np.zeros_like(values)
    return (values - values.mean()) / spread


def _ols_t(design: FloatArray, response: FloatArray, column: int) -> tuple[float, float, int, FloatArray]:
    """Coefficient, its t statistic, residual degrees of freedom and residuals of an OLS fit."""
    coefficients, *_ = np.linalg.lstsq(design, response, rcond=None)
    residuals = response - design @ coefficients
    dof = len(response) - design.shape[1]
    variance = float(residuals @ residuals) / dof
    covariance = variance * np.linalg.pinv(design.T @ design)
    standard_error = math.sqrt(max(float(covariance[column, column]), 0.0))
    estimate = float(coefficients[column])
    if standard_error > 1e-12 * max(1.0, abs(estimate)):
        t_value = estimate / standard_error
    elif abs(estimate) > 1e-9:
        t_value = math.copysign(math.inf, estimate)  # an exact fit: the coefficient is certain
    else:
        t_value = math.nan
    return estimate, t_value, dof, residuals


def _assign_by_rank(latent: FloatArray, sorted_values: npt.NDArray[np.generic]) -> npt.NDArray[np.generic]:
    """Give, in every row, the j-th smallest latent value the j-th of ``sorted_values``."""
    order = np.argsort(latent, axis=1)
    assigned = np.empty(latent.shape, dtype=sorted_values.dtype)
    np.put_along_axis(assigned, order, np.broadcast_to(sorted_values, latent.shape), axis=1)
    return assigned


def _mix(loading: float, ability: FloatArray, noise_loading: float, noise: FloatArray) -> FloatArray:
    """``loading * ability + noise_loading * noise``, reusing ``noise``'s memory (bit-identical: IEEE
    addition and multiplication are commutative)."""
    noise *= noise_loading
    noise += loading * ability
    return noise


def _assign_quartiles_by_rank(
    latent: FloatArray, sorted_quartiles: npt.NDArray[np.intp]
) -> npt.NDArray[np.intp]:
    """:func:`_assign_by_rank` for a non-decreasing sequence of quartiles 0..3, with a partial sort.

    The element of rank r gets ``sorted_quartiles[r]``, which is the number of quartile boundaries
    b_q (the first rank of quartile q) at or below r, so three order statistics per row (``np.partition``,
    linear time) replace a full sort. Latent values are continuous, so ties have probability zero.
    """
    n = latent.shape[1]
    boundaries = [int(np.searchsorted(sorted_quartiles, q, side="left")) for q in (1, 2, 3)]
    inner = sorted({b for b in boundaries if 0 < b < n})
    quartiles = np.zeros(latent.shape, dtype=np.intp)
    partitioned = np.partition(latent, inner, axis=1) if inner else latent
    for boundary in boundaries:
        if boundary <= 0:
            quartiles += 1
        elif boundary < n:
            quartiles += latent >= partitioned[:, boundary : boundary + 1]
    return quartiles


def _quartile_means(quartiles: npt.NDArray[np.intp], values: FloatArray) -> FloatArray:
    """Mean of ``values`` per quartile in every row (rows are simulations); NaN for empty quartiles."""
    rows = quartiles.shape[0]
    flat = (quartiles + 4 * np.arange(rows)[:, None]).ravel()
    sums = np.bincount(flat, weights=values.ravel(), minlength=4 * rows).reshape(rows, 4)
    counts = np.bincount(flat, minlength=4 * rows).reshape(rows, 4)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts


def _split_half_gap(
    odd_quartiles: npt.NDArray[np.intp], self_percentiles: FloatArray, even_percentiles: FloatArray
) -> FloatArray:
    """Overestimation (self minus even-item percentile) of the bottom minus the top odd-item quartile."""
    gap_means = _quartile_means(odd_quartiles, self_percentiles - even_percentiles)
    return gap_means[:, 0] - gap_means[:, 3]


def _unavailable(name: str, note: str) -> DKTest:
    return DKTest(name, False, math.nan, math.nan, math.nan, False, note)


def _check_dk_inputs(
    actual: ArrayLike, self_estimate: ArrayLike, item_scores: ArrayLike | None, simulations: int, scale: str
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    scores = np.asarray(actual, dtype=float)
    estimates = np.asarray(self_estimate, dtype=float)
    if scores.ndim != 1 or estimates.ndim != 1:
        raise ValueError("actual and self_estimate must be one-dimensional")
    if len(scores) != len(estimates):
        raise ValueError(f"actual and self_estimate differ in length ({len(scores)} and {len(estimates)})")
    if not (np.all(np.isfinite(scores)) and np.all(np.isfinite(estimates))):
        raise ValueError("actual and self_estimate must be finite numbers")
    if scale not in ("score", "percentile"):
        raise ValueError(f"self_estimate_scale must be 'score' or 'percentile', got {scale!r}")
    if scale == "percentile" and not np.all((estimates >= 0.0) & (estimates <= 100.0)):
        raise ValueError("self-estimated percentiles must be in [0, 100]")
    if isinstance(simulations, bool) or not isinstance(simulations, int | np.integer) or simulations < 1:
        raise ValueError(f"simulations must be a positive integer, got {simulations!r}")
    items = None
    if item_scores is not None:
        items = np.asarray(item_scores, dtype=float)
        if items.ndim != 2 or items.shape[0] != len(scores) or items.shape[1] < 2:
            raise ValueError("item_scores must have one row per person and at least two item columns")
        if not np.all(np.isfinite(items)):
            raise ValueError("item_scores must be finite numbers")
    return scores, estimates, items


def dunning_kruger(
    actual: ArrayLike,
    self_estimate: ArrayLike,
    seed: int = 0,
    item_scores: ArrayLike | None = None,
    simulations: int = 1000,
    *,
    self_estimate_scale: Literal["score", "percentile"] = "score",
) -> DKReport:
    """Analyse a group for the Dunning-Kruger effect, always beside the artefact it can be mistaken for.

    The classic figure (people grouped by actual-score quartile; mean actual vs mean self-estimated
    percentile) shows low scorers overestimating and high scorers underestimating even when nobody's
    self-knowledge depends on ability: regression to the mean plus a general better-than-average bias
    produce it. So every quartile row carries the same figure for a null model, and three tests look for
    what only a real effect produces.

    Scales. ``actual`` may be on any scale (points, percent). Actual percentiles are mid-rank
    percentiles within the group (ties share one). ``self_estimate`` is, by default, an estimated score
    on the same scale as ``actual`` and becomes the percentile that score would have among the actual
    scores (so a group that overestimates has a mean self-percentile above 50); with
    ``self_estimate_scale="percentile"`` it is already a percentile (0..100) and is used as given.
    The two regression tests use standardised raw values, so any linear scale gives the same answer.

    Null model (``simulations`` groups of the same size, ``numpy.random.default_rng(seed)``): each
    simulated person has a true ability T; their score measures T with the group's reliability r;
    their self-estimate is their true score plus a constant plus independent noise, with nothing that
    depends on ability. Simulated scores and self-estimates are normal and then mapped by rank onto the
    observed values, so the null has exactly the observed distributions (same mean overestimation, same
    ties, same quartile sizes). On the standardised scale the self-estimate loads
    lambda = sqrt(r) * sd(score) / sd(self-estimate) on ability (capped at 1), which is what
    "true score plus noise" means; the spreads are taken on the raw scale, or on the percentile scale
    when ``self_estimate_scale="percentile"``.

    Reliability. With ``item_scores`` (one row per person, one column per item; ``actual`` should be
    their total), r is the Spearman-Brown corrected correlation between odd- and even-item totals,
    which the null then uses independently of how self-estimates relate to scores. Without item scores
    r is estimated from the observed correlation: under the null the regression slope of self-estimate
    on score equals the score's reliability, so r = rho * sd(self-estimate) / sd(score) (clipped to
    [0, 1]), with rho Spearman's correlation converted to a normal one by 2 sin(pi rho / 6). The null
    then reproduces the observed correlation, and only the shape tests (a) and (b) can find an effect.

    Tests (one-sided p-values in the direction the account predicts, Bonferroni over available tests):

    (a) ``quadratic``: self-estimate on actual with a quadratic term; a flatter slope at the low end
        means a positive quadratic coefficient.
    (b) ``glejser``: |residual| of the linear fit on actual; larger errors at low ability mean a
        negative slope.
    (c) ``split_half`` (only with ``item_scores``): quartiles from odd items, overestimation measured
        against even items (independent measurement error); estimate = overestimation of the bottom
        minus the top quartile in percentile points; p = (1 + simulated gaps >= observed gap) /
        (1 + simulations), so this p-value, unlike (a) and (b), depends on ``seed``.

    Verdict: "too little data" with fewer than :data:`MIN_PEOPLE` people or fewer than
    :data:`MIN_DISTINCT_SCORES` distinct scores (then no null model or tests are computed);
    "evidence of a real effect" when at least one test supports it; otherwise
    "no evidence beyond the statistical artefact".

    Raises:
        ValueError: unequal lengths, non-finite values, self-estimated percentiles outside [0, 100],
            malformed ``item_scores`` or a non-positive number of simulations.

    References:
        J. Kruger & D. Dunning, "Unskilled and unaware of it", JPSP 77(6), 1999 (the quartile figure);
        J. Krueger & R. A. Mueller, "Unskilled, unaware, or both? The better-than-average heuristic
        and statistical regression predict errors in estimates of own performance", JPSP 82(2), 2002
        (null model: regression plus better-than-average; reliability and split-half);
        E. Nuhfer et al., "Random number simulations reveal how random noise affects the measurements
        and graphical portrayals of self-assessed competency", Numeracy 9(1), 2016 (simulated nulls);
        G. E. Gignac & M. Zajenkowski, "The Dunning-Kruger effect is (mostly) a statistical artefact:
        Valid approaches to testing the hypothesis with individual differences data",
        Intelligence 80:101449, 2020 (quadratic regression and Glejser test).
    """
    scores, estimates, items = _check_dk_inputs(
        actual, self_estimate, item_scores, simulations, self_estimate_scale
    )
    n = len(scores)
    actual_percentiles = _midrank_percentiles(scores)
    if self_estimate_scale == "percentile" or n == 0:
        self_percentiles = estimates
    else:
        self_percentiles = _percentiles_among(scores, estimates)
    quartiles = _quartile_index(actual_percentiles)
    observed_rows = []
    for q in range(4):
        members = quartiles == q
        count = int(members.sum())
        mean_actual = float(actual_percentiles[members].mean()) if count else math.nan
        mean_self = float(self_percentiles[members].mean()) if count else math.nan
        observed_rows.append((q + 1, count, mean_actual, mean_self))
    mean_overestimation = float(self_percentiles.mean() - actual_percentiles.mean()) if n else math.nan

    if n < MIN_PEOPLE or len(np.unique(scores)) < MIN_DISTINCT_SCORES:
        note = f"needs at least {MIN_PEOPLE} people with {MIN_DISTINCT_SCORES} or more distinct scores"
        return DKReport(
            n=n,
            quartiles=tuple(DKQuartile(*row, math.nan, math.nan, math.nan) for row in observed_rows),
            quadratic=_unavailable("quadratic", note),
            glejser=_unavailable("glejser", note),
            split_half=_unavailable("split_half", note),
            reliability=math.nan,
            reliability_source="",
            null_correlation=math.nan,
            mean_overestimation=mean_overestimation,
            simulations=0,
            seed=seed,
            verdict=VERDICT_TOO_LITTLE_DATA,
        )

    rho_spearman = _correlation(actual_percentiles, stats.rankdata(estimates))
    latent_corr = 2.0 * math.sin(math.pi * rho_spearman / 6.0)
    # The null's self-estimate is true score + constant + noise on the score's own scale
    # (percentiles when the self-estimate is a percentile), so its loading on ability follows
    # from the score's reliability and the two spreads.
    if self_estimate_scale == "score":
        score_spread, self_spread = float(scores.std()), float(estimates.std())
    else:
        score_spread, self_spread = float(actual_percentiles.std()), float(self_percentiles.std())
    if items is not None:
        odd_totals = items[:, 0::2].sum(axis=1)
        even_totals = items[:, 1::2].sum(axis=1)
        half_reliability = min(max(_correlation(odd_totals, even_totals), 0.0), 1.0)
        reliability = 2.0 * half_reliability / (1.0 + half_reliability)
        reliability_source = RELIABILITY_SPLIT_HALF
    else:
        reliability = min(max(latent_corr * self_spread / score_spread, 0.0), 1.0)
        reliability_source = RELIABILITY_FROM_CORRELATION
    if reliability == 0.0 or self_spread == 0.0:
        validity = 0.0
    else:
        validity = min(math.sqrt(reliability) * score_spread / self_spread, 1.0)

    rng = np.random.default_rng(seed)
    shape = (simulations, n)
    ability = rng.standard_normal(shape)
    if items is not None:
        loading = math.sqrt(half_reliability)
        half_noise = math.sqrt(1.0 - half_reliability)
        odd_latent = _mix(loading, ability, half_noise, rng.standard_normal(shape))
        even_latent = _mix(loading, ability, half_noise, rng.standard_normal(shape))
        score_latent = odd_latent + even_latent
    else:
        score_latent = _mix(
            math.sqrt(reliability), ability, math.sqrt(1.0 - reliability), rng.standard_normal(shape)
        )
    self_latent = _mix(validity, ability, math.sqrt(1.0 - validity**2), rng.standard_normal(shape))
    del ability

    sorted_quartiles = _quartile_index(_midrank_percentiles(np.sort(scores)))
    simulated_quartiles = _assign_quartiles_by_rank(score_latent, sorted_quartiles)
    simulated_self = _assign_by_rank(self_latent, np.sort(self_percentiles)).astype(np.float64)
    null_means = _quartile_means(simulated_quartiles, simulated_self)
    low, high = NULL_BAND_PERCENTILES
    rows = []
    for q, row in enumerate(observed_rows):
        column = null_means[:, q]
        if row[1] == 0:
            rows.append(DKQuartile(*row, math.nan, math.nan, math.nan))
            continue
        lower, upper = np.percentile(column, [low, high])
        rows.append(DKQuartile(*row, float(column.mean()), float(lower), float(upper)))

    x = _standardise(scores)
    y = _standardise(estimates)
    quadratic_design = np.column_stack([np.ones(n), x, x**2])
    curvature, t_curvature, dof_quadratic, _ = _ols_t(quadratic_design, y, 2)
    _, _, _, linear_residuals = _ols_t(quadratic_design[:, :2], y, 1)
    glejser_slope, t_glejser, dof_glejser, _ = _ols_t(quadratic_design[:, :2], np.abs(linear_residuals), 1)
    quadratic_p = float(stats.t.sf(t_curvature, dof_quadratic)) if not math.isnan(t_curvature) else math.nan
    glejser_p = float(stats.t.cdf(t_glejser, dof_glejser)) if not math.isnan(t_glejser) else math.nan
    candidates: list[tuple[str, float, float, float, bool, str]] = [
        ("quadratic", curvature, quadratic_p, 0.0, curvature > 0, "quadratic term of z(self) on z(actual)"),
        ("glejser", glejser_slope, glejser_p, 0.0, glejser_slope < 0, "slope of |residual| on z(actual)"),
    ]

    split_half = _unavailable("split_half", "not available: needs item scores")
    if items is not None:
        odd_quartiles = _quartile_index(_midrank_percentiles(odd_totals))
        even_percentiles = _midrank_percentiles(even_totals)
        observed_gap = float(
            _split_half_gap(odd_quartiles[None, :], self_percentiles[None, :], even_percentiles[None, :])[0]
        )
        simulated_odd = _assign_quartiles_by_rank(
            odd_latent, _quartile_index(_midrank_percentiles(np.sort(odd_totals)))
        )
        simulated_even = _assign_by_rank(even_latent, np.sort(even_percentiles))
        null_gaps = _split_half_gap(
            simulated_odd.astype(np.intp), simulated_self, simulated_even.astype(np.float64)
        )
        if math.isnan(observed_gap) or np.all(np.isnan(null_gaps)):
            split_half = _unavailable("split_half", "an odd-item quartile is empty (too many tied scores)")
        else:
            exceed = int(np.sum(null_gaps >= observed_gap - 1e-9))
            split_p = (1 + exceed) / (1 + simulations)
            candidates.append(
                (
                    "split_half",
                    observed_gap,
                    split_p,
                    float(np.nanmean(null_gaps)),
                    observed_gap > float(np.nanmean(null_gaps)),
                    "bottom minus top odd-item quartile overestimation vs even items (percentile points)",
                )
            )

    level = DK_ALPHA / len(candidates)
    tests = {
        name: DKTest(
            name=name,
            available=True,
            estimate=estimate,
            p_value=p_value,
            null_expectation=expected,
            supports_effect=bool(direction and not math.isnan(p_value) and p_value < level),
            note=note,
        )
        for name, estimate, p_value, expected, direction, note in candidates
    }
    split_half = tests.get("split_half", split_half)
    evidence = any(test.supports_effect for test in tests.values())
    return DKReport(
        n=n,
        quartiles=tuple(rows),
        quadratic=tests["quadratic"],
        glejser=tests["glejser"],
        split_half=split_half,
        reliability=reliability,
        reliability_source=reliability_source,
        null_correlation=math.sqrt(reliability) * validity,
        mean_overestimation=mean_overestimation,
        simulations=simulations,
        seed=seed,
        verdict=VERDICT_REAL_EFFECT if evidence else VERDICT_ARTEFACT,
    )
