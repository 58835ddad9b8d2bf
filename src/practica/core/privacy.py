"""The minimum-group-size rule: the one place that decides whether an aggregate may be shown.

specs/calibration.md §5: an aggregate is shown only when it covers at least PRACTICA_MIN_GROUP_SIZE
distinct people (default 5, never below 3); a filter that would split a group below the threshold
is refused, so that two allowed aggregates cannot be subtracted to reveal one person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings

from practica.config import MIN_GROUP_SIZE_FLOOR
from practica.core.errors import ApplicationError

T = TypeVar("T")

NOT_ENOUGH_PEOPLE = "Not enough people to show this without identifying someone."


def min_group_size() -> int:
    """The configured threshold, never below the floor of 3 whatever the settings say."""
    return max(int(settings.PRACTICA_MIN_GROUP_SIZE), MIN_GROUP_SIZE_FLOOR)


def aggregate_allowed(distinct_people: int) -> bool:
    """True when an aggregate over this many distinct people may be shown."""
    return distinct_people >= min_group_size()


@dataclass(frozen=True)
class Aggregate(Generic[T]):
    """A value computed over a group, or the reason it is withheld."""

    value: T | None
    people: int
    shown: bool

    @property
    def reason(self) -> str:
        return "" if self.shown else NOT_ENOUGH_PEOPLE


def guarded(value: T, distinct_people: int) -> Aggregate[T]:
    """Wrap an aggregate so templates and the API show it only above the threshold."""
    if aggregate_allowed(distinct_people):
        return Aggregate(value=value, people=distinct_people, shown=True)
    return Aggregate(value=None, people=distinct_people, shown=False)


def check_filter_split(whole: int, parts: Iterable[int]) -> None:
    """Refuse a filter that splits a group into a part, or a remainder, below the threshold.

    ``whole`` is the number of distinct people in the unfiltered group and ``parts`` the sizes of
    the filtered groups. A part of size 0 is harmless (nothing is shown); a part below the threshold,
    or a remainder below the threshold, would let someone difference two aggregates.
    """
    threshold = min_group_size()
    for part in parts:
        if part == 0 or part == whole:
            continue
        if part < threshold or whole - part < threshold:
            raise ApplicationError(
                "This filter would split the group into parts too small to show without identifying "
                "someone; choose a broader filter."
            )
