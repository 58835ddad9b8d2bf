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
