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
