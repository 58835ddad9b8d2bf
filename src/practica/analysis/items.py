"""Knowledge-check items: validating an item, scoring one response, evidence levels and item statistics.

Pure functions on plain Python values and numpy arrays (no Django), used by the check services, the
API and the demo. An item is one of four kinds:

- ``single``: ``options`` (at least two texts) and ``answer``, the index of the one correct option;
- ``multiple``: ``options`` (at least two) and ``answer``, the list of indices of the correct options
  (at least one); scored with partial credit (see :func:`multiple_select_credit`);
- ``true_false``: ``answer`` is ``True`` or ``False``; no options;
- ``numeric``: ``answer`` is a finite number, ``tolerance`` (>= 0) the accepted distance from it.

Indices are 0-based everywhere in code and the API; pages show options numbered from 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"
NUMERIC = "numeric"
KINDS: tuple[str, ...] = (SINGLE, MULTIPLE, TRUE_FALSE, NUMERIC)

MAX_OPTIONS = 12
MAX_OPTION_LENGTH = 500


class ItemError(ValueError):
    """An item or a response is malformed; ``field`` names what is wrong (for forms and the API)."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ItemSpec:
    """A validated item: the kind, cleaned option texts, the answer in its canonical form, the tolerance."""

    kind: str
    options: list[str]
    answer: Any
    tolerance: float | None


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _finite_number(value: object, field: str, message: str) -> float:
    if isinstance(value, bool):
        raise ItemError(message, field=field)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ItemError(message, field=field) from None
    if not math.isfinite(number):
        raise ItemError(message, field=field)
    return number


def _clean_options(options: object) -> list[str]:
    if not isinstance(options, list | tuple):
        raise ItemError("Give the options as a list of texts.", field="options")
    cleaned = [" ".join(str(option).split()) for option in options]
    cleaned = [option for option in cleaned if option]
    if len(cleaned) < 2:
        raise ItemError("Give at least two options to choose from (one per line).", field="options")
    if len(cleaned) > MAX_OPTIONS:
        raise ItemError(f"Give at most {MAX_OPTIONS} options; this item has {len(cleaned)}.", field="options")
    for option in cleaned:
        if len(option) > MAX_OPTION_LENGTH:
            raise ItemError(f"Keep each option to {MAX_OPTION_LENGTH} characters.", field="options")
    if len({option.casefold() for option in cleaned}) != len(cleaned):
        raise ItemError("Two options have the same text; make every option different.", field="options")
    return cleaned


def validate_item(kind: str, options: object, answer: object, tolerance: object = None) -> ItemSpec:
    """Check an item's options, answer and tolerance for its kind and return them cleaned.

    Raises:
        ItemError: naming the field (``kind``, ``options``, ``answer`` or ``tolerance``) and what to fix.
    """
    if kind not in KINDS:
        raise ItemError("Choose single choice, multiple select, true or false, or number.", field="kind")
    if kind in (SINGLE, MULTIPLE):
        cleaned = _clean_options(options)
        count = len(cleaned)
        if kind == SINGLE:
            if not _is_int(answer) or not 0 <= int(answer) < count:  # type: ignore[call-overload]
                raise ItemError(f"The correct answer must be one of the {count} options.", field="answer")
            return ItemSpec(kind, cleaned, int(answer), None)  # type: ignore[call-overload]
        if not isinstance(answer, list | tuple) or not all(_is_int(index) for index in answer):
            raise ItemError("Mark which options are correct.", field="answer")
        indices = sorted({int(index) for index in answer})
        if not indices:
            raise ItemError("Mark at least one option as correct.", field="answer")
        if indices[0] < 0 or indices[-1] >= count:
            raise ItemError(f"The correct options must be among the {count} options.", field="answer")
        return ItemSpec(kind, cleaned, indices, None)
    if kind == TRUE_FALSE:
        if not isinstance(answer, bool):
            raise ItemError("Say whether the statement is true or false.", field="answer")
        return ItemSpec(kind, [], answer, None)
    value = _finite_number(answer, "answer", "The correct answer must be a number.")
    if tolerance is None or tolerance == "":
        margin = 0.0
    else:
        margin = _finite_number(tolerance, "tolerance", "The tolerance must be a number (0 for exact).")
        if margin < 0:
            raise ItemError(
                "The tolerance must be 0 or more: it is the accepted distance.", field="tolerance"
            )
    return ItemSpec(kind, [], value, margin)


def validate_response(kind: str, option_count: int, response: object) -> Any:
    """Check one response for an item of ``kind`` with ``option_count`` options; return it canonical.

    single: an option index; multiple: a list of distinct indices (may be empty: nothing picked);
    true_false: a bool; numeric: a finite number.

    Raises:
        ItemError: with ``field="response"``.
    """
    if kind == SINGLE:
        if not _is_int(response) or not 0 <= int(response) < option_count:  # type: ignore[call-overload]
            raise ItemError("Choose one of the options.", field="response")
        return int(response)  # type: ignore[call-overload]
    if kind == MULTIPLE:
        if not isinstance(response, list | tuple) or not all(_is_int(index) for index in response):
            raise ItemError("Pick options from the list.", field="response")
        picked = sorted({int(index) for index in response})
        if picked and (picked[0] < 0 or picked[-1] >= option_count):
            raise ItemError("Pick options from the list.", field="response")
        return picked
    if kind == TRUE_FALSE:
        if not isinstance(response, bool):
            raise ItemError("Answer true or false.", field="response")
        return response
    if kind == NUMERIC:
        return _finite_number(response, "response", "Give a number.")
    raise ItemError("Unknown item kind.", field="kind")


def multiple_select_credit(correct: Sequence[int], picked: Sequence[int]) -> float:
    """Partial credit of a multiple-select response.

    credit = max(0, (correct picks - wrong picks) / number of correct options).

    Each correct option picked earns 1 / (number correct); each wrong option picked takes as much away,
    so picking every option never beats knowing; the credit is floored at 0. Picking nothing earns 0.

    Example: correct {A, C}; picking {A} gives 1/2, {A, C} gives 1, {A, B} gives 0, {A, B, C} gives 1/2.
    """
    right = set(correct)
    if not right:
        raise ValueError("a multiple-select item needs at least one correct option")
    chosen = set(picked)
    hits = len(chosen & right)
    misses = len(chosen - right)
    return max(0.0, (hits - misses) / len(right))


def score_response(kind: str, answer: Any, response: Any, tolerance: float | None = None) -> float | None:
    """Credit of one response in [0, 1], or ``None`` when the item was not answered (``response`` None).

    single and true/false: 1 if equal to the answer, else 0. multiple: :func:`multiple_select_credit`.
    numeric: 1 if |response - answer| <= tolerance (plus a relative 1e-9 for rounding), else 0.
    """
    if response is None:
        return None
    if kind in (SINGLE, TRUE_FALSE):
        return 1.0 if response == answer else 0.0
    if kind == MULTIPLE:
        return multiple_select_credit(list(answer), list(response))
    if kind == NUMERIC:
        margin = float(tolerance or 0.0)
        slack = 1e-9 * max(1.0, abs(float(answer)))
        return 1.0 if abs(float(response) - float(answer)) <= margin + slack else 0.0
    raise ValueError(f"unknown item kind {kind!r}")


EVIDENCE_THRESHOLDS: tuple[tuple[float, int], ...] = ((0.35, 1), (0.55, 2), (0.75, 3), (0.90, 4))
"""Upper bounds (exclusive) of accuracy for levels 1 to 4; 0.90 and above is level 5."""


def check_evidence_level(accuracy: float) -> int:
    """Map accuracy on a skill's items (0..1) to a Dreyfus level 1..5 as evidence for that skill.

    below 35% -> 1 (novice), 35% to below 55% -> 2 (advanced beginner), 55% to below 75% -> 3
    (competent), 75% to below 90% -> 4 (proficient), 90% and above -> 5 (expert).

    These thresholds are a convention of Practica, not a psychometric result: a check measures
    knowledge, not the judgement a Dreyfus level describes, so a check is one piece of evidence
    that the skills view combines with others.
    """
    if not math.isfinite(accuracy) or not 0.0 <= accuracy <= 1.0:
        raise ValueError(f"accuracy must be in [0, 1], got {accuracy!r}")
    for bound, level in EVIDENCE_THRESHOLDS:
        if accuracy < bound:
            return level
    return 5


@dataclass(frozen=True)
class ItemStatistic:
    """Classical test theory statistics of one item over a group.

    ``difficulty``: mean credit (share correct, 0..1; higher means easier). ``discrimination``: the
    corrected item-total (point-biserial) correlation, NaN when the item or the rest score does not vary.
    """

    difficulty: float
    discrimination: float


def item_statistics(credits: npt.ArrayLike) -> list[ItemStatistic]:
    """Difficulty and discrimination of every item from a people x items matrix of credits (0..1).

    Difficulty p_j = mean of column j. Discrimination is the corrected item-total correlation: the
    Pearson correlation between the item's credit and the rest score (the sum of the person's other
    items), which for right/wrong items is the point-biserial correlation. Leaving the item out of the
    total removes the item's correlation with itself. Rules of thumb (Ebel): 0.40 and above very good,
    0.30 to 0.39 good, 0.20 to 0.29 marginal, below 0.20 poor (revise or drop the item).

    References:
        F. M. Lord & M. R. Novick, Statistical Theories of Mental Test Scores, 1968 (item-total
        correlation); R. L. Ebel & D. A. Frisbie, Essentials of Educational Measurement, 1991
        (interpretation of discrimination indices).
    """
    matrix = np.asarray(credits, dtype=float)
    if matrix.ndim != 2:
        raise ValueError("credits must be a people x items matrix")
    if matrix.size and (not np.all(np.isfinite(matrix)) or matrix.min() < 0 or matrix.max() > 1):
        raise ValueError("credits must be finite numbers in [0, 1]")
    people, items = matrix.shape
    if people == 0:
        return [ItemStatistic(math.nan, math.nan) for _ in range(items)]
    totals = matrix.sum(axis=1)
    rows = []
    for j in range(items):
        column = matrix[:, j]
        rest = totals - column
        if people < 2 or float(column.std()) == 0.0 or float(rest.std()) == 0.0:
            discrimination = math.nan
        else:
            discrimination = float(np.corrcoef(column, rest)[0, 1])
        rows.append(ItemStatistic(float(column.mean()), discrimination))
    return rows


def discrimination_label(value: float) -> str:
    """Plain words for a discrimination index (Ebel's rules of thumb)."""
    if math.isnan(value):
        return "not measurable (everyone scored alike)"
    if value >= 0.4:
        return "very good"
    if value >= 0.3:
        return "good"
    if value >= 0.2:
        return "marginal"
    if value >= 0.0:
        return "poor: revise the item"
    return "negative: stronger people get it wrong more often; check the answer"
