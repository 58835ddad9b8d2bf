"""Reads of calibration records. Only ever called with the signed-in person as ``person``: a person's
calibration data is visible to them alone (specs/calibration.md §5)."""

from __future__ import annotations

from dataclasses import dataclass

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
