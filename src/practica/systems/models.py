"""The what-if lab's stored experiments: parameters, seed, progress, results and verdict of each run."""

from __future__ import annotations

from django.db import models

from practica.people.models import Person


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class SimulationRun(models.Model):
    """One what-if experiment, run in the background by a worker.

    ``parameters`` keeps everything needed to run it again exactly: the settings chosen, ``runs``, the
    swept parameter and its values, and the resolved model parameters of every point. ``results`` holds,
    per point, the means and standard deviations of the measures and the mean knowledge over time (for the
    charts); ``verdict`` says whether the run agrees with what the literature found.
    """

    owner = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="simulation_runs")
    preset = models.SlugField(max_length=40)
    title = models.CharField(max_length=200)
    parameters = models.JSONField()
    seed = models.PositiveBigIntegerField()
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.FloatField(default=0.0, help_text="Share of the work done, 0 to 1.")
    progress_text = models.CharField(max_length=200, blank=True)
    results = models.JSONField(default=list, blank=True)
    verdict = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    rerun_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="simulationrun_recent_idx"),
            models.Index(fields=["preset", "-created_at"], name="simulationrun_preset_idx"),
            models.Index(fields=["owner", "-created_at"], name="simulationrun_owner_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=1), name="simulationrun_progress"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_active(self) -> bool:
        """Still waiting for or inside a worker: pages keep polling."""
        return self.status in {RunStatus.QUEUED, RunStatus.RUNNING}

    @property
    def progress_percent(self) -> int:
        return round(self.progress * 100)

    @property
    def runs(self) -> int:
        return int(self.parameters.get("runs", 0))

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
