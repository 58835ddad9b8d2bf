"""Evidence levels and calibration gaps: hand-computed cases, input checks and invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from practica.analysis.skills import (
    FRESH_DAYS,
    SOURCE_PRECEDENCE,
    Evidence,
    calibration_gap,
    combine_evidence,
    current_self_level,
    evidence_level,
    evidence_levels,
    recency_weight,
    round_level,
)

PROPERTY = settings(max_examples=80, deadline=None)

sources = st.sampled_from(["self", "peer", "lead", "check"])
pieces = st.builds(
    Evidence,
    source=sources,
    level=st.integers(1, 5),
    age_days=st.floats(min_value=0, max_value=5000, allow_nan=False),
)
evidence_lists = st.lists(pieces, max_size=12)


def test_only_self_assessments_are_no_evidence():
    assert evidence_level([Evidence("self", 4, 0), Evidence("self", 5, 10)]) is None
    assert evidence_level([]) is None


def test_a_single_peer_assessment_is_the_level():
    assert evidence_level([Evidence("self", 5, 0), Evidence("peer", 2, 30)]) == 2


def test_check_takes_precedence_over_lead_over_peer():
    evidence = [Evidence("peer", 5, 0), Evidence("lead", 3, 0), Evidence("check", 2, 100)]
    combined = combine_evidence(evidence)
    assert combined is not None
    assert (combined.level, combined.source, combined.used) == (2, "check", 1)
    assert evidence_level(evidence[:2]) == 3


def test_within_a_source_newer_evidence_weighs_more():
    # Weights 1 (today) and 1/2 (a year ago): (1 * 2 + 0.5 * 5) / 1.5 = 3.0
    evidence = [Evidence("peer", 2, 0), Evidence("peer", 5, 365)]
    combined = combine_evidence(evidence)
    assert combined is not None
    assert combined.weighted_mean == pytest.approx(3.0)
    assert combined.level == 3
    # Two years ago weighs 1/4: (2 + 0.25 * 5) / 1.25 = 2.6 -> 3
    assert evidence_level([Evidence("peer", 2, 0), Evidence("peer", 5, 730)]) == 3
    # Equal weights: (2 + 3) / 2 = 2.5 rounds half up to 3
    assert evidence_level([Evidence("lead", 2, 10), Evidence("lead", 3, 10)]) == 3


def test_stale_higher_source_gives_way_to_a_fresh_lower_one():
    stale_check = Evidence("check", 5, FRESH_DAYS + 1)
    fresh_peer = Evidence("peer", 2, 10)
    assert evidence_level([stale_check, fresh_peer]) == 2
    # With nothing fresh, the stale check still counts: better than no evidence.
    assert evidence_level([stale_check, Evidence("peer", 1, FRESH_DAYS + 5)]) == 5


def test_recency_weight_halves_every_year():
    assert recency_weight(0) == 1.0
    assert recency_weight(365) == pytest.approx(0.5)
    assert recency_weight(730) == pytest.approx(0.25)


def test_round_level_rounds_half_up_and_stays_in_range():
    assert round_level(2.5) == 3
    assert round_level(2.49) == 2
    assert round_level(0.2) == 1
    assert round_level(7.0) == 5


def test_current_self_level_is_the_most_recent():
    evidence = [Evidence("self", 2, 400), Evidence("self", 4, 3), Evidence("peer", 1, 0)]
    assert current_self_level(evidence) == 4
    assert current_self_level([Evidence("peer", 1, 0)]) is None


def test_calibration_gap_is_self_minus_evidence():
    assert calibration_gap(4, 2) == 2  # over-estimate
    assert calibration_gap(2, 3) == -1  # under-estimate
    assert calibration_gap(3, 3) == 0
    assert calibration_gap(None, 3) is None
    assert calibration_gap(3, None) is None


@pytest.mark.parametrize(
    "evidence",
    [
        [Evidence("guru", 3, 0)],
        [Evidence("peer", 0, 0)],
        [Evidence("peer", 6, 0)],
        [Evidence("peer", 3, -1)],
        [Evidence("peer", 3, float("nan"))],
    ],
)
def test_bad_evidence_is_refused(evidence):
    with pytest.raises(ValueError):
        evidence_level(evidence)


def test_calibration_gap_refuses_levels_outside_1_to_5():
    with pytest.raises(ValueError):
        calibration_gap(6, 3)


def test_the_vectorised_form_matches_by_hand():
    # group 0: peer 2 today, peer 5 a year ago -> 3; group 1: self only -> none;
    # group 2: lead 4 and peer 1 -> 4; group 3: no assessments at all -> none.
    code = SOURCE_PRECEDENCE
    level, source = evidence_levels(
        groups=[0, 0, 1, 2, 2],
        sources=[code["peer"], code["peer"], code["self"], code["lead"], code["peer"]],
        levels=[2, 5, 4, 4, 1],
        ages_days=[0, 365, 0, 10, 0],
        group_count=4,
    )
    assert level.tolist() == [3, 0, 4, 0]
    assert source.tolist() == [code["peer"], 0, code["lead"], 0]


@pytest.mark.parametrize(
    ("groups", "sources", "levels", "ages"),
    [
        ([0, 1], [1], [3], [0]),
        ([-1], [1], [3], [0]),
        ([0], [4], [3], [0]),
        ([0], [1], [9], [0]),
        ([0], [1], [3], [-2]),
    ],
)
def test_the_vectorised_form_refuses_bad_input(groups, sources, levels, ages):
    with pytest.raises(ValueError):
        evidence_levels(groups, sources, levels, ages)


@PROPERTY
@given(evidence_lists)
def test_the_level_is_none_or_within_1_to_5(evidence):
    level = evidence_level(evidence)
    assert level is None or 1 <= level <= 5
    assert (level is None) == all(piece.source == "self" for piece in evidence)


@PROPERTY
@given(evidence_lists, st.data())
def test_older_lower_evidence_never_changes_the_level_when_a_higher_source_exists(evidence, data):
    combined = combine_evidence(evidence)
    if combined is None:
        return
    rank = SOURCE_PRECEDENCE[combined.source]
    lower = [source for source, code in SOURCE_PRECEDENCE.items() if code < rank]
    # A fresh higher source holds against anything lower; a stale one only against older evidence.
    has_fresh = any(p.source == combined.source and p.age_days <= FRESH_DAYS for p in evidence)
    oldest = max(p.age_days for p in evidence if p.source == combined.source)
    youngest_extra = 0.0 if has_fresh else max(oldest, FRESH_DAYS + 1)
    extra = data.draw(
        st.lists(
            st.builds(
                Evidence,
                source=st.sampled_from(lower),
                level=st.integers(1, 5),
                age_days=st.floats(min_value=youngest_extra, max_value=youngest_extra + 5000),
            ),
            max_size=5,
        )
    )
    assert evidence_level(evidence + extra) == combined.level


@PROPERTY
@given(evidence_lists)
def test_self_assessments_never_move_the_evidence_level(evidence):
    without_self = [piece for piece in evidence if piece.source != "self"]
    assert evidence_level(evidence) == evidence_level(without_self)


@PROPERTY
@given(evidence_lists, st.randoms(use_true_random=False))
def test_the_level_does_not_depend_on_order(evidence, random):
    shuffled = list(evidence)
    random.shuffle(shuffled)
    assert evidence_level(shuffled) == evidence_level(evidence)


@PROPERTY
@given(st.lists(evidence_lists, min_size=1, max_size=6))
def test_the_vectorised_form_agrees_with_the_scalar_one(groups_of_evidence):
    groups, codes, levels, ages = [], [], [], []
    for index, evidence in enumerate(groups_of_evidence):
        for piece in evidence:
            groups.append(index)
            codes.append(SOURCE_PRECEDENCE[piece.source])
            levels.append(piece.level)
            ages.append(piece.age_days)
    result, _ = evidence_levels(groups, codes, levels, ages, group_count=len(groups_of_evidence))
    expected = [evidence_level(evidence) or 0 for evidence in groups_of_evidence]
    assert result.tolist() == expected


def test_the_vectorised_form_handles_no_assessments():
    level, source = evidence_levels(np.array([], dtype=int), np.array([], dtype=int), [], [], group_count=2)
    assert level.tolist() == [0, 0]
    assert source.tolist() == [0, 0]
