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
