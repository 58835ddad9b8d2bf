"""The minimum-group-size rule: the one place that decides whether an aggregate may be shown.

specs/calibration.md §5: an aggregate is shown only when it covers at least PRACTICA_MIN_GROUP_SIZE
distinct people (default 5, never below 3); a filter that would split a group below the threshold
is refused, so that two allowed aggregates cannot be subtracted to reveal one person. Figures that
would otherwise change with every new contribution move in released steps (``release_cutoff`` by
calendar month, ``release_step`` by people), so that comparing the page before and after one person
acts does not reveal what they did.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from operator import itemgetter
from typing import Any, Generic, TypeVar

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


def _month_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def _next_month(start: datetime) -> datetime:
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


def release_cutoff(contributions: Iterable[tuple[datetime, int]], now: datetime) -> datetime | None:
    """The instant before which contributions may be aggregated, or None while nothing is released.

    ``contributions`` are (when, person id) pairs. A live aggregate changes with every contribution,
    so comparing it before and after one person acts reveals what they did, whatever the group size.
    Released figures move a calendar month (UTC) at a time instead, and only when at least
    ``min_group_size()`` distinct people contributed since the previous step; the month under way is
    never included. Two figures a viewer can see therefore always differ by the contributions of at
    least that many people.
    """
    threshold = min_group_size()
    current = _month_start(now)
    months: dict[datetime, set[int]] = defaultdict(set)
    for when, person_id in contributions:
        if when < current:
            months[_month_start(when)].add(person_id)
    cutoff: datetime | None = None
    pending: set[int] = set()
    for month in sorted(months):
        pending |= months[month]
        if len(pending) >= threshold:
            cutoff, pending = _next_month(month), set()
    return cutoff


def released_rows(rows: Iterable[tuple[Any, ...]], now: datetime) -> list[tuple[Any, ...]]:
    """The rows (person id first, date last) inside the released period (``release_cutoff``)."""
    rows = list(rows)
    cutoff = release_cutoff(((row[-1], row[0]) for row in rows), now)
    return [row for row in rows if cutoff is not None and row[-1] < cutoff]


def release_step(
    contributions: Iterable[tuple[datetime, int]], *, settled_before: datetime | None = None
) -> datetime | None:
    """The last instant whose contributions a figure may include, or None while nothing is released.

    For figures that move with each contribution but have no calendar rhythm (the group's forecast on
    a question open for a fortnight): they move in steps instead, each step completed by the
    contribution that brings ``min_group_size()`` distinct people since the previous step, so two
    figures a viewer can see differ by the contributions of at least that many people. Contributions
    at or after ``settled_before`` are ignored: callers pass the end of any window in which a
    contribution may still be replaced in place, so a released contribution never changes. The
    contributions after the last step (fewer than the threshold) are left out until more people come.
    """
    threshold = min_group_size()
    cutoff: datetime | None = None
    pending: set[int] = set()
    # Contributions made at the same instant (a question's resolution scores every forecaster at
    # once) join the same step: a figure cut at an instant includes all of them.
    for when, same_instant in groupby(sorted(contributions), key=itemgetter(0)):
        if settled_before is not None and when >= settled_before:
            break
        pending.update(person_id for _, person_id in same_instant)
        if len(pending) >= threshold:
            cutoff, pending = when, set()
    return cutoff
