"""Health of a community of practice: indicators for a period, their trends, and an overall status.

Every indicator is computed from plain numbers that the service layer counts for one period (by default
the last 90 days) and is compared with the period before it. The overall status comes from the
thresholds in :class:`HealthThresholds`, applied in this order:

1. dormant: nobody took part (no attendance, no contribution) and no event was held;
2. at risk: any risk signal fired (too few members took part, no event held, membership or
   participation fell sharply against the previous period);
3. thriving: no risk signal and every thriving criterion met (broad participation, a steady rhythm of
   events, membership not shrinking, newcomers contributing);
4. steady: everything else.

The reasons listed with the status are the signals or criteria that decided it, with their numbers, so
the status is never a black box. Indicators that Practica cannot compute yet are reported as not tracked
(value ``None`` and a note saying why) rather than as zero.

References
----------
E. Wenger, R. McDermott & W. M. Snyder (2002). Cultivating Communities of Practice. Harvard Business
School Press. Ch. 3 (the seven principles, in particular "invite different levels of participation"
with its core / active / peripheral shape, and "create a rhythm") grounds the participation-share and
rhythm thresholds.
E. Wenger, B. Trayner & M. de Laat (2011). Promoting and assessing value creation in communities and
networks: a conceptual framework. Open Universiteit, Ruud de Moor Centrum, report 18. Its indicators of
immediate value (attendance, level of participation, level of activity, newcomers) and of potential value
(documents produced, questions answered) are the indicators reported here.
The threshold values themselves are Practica's documented starting points, not figures from these works.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from practica.analysis.participation import ACTIVE, CORE, OCCASIONAL, PERIPHERAL

THRIVING = "thriving"
STEADY = "steady"
AT_RISK = "at_risk"
DORMANT = "dormant"

UP = "up"
DOWN = "down"
FLAT = "flat"

NOT_TRACKED = "Not tracked yet: {what}"
NOT_TRACKED_QA = NOT_TRACKED.format(what="Practica does not link answers to questions yet.")
NOT_TRACKED_ARTICLES = NOT_TRACKED.format(what="Practica does not record article reviews yet.")
NOT_TRACKED_CALIBRATION = NOT_TRACKED.format(
    what="community calibration from checks and forecasts is not available yet."
)


@dataclass(frozen=True)
class HealthThresholds:
    """The documented thresholds of the overall status; shown on the health page.

    The defaults are starting points chosen for a monthly-or-faster community (see the module docstring):

    - ``thriving_active_share`` 0.40 and ``at_risk_active_share`` 0.20: Wenger et al. (2002) describe a
      healthy shape where core (~10-15%) and active (~15-20%) members together are about a quarter to a
      third of the community, with occasional participants beyond them; so at least 40% of members taking
      part at all in a period is broad participation, and under 20% is fewer than even that core and
      active shape.
    - ``thriving_min_events`` 3 and ``thriving_max_median_gap_days`` 35: monthly is the slowest rhythm
      charters usually state; three events in 90 days with a median gap of at most five weeks is that
      rhythm kept.
    - ``at_risk_member_drop`` 0.20 and ``at_risk_participation_drop`` 0.50: losing more than a fifth of
      the members, or half of the people taking part, from one period to the next is a sharp fall.
    - ``thriving_newcomer_share`` 0.50: at least half of the newcomers contribute within their first
      ``newcomer_days`` days.
    - ``flat_band`` 0.10: a change within 10% of the previous value is reported as flat.
    """

    period_days: int = 90
    newcomer_days: int = 30
    thriving_active_share: float = 0.40
    at_risk_active_share: float = 0.20
    thriving_min_events: int = 3
    thriving_max_median_gap_days: float = 35.0
    thriving_newcomer_share: float = 0.50
    at_risk_member_drop: float = 0.20
    at_risk_participation_drop: float = 0.50
    flat_band: float = 0.10

    def describe(self) -> list[str]:
        """The status rule in words, in the order it is applied."""
        return [
            "Dormant: nobody attended or contributed and no event was held in the period.",
            "At risk: any of — fewer than "
            f"{_percent(self.at_risk_active_share)} of members took part; no event was held; membership "
            f"fell by more than {_percent(self.at_risk_member_drop)}; the number of members taking part "
            f"fell by more than {_percent(self.at_risk_participation_drop)} against the previous period.",
            "Thriving: not at risk, and all of — at least "
            f"{_percent(self.thriving_active_share)} of members took part; at least "
            f"{self.thriving_min_events} events were held with a median gap of at most "
            f"{self.thriving_max_median_gap_days:g} days; membership did not shrink; at least "
            f"{_percent(self.thriving_newcomer_share)} of newcomers contributed within "
            f"{self.newcomer_days} days (when anyone joined).",
            "Steady: everything else.",
        ]


DEFAULT_THRESHOLDS = HealthThresholds()


@dataclass(frozen=True)
class PeriodInputs:
    """What happened in a community during one period, counted by the service layer.

    ``None`` in an optional field means Practica does not track it yet (it is then reported as "not
    tracked", never as zero).
    """

    start: date
    end: date
    members: int = 0  # active members at the end of the period
    members_by_level: Mapping[str, int] = field(default_factory=dict)
    joins: int = 0
    leaves: int = 0
    members_taking_part: int = 0  # members with at least one attendance or contribution in the period
    events_planned: int = 0  # events that started in the period, cancelled ones included
    events_held: int = 0  # events that started in the period and were not cancelled
    attendance: Sequence[int] = ()  # people present, per held event whose attendance was recorded
    event_days: Sequence[date] = ()  # days of the held events
    questions_asked: int | None = None
    answers_given: int | None = None
    share_answered: float | None = None
    median_hours_to_first_answer: float | None = None
    accepted_share: float | None = None
    articles_written: int | None = None
    stale_articles: int | None = None
    teams_reached: int | None = None
    newcomers: int = 0  # people who joined early enough in the period to have had their first weeks
    newcomers_contributed: int = 0  # of those, how many contributed within those weeks
    calibration: float | None = None
    calibration_note: str = ""  # why calibration is withheld (e.g. too few people), when it is


@dataclass(frozen=True)
class Indicator:
    """One measured quantity with its previous value, trend and the rule that computes it."""

    key: str
    group: str
    label: str
    value: float | None
    previous: float | None
    unit: str
    rule: str
    higher_is_better: bool | None = None
    note: str = ""  # why the value is missing, when it is
    trend: str = ""  # UP, DOWN, FLAT, or "" when there is nothing to compare

    @property
    def available(self) -> bool:
        return self.value is not None

    @property
    def assessment(self) -> str:
        """Whether the trend is "better", "worse" or neither ("": no trend, flat, no better direction)."""
        if self.trend in {"", FLAT} or self.higher_is_better is None:
            return ""
        return "better" if (self.trend == UP) == self.higher_is_better else "worse"


@dataclass(frozen=True)
class HealthReport:
    """Indicators for a period against the previous one, the overall status and why."""

    start: date
    end: date
    previous_start: date | None
    previous_end: date | None
    indicators: tuple[Indicator, ...]
    status: str
    reasons: tuple[str, ...]
    thresholds: HealthThresholds

    def indicator(self, key: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.key == key:
                return indicator
        raise KeyError(key)

    def groups(self) -> list[tuple[str, list[Indicator]]]:
        """Indicators grouped for display, groups in the order they first appear."""
        grouped: dict[str, list[Indicator]] = {}
        for indicator in self.indicators:
            grouped.setdefault(indicator.group, []).append(indicator)
        return list(grouped.items())


def median_gap_days(days: Sequence[date]) -> float | None:
    """Median number of days between consecutive events; ``None`` with fewer than two events.

    The median rather than the mean so that one long summer break does not hide an otherwise
    regular rhythm.
    """
    ordered = sorted(days)
    if len(ordered) < 2:
        return None
    return float(statistics.median((later - earlier).days for earlier, later in itertools.pairwise(ordered)))


def share(part: int, whole: int) -> float | None:
    """``part / whole``, or ``None`` when the whole is empty."""
    return part / whole if whole else None


def trend(value: float | None, previous: float | None, *, flat_band: float = 0.10) -> str:
    """UP, DOWN or FLAT against the previous value; "" when either is missing.

    A change of at most ``flat_band`` times the previous value is flat; from zero any rise is up.
    """
    if value is None or previous is None:
        return ""
    if abs(value - previous) <= flat_band * abs(previous):
        return FLAT
    return UP if value > previous else DOWN


def _count(number: int, noun: str) -> str:
    """``1 event``, ``3 events``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


def _median(values: Sequence[int]) -> float | None:
    return float(statistics.median(values)) if values else None


@dataclass(frozen=True)
class _Spec:
    key: str
    group: str
    label: str
    unit: str
    rule: str
    higher_is_better: bool | None


def _measure(period: PeriodInputs, thresholds: HealthThresholds) -> dict[str, tuple[float | None, str]]:
    """Every indicator's value for one period, with the note explaining a missing value."""
    levels = period.members_by_level
    no_events = "No event with recorded attendance in the period."
    no_questions = (
        NOT_TRACKED_QA if period.questions_asked is None else "No questions were asked in the period."
    )
    no_answers = (
        NOT_TRACKED_QA if period.questions_asked is None else "No question in the period got an answer."
    )
    return {
        "members": (period.members, ""),
        "core": (levels.get(CORE, 0), ""),
        "active": (levels.get(ACTIVE, 0), ""),
        "occasional": (levels.get(OCCASIONAL, 0), ""),
        "peripheral": (levels.get(PERIPHERAL, 0), ""),
        "joins": (period.joins, ""),
        "leaves": (period.leaves, ""),
        "active_share": (share(period.members_taking_part, period.members), "The community has no members."),
        "events_planned": (period.events_planned, ""),
        "events_held": (period.events_held, ""),
        "attendance": (_median(period.attendance), no_events),
        "regularity": (median_gap_days(period.event_days), "Needs at least two events in the period."),
        "questions_asked": (period.questions_asked, NOT_TRACKED.format(what="questions are not recorded.")),
        "answers_given": (period.answers_given, NOT_TRACKED.format(what="answers are not recorded.")),
        "share_answered": (period.share_answered, no_questions),
        "time_to_answer": (period.median_hours_to_first_answer, no_answers),
        "accepted_share": (period.accepted_share, no_questions),
        "articles_written": (period.articles_written, NOT_TRACKED.format(what="articles are not recorded.")),
        "stale_articles": (period.stale_articles, NOT_TRACKED_ARTICLES),
        "teams_reached": (period.teams_reached, NOT_TRACKED.format(what="formal teams are not recorded.")),
        "newcomers": (
            share(period.newcomers_contributed, period.newcomers),
            f"Nobody joined early enough in the period to have had {thresholds.newcomer_days} days.",
        ),
        "calibration": (period.calibration, period.calibration_note or NOT_TRACKED_CALIBRATION),
    }


def _specs(thresholds: HealthThresholds) -> list[_Spec]:
    level_rule = "Members at this level at the end of the period (the rule is on the members page)."
    return [
        _Spec("members", "participation", "Members", "people", "Members at the end of the period.", True),
        _Spec("core", "participation", "Core members", "people", level_rule, None),
        _Spec("active", "participation", "Active members", "people", level_rule, None),
        _Spec("occasional", "participation", "Occasional members", "people", level_rule, None),
        _Spec("peripheral", "participation", "Peripheral members", "people", level_rule, None),
        _Spec("joins", "participation", "Joined", "people", "People who joined during the period.", True),
        _Spec("leaves", "participation", "Left", "people", "People who left during the period.", False),
        _Spec(
            "active_share", "participation", "Members taking part", "% of members",
            "Members who attended an event or contributed at least once in the period, divided by the "
            "members at its end.", True,
        ),
        _Spec(
            "events_planned", "rhythm", "Events planned", "events",
            "Events that were due to start in the period, cancelled ones included.", None,
        ),
        _Spec(
            "events_held", "rhythm", "Events held", "events",
            "Events that started in the period and were not cancelled.", True,
        ),
        _Spec(
            "attendance", "rhythm", "Attendance per event", "people (median)",
            "Median number of people recorded as present, over held events whose attendance was taken.", True,
        ),
        _Spec(
            "regularity", "rhythm", "Gap between events", "days (median)",
            "Median number of days between one held event and the next; a smaller gap is a faster rhythm.",
            False,
        ),
        _Spec(
            "questions_asked", "knowledge", "Questions asked", "questions",
            "Questions recorded as asked in the community during the period.", True,
        ),
        _Spec(
            "answers_given", "knowledge", "Answers given", "answers",
            "Answers recorded in the community during the period.", True,
        ),
        _Spec(
            "share_answered", "knowledge", "Questions answered", "% of questions",
            "Questions asked in the period that received at least one answer.", True,
        ),
        _Spec(
            "time_to_answer", "knowledge", "Time to first answer", "hours (median)",
            "Median time from a question to its first answer.", False,
        ),
        _Spec(
            "accepted_share", "knowledge", "Answers accepted", "% of questions",
            "Questions asked in the period with an accepted answer.", True,
        ),
        _Spec(
            "articles_written", "knowledge", "Articles written or updated", "articles",
            "Articles created or revised in the community during the period.", True,
        ),
        _Spec(
            "stale_articles", "knowledge", "Stale articles", "articles",
            "Articles not reviewed for more than 180 days.", False,
        ),
        _Spec(
            "teams_reached", "reach", "Teams reached", "teams",
            "Distinct formal teams of the members who took part in the period (cross-silo reach).", True,
        ),
        _Spec(
            "newcomers", "newcomers", "Newcomers contributing", "% of newcomers",
            f"Of the people who joined in the period at least {thresholds.newcomer_days} days before its "
            f"end, those who contributed within {thresholds.newcomer_days} days of joining.", True,
        ),
        _Spec(
            "calibration", "calibration", "Calibration", "mark (-6 to +3)",
            "Average certainty-based mark of the community's answers whose outcome was marked in the "
            "period (honest certainty scores best); shown only when enough people are covered that "
            "nobody can be identified.", True,
        ),
    ]  # fmt: skip


def _status(
    current: PeriodInputs,
    previous: PeriodInputs | None,
    values: Mapping[str, float | None],
    thresholds: HealthThresholds,
) -> tuple[str, list[str]]:
    if current.members_taking_part == 0 and current.events_held == 0:
        return DORMANT, ["Nobody attended or contributed and no event was held in the period."]

    active_share = values["active_share"]
    risks: list[str] = []
    if active_share is not None and active_share < thresholds.at_risk_active_share:
        risks.append(
            f"Only {_percent(active_share)} of members took part (at risk below "
            f"{_percent(thresholds.at_risk_active_share)})."
        )
    if current.events_held == 0:
        risks.append("No event was held in the period.")
    if previous is not None and previous.members > 0:
        drop = 1 - current.members / previous.members
        if drop > thresholds.at_risk_member_drop:
            risks.append(
                f"Membership fell by {_percent(drop)}, from {previous.members} to {current.members} (at risk "
                f"above {_percent(thresholds.at_risk_member_drop)})."
            )
    if previous is not None and previous.members_taking_part > 0:
        drop = 1 - current.members_taking_part / previous.members_taking_part
        if drop > thresholds.at_risk_participation_drop:
            risks.append(
                f"The number of members taking part fell by {_percent(drop)}, from "
                f"{previous.members_taking_part} to {current.members_taking_part} (at risk above "
                f"{_percent(thresholds.at_risk_participation_drop)})."
            )
    if risks:
        return AT_RISK, risks

    met: list[str] = []
    missed: list[str] = []

    def check(ok: bool, good: str, bad: str) -> None:
        (met if ok else missed).append(good if ok else bad)

    taking_part = active_share or 0.0
    check(
        taking_part >= thresholds.thriving_active_share,
        f"{_percent(taking_part)} of members took part (at least "
        f"{_percent(thresholds.thriving_active_share)} for thriving).",
        f"{_percent(taking_part)} of members took part; thriving needs at least "
        f"{_percent(thresholds.thriving_active_share)}.",
    )
    gap = values["regularity"]
    steady_rhythm = (
        current.events_held >= thresholds.thriving_min_events
        and gap is not None
        and gap <= thresholds.thriving_max_median_gap_days
    )
    gap_text = "no gap to measure" if gap is None else f"a median gap of {gap:g} days"
    check(
        steady_rhythm,
        f"{_count(current.events_held, 'event')} held with {gap_text} (a steady rhythm).",
        f"{_count(current.events_held, 'event')} held with {gap_text}; thriving needs at least "
        f"{thresholds.thriving_min_events} events with a median gap of at most "
        f"{thresholds.thriving_max_median_gap_days:g} days.",
    )
    if previous is not None:
        check(
            current.members >= previous.members,
            f"Membership did not shrink ({previous.members} to {current.members}).",
            f"Membership shrank from {previous.members} to {current.members}.",
        )
    newcomers = values["newcomers"]
    if newcomers is not None:
        check(
            newcomers >= thresholds.thriving_newcomer_share,
            f"{_percent(newcomers)} of newcomers contributed within {thresholds.newcomer_days} days.",
            f"{_percent(newcomers)} of newcomers contributed within {thresholds.newcomer_days} days; "
            f"thriving needs at least {_percent(thresholds.thriving_newcomer_share)}.",
        )
    if missed:
        return STEADY, missed
    return THRIVING, met


def community_health(
    current: PeriodInputs,
    previous: PeriodInputs | None = None,
    *,
    rules: HealthThresholds = DEFAULT_THRESHOLDS,
) -> HealthReport:
    """Indicators of ``current`` compared with ``previous``, and the overall status with its reasons.

    Pure: the same inputs always give the same report. ``previous`` may be ``None`` (no comparison:
    trends are empty and the checks against the previous period are skipped).
    """
    measured = _measure(current, rules)
    values = {key: value for key, (value, _note) in measured.items()}
    notes = {key: note for key, (_value, note) in measured.items()}
    previous_values = (
        {key: value for key, (value, _note) in _measure(previous, rules).items()} if previous else {}
    )
    indicators = tuple(
        Indicator(
            key=spec.key,
            group=spec.group,
            label=spec.label,
            value=values[spec.key],
            previous=previous_values.get(spec.key),
            unit=spec.unit,
            rule=spec.rule,
            higher_is_better=spec.higher_is_better,
            note="" if values[spec.key] is not None else notes[spec.key],
            trend=trend(values[spec.key], previous_values.get(spec.key), flat_band=rules.flat_band),
        )
        for spec in _specs(rules)
    )
    status, reasons = _status(current, previous, values, rules)
    return HealthReport(
        start=current.start,
        end=current.end,
        previous_start=previous.start if previous else None,
        previous_end=previous.end if previous else None,
        indicators=indicators,
        status=status,
        reasons=tuple(reasons),
        thresholds=rules,
    )
