"""Questions and answers with stated certainty, practices with revisions, and value-creation stories.

All of it belongs to a community and is visible exactly where its community is (a private community's
knowledge is invisible to non-members everywhere, search included).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from practica.calibration.models import Certainty
from practica.communities.models import Community, Tag
from practica.people.models import Person

MAX_TITLE = 200
MAX_BODY = 50_000  # characters of Markdown; documented in the README


class Relevance(models.TextChoices):
    RELEVANT = "relevant", "Still relevant"
    OUTDATED = "outdated", "No longer relevant"


class Question(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="questions")
    title = models.CharField(max_length=MAX_TITLE)
    body = models.TextField(blank=True, help_text="Markdown.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions")
    allow_several_accepted = models.BooleanField(
        default=False, help_text="The asker accepts more than one answer."
    )
    relevance = models.CharField(max_length=16, choices=Relevance.choices, default=Relevance.RELEVANT)
    relevance_marked_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    relevance_marked_at = models.DateTimeField(null=True, blank=True)
    # Denormalised for lists and the unanswered queue; kept by the services.
    score = models.IntegerField(default=0)
    answer_count = models.PositiveIntegerField(default=0)
    first_answer_at = models.DateTimeField(null=True, blank=True)
    accepted_count = models.PositiveIntegerField(default=0)
    digest_sent_at = models.DateTimeField(null=True, blank=True, help_text="Leads were told it waits.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "-created_at"]),
            models.Index(fields=["answer_count", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class Outcome(models.TextChoices):
    WORKED = "worked", "Worked"
    DID_NOT_WORK = "did_not_work", "Did not work"


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="answers")
    body = models.TextField(help_text="Markdown.")
    certainty = models.PositiveSmallIntegerField(choices=Certainty.choices)
    accepted = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    outcome_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome_at = models.DateTimeField(null=True, blank=True)
    score = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-accepted", "-score", "created_at", "id"]
        indexes = [models.Index(fields=["question", "-accepted", "-score"])]

    def __str__(self) -> str:
        return f"Answer to {self.question_id} by {self.author}"


class Vote(models.Model):
    """One person's +1 or -1 on a question or an answer (exactly one of the two)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="votes")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="votes"
    )
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="vote_on_one_thing",
            ),
            models.CheckConstraint(condition=Q(value__in=[-1, 1]), name="vote_up_or_down"),
            models.UniqueConstraint(fields=["person", "question"], name="one_vote_per_question"),
            models.UniqueConstraint(fields=["person", "answer"], name="one_vote_per_answer"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.value:+d}"


class Comment(models.Model):
    """A short comment on a question or an answer (exactly one of the two)."""

    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="comments")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="comment_on_one_thing",
            )
        ]

    def __str__(self) -> str:
        return f"Comment by {self.author}"


class ExpertOptIn(models.Model):
    """A person agrees to be listed as an expert for a tag (ranked by calibrated accuracy)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="expert_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="expert_opt_ins")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "tag"], name="one_opt_in_per_tag")]

    def __str__(self) -> str:
        return f"{self.person} for {self.tag}"


class PracticeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    OUTDATED = "outdated", "Outdated"
    ARCHIVED = "archived", "Archived"


class PracticeKind(models.TextChoices):
    ARTICLE = "article", "Article"
    PLAYBOOK = "playbook", "Playbook"
    HOW_TO = "how_to", "How-to"


class Practice(models.Model):
    """An article, playbook or how-to of a community; its history lives in PracticeRevision."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="practices")
    owner = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="practices")
    kind = models.CharField(max_length=16, choices=PracticeKind.choices, default=PracticeKind.ARTICLE)
    title = models.CharField(max_length=MAX_TITLE)
    slug = models.SlugField(max_length=120)
    body = models.TextField(blank=True, help_text="Markdown.")
    status = models.CharField(max_length=16, choices=PracticeStatus.choices, default=PracticeStatus.DRAFT)
    tags = models.ManyToManyField(Tag, blank=True, related_name="practices")
    revision = models.PositiveIntegerField(default=1, help_text="The current revision number.")
    reviewed_at = models.DateTimeField(help_text="Last time someone confirmed it is still right.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [models.UniqueConstraint(fields=["community", "slug"], name="unique_practice_slug")]
        indexes = [models.Index(fields=["community", "status"]), models.Index(fields=["reviewed_at"])]

    def __str__(self) -> str:
        return self.title


class PracticeRevision(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=MAX_TITLE)
    body = models.TextField(blank=True)
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "number"], name="unique_practice_revision")
        ]

    def __str__(self) -> str:
        return f"{self.practice} r{self.number}"


class Cycle(models.TextChoices):
    """Value-creation cycles (Wenger, Trayner & de Laat 2011)."""

    IMMEDIATE = "immediate", "Immediate value"
    POTENTIAL = "potential", "Potential value"
    APPLIED = "applied", "Applied value"
    REALIZED = "realized", "Realized value"
    REFRAMING = "reframing", "Reframing value"


class ValueStory(models.Model):
    """A member's story of value created, linking the cycles it reaches ("the kata (1) taught X (2) ...")."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="value_stories")
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="value_stories")
    title = models.CharField(max_length=MAX_TITLE)
    body = models.TextField(help_text="Markdown.")
    immediate = models.BooleanField(default=False)
    potential = models.BooleanField(default=False)
    applied = models.BooleanField(default=False)
    realized = models.BooleanField(default=False)
    reframing = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "value stories"

    def __str__(self) -> str:
        return self.title

    @property
    def cycles(self) -> list[Cycle]:
        return [cycle for cycle in Cycle if getattr(self, cycle.value)]


class ArtefactKind(models.TextChoices):
    EVENT = "event", "Event"
    PRACTICE = "practice", "Practice"
    ANSWER = "answer", "Answer"


class StoryLink(models.Model):
    """An artefact a story cites: an event, a practice or an answer of the same community."""

    story = models.ForeignKey(ValueStory, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=16, choices=ArtefactKind.choices)
    event = models.ForeignKey(
        "communities.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    practice = models.ForeignKey(Practice, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.kind} cited by {self.story}"


class StoryMetric(models.Model):
    """A before/after number a story reports, with its unit (e.g. build failures per week)."""

    story = models.ForeignKey(ValueStory, on_delete=models.CASCADE, related_name="metrics")
    label = models.CharField(max_length=120)
    before = models.FloatField(null=True, blank=True)
    after = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"{self.label}: {self.before} -> {self.after} {self.unit}"
