"""Organisational learning indicators, per quarter, each with its definition.

Computed straight from the learning and calibration tables, so the panel fills as people use those
apps and says "no data yet" when a quarter has nothing. Calibration indicators are aggregates over
many people, shown only when enough distinct people contributed (``core/privacy.py``); no person's
own score appears anywhere. Anything belonging to a private community, and personal assumptions,
are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django.db.models import Avg, Count, ExpressionWrapper, F, FloatField, Q, QuerySet, Sum
from django.utils import timezone

from practica.analysis.portfolio import brier_from_sums, last_quarters, quarter_bounds, ratio
from practica.calibration.models import CalibrationRecord, RecordSource
from practica.communities.models import Visibility
from practica.core.privacy import guarded, release_step
from practica.insights.panels import panel
from practica.learning.models import (
    Action,
    ActionStatus,
    AssumptionChange,
    AssumptionScope,
    Experiment,
    ExperimentStatus,
    Insight,
    InsightAdoption,
)

QUARTERS_SHOWN = 8
PRIVATE = Visibility.PRIVATE

DEFINITIONS: dict[str, tuple[str, str, str]] = {
    # key: (title, unit, definition)
    "insight_spread": (
        "Insight spread across teams",
        "% adopted elsewhere",
        "Of the insights recorded in the quarter (from reviews and experiments), the share that at least "
        "one team other than the one it came from has adopted so far; with the number of such adoptions "
        "per insight.",
    ),
    "experiment_learnings": (
        "Experiment learnings",
        "experiments",
        'Experiments concluded in the quarter whose learning card is filled in ("we learned that …"), '
        "out of all experiments concluded in the quarter.",
    ),
    "forecast_calibration": (
        "Forecast calibration of the organisation",
        "Brier score (lower is better)",
        "The mean Brier score, (probability - outcome)², over every forecast resolved yes or no in the "
        "quarter: 0 is perfect, 0.25 is what always saying 50% scores. Forecasts count in steps of at least "
        "the minimum group size of people, so the last few of a quarter may be left out.",
    ),
    "check_calibration": (
        "Check calibration",
        "mean CBM mark (-6 to 3)",
        "The mean certainty-based mark over every knowledge-check item answered in the quarter: 3 for a "
        "right answer at high certainty, -6 for a wrong one at high certainty; about 1 or more means "
        "people know what they know. Answers count in steps of at least the minimum group size of people, "
        "so the last few of a quarter may be left out.",
    ),
    "assumption_revisions": (
        "Assumption revisions: what changed our mind",
        "changes",
        "Changes of status or confidence recorded on team, community and organisation assumptions in the "
        "quarter, with how many ended refuted or revised.",
    ),
    "action_follow_through": (
        "Action follow-through from reviews",
        "% done when followed up",
        "Of the review actions a later review followed up in the quarter, the share that were done by the "
        "time of that follow-up.",
    ),
}


def _moment(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _in_quarter(field: str, key: str) -> Q:
    start, end = quarter_bounds(key)
    return Q(**{f"{field}__gte": _moment(start), f"{field}__lt": _moment(end)})


def _insights() -> QuerySet[Insight]:
    return Insight.objects.exclude(review__community__visibility=PRIVATE).exclude(
        experiment__community__visibility=PRIVATE
    )


def insight_spread(key: str) -> dict[str, Any]:
    insights = _insights().filter(_in_quarter("created_at", key))
    total = insights.count()
    elsewhere = InsightAdoption.objects.filter(insight__in=insights).exclude(
        insight__team__isnull=False, team=F("insight__team")
    )
    counts = elsewhere.aggregate(adoptions=Count("pk"), insights=Count("insight", distinct=True))
    share = ratio(counts["insights"], total)
    per_insight = ratio(counts["adoptions"], total)
    return {
        "value": None if share is None else round(100 * share, 1),
        "count": total,
        "detail": (
            f"{counts['insights']} of {total} insights adopted by another team; "
            f"{per_insight:.2f} adoptions per insight"
            if total
            else ""
        ),
    }


def experiment_learnings(key: str) -> dict[str, Any]:
    concluded = Experiment.objects.filter(status=ExperimentStatus.CONCLUDED).exclude(
        community__visibility=PRIVATE
    )
    counts = concluded.filter(_in_quarter("concluded_at", key)).aggregate(
        total=Count("pk"), with_learning=Count("pk", filter=~Q(learning=""))
    )
    return {
        "value": counts["with_learning"] if counts["total"] else None,
        "count": counts["total"],
        "detail": f"{counts['with_learning']} of {counts['total']} concluded experiments have a learning card"
        if counts["total"]
        else "",
    }


def _records(source: str, key: str) -> tuple[QuerySet[CalibrationRecord], bool]:
    """The quarter's released judgements of one kind, and whether the quarter has any at all.

    Judgements come in steps of at least the minimum group size of people
    (``core.privacy.release_step``), so comparing the panel before and after one person's judgements
    are scored does not reveal them; those after the last step wait for more people.
    """
    records = (
        CalibrationRecord.objects.filter(source=source)
        .exclude(community__visibility=PRIVATE)
        .filter(_in_quarter("resolved_at", key))
    )
    contributions = list(records.values_list("resolved_at", "person_id").order_by())
    cutoff = release_step(contributions)
    released = records.filter(resolved_at__lte=cutoff) if cutoff is not None else records.none()
    return released, bool(contributions)


def _calibration(result: dict[str, Any], any_judgements: bool, digits: int) -> dict[str, Any]:
    people = result["people"]
    if not any_judgements:
        return {"value": None, "count": 0, "people": 0, "withheld": "", "detail": ""}
    value = guarded(result["value"], people)
    return {
        "value": round(value.value, digits) if value.shown and value.value is not None else None,
        "count": result["count"],
        "people": people,
        "withheld": value.reason,
        "detail": f"{result['count']} judgements by {people} people" if value.shown else "",
    }


def forecast_calibration(key: str) -> dict[str, Any]:
    squared = ExpressionWrapper(
        (F("probability") - F("fraction")) * (F("probability") - F("fraction")), output_field=FloatField()
    )
    records, any_judgements = _records(RecordSource.FORECAST, key)
    result = records.filter(probability__isnull=False).aggregate(
        squared=Sum(squared), count=Count("pk"), people=Count("person", distinct=True)
    )
    result["value"] = brier_from_sums(result["squared"] or 0.0, result["count"])
    return _calibration(result, any_judgements, 3)


def check_calibration(key: str) -> dict[str, Any]:
    records, any_judgements = _records(RecordSource.CHECK_ITEM, key)
    result = records.aggregate(value=Avg("mark"), count=Count("pk"), people=Count("person", distinct=True))
    return _calibration(result, any_judgements, 2)


def assumption_revisions(key: str) -> dict[str, Any]:
    changes = (
        AssumptionChange.objects.exclude(assumption__scope=AssumptionScope.PERSONAL)
        .exclude(assumption__community__visibility=PRIVATE)
        .filter(_in_quarter("created_at", key))
    )
    counts = changes.aggregate(
        total=Count("pk"),
        refuted=Count("pk", filter=Q(to_status="refuted")),
        revised=Count("pk", filter=Q(to_status="revised")),
    )
    return {
        "value": counts["total"] if counts["total"] else None,
        "count": counts["total"],
        "detail": f"{counts['refuted']} refuted, {counts['revised']} revised" if counts["total"] else "",
    }


def action_follow_through(key: str) -> dict[str, Any]:
    followed = Action.objects.filter(followed_up_in__isnull=False).exclude(
        review__community__visibility=PRIVATE
    )
    counts = followed.filter(_in_quarter("followed_up_in__held_at", key)).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=ActionStatus.DONE, done_at__lte=F("followed_up_in__held_at"))),
    )
    share = ratio(counts["done"], counts["total"])
    return {
        "value": None if share is None else round(100 * share, 1),
        "count": counts["total"],
        "detail": f"{counts['done']} of {counts['total']} followed-up actions were done"
        if counts["total"]
        else "",
    }


MEASURES: dict[str, Callable[[str], dict[str, Any]]] = {
    "insight_spread": insight_spread,
    "experiment_learnings": experiment_learnings,
    "forecast_calibration": forecast_calibration,
    "check_calibration": check_calibration,
    "assumption_revisions": assumption_revisions,
    "action_follow_through": action_follow_through,
}


@panel("indicators", title="Organisational learning indicators", order=20)
def compute_indicators() -> dict[str, Any]:
    """Every indicator for each of the last eight quarters, oldest first, with its definition."""
    quarters = last_quarters(timezone.localdate(), QUARTERS_SHOWN)
    indicators = []
    for key, measure in MEASURES.items():
        title, unit, definition = DEFINITIONS[key]
        series = [{"quarter": quarter, **measure(quarter)} for quarter in quarters]
        indicators.append(
            {
                "key": key,
                "title": title,
                "unit": unit,
                "definition": definition,
                "series": series,
                "has_data": any(point["count"] for point in series),
            }
        )
    return {"quarters": quarters, "indicators": indicators}


def indicator_spec(indicator: dict[str, Any]) -> dict[str, Any]:
    """Vega-Lite: one indicator's value per quarter on a fixed axis of every quarter shown."""
    quarters = [point["quarter"] for point in indicator["series"]]
    values = [
        {"quarter": point["quarter"], "value": point["value"]}
        for point in indicator["series"]
        if point["value"] is not None
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": "container",
        "height": 140,
        "data": {"values": values},
        "mark": {"type": "line", "point": {"size": 60}, "tooltip": True},
        "encoding": {
            "x": {
                "field": "quarter",
                "type": "ordinal",
                "title": "Quarter",
                "scale": {"domain": quarters},
                "axis": {"labelAngle": 0},
            },
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": indicator["unit"],
                "scale": {"zero": True},
            },
        },
    }
