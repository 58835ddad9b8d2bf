"""Writes to a person's private calibration record; every source (answers, checks, forecasts) uses these."""

from __future__ import annotations

from datetime import datetime

from practica.analysis.calibration import cbm_mark
from practica.calibration.models import CalibrationRecord, RecordSource
from practica.communities.models import Community
from practica.people.models import Person


def calibration_record_set(
    *,
    person: Person,
    source: RecordSource,
    source_id: int,
    certainty: int,
    fraction: float,
    summary: str,
    resolved_at: datetime,
    topic: str = "",
    community: Community | None = None,
    url: str = "",
) -> CalibrationRecord:
    """Score a resolved certainty judgement with the CBM table (re-scoring replaces the old record)."""
    record, _ = CalibrationRecord.objects.update_or_create(
        source=source,
        source_id=source_id,
        defaults={
            "person": person,
            "certainty": certainty,
            "fraction": fraction,
            "mark": cbm_mark(fraction, certainty),
            "summary": summary[:200],
            "topic": topic[:200],
            "community": community,
            "url": url[:300],
            "resolved_at": resolved_at,
        },
    )
    return record


def calibration_record_remove(*, source: RecordSource, source_id: int) -> None:
    """Forget a judgement whose outcome was withdrawn."""
    CalibrationRecord.objects.filter(source=source, source_id=source_id).delete()
