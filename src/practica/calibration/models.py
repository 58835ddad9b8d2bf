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
    EXPERIMENT = "experiment", "Experiment prediction"


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


# Skills -------------------------------------------------------------------------------------------
# specs/calibration.md §3. A taxonomy (tree) of skills, organisation-wide (community empty) or owned
# by a community. Every piece of evidence about a person's level is one SkillAssessment: the person's
# own view (self), a colleague's (peer), a community lead's (lead), or a knowledge check's result
# (check, written by the check service when an attempt is submitted). Combining them into an
# evidence level follows the precedence rule check > lead > peer > self, older evidence weighing less.


class SkillLevel(models.IntegerChoices):
    """The five Dreyfus stages of skill acquisition (Dreyfus & Dreyfus 1980)."""

    NOVICE = 1, "Novice"
    ADVANCED_BEGINNER = 2, "Advanced beginner"
    COMPETENT = 3, "Competent"
    PROFICIENT = 4, "Proficient"
    EXPERT = 5, "Expert"


LEVEL_DESCRIPTORS: dict[int, str] = {
    1: "Follows rules and recipes; needs them spelled out; little sense of what matters in a situation.",
    2: "Recognises recurring situations from experience; still treats every aspect as equally important.",
    3: "Plans deliberately, chooses what to focus on, and owns the outcome of routine work.",
    4: "Sees the situation as a whole, notices what is unusual, and knows which rules to bend.",
    5: "Acts from deep intuition, handles the novel case, and teaches others how to see.",
}


class Skill(models.Model):
    """A skill in the taxonomy. ``strategic`` and the target are set by stewards (insights)."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=130)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="skills",
        help_text="Empty for an organisation-wide skill.",
    )
    strategic = models.BooleanField(default=False)
    target_people = models.PositiveIntegerField(
        null=True, blank=True, help_text="Strategic target: at least this many people at the target level."
    )
    target_level = models.PositiveSmallIntegerField(choices=SkillLevel.choices, default=SkillLevel.PROFICIENT)
    created_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "slug"], name="skill_slug_per_community"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(community__isnull=True), name="skill_slug_organisation_wide"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AssessmentSource(models.TextChoices):
    SELF = "self", "Self-assessment"
    PEER = "peer", "Peer assessment"
    LEAD = "lead", "Lead assessment"
    CHECK = "check", "Knowledge check"


class SkillAssessment(models.Model):
    """One piece of evidence of a person's level in a skill, dated; history is kept (never updated)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="skill_assessments")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="assessments")
    source = models.CharField(max_length=8, choices=AssessmentSource.choices)
    level = models.PositiveSmallIntegerField(choices=SkillLevel.choices)
    assessor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments_given"
    )
    justification = models.TextField(blank=True, help_text="Why this level (required for peer and lead).")
    attempt = models.ForeignKey(
        "calibration.CheckAttempt",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="skill_evidence",
        help_text="For check evidence: the attempt it comes from.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="assessment_level_1_to_5")
        ]
        indexes = [
            models.Index(fields=["person", "skill", "-created_at"]),
            models.Index(fields=["skill", "source"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.skill}: {self.level} ({self.source})"


# Knowledge checks ---------------------------------------------------------------------------------
# specs/calibration.md §1 and §4. A community's item bank; a person estimates their score, then
# answers each item with a certainty (1..3); submitting scores the attempt with CBM, writes one
# CalibrationRecord per item (source CHECK_ITEM, source_id = the ItemResponse id) and check evidence
# for the check's skills.


class CheckStatus(models.TextChoices):
    DRAFT = "draft", "Draft: only its authors and the community's leads see it"
    PUBLISHED = "published", "Published: members can take it"
    ARCHIVED = "archived", "Archived: kept for history, no new attempts"


class KnowledgeCheck(models.Model):
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="knowledge_checks"
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=210)
    description = models.TextField(blank=True, help_text="Markdown.")
    skills = models.ManyToManyField(Skill, blank=True, related_name="checks")
    status = models.CharField(max_length=10, choices=CheckStatus.choices, default=CheckStatus.DRAFT)
    author = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["community", "slug"], name="check_slug_per_community")]

    def __str__(self) -> str:
        return self.title


class ItemKind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple select (partial credit)"
    TRUE_FALSE = "true_false", "True or false"
    NUMERIC = "numeric", "Number (with tolerance)"


class CheckItem(models.Model):
    """One question. ``options``: list of choice texts (single/multiple); ``answer``: the correct
    choice index (single), list of indices (multiple), bool (true/false) or number (numeric)."""

    check_ref = models.ForeignKey(KnowledgeCheck, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=ItemKind.choices)
    prompt = models.TextField(help_text="Markdown.")
    options = models.JSONField(default=list, blank=True)
    answer = models.JSONField()
    tolerance = models.FloatField(null=True, blank=True, help_text="Numeric items: accepted +/- range.")
    explanation = models.TextField(blank=True, help_text="Markdown, shown after answering.")
    weight = models.FloatField(default=1.0)
    skills = models.ManyToManyField(Skill, blank=True, related_name="check_items")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=Q(weight__gt=0), name="item_weight_positive")]

    def __str__(self) -> str:
        return self.prompt[:60]


class CheckAttempt(models.Model):
    """One sitting of a check. ``estimated_score`` (0..1) is asked before the first item."""

    check_ref = models.ForeignKey(KnowledgeCheck, on_delete=models.CASCADE, related_name="attempts")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="check_attempts")
    number = models.PositiveIntegerField(default=1, help_text="1 for the first attempt, 2 for a retake...")
    estimated_score = models.FloatField(help_text="The person's own estimate of their accuracy, 0..1.")
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accuracy = models.FloatField(null=True, blank=True)
    average_mark = models.FloatField(null=True, blank=True)
    bonus = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["check_ref", "person", "number"], name="attempt_number_per_person"
            ),
            models.CheckConstraint(
                condition=Q(estimated_score__gte=0, estimated_score__lte=1), name="estimate_0_to_1"
            ),
        ]
        indexes = [models.Index(fields=["check_ref", "person", "number"])]

    def __str__(self) -> str:
        return f"{self.person} on {self.check_ref_id} #{self.number}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class ItemResponse(models.Model):
    """The answer to one item in an attempt; scored (fraction, mark) when the attempt is submitted."""

    attempt = models.ForeignKey(CheckAttempt, on_delete=models.CASCADE, related_name="responses")
    item = models.ForeignKey(CheckItem, on_delete=models.CASCADE, related_name="responses")
    response = models.JSONField(null=True, blank=True, help_text="Empty when the item was not answered.")
    certainty = models.PositiveSmallIntegerField(choices=Certainty.choices, null=True, blank=True)
    fraction = models.FloatField(null=True, blank=True)
    mark = models.FloatField(null=True, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "item"], name="one_response_per_item"),
            models.CheckConstraint(
                condition=Q(certainty__isnull=True) | Q(certainty__gte=1, certainty__lte=3),
                name="response_certainty_1_to_3",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.item_id}"
