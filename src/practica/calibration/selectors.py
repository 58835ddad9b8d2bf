"""Reads of calibration records. Only ever called with the signed-in person as ``person``: a person's
calibration data is visible to them alone (specs/calibration.md §5)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date

from django.db.models import QuerySet

from practica.analysis.calibration import CBMSummary, cbm_summary
from practica.calibration.models import CalibrationRecord


@dataclass(frozen=True)
class CalibrationProfile:
    """The person's own certainty judgements summarised with CBM, or ``None`` before the first one."""

    summary: CBMSummary | None
    count: int


def records_of(person_id: int) -> QuerySet[CalibrationRecord]:
    return CalibrationRecord.objects.filter(person_id=person_id).select_related("community")


def calibration_profile(person_id: int) -> CalibrationProfile:
    """CBM accuracy, average mark, bonus and per-certainty judgements over every scored judgement."""
    rows = list(
        CalibrationRecord.objects.filter(person_id=person_id, certainty__isnull=False).values_list(
            "fraction", "certainty"
        )
    )
    if not rows:
        return CalibrationProfile(summary=None, count=0)
    fractions, certainties = zip(*rows, strict=True)
    return CalibrationProfile(summary=cbm_summary(list(fractions), list(certainties)), count=len(rows))


@dataclass(frozen=True)
class MonthMark:
    """The person's certainty judgements resolved in one calendar month (UTC)."""

    month: date
    count: int
    average_mark: float
    accuracy: float


def cbm_by_month(person_id: int) -> list[MonthMark]:
    """Average CBM mark and share right per month over the person's certainty judgements, oldest first
    (one query). Forecasts have no certainty and do not count here."""
    sums: dict[date, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for resolved_at, mark, fraction in CalibrationRecord.objects.filter(
        person_id=person_id, certainty__isnull=False
    ).values_list("resolved_at", "mark", "fraction"):
        month = resolved_at.astimezone(UTC).date().replace(day=1)
        entry = sums[month]
        entry[0] += 1
        entry[1] += mark
        entry[2] += fraction
    return [
        MonthMark(month=month, count=int(n), average_mark=total / n, accuracy=right / n)
        for month, (n, total, right) in sorted(sums.items())
    ]
