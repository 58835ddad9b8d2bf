"""A person's private calibration record: every judgement with a stated certainty and its outcome.

Sources today: answers in a community's Q&A, scored with the certainty-based marking (CBM) table
when the asker marks them worked or not (specs/calibration.md §1). Knowledge checks and forecasts
add their own sources. Only the person ever sees their own records (practica.core.privacy).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from practica.people.models import Person


class Certainty(models.IntegerChoices):
    """CBM certainty levels (Gardner-Medwin)."""

    LOW = 1, "Low (less than 2 in 3 sure)"
    MID = 2, "Mid (between 2 in 3 and 4 in 5 sure)"
    HIGH = 3, "High (more than 4 in 5 sure)"


class RecordSource(models.TextChoices):
    ANSWER = "answer", "Answer in Q&A"
    CHECK_ITEM = "check_item", "Knowledge check item"
    FORECAST = "forecast", "Forecast"


class CalibrationRecord(models.Model):
    """One resolved judgement: what the person was sure of, and whether they were right."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="calibration_records")
    source = models.CharField(max_length=16, choices=RecordSource.choices)
    source_id = models.PositiveBigIntegerField(help_text="The answer, check item or forecast scored.")
    certainty = models.PositiveSmallIntegerField(choices=Certainty.choices, null=True, blank=True)
    probability = models.FloatField(null=True, blank=True, help_text="Stated probability (forecasts).")
    fraction = models.FloatField(help_text="How right: 1 right, 0 wrong, in between for partial credit.")
    mark = models.FloatField(help_text="CBM mark (-6 .. 3) for certainty judgements.")
    topic = models.CharField(max_length=200, blank=True, help_text="Tags or skill, for per-topic views.")
    community = models.ForeignKey(
        "communities.Community", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField(max_length=200, help_text="What was judged, for the person's own list.")
    url = models.CharField(max_length=300, blank=True)
    resolved_at = models.DateTimeField()

    class Meta:
        ordering = ["-resolved_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="one_record_per_judgement"),
            models.CheckConstraint(condition=Q(fraction__gte=0, fraction__lte=1), name="fraction_0_to_1"),
        ]
        indexes = [models.Index(fields=["person", "-resolved_at"]), models.Index(fields=["topic"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.summary} ({self.mark:+g})"
