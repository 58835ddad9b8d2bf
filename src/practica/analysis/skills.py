"""Skills: combining dated evidence of a person's level into one evidence level, and the calibration gap.

Pure functions over plain numbers and numpy arrays (no Django). The specification is
``shared/specs/calibration.md`` section 3: evidence comes from knowledge checks, lead assessments and
peer assessments, combined with the precedence check > lead > peer > self; older evidence weighs less;
the calibration gap is the self-assessed level minus the evidence level (positive = over-estimate).

The rule, exactly (:func:`evidence_level` for one person and skill, :func:`evidence_levels` for many):

1. Self-assessments are never evidence. With only self-assessments, the evidence level is ``None``.
2. The sources that count are check (highest precedence), lead, then peer. A piece of evidence is
   *fresh* when it is at most :data:`FRESH_DAYS` (730 days, two years) old.
3. The chosen source is the highest-precedence source that has fresh evidence; when no source has
   fresh evidence, the highest-precedence source that has any evidence at all (stale evidence is
   still better than none). Lower-precedence sources are used only when no higher one qualifies, so
   adding evidence of a lower-precedence source never changes the level of someone who already has
   fresh evidence of a higher one (nor adding stale lower evidence to anyone's).
4. Within the chosen source, every piece of its evidence (fresh or not) counts with the recency weight
   ``0.5 ** (age_days / HALF_LIFE_DAYS)`` (ages capped at a century; half-life
   :data:`HALF_LIFE_DAYS` = 365 days: a year-old assessment counts half as much as today's); the
   evidence level is the weighted mean rounded half
   up (2.5 becomes 3), so it is always a whole level from 1 to 5.

The self-assessed level is the person's most recent self-assessment (:func:`current_self_level`):
people revise their view of themselves, and only the latest one is theirs today.

References:
    S. E. Dreyfus & H. L. Dreyfus, "A five-stage model of the mental activities involved in directed
    skill acquisition", University of California, Berkeley, 1980 (the five levels);
    J. Kruger & D. Dunning, "Unskilled and unaware of it", JPSP 77(6), 1999 (why self-assessment
    alone is not evidence); Degreed, "Skill ratings" (precedence of rating sources, 2019).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

MIN_LEVEL = 1
MAX_LEVEL = 5

HALF_LIFE_DAYS = 365.0
"""Evidence loses half its weight every year."""

FRESH_DAYS = 730.0
"""Evidence at most this old lets its source take precedence; older evidence counts only when no
source has anything fresher."""

WEIGHT_AGE_CAP_DAYS = 36_500.0
"""Ages beyond a century weigh as a century (2**-100), so weights never underflow to zero."""

SOURCES: tuple[str, ...] = ("self", "peer", "lead", "check")
"""Sources in increasing precedence; the index is the source's precedence code."""

SOURCE_PRECEDENCE: dict[str, int] = {source: code for code, source in enumerate(SOURCES)}
SELF = SOURCE_PRECEDENCE["self"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Evidence:
    """One dated assessment: its source ("self", "peer", "lead" or "check"), level 1..5 and age in days."""

    source: str
    level: int
    age_days: float


@dataclass(frozen=True)
class EvidenceLevel:
    """The combined evidence level, which source it came from and how many assessments it used."""

    level: int
    source: str
    weighted_mean: float
    used: int


def _check_level(level: float) -> None:
    if not MIN_LEVEL <= level <= MAX_LEVEL or level != int(level):
        raise ValueError(f"a level must be a whole number from {MIN_LEVEL} to {MAX_LEVEL}, got {level!r}")


def _check_age(age_days: float) -> None:
    if not (math.isfinite(age_days) and age_days >= 0):
        raise ValueError(f"age in days must be a finite number >= 0, got {age_days!r}")


def _source_code(source: str) -> int:
    try:
        return SOURCE_PRECEDENCE[source]
    except KeyError:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, got {source!r}") from None


def recency_weight(age_days: float) -> float:
    """The weight of evidence ``age_days`` old: 1 today, 1/2 after a year, 1/4 after two."""
    _check_age(age_days)
    return 0.5 ** (min(age_days, WEIGHT_AGE_CAP_DAYS) / HALF_LIFE_DAYS)


def round_level(mean: float) -> int:
    """Round a mean level half up (2.5 -> 3; Python's round() would give 2) and keep it in 1..5."""
    return min(MAX_LEVEL, max(MIN_LEVEL, math.floor(mean + 0.5)))


def combine_evidence(evidence: Iterable[Evidence]) -> EvidenceLevel | None:
    """Combine one person's evidence in one skill by the rule in the module docstring.

    Returns ``None`` when there is no evidence besides self-assessments.

    Raises:
        ValueError: an unknown source, a level outside 1..5 or a negative or non-finite age.
    """
    pieces = list(evidence)
    best_fresh, best_any = SELF, SELF
    for piece in pieces:
        code = _source_code(piece.source)
        _check_level(piece.level)
        _check_age(piece.age_days)
        if code == SELF:
            continue
        best_any = max(best_any, code)
        if piece.age_days <= FRESH_DAYS:
            best_fresh = max(best_fresh, code)
    chosen = best_fresh if best_fresh != SELF else best_any
    if chosen == SELF:
        return None
    total_weight = 0.0
    weighted = 0.0
    used = 0
    for piece in pieces:
        if SOURCE_PRECEDENCE[piece.source] != chosen:
            continue
        weight = recency_weight(piece.age_days)
        total_weight += weight
        weighted += weight * piece.level
        used += 1
    mean = weighted / total_weight
    return EvidenceLevel(level=round_level(mean), source=SOURCES[chosen], weighted_mean=mean, used=used)


def evidence_level(evidence: Iterable[Evidence]) -> int | None:
    """The evidence level 1..5 of one person in one skill, or ``None`` with only self-assessments."""
    combined = combine_evidence(evidence)
    return None if combined is None else combined.level


def current_self_level(evidence: Iterable[Evidence]) -> int | None:
    """The most recent self-assessed level (the youngest; ties go to the later one given), or ``None``."""
    latest: tuple[float, int] | None = None
    for piece in evidence:
        if piece.source != "self":
            continue
        _check_level(piece.level)
        _check_age(piece.age_days)
        if latest is None or piece.age_days <= latest[0]:
            latest = (piece.age_days, piece.level)
    return None if latest is None else latest[1]


def calibration_gap(self_level: int | None, evidence_level: int | None) -> int | None:
    """Self-assessed level minus evidence level: positive is an over-estimate, negative an under-estimate.

    ``None`` when either level is missing: without both there is nothing to compare.
    """
    if self_level is None or evidence_level is None:
        return None
    _check_level(self_level)
    _check_level(evidence_level)
    return int(self_level) - int(evidence_level)


def evidence_levels(
    groups: npt.ArrayLike,
    sources: npt.ArrayLike,
    levels: npt.ArrayLike,
    ages_days: npt.ArrayLike,
    group_count: int | None = None,
) -> tuple[IntArray, IntArray]:
    """Vectorised :func:`evidence_level` for many (person, skill) groups at once.

    Args:
        groups: group index 0..G-1 of each assessment (e.g. one group per person and skill).
        sources: precedence code of each assessment (0 self, 1 peer, 2 lead, 3 check; see
            :data:`SOURCE_PRECEDENCE`).
        levels: level 1..5 of each assessment.
        ages_days: age of each assessment in days (>= 0).
        group_count: G; by default one more than the largest group index.

    Returns:
        ``(level, source)`` arrays of length G: the evidence level (0 where there is none, i.e. only
        self-assessments or nothing) and the precedence code of the source it came from (0 where none).
        Time and memory are linear in the number of assessments; no Python loop over them.

    Raises:
        ValueError: unequal lengths, a negative group index, an unknown source code, a level outside
            1..5 or a negative or non-finite age.
    """
    group = np.asarray(groups, dtype=np.int64).ravel()
    code = np.asarray(sources, dtype=np.int64).ravel()
    level = np.asarray(levels, dtype=np.float64).ravel()
    age = np.asarray(ages_days, dtype=np.float64).ravel()
    n = len(group)
    if not (len(code) == len(level) == len(age) == n):
        raise ValueError("groups, sources, levels and ages_days must have the same length")
    size = int(group_count) if group_count is not None else (int(group.max()) + 1 if n else 0)
    if n:
        if int(group.min()) < 0 or int(group.max()) >= size:
            raise ValueError("group indices must be in 0 .. group_count - 1")
        if int(code.min()) < 0 or int(code.max()) >= len(SOURCES):
            raise ValueError(f"source codes must be 0 .. {len(SOURCES) - 1}")
        if not np.all((level >= MIN_LEVEL) & (level <= MAX_LEVEL) & (level == np.floor(level))):
            raise ValueError(f"levels must be whole numbers from {MIN_LEVEL} to {MAX_LEVEL}")
        if not np.all(np.isfinite(age) & (age >= 0)):
            raise ValueError("ages in days must be finite numbers >= 0")
    counts_evidence = code != SELF
    fresh = counts_evidence & (age <= FRESH_DAYS)
    # The best source per group: precedence codes are small, so one bincount per code is enough.
    best_fresh = np.zeros(size, dtype=np.int64)
    best_any = np.zeros(size, dtype=np.int64)
    for source_code in range(1, len(SOURCES)):
        of_source = code == source_code
        best_fresh[np.bincount(group[of_source & fresh], minlength=size) > 0] = source_code
        best_any[np.bincount(group[of_source & counts_evidence], minlength=size) > 0] = source_code
    chosen = np.where(best_fresh > 0, best_fresh, best_any)
    used = counts_evidence & (code == chosen[group])
    weight = np.where(used, np.exp2(-np.minimum(age, WEIGHT_AGE_CAP_DAYS) / HALF_LIFE_DAYS), 0.0)
    total = np.bincount(group, weights=weight, minlength=size)
    weighted = np.bincount(group, weights=weight * level, minlength=size)
    result = np.zeros(size, dtype=np.int64)
    has = total > 0
    result[has] = np.clip(np.floor(weighted[has] / total[has] + 0.5), MIN_LEVEL, MAX_LEVEL).astype(np.int64)
    chosen[~has] = 0
    return result, chosen
