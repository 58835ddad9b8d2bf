"""The portfolio of communities and the organisation's learning indicators: pure rules and arithmetic.

Which communities need a steward's attention, and why; how a health status moved; quarters as
calendar keys; and the small ratios the learning indicators are made of. No Django: the insights app
counts, this module judges.

References
----------
Wenger, E., McDermott, R. & Snyder, W. M. (2002). *Cultivating Communities of Practice*. Harvard
Business School Press: a community needs a rhythm of events, a core group beside its leader, and
questions that get answered, or it fades.
Brier, G. W. (1950). Verification of forecasts expressed in terms of probability. *Monthly Weather
Review* 78(1), 1-3.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

# Health statuses from worst to best; a status's index is its rank for the trend.
HEALTH_ORDER = ("dormant", "at_risk", "steady", "thriving")
IMPROVING, WORSENING, SAME = "improving", "worsening", "same"


@dataclass(frozen=True)
class AttentionRules:
    """The thresholds of the "needs attention" list; the defaults are the ones the README documents."""

    no_event_days: int = 60
    open_questions: int = 5
    open_question_days: int = 14

    def describe(self) -> list[str]:
        """The rules in plain words, for the page and the report."""
        return [
            f"No event held in the last {self.no_event_days} days.",
            f"More than {self.open_questions} questions open without an answer for over "
            f"{self.open_question_days} days.",
            "One lead and no core members: the community rests on one person.",
            "Health status at risk or dormant.",
        ]


@dataclass(frozen=True)
class CommunityFacts:
    """What the attention rules look at for one community, counted by the caller.

    ``days_since_event`` is None when the community never held an event; ``stale_open_questions``
    counts questions without any answer for longer than ``AttentionRules.open_question_days``.
    """

    days_since_event: int | None
    stale_open_questions: int
    leads: int
    core_members: int
    health_status: str


def attention_reasons(facts: CommunityFacts, rules: AttentionRules | None = None) -> list[str]:
    """The reasons a community needs attention, most urgent first; empty when it needs none."""
    rules = rules or AttentionRules()
    reasons: list[str] = []
    if facts.health_status in {"dormant", "at_risk"}:
        label = "dormant" if facts.health_status == "dormant" else "at risk"
        reasons.append(f"Health is {label}.")
    if facts.days_since_event is None:
        reasons.append("No event held yet.")
    elif facts.days_since_event > rules.no_event_days:
        reasons.append(f"No event for {facts.days_since_event} days (more than {rules.no_event_days}).")
    if facts.stale_open_questions > rules.open_questions:
        reasons.append(
            f"{facts.stale_open_questions} questions unanswered for over {rules.open_question_days} days "
            f"(more than {rules.open_questions})."
        )
    if facts.leads == 1 and facts.core_members == 0:
        reasons.append("One lead and no core members.")
    elif facts.leads == 0:
        reasons.append("No lead.")
    return reasons


def health_trend(current: str, previous: str) -> str:
    """Whether the status improved, worsened or stayed the same; "" when either is unknown."""
    if current not in HEALTH_ORDER or previous not in HEALTH_ORDER:
        return ""
    change = HEALTH_ORDER.index(current) - HEALTH_ORDER.index(previous)
    return IMPROVING if change > 0 else WORSENING if change < 0 else SAME


# Quarters ------------------------------------------------------------------------------------------


def quarter_key(day: date) -> str:
    """The calendar quarter of ``day`` as a key, e.g. ``2026-Q4``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def parse_quarter(key: str) -> tuple[int, int]:
    """(year, quarter) from a key like ``2026-Q4``; ValueError on anything else."""
    year_text, separator, quarter_text = key.partition("-Q")
    if (
        not separator
        or not year_text.isdigit()
        or len(year_text) != 4
        or quarter_text not in {"1", "2", "3", "4"}
    ):
        raise ValueError(f"not a quarter (expected e.g. 2026-Q4): {key!r}")
    return int(year_text), int(quarter_text)


def quarter_bounds(key: str) -> tuple[date, date]:
    """The first day of the quarter and the first day of the next one (end exclusive)."""
    year, quarter = parse_quarter(key)
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end


def last_quarters(today: date, count: int) -> list[str]:
    """The last ``count`` quarter keys up to and including today's, oldest first."""
    year, quarter = parse_quarter(quarter_key(today))
    keys = []
    for _ in range(count):
        keys.append(f"{year}-Q{quarter}")
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return keys[::-1]


# Arithmetic of the indicators ---------------------------------------------------------------------


def ratio(part: float, whole: float) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return None if whole == 0 else part / whole


def per_person(hours: Sequence[float]) -> tuple[float | None, float | None]:
    """(median, mean) of the hours per person; (None, None) for nobody."""
    if not hours:
        return None, None
    return float(statistics.median(hours)), float(statistics.fmean(hours))


def brier_from_sums(squared_error_sum: float, count: int) -> float | None:
    """The Brier score, mean of (p - o)^2, from its sum over ``count`` forecasts (Brier 1950)."""
    return None if count == 0 else squared_error_sum / count


def budget_use(hours: float, budget: float | None) -> float | None:
    """Share of the budget used (1.0 = exactly on budget); None without a budget."""
    if budget is None or budget <= 0:
        return None
    return hours / budget
