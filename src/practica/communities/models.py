"""Communities of practice as specs/communities.md models them.

A community is not a team: its members come from anywhere in the org chart. Its charter is
versioned, its lifecycle stage changes are recorded, its members' participation levels are derived
from activity, and its events carry RSVPs and attendance.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q

from practica.people.models import Person


class Visibility(models.TextChoices):
    OPEN = "open", "Open: anyone can see and join"
    REQUEST = "request", "On request: visible, joining needs a lead's approval"
    PRIVATE = "private", "Private: invisible to non-members, joining by invitation"


class Stage(models.TextChoices):
    """Lifecycle stages after Wenger, McDermott & Snyder (2002)."""

    POTENTIAL = "potential", "Potential"
    COALESCING = "coalescing", "Coalescing"
    MATURING = "maturing", "Maturing"
    STEWARDSHIP = "stewardship", "Stewardship"
    TRANSFORMATION = "transformation", "Transformation"


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HealthStatus(models.TextChoices):
    THRIVING = "thriving", "Thriving"
    STEADY = "steady", "Steady"
    AT_RISK = "at_risk", "At risk"
    DORMANT = "dormant", "Dormant"


class Community(models.Model):
    """A community of practice; the charter's current text lives here, its history in CharterVersion."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=130, unique=True)
    summary = models.CharField(max_length=200, blank=True, help_text="One line for the directory.")
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.OPEN)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.POTENTIAL)
    tags = models.ManyToManyField(Tag, blank=True, related_name="communities")
    # The charter (Markdown). Each edit stores a CharterVersion and bumps charter_version, which
    # an edit must name so that a stale edit is refused instead of overwriting someone's work.
    domain = models.TextField(blank=True, help_text="What the community is about and why it matters.")
    community_text = models.TextField(blank=True, help_text="Who it is for, how people join, roles.")
    practice = models.TextField(blank=True, help_text="The shared repertoire it builds.")
    purpose = models.TextField(blank=True)
    scope = models.TextField(blank=True, help_text="What is in and out.")
    audience = models.TextField(blank=True)
    rhythm = models.TextField(blank=True, help_text="e.g. fortnightly meetup, monthly kata.")
    success_criteria = models.TextField(blank=True, help_text="How success is judged.")
    charter_version = models.PositiveIntegerField(default=1)
    # Stored by the health computation (health.py) so the directory does not recompute it per card.
    health_status = models.CharField(max_length=16, choices=HealthStatus.choices, blank=True)
    health_computed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "communities"
        indexes = [models.Index(fields=["stage"]), models.Index(fields=["visibility"])]

    def __str__(self) -> str:
        return self.name


CHARTER_FIELDS = (
    "domain",
    "community_text",
    "practice",
    "purpose",
    "scope",
    "audience",
    "rhythm",
    "success_criteria",
)


class CharterVersion(models.Model):
    """One saved state of a community's charter."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="charter_versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)
    domain = models.TextField(blank=True)
    community_text = models.TextField(blank=True)
    practice = models.TextField(blank=True)
    purpose = models.TextField(blank=True)
    scope = models.TextField(blank=True)
    audience = models.TextField(blank=True)
    rhythm = models.TextField(blank=True)
    success_criteria = models.TextField(blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["community", "number"], name="unique_charter_version")]

    def __str__(self) -> str:
        return f"{self.community} charter v{self.number}"


class StageChange(models.Model):
    """A lifecycle move: who, when and why."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    actor = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.community}: {self.from_stage or 'start'} -> {self.to_stage}"


class Role(models.TextChoices):
    LEAD = "lead", "Lead"
    SPONSOR = "sponsor", "Sponsor"
    MEMBER = "member", "Member"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "Member"
    REQUESTED = "requested", "Asked to join"
    INVITED = "invited", "Invited"
    DECLINED = "declined", "Request declined"
    LEFT = "left", "Left"


class Level(models.TextChoices):
    """Levels of participation (Wenger-Trayner), most involved first."""

    CORE = "core", "Core"
    ACTIVE = "active", "Active"
    OCCASIONAL = "occasional", "Occasional"
    PERIPHERAL = "peripheral", "Peripheral"
    TRANSACTIONAL = "transactional", "Transactional"


class Membership(models.Model):
    """A person's relation to a community; one row per person and community, kept after leaving."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="community_memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.PERIPHERAL)
    level_pinned = models.BooleanField(default=False, help_text="A lead fixed the level by hand.")
    level_computed_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.CharField(max_length=300, blank=True, help_text="Why the person asked to join.")
    created_at = models.DateTimeField(auto_now_add=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "person"], name="unique_community_membership")
        ]
        indexes = [
            models.Index(fields=["person", "status"]),
            models.Index(fields=["community", "status", "level"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.community} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE


ACTIVE_MEMBER = Q(status=MembershipStatus.ACTIVE)


class EventKind(models.TextChoices):
    MEETUP = "meetup", "Meetup"
    TALK = "talk", "Talk"
    WORKSHOP = "workshop", "Workshop"
    KATA = "kata", "Kata"
    LEAN_COFFEE = "lean_coffee", "Lean coffee"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"


class EventSeries(models.Model):
    """A recurring event; its occurrences are Event rows that can be changed or cancelled alone."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="series")
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} series of {self.community}"


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class Event(models.Model):
    """A meetup, talk, workshop, kata or lean coffee of a community."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="events")
    series = models.ForeignKey(
        EventSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="occurrences"
    )
    series_changed = models.BooleanField(default=False, help_text="This occurrence was edited on its own.")
    title = models.CharField(max_length=150)
    kind = models.CharField(max_length=16, choices=EventKind.choices, default=EventKind.MEETUP)
    agenda = models.TextField(blank=True, help_text="Markdown.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="UTC")
    place = models.CharField(max_length=200, blank=True)
    link = models.URLField(blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    status = models.CharField(max_length=16, choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    notes = models.TextField(blank=True, help_text="Notes and outcomes, Markdown.")
    speakers = models.ManyToManyField(Person, blank=True, related_name="talks_given")
    attendance_taken_at = models.DateTimeField(null=True, blank=True)
    uid = models.CharField(max_length=64, unique=True, default=secrets.token_hex, editable=False)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: bumped on changes.")
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["community", "starts_at"]), models.Index(fields=["starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class RsvpAnswer(models.TextChoices):
    GOING = "going", "Going"
    MAYBE = "maybe", "Maybe"
    NO = "no", "Not going"


class Rsvp(models.Model):
    """A person's answer to an event; ``waitlisted`` when they said going but the event was full."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="rsvps")
    answer = models.CharField(max_length=8, choices=RsvpAnswer.choices)
    waitlisted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="unique_rsvp")]
        indexes = [models.Index(fields=["person", "answer"])]

    def __str__(self) -> str:
        return f"{self.person} {self.answer} for {self.event}"


class Attendance(models.Model):
    """Who actually came, recorded by a lead after the event (non-members too: transactional)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendance")
    recorded_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="unique_attendance")]
        indexes = [models.Index(fields=["person"])]

    def __str__(self) -> str:
        return f"{self.person} attended {self.event}"


class CalendarToken(models.Model):
    """The unguessable part of a person's calendar feed URLs; regenerating it revokes old links."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar token of {self.person}"


class ActivityKind(models.TextChoices):
    """What happened; ``CONTRIBUTIONS`` below are the kinds that count as contributing."""

    JOINED = "joined", "joined"
    LEFT = "left", "left"
    ATTENDED = "attended", "attended"
    SPOKE = "spoke", "gave a talk at"
    EVENT_SCHEDULED = "event_scheduled", "scheduled"
    CHARTER_EDITED = "charter_edited", "edited the charter"
    STAGE_CHANGED = "stage_changed", "moved the community to"
    HEALTH_REVIEWED = "health_reviewed", "reviewed the community's health"
    ASKED = "asked", "asked"
    ANSWERED = "answered", "answered"
    ARTICLE = "article", "wrote"
    CHECK_ITEM = "check_item", "authored a check item"
    REVIEW = "review", "took part in a review"
    USED = "used", "used"


CONTRIBUTIONS = frozenset(
    {
        ActivityKind.SPOKE,
        ActivityKind.ANSWERED,
        ActivityKind.ARTICLE,
        ActivityKind.CHECK_ITEM,
        ActivityKind.REVIEW,
        ActivityKind.CHARTER_EDITED,
        ActivityKind.EVENT_SCHEDULED,
    }
)


class Activity(models.Model):
    """One thing a person did in a community: the feed, participation levels and health read it."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="activities")
    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="activities")
    kind = models.CharField(max_length=24, choices=ActivityKind.choices)
    summary = models.CharField(max_length=200, help_text="What the feed shows after the verb.")
    url = models.CharField(max_length=300, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["community", "-occurred_at"]),
            models.Index(fields=["community", "person", "occurred_at"]),
        ]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.summary}"


class Principle(models.TextChoices):
    """The seven principles for cultivating communities of practice (Wenger et al. 2002)."""

    EVOLUTION = "evolution", "Design for evolution"
    DIALOGUE = "dialogue", "Open a dialogue between inside and outside perspectives"
    LEVELS = "levels", "Invite different levels of participation"
    SPACES = "spaces", "Develop public and private spaces"
    VALUE = "value", "Focus on value"
    FAMILIARITY = "familiarity", "Combine familiarity and excitement"
    RHYTHM = "rhythm", "Create a rhythm"


class HealthReview(models.Model):
    """A lead's periodic self-check against the seven principles."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="health_reviews")
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"health review of {self.community} on {self.created_at:%Y-%m-%d}"


class PrincipleRating(models.Model):
    review = models.ForeignKey(HealthReview, on_delete=models.CASCADE, related_name="ratings")
    principle = models.CharField(max_length=16, choices=Principle.choices)
    rating = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "principle"], name="unique_principle_rating"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.principle}: {self.rating}"
