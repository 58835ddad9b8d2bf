from __future__ import annotations

import pytest

from practica.core import privacy
from practica.core.errors import ApplicationError


def test_an_aggregate_below_the_threshold_is_withheld(settings):
    settings.PRACTICA_MIN_GROUP_SIZE = 5
    hidden = privacy.guarded(0.7, 4)
    assert hidden.shown is False
    assert hidden.value is None
    assert hidden.reason == privacy.NOT_ENOUGH_PEOPLE
    shown = privacy.guarded(0.7, 5)
    assert (shown.shown, shown.value, shown.reason) == (True, 0.7, "")


def test_the_threshold_never_goes_below_three(settings):
    settings.PRACTICA_MIN_GROUP_SIZE = 1
    assert privacy.min_group_size() == 3
    assert not privacy.aggregate_allowed(2)
    assert privacy.aggregate_allowed(3)


def test_a_filter_leaving_a_small_remainder_is_refused(settings):
    settings.PRACTICA_MIN_GROUP_SIZE = 5
    # 12 people, a filter selecting 8 leaves 4 outside: subtracting the two aggregates reveals them.
    with pytest.raises(ApplicationError, match="too small"):
        privacy.check_filter_split(12, [8])
    with pytest.raises(ApplicationError):
        privacy.check_filter_split(12, [3])


def test_a_filter_with_large_parts_or_nothing_selected_is_allowed(settings):
    settings.PRACTICA_MIN_GROUP_SIZE = 5
    privacy.check_filter_split(12, [6, 6])
    privacy.check_filter_split(12, [0, 12])


def test_released_figures_move_a_month_at_a_time_and_only_with_enough_people(settings):
    from datetime import UTC, datetime

    settings.PRACTICA_MIN_GROUP_SIZE = 3
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    september = [(datetime(2026, 9, day, tzinfo=UTC), person) for day, person in ((2, 1), (9, 2), (20, 3))]
    assert privacy.release_cutoff(september, now) == datetime(2026, 10, 1, tzinfo=UTC)
    # One person in October is not a step of its own: the figure stays at the end of September.
    october = [(datetime(2026, 10, 5, tzinfo=UTC), 4)]
    assert privacy.release_cutoff(september + october, now) == datetime(2026, 10, 1, tzinfo=UTC)
    # The month under way never counts, however many take part.
    november = [(datetime(2026, 11, 2, tzinfo=UTC), person) for person in (5, 6, 7, 8)]
    assert privacy.release_cutoff(september + october + november, now) == datetime(2026, 10, 1, tzinfo=UTC)
    # Once the month is over, October and November together make a step of enough people.
    later = datetime(2026, 12, 1, tzinfo=UTC)
    assert privacy.release_cutoff(september + october + november, later) == datetime(2026, 12, 1, tzinfo=UTC)
    # Too few people overall: nothing is released at all.
    assert privacy.release_cutoff(september[:2], now) is None


def test_stepped_figures_move_only_when_enough_new_people_contributed(settings):
    from datetime import UTC, datetime, timedelta

    settings.PRACTICA_MIN_GROUP_SIZE = 3
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    at = [start + timedelta(hours=hour) for hour in range(10)]
    settled = start + timedelta(days=30)
    assert privacy.release_step([(at[0], 1), (at[1], 2)], settled_before=settled) is None
    first = [(at[0], 1), (at[1], 2), (at[2], 3)]
    assert privacy.release_step(first, settled_before=settled) == at[2]
    # Person 1 changing their mind twice and person 4 joining are two people, not three: no step.
    more = [*first, (at[3], 1), (at[4], 4), (at[5], 1)]
    assert privacy.release_step(more, settled_before=settled) == at[2]
    # A third distinct person completes the next step, whatever the order the rows come in.
    complete = [*more, (at[6], 5)]
    assert privacy.release_step(list(reversed(complete)), settled_before=settled) == at[6]
    # A contribution that may still be replaced in place does not count yet.
    assert privacy.release_step(complete, settled_before=at[6]) == at[2]


def test_contributions_made_at_the_same_instant_join_the_same_step(settings):
    from datetime import UTC, datetime, timedelta

    settings.PRACTICA_MIN_GROUP_SIZE = 3
    resolved = datetime(2026, 11, 2, 9, tzinfo=UTC)
    later = resolved + timedelta(hours=1)
    # A resolution scores five people at once: all five are in the step cut at that instant, so the
    # next step needs three people after it, not one (persons 4 and 5 must not be counted twice).
    batch = [(resolved, person) for person in range(1, 6)]
    assert privacy.release_step(batch) == resolved
    assert privacy.release_step([*batch, (later, 6)]) == resolved
    assert privacy.release_step([*batch, (later, 6), (later, 7), (later, 8)]) == later
