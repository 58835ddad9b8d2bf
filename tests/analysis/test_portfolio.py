"""The portfolio's pure rules: needs-attention reasons, health trend, quarters, small ratios."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from practica.analysis.portfolio import (
    AttentionRules,
    CommunityFacts,
    attention_reasons,
    brier_from_sums,
    budget_use,
    health_trend,
    last_quarters,
    parse_quarter,
    per_person,
    quarter_bounds,
    quarter_key,
    ratio,
)


def facts(**overrides: object) -> CommunityFacts:
    values: dict[str, object] = {
        "days_since_event": 10,
        "stale_open_questions": 0,
        "leads": 2,
        "core_members": 3,
        "health_status": "thriving",
    }
    values.update(overrides)
    return CommunityFacts(**values)  # type: ignore[arg-type]


def test_a_healthy_community_needs_no_attention() -> None:
    assert attention_reasons(facts()) == []


def test_no_event_for_more_than_sixty_days_is_a_reason() -> None:
    assert attention_reasons(facts(days_since_event=60)) == []
    assert attention_reasons(facts(days_since_event=61)) == ["No event for 61 days (more than 60)."]


def test_never_held_an_event_is_a_reason() -> None:
    assert attention_reasons(facts(days_since_event=None)) == ["No event held yet."]


def test_unanswered_questions_piling_up_is_a_reason_above_five() -> None:
    assert attention_reasons(facts(stale_open_questions=5)) == []
    assert attention_reasons(facts(stale_open_questions=6)) == [
        "6 questions unanswered for over 14 days (more than 5)."
    ]


def test_one_lead_and_no_core_is_a_reason_but_one_lead_with_core_is_not() -> None:
    assert attention_reasons(facts(leads=1, core_members=0)) == ["One lead and no core members."]
    assert attention_reasons(facts(leads=1, core_members=1)) == []
    assert attention_reasons(facts(leads=0, core_members=2)) == ["No lead."]


@pytest.mark.parametrize(
    ("status", "reason"), [("at_risk", "Health is at risk."), ("dormant", "Health is dormant.")]
)
def test_poor_health_comes_first(status: str, reason: str) -> None:
    reasons = attention_reasons(facts(health_status=status, days_since_event=90))
    assert reasons[0] == reason
    assert len(reasons) == 2


def test_rules_can_be_tightened() -> None:
    rules = AttentionRules(no_event_days=30, open_questions=1, open_question_days=7)
    assert attention_reasons(facts(days_since_event=31, stale_open_questions=2), rules) == [
        "No event for 31 days (more than 30).",
        "2 questions unanswered for over 7 days (more than 1).",
    ]
    assert len(rules.describe()) == 4
    assert "30 days" in rules.describe()[0]


def test_health_trend_compares_ranks() -> None:
    assert health_trend("thriving", "steady") == "improving"
    assert health_trend("at_risk", "steady") == "worsening"
    assert health_trend("dormant", "dormant") == "same"
    assert health_trend("", "steady") == ""


def test_quarter_keys_and_bounds() -> None:
    assert quarter_key(date(2026, 1, 1)) == "2026-Q1"
    assert quarter_key(date(2026, 3, 31)) == "2026-Q1"
    assert quarter_key(date(2026, 12, 31)) == "2026-Q4"
    assert quarter_bounds("2026-Q4") == (date(2026, 10, 1), date(2027, 1, 1))
    assert quarter_bounds("2026-Q2") == (date(2026, 4, 1), date(2026, 7, 1))
    assert last_quarters(date(2026, 2, 10), 3) == ["2025-Q3", "2025-Q4", "2026-Q1"]


@pytest.mark.parametrize("bad", ["2026", "2026-Q5", "2026-Q0", "26-Q1", "2026-q1", "", "2026-Q1x"])
def test_bad_quarter_keys_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_quarter(bad)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_every_day_lies_within_its_quarter(day: date) -> None:
    start, end = quarter_bounds(quarter_key(day))
    assert start <= day < end
    assert quarter_key(end - timedelta(days=1)) == quarter_key(day)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)), st.integers(1, 12))
def test_last_quarters_are_consecutive_and_end_today(day: date, count: int) -> None:
    keys = last_quarters(day, count)
    assert len(keys) == count == len(set(keys))
    assert keys[-1] == quarter_key(day)
    for earlier, later in pairwise(keys):
        assert quarter_bounds(earlier)[1] == quarter_bounds(later)[0]


def test_small_ratios() -> None:
    assert ratio(1, 4) == 0.25
    assert ratio(3, 0) is None
    assert per_person([1.0, 2.0, 6.0]) == (2.0, 3.0)
    assert per_person([]) == (None, None)
    # Forecasts 0.8 (yes) and 0.3 (no): (0.04 + 0.09) / 2 = 0.065.
    assert brier_from_sums(0.04 + 0.09, 2) == pytest.approx(0.065)
    assert brier_from_sums(0.0, 0) is None
    assert budget_use(30, 40) == 0.75
    assert budget_use(30, None) is None
    assert budget_use(30, 0) is None
