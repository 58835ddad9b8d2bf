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


# Causal loop diagrams -----------------------------------------------------------------------------

MAX_VARIABLE_NAME = 80
MAX_NOTE = 2000


class OwnerKind(models.TextChoices):
    TEAM = "team", "Team"
    COMMUNITY = "community", "Community"
    PERSON = "person", "Person"


class Sign(models.TextChoices):
    POSITIVE = "+", "+ (same direction)"
    NEGATIVE = "-", "- (opposite direction)"


class Diagram(models.Model):
    """A causal loop diagram kept by a team, a community or one person (exactly one of the three).

    Who may see and change it follows the owner (``core.permissions.diagram_visible_q``). ``version``
    counts the changes to its content; an edit made on an older version is refused.
    """

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner_kind = models.CharField(max_length=10, choices=OwnerKind.choices)
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="diagrams"
    )
    community = models.ForeignKey(
        "communities.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="diagrams"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="diagrams"
    )
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["community", "-updated_at"], name="diagram_community_idx"),
            models.Index(fields=["team", "-updated_at"], name="diagram_team_idx"),
            models.Index(fields=["person", "-updated_at"], name="diagram_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        owner_kind="team", team__isnull=False, community__isnull=True, person__isnull=True
                    )
                    | models.Q(
                        owner_kind="community",
                        team__isnull=True,
                        community__isnull=False,
                        person__isnull=True,
                    )
                    | models.Q(
                        owner_kind="person", team__isnull=True, community__isnull=True, person__isnull=False
                    )
                ),
                name="diagram_exactly_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_name(self) -> str:
        """Who keeps the diagram, in words."""
        if self.team_id is not None and self.team is not None:
            return self.team.name
        if self.community_id is not None and self.community is not None:
            return self.community.name
        return self.person.display_name if self.person is not None else ""


class Variable(models.Model):
    """A variable of a diagram; ``name_key`` (trimmed, case-folded name) is unique per diagram."""

    diagram = models.ForeignKey(Diagram, on_delete=models.CASCADE, related_name="variables")
    name = models.CharField(max_length=MAX_VARIABLE_NAME)
    name_key = models.CharField(max_length=MAX_VARIABLE_NAME)
    note = models.TextField(blank=True)
    x = models.FloatField(default=0.0)
    y = models.FloatField(default=0.0)

    class Meta:
        ordering = ["name_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["diagram", "name_key"], name="variable_unique_name_per_diagram")
        ]

    def __str__(self) -> str:
        return self.name


class Link(models.Model):
    """A causal link: more ``source`` gives more (+) or less (-) ``target``, perhaps after a delay."""

    diagram = models.ForeignKey(Diagram, on_delete=models.CASCADE, related_name="links")
    source = models.ForeignKey(Variable, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Variable, on_delete=models.CASCADE, related_name="links_in")
    sign = models.CharField(max_length=1, choices=Sign.choices, default=Sign.POSITIVE)
    delay = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    confidence = models.FloatField(null=True, blank=True, help_text="Probability the link is real, 0..1.")
    assumption = models.ForeignKey(
        "learning.Assumption", null=True, blank=True, on_delete=models.SET_NULL, related_name="diagram_links"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["diagram", "source", "target"], name="link_unique_per_diagram"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="link_not_self"),
            models.CheckConstraint(condition=models.Q(sign__in=["+", "-"]), name="link_sign_plus_minus"),
            models.CheckConstraint(
                condition=models.Q(confidence__isnull=True) | models.Q(confidence__gte=0, confidence__lte=1),
                name="link_confidence_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} ->{self.sign} {self.target_id}"


class DiagramVersion(models.Model):
    """One change of a diagram: who, when, what, and the diagram as it was after the change."""

    diagram = models.ForeignKey(Diagram, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.CharField(max_length=300)
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["diagram", "number"], name="diagramversion_unique_number")
        ]

    def __str__(self) -> str:
        return f"v{self.number}: {self.summary}"
