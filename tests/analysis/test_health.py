"""The health formulas on small, hand-computed periods."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from practica.analysis.health import (
    AT_RISK,
    DORMANT,
    DOWN,
    FLAT,
    STEADY,
    THRIVING,
    UP,
    HealthThresholds,
    PeriodInputs,
    community_health,
    median_gap_days,
    share,
    trend,
)

START, END = date(2025, 1, 1), date(2025, 4, 1)
PREVIOUS_START = START - timedelta(days=90)


def thriving_period(**changes: object) -> PeriodInputs:
    """10 members, 5 took part, 3 monthly events, both newcomers contributed."""
    period = PeriodInputs(
        start=START,
        end=END,
        members=10,
        members_by_level={"core": 2, "active": 2, "occasional": 1, "peripheral": 5},
        joins=2,
        leaves=0,
        members_taking_part=5,
        events_planned=4,
        events_held=3,
        attendance=(6, 4, 8),
        event_days=(date(2025, 1, 10), date(2025, 2, 10), date(2025, 3, 12)),
        questions_asked=3,
        answers_given=5,
        articles_written=1,
        teams_reached=4,
        newcomers=2,
        newcomers_contributed=2,
    )
    return replace(period, **changes)


def previous_period(**changes: object) -> PeriodInputs:
    return replace(thriving_period(start=PREVIOUS_START, end=START), **changes)


def test_median_gap_of_three_events_is_the_middle_gap() -> None:
    # Gaps 31 and 30 days: the median of two gaps is their mean.
    assert median_gap_days([date(2025, 3, 12), date(2025, 1, 10), date(2025, 2, 10)]) == 30.5


def test_median_gap_ignores_one_long_break() -> None:
    days = [date(2025, 1, 1), date(2025, 1, 8), date(2025, 1, 15), date(2025, 3, 15)]
    assert median_gap_days(days) == 7.0


def test_median_gap_needs_two_events() -> None:
    assert median_gap_days([]) is None
    assert median_gap_days([date(2025, 1, 1)]) is None


def test_share_of_nothing_is_missing_not_zero() -> None:
    assert share(0, 0) is None
    assert share(1, 4) == 0.25


@pytest.mark.parametrize(
    ("value", "previous", "expected"),
    [
        (11, 10, FLAT),  # exactly 10%: still flat
        (12, 10, UP),
        (8, 10, DOWN),
        (0, 0, FLAT),
        (1, 0, UP),
        (None, 3, ""),
        (3, None, ""),
    ],
)
def test_trend_uses_a_ten_percent_flat_band(
    value: float | None, previous: float | None, expected: str
) -> None:
    assert trend(value, previous) == expected


def test_thriving_lists_every_criterion_met() -> None:
    report = community_health(thriving_period(), previous_period())
    assert report.status == THRIVING
    assert report.reasons == (
        "50% of members took part (at least 40% for thriving).",
        "3 events held with a median gap of 30.5 days (a steady rhythm).",
        "Membership did not shrink (10 to 10).",
        "100% of newcomers contributed within 30 days.",
    )


def test_indicator_values_are_computed_by_hand() -> None:
    report = community_health(thriving_period(), previous_period(members_taking_part=4, attendance=(2, 3)))
    assert report.indicator("active_share").value == 0.5
    assert report.indicator("active_share").previous == 0.4
    assert report.indicator("active_share").trend == UP
    assert report.indicator("active_share").assessment == "better"
    assert report.indicator("attendance").value == 6.0
    assert report.indicator("attendance").previous == 2.5
    assert report.indicator("regularity").value == 30.5
    assert report.indicator("core").value == 2
    assert report.indicator("newcomers").value == 1.0
    assert report.indicator("members").trend == FLAT
    assert report.indicator("members").assessment == ""


def test_fewer_leaves_is_better() -> None:
    report = community_health(thriving_period(leaves=1), previous_period(leaves=4))
    leaves = report.indicator("leaves")
    assert (leaves.trend, leaves.assessment) == (DOWN, "better")


def test_steady_when_participation_is_between_thresholds() -> None:
    # 3 of 10 took part: not at risk (>= 20%), not thriving (< 40%).
    report = community_health(thriving_period(members_taking_part=3), previous_period(members_taking_part=3))
    assert report.status == STEADY
    assert report.reasons == ("30% of members took part; thriving needs at least 40%.",)


def test_steady_when_the_rhythm_is_slow() -> None:
    slow = thriving_period(events_held=2, event_days=(date(2025, 1, 5), date(2025, 3, 20)))
    report = community_health(slow, previous_period())
    assert report.status == STEADY
    assert report.reasons == (
        "2 events held with a median gap of 74 days; thriving needs at least 3 events with a median gap "
        "of at most 35 days.",
    )


def test_steady_when_newcomers_do_not_contribute() -> None:
    report = community_health(thriving_period(newcomers_contributed=0), previous_period())
    assert report.status == STEADY
    assert report.reasons == ("0% of newcomers contributed within 30 days; thriving needs at least 50%.",)


def test_no_newcomers_does_not_block_thriving() -> None:
    report = community_health(thriving_period(newcomers=0, newcomers_contributed=0), previous_period())
    assert report.status == THRIVING
    assert report.indicator("newcomers").value is None
    assert "Nobody joined early enough" in report.indicator("newcomers").note


def test_at_risk_when_few_members_take_part() -> None:
    report = community_health(thriving_period(members_taking_part=1), previous_period(members_taking_part=1))
    assert report.status == AT_RISK
    assert report.reasons == ("Only 10% of members took part (at risk below 20%).",)


def test_active_share_boundary_of_twenty_percent_is_not_at_risk() -> None:
    report = community_health(thriving_period(members_taking_part=2), previous_period(members_taking_part=2))
    assert report.status == STEADY


def test_at_risk_lists_every_risk_signal() -> None:
    current = thriving_period(members=7, members_taking_part=1, events_held=0, attendance=(), event_days=())
    report = community_health(current, previous_period(members=10, members_taking_part=5))
    assert report.status == AT_RISK
    assert report.reasons == (
        "Only 14% of members took part (at risk below 20%).",
        "No event was held in the period.",
        "Membership fell by 30%, from 10 to 7 (at risk above 20%).",
        "The number of members taking part fell by 80%, from 5 to 1 (at risk above 50%).",
    )


def test_member_drop_of_exactly_twenty_percent_is_not_a_risk() -> None:
    report = community_health(thriving_period(members=8), previous_period(members=10))
    assert report.status == STEADY  # shrinking blocks thriving, but is not a risk at 20%
    assert report.reasons == ("Membership shrank from 10 to 8.",)


def test_dormant_when_nothing_happened() -> None:
    quiet = PeriodInputs(start=START, end=END, members=6, members_by_level={"peripheral": 6})
    report = community_health(quiet, previous_period())
    assert report.status == DORMANT
    assert report.reasons == ("Nobody attended or contributed and no event was held in the period.",)


def test_events_without_members_taking_part_are_not_dormant() -> None:
    period = PeriodInputs(start=START, end=END, members=4, events_planned=1, events_held=1)
    assert community_health(period).status == AT_RISK


def test_without_a_previous_period_there_are_no_trends() -> None:
    report = community_health(thriving_period())
    assert report.previous_start is None
    assert all(indicator.trend == "" for indicator in report.indicators)
    assert report.status == THRIVING
    assert not any("Membership" in reason for reason in report.reasons)


def test_untracked_indicators_say_so_instead_of_showing_zero() -> None:
    report = community_health(thriving_period(questions_asked=None), previous_period())
    for key in (
        "share_answered",
        "time_to_answer",
        "accepted_share",
        "stale_articles",
        "calibration",
        "questions_asked",
    ):
        indicator = report.indicator(key)
        assert indicator.value is None
        assert not indicator.available
        assert indicator.note.startswith("Not tracked yet")
        assert indicator.trend == ""


def test_regularity_needs_two_events_and_says_so() -> None:
    report = community_health(thriving_period(event_days=(date(2025, 2, 1),), events_held=1))
    regularity = report.indicator("regularity")
    assert regularity.value is None
    assert regularity.note == "Needs at least two events in the period."


def test_a_community_without_members_has_no_participation_share() -> None:
    report = community_health(PeriodInputs(start=START, end=END, events_held=1, events_planned=1))
    assert report.indicator("active_share").value is None
    assert report.indicator("active_share").note == "The community has no members."


def test_every_indicator_has_a_rule_and_a_unit_and_groups_keep_their_order() -> None:
    report = community_health(thriving_period(), previous_period())
    assert all(indicator.rule and indicator.unit for indicator in report.indicators)
    assert [group for group, _ in report.groups()] == [
        "participation", "rhythm", "knowledge", "reach", "newcomers", "calibration",
    ]  # fmt: skip


def test_custom_thresholds_change_the_status_and_the_rule_text() -> None:
    strict = HealthThresholds(thriving_active_share=0.6)
    report = community_health(thriving_period(), previous_period(), rules=strict)
    assert report.status == STEADY
    assert "at least 60% of members took part" in strict.describe()[2]
    assert report.thresholds is strict


@given(
    members=st.integers(0, 50),
    taking_part=st.integers(0, 50),
    held=st.integers(0, 10),
    previous_members=st.integers(0, 50),
)
def test_status_is_always_one_of_four_with_reasons(
    members: int, taking_part: int, held: int, previous_members: int
) -> None:
    taking_part = min(taking_part, members)
    days = tuple(START + timedelta(days=10 * i) for i in range(held))
    current = PeriodInputs(
        start=START, end=END, members=members, members_taking_part=taking_part, events_held=held,
        events_planned=held, event_days=days,
    )  # fmt: skip
    previous = PeriodInputs(start=PREVIOUS_START, end=START, members=previous_members)
    report = community_health(current, previous)
    assert report.status in {THRIVING, STEADY, AT_RISK, DORMANT}
    assert report.reasons
    assert (report.status == DORMANT) == (taking_part == 0 and held == 0)
