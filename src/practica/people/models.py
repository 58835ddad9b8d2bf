"""People, the formal org chart (departments and teams), and personal API tokens."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/Berlin.")


class Role(models.TextChoices):
    """Organisation-wide roles; community roles (lead, sponsor) live with the communities."""

    MEMBER = "member", "Member"
    STEWARD = "steward", "Steward"
    ADMIN = "admin", "Admin"


class Person(models.Model):
    """Someone in the organisation: the profile behind a sign-in account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person")
    # The organisation's identity for a person (CSV imports match on it); kept equal to user.email,
    # which Django's password reset uses, by the people services.
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=150)
    title = models.CharField(max_length=150, blank=True)
    location = models.CharField(max_length=150, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    bio = models.TextField(blank=True, help_text="Markdown.")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    # Consent to be named as a knowledge broker on the stewards' network page (off: counted only).
    listed_as_broker = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name", "id"]
        indexes = [models.Index(Lower("display_name"), name="person_name_lower_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_steward(self) -> bool:
        return self.role in {Role.STEWARD, Role.ADMIN}

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class TeamKind(models.TextChoices):
    DEPARTMENT = "department", "Department"
    TEAM = "team", "Team"


class Team(models.Model):
    """A unit of the formal org chart; teams nest under departments (and deeper, if needed)."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=160, unique=True)
    kind = models.CharField(max_length=16, choices=TeamKind.choices, default=TeamKind.TEAM)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """A person's place in a team, with their manager there."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="team_memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    manager = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "team"], name="unique_team_membership")]
        ordering = ["team__name"]

    def __str__(self) -> str:
        return f"{self.person} in {self.team}"


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 hash is stored, the token itself is shown once."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise a token.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
