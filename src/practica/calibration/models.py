"""A person's private calibration record: every judgement with a stated certainty and its outcome.

Sources today: answers in a community's Q&A, scored with the certainty-based marking (CBM) table
when the asker marks them worked or not (specs/calibration.md §1). Knowledge checks and forecasts
add their own sources. Only the person ever sees their own records (practica.core.privacy).
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

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


# Forecasts ----------------------------------------------------------------------------------------
# specs/calibration.md §2 and §5. A community asks binary questions; members state the probability of
# "yes"; the author or a lead resolves the question. Resolving writes one CalibrationRecord per
# forecast that counts (source FORECAST, source_id = the forecast's id), with certainty left empty,
# probability = the forecast, fraction = the outcome (1 yes, 0 no) and mark = -(p - o)^2: the
# forecast's Brier contribution negated, so that, as with CBM marks, higher is better (0 is a perfect
# forecast, -1 a certain forecast that went wrong). The CBM summary reads only records with a
# certainty, so forecasts never mix into it.

MAX_FORECAST_TITLE = 200
MAX_FORECAST_DETAILS = 20_000


class Resolution(models.TextChoices):
    OPEN = "open", "Open"
    YES = "yes", "Yes"
    NO = "no", "No"
    ANNULLED = "annulled", "Annulled"


class ForecastQuestion(models.Model):
    """A binary question about the future that a community forecasts, then resolves yes, no or annulled.

    Annulled questions (the question turned out ill-posed or unresolvable) count in nobody's record.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="forecast_questions"
    )
    author = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="forecast_questions"
    )
    title = models.CharField(max_length=MAX_FORECAST_TITLE)
    details = models.TextField(blank=True, help_text="Markdown: how the question will be resolved.")
    closes_at = models.DateTimeField(help_text="No forecasts from this moment on.")
    resolution = models.CharField(max_length=10, choices=Resolution.choices, default=Resolution.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_resolved(self) -> bool:
        return self.resolution != Resolution.OPEN

    def is_closed(self, now: datetime | None = None) -> bool:
        """Closed to new forecasts: past its closing time, or already resolved."""
        return self.is_resolved or self.closes_at <= (now or timezone.now())


class Forecast(models.Model):
    """One person's stated probability of "yes" on a question.

    Changing your mind after a minute adds a new forecast (every one counts when the question
    resolves); within a minute the new value replaces the previous forecast, so correcting a slip
    counts only once. ``listed``: after resolution, others may see this forecast with your name.
    """

    question = models.ForeignKey(ForecastQuestion, on_delete=models.CASCADE, related_name="forecasts")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="forecasts")
    probability = models.FloatField(help_text='Probability of "yes", 0 to 1.')
    listed = models.BooleanField(default=False, help_text="Show this forecast by name after resolution.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=1), name="forecast_probability_0_to_1"
            )
        ]
        indexes = [models.Index(fields=["question", "person", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.probability:.0%} on {self.question_id}"
