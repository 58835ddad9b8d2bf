"""Learning loops: Senge's team learning, mental models, shared vision and personal mastery.

- Method templates (agile retrospectives, after-action reviews, lean-startup cards, design-thinking
  test reviews, service-blueprint reviews, usability-test debriefs) shipped as data.
- Reviews of a team or a community: items, groups, dot votes, insights and actions; the next review of
  the same team or community opens with the open actions of the previous one.
- Insights travel: shared to communities, adopted by teams.
- Experiments (lean startup) with pre-registered predictions scored like forecasts.
- The assumption register (mental models) with evidence and a "what changed my mind" history.
- Shared vision with versions, comments and an alignment pulse.
- Personal learning goals with the creative tension between vision and current reality.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from practica.people.models import Person, Team

OWNER_XOR = "exactly one of team and community"


def _one_owner(name: str) -> models.CheckConstraint:
    """A row belongs to a team or to a community, never both, never neither."""
    return models.CheckConstraint(
        condition=(Q(team__isnull=False) & Q(community__isnull=True))
        | (Q(team__isnull=True) & Q(community__isnull=False)),
        name=name,
    )


# Method templates ---------------------------------------------------------------------------------


class Method(models.TextChoices):
    AGILE = "agile", "Agile"
    AFTER_ACTION = "after_action", "After-action review"
    LEAN_STARTUP = "lean_startup", "Lean startup"
    DESIGN_THINKING = "design_thinking", "Design thinking"
    SERVICE_DESIGN = "service_design", "Service design"
    USER_CENTRED = "user_centred", "User-centred design"


class TemplateKind(models.TextChoices):
    REVIEW = "review", "Review"
    EXPERIMENT = "experiment", "Experiment"


class MethodTemplate(models.Model):
    """A method as data. ``sections``: list of {"key", "title", "prompt"} that items are added under.

    Built-in templates are loaded by a data migration/command and cannot be edited; organisations
    add their own (builtin False).
    """

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    method = models.CharField(max_length=20, choices=Method.choices)
    kind = models.CharField(max_length=12, choices=TemplateKind.choices, default=TemplateKind.REVIEW)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True, help_text="Markdown: how to run it, and its source.")
    sections = models.JSONField(default=list)
    builtin = models.BooleanField(default=False)
    created_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["method", "name"]

    def __str__(self) -> str:
        return self.name


# Reviews ------------------------------------------------------------------------------------------


class ReviewPhase(models.TextChoices):
    COLLECT = "collect", "Collecting items"
    GROUP = "group", "Grouping"
    VOTE = "vote", "Dot-voting"
    ACT = "act", "Insights and actions"
    CLOSED = "closed", "Closed"


class Review(models.Model):
    """A retrospective or after-action review held by a team or a community."""

    title = models.CharField(max_length=200)
    template = models.ForeignKey(MethodTemplate, on_delete=models.PROTECT, related_name="reviews")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews")
    community = models.ForeignKey(
        "communities.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="reviews"
    )
    facilitator = models.ForeignKey(
        Person, null=True, on_delete=models.SET_NULL, related_name="facilitated_reviews"
    )
    phase = models.CharField(max_length=10, choices=ReviewPhase.choices, default=ReviewPhase.COLLECT)
    dots_per_person = models.PositiveSmallIntegerField(default=3)
    allow_anonymous = models.BooleanField(default=True)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_reviews",
        help_text="The previous review of the same team or community, whose open actions open this one.",
    )
    forecasts = models.ManyToManyField(
        "calibration.ForecastQuestion",
        blank=True,
        related_name="reviews",
        help_text="After-action reviews: the forecasts about the work, for 'what was supposed to happen'.",
    )
    experiments = models.ManyToManyField("learning.Experiment", blank=True, related_name="reviews")
    held_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_at", "-id"]
        constraints = [_one_owner("review_one_owner")]
        indexes = [models.Index(fields=["team", "-held_at"]), models.Index(fields=["community", "-held_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.phase == ReviewPhase.CLOSED


class ReviewGroup(models.Model):
    """Similar items grouped under one title."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="groups")
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class ReviewItem(models.Model):
    """One contribution under a template section. ``anonymous`` hides the author from other
    participants (the author is still stored: the data model never forgets who wrote what)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(max_length=40, help_text="The template section's key.")
    text = models.TextField()
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="review_items")
    anonymous = models.BooleanField(default=False)
    group = models.ForeignKey(
        ReviewGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["review", "section"])]

    def __str__(self) -> str:
        return self.text[:60]


class DotVote(models.Model):
    """One dot a participant put on an item (several dots on one item are allowed, up to the budget)."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["review", "voter"])]

    def __str__(self) -> str:
        return f"dot by {self.voter_id} on {self.item_id}"


class Insight(models.Model):
    """What a team learned, worth sharing beyond it."""

    title = models.CharField(max_length=200)
    details = models.TextField(blank=True, help_text="Markdown.")
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="insights"
    )
    experiment = models.ForeignKey(
        "learning.Experiment", null=True, blank=True, on_delete=models.SET_NULL, related_name="insights"
    )
    source_items = models.ManyToManyField(ReviewItem, blank=True, related_name="insights")
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="insights",
        help_text="The team it came from, if any.",
    )
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="insights")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class InsightShare(models.Model):
    """An insight shared to a community: it appears in the community's feed."""

    insight = models.ForeignKey(Insight, on_delete=models.CASCADE, related_name="shares")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="insight_shares"
    )
    shared_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    shared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-shared_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["insight", "community"], name="insight_shared_once")]

    def __str__(self) -> str:
        return f"{self.insight_id} -> {self.community_id}"


class InsightAdoption(models.Model):
    """A team says it adopted an insight: the spread of learning across teams, made measurable."""

    insight = models.ForeignKey(Insight, on_delete=models.CASCADE, related_name="adoptions")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="insight_adoptions")
    adopted_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    via = models.ForeignKey(
        InsightShare,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adoptions",
        help_text="The community share the adopting team found it through, if any.",
    )
    note = models.TextField(blank=True)
    adopted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-adopted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["insight", "team"], name="insight_adopted_once_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.insight_id} adopted by {self.team_id}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class Action(models.Model):
    """Something a review decided to do. ``followed_up_in``: the later review that looked at it
    (follow-through rate = actions done by the time they were followed up / actions followed up)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="actions")
    insight = models.ForeignKey(
        Insight, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    item = models.ForeignKey(
        ReviewItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="learning_actions"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    followed_up_in = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="followed_up_actions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return self.title


# Assumptions (mental models) ----------------------------------------------------------------------


class AssumptionScope(models.TextChoices):
    PERSONAL = "personal", "Personal"
    TEAM = "team", "Team"
    COMMUNITY = "community", "Community"
    ORGANISATION = "organisation", "Organisation"


class AssumptionStatus(models.TextChoices):
    UNTESTED = "untested", "Untested"
    SUPPORTED = "supported", "Supported"
    REFUTED = "refuted", "Refuted"
    REVISED = "revised", "Revised"


class Assumption(models.Model):
    """A belief someone acts on ("Pairing halves onboarding time"), with how sure they are.

    Changing status or confidence needs a note (AssumptionChange); experiments and causal-loop links
    cite assumptions.
    """

    statement = models.CharField(max_length=300)
    details = models.TextField(blank=True, help_text="Markdown.")
    owner = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="assumptions")
    scope = models.CharField(max_length=14, choices=AssumptionScope.choices, default=AssumptionScope.TEAM)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="assumptions"
    )
    community = models.ForeignKey(
        "communities.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="assumptions"
    )
    confidence = models.FloatField(help_text="Probability the belief is true, 0..1.")
    status = models.CharField(
        max_length=10, choices=AssumptionStatus.choices, default=AssumptionStatus.UNTESTED
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1), name="assumption_confidence_0_to_1"
            )
        ]

    def __str__(self) -> str:
        return self.statement


class AssumptionChange(models.Model):
    """A change of status or confidence with "what changed my mind"."""

    assumption = models.ForeignKey(Assumption, on_delete=models.CASCADE, related_name="changes")
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=10, choices=AssumptionStatus.choices)
    to_status = models.CharField(max_length=10, choices=AssumptionStatus.choices)
    from_confidence = models.FloatField()
    to_confidence = models.FloatField()
    note = models.TextField(help_text="What changed my mind.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}: {self.note[:40]}"


class EvidenceDirection(models.TextChoices):
    FOR = "for", "For"
    AGAINST = "against", "Against"


class AssumptionEvidence(models.Model):
    """Evidence for or against an assumption: an experiment, a review, an answer, or a document link."""

    assumption = models.ForeignKey(Assumption, on_delete=models.CASCADE, related_name="evidence")
    direction = models.CharField(max_length=8, choices=EvidenceDirection.choices)
    summary = models.CharField(max_length=300)
    experiment = models.ForeignKey(
        "learning.Experiment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    answer = models.ForeignKey(
        "knowledge.Answer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField(blank=True)
    added_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.direction}: {self.summary}"


# Experiments (lean startup) -----------------------------------------------------------------------


class ExperimentStatus(models.TextChoices):
    PLANNED = "planned", "Planned: predictions open"
    RUNNING = "running", "Running"
    CONCLUDED = "concluded", "Concluded"


class ExperimentResult(models.TextChoices):
    NONE = "", "No result yet"
    WON = "won", "Won: the success criterion was met"
    LOST = "lost", "Lost: the criterion was not met"
    INCONCLUSIVE = "inconclusive", "Inconclusive"


class Decision(models.TextChoices):
    NONE = "", "Not decided"
    PERSEVERE = "persevere", "Persevere"
    PIVOT = "pivot", "Pivot"
    STOP = "stop", "Stop"
    KEEP_TESTING = "keep_testing", "Keep testing"


class Experiment(models.Model):
    """A lean-startup test card, then its learning card. Predictions (probability that it succeeds)
    are stated before it starts and scored when it concludes (won = yes, lost = no, inconclusive
    counts nowhere, like an annulled forecast)."""

    title = models.CharField(max_length=200)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="experiments"
    )
    community = models.ForeignKey(
        "communities.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="experiments"
    )
    owner = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="experiments")
    template = models.ForeignKey(
        MethodTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hypothesis = models.TextField(help_text="We believe that ...")
    assumption = models.ForeignKey(
        Assumption, null=True, blank=True, on_delete=models.SET_NULL, related_name="experiments"
    )
    method = models.TextField(help_text="To verify that, we will ...")
    metric = models.CharField(max_length=200, help_text="And measure ...")
    success_criterion = models.CharField(max_length=300, help_text="We are right if ...")
    planned_days = models.PositiveIntegerField(default=14)
    status = models.CharField(
        max_length=10, choices=ExperimentStatus.choices, default=ExperimentStatus.PLANNED
    )
    started_at = models.DateTimeField(null=True, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=12, choices=ExperimentResult.choices, blank=True, default="")
    result_data = models.TextField(blank=True, help_text="Markdown: what we observed, with the numbers.")
    learning = models.TextField(blank=True, help_text="Learning card: we learned that ...")
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [_one_owner("experiment_one_owner")]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.title


class ExperimentPrediction(models.Model):
    """A participant's probability that the experiment will succeed, stated before it starts."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="predictions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="experiment_predictions")
    probability = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "person"], name="one_prediction_per_person"),
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=1), name="prediction_probability_0_to_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.probability:.0%}"


# Shared vision ------------------------------------------------------------------------------------


class Vision(models.Model):
    """The vision of the organisation (``community`` empty, ``organisation`` true; only one) or of a
    community. (A unique index on a NULL column does not stop two NULLs, hence the flag.)"""

    community = models.OneToOneField(
        "communities.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="vision"
    )
    organisation = models.BooleanField(default=False)
    text = models.TextField(blank=True, help_text="The current adopted statement (Markdown).")
    version = models.PositiveIntegerField(default=0, help_text="0 until a first version is adopted.")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(organisation=True), name="one_organisation_vision"
            ),
            models.CheckConstraint(
                condition=Q(organisation=True, community__isnull=True)
                | Q(organisation=False, community__isnull=False),
                name="vision_organisation_or_community",
            ),
        ]

    def __str__(self) -> str:
        return "Organisation vision" if self.organisation else f"Vision of community {self.community_id}"


class VisionDraftStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ADOPTED = "adopted", "Adopted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class VisionDraft(models.Model):
    """A proposed text; adopting it makes it the vision's next version (history kept)."""

    vision = models.ForeignKey(Vision, on_delete=models.CASCADE, related_name="drafts")
    text = models.TextField()
    note = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(
        max_length=10, choices=VisionDraftStatus.choices, default=VisionDraftStatus.DRAFT
    )
    version = models.PositiveIntegerField(null=True, blank=True, help_text="Set when adopted.")
    based_on_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    adopted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Draft {self.id} ({self.status})"


class VisionComment(models.Model):
    vision = models.ForeignKey(Vision, on_delete=models.CASCADE, related_name="comments")
    draft = models.ForeignKey(
        VisionDraft, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class AlignmentPulse(models.Model):
    """ "I see my work in this vision", 1..5, with an optional comment; history kept over time."""

    vision = models.ForeignKey(Vision, on_delete=models.CASCADE, related_name="pulses")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    vision_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="pulse_1_to_5")]
        indexes = [models.Index(fields=["vision", "person", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.score}"


# Personal learning goals (personal mastery) --------------------------------------------------------


class GoalStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    DROPPED = "dropped", "Dropped"


class LearningGoal(models.Model):
    """A personal goal held in Senge's creative tension: the vision against current reality.

    Private to the person; ``shared_with`` lists the mentors or managers they chose to show it to.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="learning_goals")
    title = models.CharField(max_length=200)
    skills = models.ManyToManyField("calibration.Skill", blank=True, related_name="learning_goals")
    vision = models.TextField(help_text="Where I want to be.")
    current_reality = models.TextField(help_text="Where I honestly am now.")
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    target_date = models.DateField(null=True, blank=True)
    shared_with = models.ManyToManyField(Person, blank=True, related_name="goals_shared_with_me")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    goal = models.ForeignKey(LearningGoal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class CheckIn(models.Model):
    """A dated note on a goal by its owner or someone it is shared with (a mentor's note)."""

    goal = models.ForeignKey(LearningGoal, on_delete=models.CASCADE, related_name="check_ins")
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField()
    current_reality = models.TextField(blank=True, help_text="An update of where I am now, if it changed.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.note[:60]
