"""Insights: precomputed aggregates for the steward's dashboard.

Expensive panels (portfolio, knowledge network, skills coverage, indicators) are computed by
``practica refresh-insights`` (or the background worker) and stored here as JSON snapshots, so a
page view reads one row and can say when its numbers were computed.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class InsightSnapshot(models.Model):
    """The latest computed value of one panel. ``key`` distinguishes variants (e.g. a quarter)."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=80, blank=True, default="")
    data = models.JSONField()
    computed_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0, help_text="How long the computation took.")

    class Meta:
        ordering = ["kind", "key"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="one_snapshot_per_kind_and_key")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} at {self.computed_at:%Y-%m-%d %H:%M}"


class RefreshStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the worker"
    RUNNING = "running", "Computing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class InsightRefresh(models.Model):
    """A request to recompute the dashboard's snapshots, so the page can show its progress."""

    requested_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RefreshStatus.choices, default=RefreshStatus.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"insight refresh {self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in {RefreshStatus.DONE, RefreshStatus.FAILED}


class TimeLog(models.Model):
    """Hours a person spent on a community's work on one day (optionally at one of its events)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="time_logs")
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="time_logs")
    event = models.ForeignKey(
        "communities.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="time_logs"
    )
    hours = models.DecimalField(max_digits=4, decimal_places=2)
    on = models.DateField(help_text="The day the time was spent.")
    note = models.CharField(max_length=200, blank=True)
    logged_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["person", "-on"]), models.Index(fields=["on", "community"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=24), name="time_log_hours_0_to_24"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.hours} h for {self.community_id} on {self.on}"


class TimeBudget(models.Model):
    """The hours a sponsor budgets for a community's work in one quarter (key like "2026-Q4")."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="time_budgets"
    )
    quarter = models.CharField(max_length=7)
    hours = models.PositiveIntegerField()
    set_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["quarter", "community_id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "quarter"], name="one_time_budget_per_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.quarter}: {self.hours} h"
