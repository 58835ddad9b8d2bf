"""The vectorised ``cbm_summary`` against a plain per-item reference written straight from the spec.

``cbm_summary`` was optimised (numpy instead of a Python loop); this pins that it still computes
exactly what spec section 1 says, on random attempts with unanswered items, missing certainties,
partial credit and weights, passed as lists, float arrays and object arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from practica.analysis.calibration import cbm_summary

RIGHT = {1: 1.0, 2: 2.0, 3: 3.0}
WRONG = {1: 0.0, 2: -2.0, 3: -6.0}
BANDS = {1: (0.0, 2.0 / 3.0), 2: (2.0 / 3.0, 0.8), 3: (0.8, 1.0)}


@dataclass
class RefLevel:
    certainty: int
    count: int
    share_correct: float
    judgement: str


def _ref_judgement(certainty: int, share: float, count: int) -> str:
    if count == 0:
        return "no answers"
    low, high = BANDS[certainty]
    # Shares such as 2/3 or 4/5 computed from counts must land on the band edge.
    if abs(share - low) <= 1e-12:
        share = low
    if abs(share - high) <= 1e-12:
        share = high
    # C1: [0, 2/3), C2: [2/3, 0.8], C3: (0.8, 1]
    if certainty == 1:
        below, above = share < low, share >= high
    elif certainty == 2:
        below, above = share < low, share > high
    else:
        below, above = share <= low, share > high
    if not below and not above:
        return "well calibrated"
    distance = (low - share) if below else (share - high)
    word = "over-confident" if below else "under-confident"
    return f"slightly {word}" if distance**2 * count <= 0.5 else word


def _reference(
    fractions: list[float | None], certainties: list[int | None], weights: list[float] | None
) -> tuple[float, float, float, int, list[RefLevel]]:
    """One item at a time, exactly as spec section 1 reads."""
    w = weights if weights is not None else [1.0] * len(fractions)
    total_w = sum(w)
    acc_num = mark_num = 0.0
    unanswered = 0
    per_level: dict[int, list[tuple[float, float]]] = {1: [], 2: [], 3: []}
    for f, c, wi in zip(fractions, certainties, w, strict=True):
        level = 1 if c in (None, 0) else int(c)  # no certainty: treat as C=1
        if f is None or (isinstance(f, float) and math.isnan(f)):
            unanswered += 1  # mark 0, counts in the denominators
            continue
        mark = RIGHT[level] * f if f > 0 else WRONG[level]
        acc_num += wi * f
        mark_num += wi * mark
        per_level[level].append((wi, f))
    accuracy = acc_num / total_w
    average = mark_num / total_w
    bonus = 0.1 * (average - max(accuracy, 4 * accuracy - 2, 9 * accuracy - 6))
    levels = []
    for level in (1, 2, 3):
        rows = per_level[level]
        if not rows:
            share = math.nan
        elif sum(wi for wi, _ in rows) > 0:
            share = sum(wi * f for wi, f in rows) / sum(wi for wi, _ in rows)
        else:
            share = sum(f for _, f in rows) / len(rows)
        levels.append(RefLevel(level, len(rows), share, _ref_judgement(level, share, len(rows))))
    return accuracy, average, bonus, unanswered, levels


fraction = st.one_of(
    st.none(),
    st.sampled_from([0.0, 1.0, 0.5, 1.0 / 3.0, 2.0 / 3.0]),
    st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
)
certainty = st.sampled_from([None, 0, 1, 2, 3])


@st.composite
def attempts(draw: st.DrawFn) -> tuple[list[float | None], list[int | None], list[float] | None]:
    n = draw(st.integers(min_value=1, max_value=40))
    fractions = draw(st.lists(fraction, min_size=n, max_size=n))
    certainties = draw(st.lists(certainty, min_size=n, max_size=n))
    weights = draw(
        st.one_of(
            st.none(),
            st.lists(
                st.one_of(st.just(0.0), st.floats(min_value=0.1, max_value=5.0)), min_size=n, max_size=n
            ).filter(lambda ws: sum(ws) > 0),
        )
    )
    return fractions, certainties, weights


def _close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(attempts(), st.sampled_from(["list", "float_array", "object_array"]))
def test_cbm_summary_equals_the_per_item_reference(
    attempt: tuple[list[float | None], list[int | None], list[float] | None], container: str
) -> None:
    fractions, certainties, weights = attempt
    accuracy, average, bonus, unanswered, levels = _reference(fractions, certainties, weights)

    passed_fractions: object
    passed_certainties: object
    if container == "list":
        passed_fractions, passed_certainties = fractions, certainties
    elif container == "float_array":
        passed_fractions = np.array([math.nan if f is None else f for f in fractions], dtype=float)
        passed_certainties = np.array([0 if c is None else c for c in certainties], dtype=np.int64)
    else:
        passed_fractions = np.array(fractions, dtype=object)
        passed_certainties = np.array(certainties, dtype=object)
    passed_weights = None if weights is None else np.array(weights)

    summary = cbm_summary(passed_fractions, passed_certainties, passed_weights)  # type: ignore[arg-type]

    assert _close(summary.accuracy, accuracy)
    assert _close(summary.average_mark, average)
    assert _close(summary.bonus, bonus)
    assert summary.unanswered == unanswered
    assert [lv.certainty for lv in summary.levels] == [1, 2, 3]
    for got, want in zip(summary.levels, levels, strict=True):
        assert got.count == want.count
        assert _close(got.share_correct, want.share_correct)
        assert got.judgement == want.judgement, (got, want)


@pytest.mark.parametrize(
    ("fractions", "certainties"),
    [
        ([0.5, 1.5], [1, 1]),
        ([0.5, -0.1], [1, 1]),
        ([0.5, 1.0], [1, 4]),
        ([0.5, 1.0], [1, 2.5]),
        ([0.5, 1.0], [1, True]),
        ([0.5, 1.0], [1, "2"]),
        (np.array([0.5, 2.0]), np.array([1, 2])),
        (np.array([0.5, 1.0]), np.array([1, -1])),
    ],
)
def test_cbm_summary_still_refuses_what_the_reference_refuses(fractions: object, certainties: object) -> None:
    with pytest.raises(ValueError):
        cbm_summary(fractions, certainties)  # type: ignore[arg-type]
