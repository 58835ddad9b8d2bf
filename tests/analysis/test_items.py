"""Knowledge-check items: validation, scoring, evidence levels and item statistics, computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from practica.analysis.items import (
    ItemError,
    check_evidence_level,
    discrimination_label,
    item_statistics,
    multiple_select_credit,
    score_response,
    validate_item,
    validate_response,
)


def test_a_single_choice_item_keeps_its_cleaned_options_and_index():
    spec = validate_item("single", ["  Unit  test ", "Mock", ""], 1)
    assert spec.options == ["Unit test", "Mock"]
    assert spec.answer == 1
    assert spec.tolerance is None


@pytest.mark.parametrize(
    ("kind", "options", "answer", "tolerance", "field"),
    [
        ("essay", [], None, None, "kind"),
        ("single", ["only one"], 0, None, "options"),
        ("single", ["a", "A"], 0, None, "options"),
        ("single", ["a", "b"], 2, None, "answer"),
        ("single", ["a", "b"], -1, None, "answer"),
        ("single", ["a", "b"], True, None, "answer"),
        ("single", ["a", "b"], "1", None, "answer"),
        ("multiple", ["a", "b", "c"], [], None, "answer"),
        ("multiple", ["a", "b", "c"], [0, 3], None, "answer"),
        ("multiple", ["a", "b", "c"], 1, None, "answer"),
        ("true_false", [], "true", None, "answer"),
        ("true_false", [], 1, None, "answer"),
        ("numeric", [], "forty-two", None, "answer"),
        ("numeric", [], float("nan"), None, "answer"),
        ("numeric", [], 42, -0.5, "tolerance"),
        ("numeric", [], 42, "wide", "tolerance"),
    ],
)
def test_malformed_items_are_refused_naming_the_field(kind, options, answer, tolerance, field):
    with pytest.raises(ItemError) as refusal:
        validate_item(kind, options, answer, tolerance)
    assert refusal.value.field == field
    assert refusal.value.message


def test_multiple_select_answers_are_sorted_and_deduplicated():
    assert validate_item("multiple", ["a", "b", "c"], [2, 0, 2]).answer == [0, 2]


def test_numeric_items_default_to_an_exact_answer():
    spec = validate_item("numeric", [], "3.5", None)
    assert (spec.answer, spec.tolerance) == (3.5, 0.0)


def test_multiple_select_partial_credit_by_hand():
    # correct {0, 2}: each correct pick earns 1/2, each wrong pick takes 1/2 away, floored at 0
    assert multiple_select_credit([0, 2], [0]) == 0.5
    assert multiple_select_credit([0, 2], [0, 2]) == 1.0
    assert multiple_select_credit([0, 2], [0, 1]) == 0.0
    assert multiple_select_credit([0, 2], [0, 1, 2]) == 0.5
    assert multiple_select_credit([0, 2], [1, 3]) == 0.0
    assert multiple_select_credit([0, 2], []) == 0.0
    assert multiple_select_credit([0, 1, 2], [0, 1, 3]) == pytest.approx(1 / 3)


def test_scoring_each_kind():
    assert score_response("single", 2, 2) == 1.0
    assert score_response("single", 2, 1) == 0.0
    assert score_response("true_false", False, False) == 1.0
    assert score_response("true_false", False, True) == 0.0
    assert score_response("multiple", [1, 3], [1]) == 0.5
    assert score_response("numeric", 100.0, 103.0, 3.0) == 1.0
    assert score_response("numeric", 100.0, 103.5, 3.0) == 0.0
    assert score_response("numeric", 0.3, 0.1 + 0.2, 0.0) == 1.0  # rounding does not make it wrong
    assert score_response("numeric", 100.0, 99.0, None) == 0.0
    assert score_response("single", 0, None) is None


@given(
    st.sets(st.integers(0, 7), min_size=1),
    st.sets(st.integers(0, 7)),
)
def test_partial_credit_stays_in_the_unit_interval_and_knowing_beats_picking_everything(correct, picked):
    credit = multiple_select_credit(sorted(correct), sorted(picked))
    assert 0.0 <= credit <= 1.0
    assert multiple_select_credit(sorted(correct), sorted(correct)) == 1.0
    if set(picked) > set(correct):
        assert credit < 1.0


def test_responses_are_validated_per_kind():
    assert validate_response("single", 3, 2) == 2
    assert validate_response("multiple", 3, [2, 0, 0]) == [0, 2]
    assert validate_response("multiple", 3, []) == []
    assert validate_response("true_false", 0, True) is True
    assert validate_response("numeric", 0, "2.5") == 2.5
    for kind, response in [
        ("single", 3),
        ("single", "0"),
        ("multiple", [3]),
        ("multiple", "0"),
        ("true_false", "yes"),
        ("numeric", "n/a"),
        ("numeric", float("inf")),
    ]:
        with pytest.raises(ItemError) as refusal:
            validate_response(kind, 3, response)
        assert refusal.value.field == "response"


@pytest.mark.parametrize(
    ("accuracy", "level"),
    [
        (0.0, 1),
        (0.3499, 1),
        (0.35, 2),
        (0.5499, 2),
        (0.55, 3),
        (0.7499, 3),
        (0.75, 4),
        (0.8999, 4),
        (0.9, 5),
        (1.0, 5),
    ],
)
def test_evidence_levels_follow_the_documented_thresholds(accuracy, level):
    assert check_evidence_level(accuracy) == level


@pytest.mark.parametrize("accuracy", [-0.1, 1.1, float("nan")])
def test_an_accuracy_outside_the_unit_interval_has_no_level(accuracy):
    with pytest.raises(ValueError):
        check_evidence_level(accuracy)


def test_item_statistics_by_hand():
    # four people, three items
    credits = np.array(
        [
            [1, 1, 0],
            [1, 0, 1],
            [0, 0, 1],
            [1, 1, 1],
        ],
        dtype=float,
    )
    rows = item_statistics(credits)
    assert [row.difficulty for row in rows] == [0.75, 0.5, 0.75]
    # item 1 against the rest score (items 2 + 3): x = (1, 1, 0, 1), rest = (1, 1, 1, 2)
    x = np.array([1, 1, 0, 1.0])
    rest = np.array([1, 1, 1, 2.0])
    expected = ((x - x.mean()) @ (rest - rest.mean())) / math.sqrt(
        ((x - x.mean()) ** 2).sum() * ((rest - rest.mean()) ** 2).sum()
    )
    assert rows[0].discrimination == pytest.approx(expected)
    assert rows[0].discrimination == pytest.approx(1 / 3)


def test_an_item_everyone_got_right_has_no_discrimination():
    rows = item_statistics([[1, 0], [1, 1], [1, 0]])
    assert rows[0].difficulty == 1.0
    assert math.isnan(rows[0].discrimination)
    assert discrimination_label(rows[0].discrimination).startswith("not measurable")


def test_item_statistics_refuse_credits_outside_the_unit_interval():
    with pytest.raises(ValueError):
        item_statistics([[1.5, 0]])
    with pytest.raises(ValueError):
        item_statistics([1, 0])


def test_discrimination_labels():
    assert discrimination_label(0.45) == "very good"
    assert discrimination_label(0.3) == "good"
    assert discrimination_label(0.25) == "marginal"
    assert discrimination_label(0.1).startswith("poor")
    assert discrimination_label(-0.2).startswith("negative")
