"""The participation rule (specs/communities.md, "Levels of participation"): hand-made cases, invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from practica.analysis.participation import (
    ACTIVE,
    CORE,
    LEVELS,
    OCCASIONAL,
    PERIPHERAL,
    TRANSACTIONAL,
    ParticipationRule,
    PersonActivity,
    level_shares,
    participation_levels,
)


def member(contributions: int = 0, weeks: int = 0, other: int = 0, *, lead: bool = False) -> PersonActivity:
    return PersonActivity(
        is_member=True,
        is_lead=lead,
        contributions=contributions,
        contribution_weeks=weeks,
        other_activity=other,
    )


def non_member(contributions: int = 0, weeks: int = 0, other: int = 0) -> PersonActivity:
    return PersonActivity(
        is_member=False, contributions=contributions, contribution_weeks=weeks, other_activity=other
    )


def test_every_level_is_reachable_under_the_default_rule():
    # Contributing members: star (10), busy (4), once (1) -> top 15% of 3 is one person: star.
    activity = {
        "lead": member(lead=True),
        "star": member(10, weeks=4),
        "busy": member(4, weeks=1),
        "once": member(1, weeks=1),
        "came": member(other=2),
        "quiet": member(),
        "visitor": non_member(other=1),
        "helper": non_member(2, weeks=2),
        "stranger": non_member(),
    }
    assert participation_levels(activity) == {
        "lead": CORE,
        "star": CORE,
        "busy": ACTIVE,
        "once": OCCASIONAL,
        "came": OCCASIONAL,
        "quiet": PERIPHERAL,
        "visitor": TRANSACTIONAL,
        "helper": TRANSACTIONAL,
    }
    assert set(participation_levels(activity).values()) == set(LEVELS)


def test_a_lead_is_core_even_without_any_activity():
    assert participation_levels({"lead": member(lead=True), "other": member(9, weeks=5)}) == {
        "lead": CORE,
        "other": CORE,
    }


def test_a_lead_does_not_raise_the_bar_for_other_members():
    # The lead's own contributions count among the contributors like anyone else's.
    levels = participation_levels({"lead": member(20, weeks=6, lead=True), "second": member(5, weeks=3)})
    assert levels == {"lead": CORE, "second": ACTIVE}


def test_the_top_share_includes_everyone_tied_with_the_last_included():
    # Ten contributors: the top 15% is ceil(1.5) = 2 people, so the threshold is the second-highest
    # count (5); both members with 5 are core, the member with 4 is only active.
    counts = [9, 5, 5, 4, 3, 2, 1, 1, 1, 1]
    activity = {f"m{index}": member(count, weeks=3) for index, count in enumerate(counts)}
    levels = participation_levels(activity)
    assert [levels[f"m{index}"] for index in range(4)] == [CORE, CORE, CORE, ACTIVE]
    assert sum(level == CORE for level in levels.values()) == 3


def test_the_top_share_is_at_least_one_person():
    levels = participation_levels({"only": member(3, weeks=3), "quiet": member()})
    assert levels == {"only": CORE, "quiet": PERIPHERAL}


def test_core_needs_contributions_in_at_least_three_distinct_weeks():
    assert participation_levels({"burst": member(12, weeks=2)}) == {"burst": ACTIVE}
    assert participation_levels({"steady": member(12, weeks=3)}) == {"steady": CORE}
    # A top contributor below the active threshold and with too few weeks stays occasional.
    assert participation_levels({"small": member(2, weeks=2)}) == {"small": OCCASIONAL}


def test_active_needs_the_minimum_number_of_contributions():
    levels = participation_levels(
        {"top": member(20, weeks=8), "three": member(3, weeks=1), "two": member(2, weeks=2)}
    )
    assert levels == {"top": CORE, "three": ACTIVE, "two": OCCASIONAL}


def test_attendance_alone_makes_a_member_occasional_never_active():
    assert participation_levels({"listener": member(other=50)}) == {"listener": OCCASIONAL}


def test_only_non_members_with_activity_are_transactional():
    levels = participation_levels(
        {"asked": non_member(other=1), "wrote": non_member(5, weeks=5), "nothing": non_member()}
    )
    assert levels == {"asked": TRANSACTIONAL, "wrote": TRANSACTIONAL}


def test_non_members_do_not_count_among_the_top_contributors():
    # Were the outsider counted, the threshold would be 50 and the member would not be core.
    levels = participation_levels({"outsider": non_member(50, weeks=10), "member": member(4, weeks=3)})
    assert levels == {"outsider": TRANSACTIONAL, "member": CORE}


def test_a_custom_rule_changes_the_thresholds_and_its_description():
    rule = ParticipationRule(window_days=30, active_min_contributions=1, core_min_weeks=1, core_top_share=0.5)
    levels = participation_levels(
        {"a": member(4, weeks=1), "b": member(3, weeks=1), "c": member(1, weeks=1), "d": member(1, weeks=1)},
        rule,
    )
    assert levels == {"a": CORE, "b": CORE, "c": ACTIVE, "d": ACTIVE}
    description = " ".join(rule.describe())
    assert "top 50%" in description
    assert "at least 1 different weeks of the last 30 days" in description
    assert "at least 1 contributions" in description


def test_the_default_rule_is_described_with_its_numbers():
    lines = ParticipationRule().describe()
    assert len(lines) == len(LEVELS)
    assert lines[0].startswith("Core: leads, plus the top 15% of contributors")
    assert "3 different weeks of the last 90 days" in lines[0]
    assert "at least 3 contributions" in lines[1]


def test_level_shares_count_members_only():
    shares = level_shares({"a": CORE, "b": ACTIVE, "c": PERIPHERAL, "d": PERIPHERAL, "x": TRANSACTIONAL})
    assert shares == {CORE: 0.25, ACTIVE: 0.25, OCCASIONAL: 0.0, PERIPHERAL: 0.5}


def test_level_shares_of_nobody_are_zero():
    assert level_shares({}) == {CORE: 0.0, ACTIVE: 0.0, OCCASIONAL: 0.0, PERIPHERAL: 0.0}
    assert level_shares({"x": TRANSACTIONAL}) == {CORE: 0.0, ACTIVE: 0.0, OCCASIONAL: 0.0, PERIPHERAL: 0.0}


@st.composite
def person_activity(draw: st.DrawFn, *, is_member: bool | None = None) -> PersonActivity:
    contributions = draw(st.integers(0, 30))
    is_member = draw(st.booleans()) if is_member is None else is_member
    return PersonActivity(
        is_member=is_member,
        is_lead=is_member and draw(st.booleans()),
        contributions=contributions,
        contribution_weeks=draw(st.integers(0, min(contributions, 13))),
        other_activity=draw(st.integers(0, 10)),
    )


communities = st.dictionaries(st.integers(0, 10_000), person_activity(), max_size=40)


@given(communities, person_activity(is_member=False), st.integers(10_001, 20_000))
def test_adding_a_non_member_never_changes_members_levels(activity, newcomer, newcomer_id):
    before = participation_levels(activity)
    after = participation_levels({**activity, newcomer_id: newcomer})
    assert {person: after[person] for person in before} == before
    assert after.get(newcomer_id) in {None, TRANSACTIONAL}


@given(communities, st.randoms(use_true_random=False))
def test_levels_do_not_depend_on_the_order_of_people(activity, random):
    people = list(activity.items())
    random.shuffle(people)
    assert participation_levels(dict(people)) == participation_levels(activity)


@given(communities)
def test_every_member_has_a_member_level_and_leads_are_core(activity):
    levels = participation_levels(activity)
    for person, record in activity.items():
        if record.is_member:
            assert levels[person] in LEVELS[:-1]
            if record.is_lead:
                assert levels[person] == CORE
        else:
            assert levels.get(person) in {None, TRANSACTIONAL}
    shares = level_shares(levels)
    if any(record.is_member for record in activity.values()):
        assert sum(shares.values()) == pytest.approx(1.0)
