"""Every write to people, teams and API tokens goes through these functions."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from practica.core.audit import audit_record
from practica.core.errors import ApplicationError
from practica.core.slugs import unique_slug
from practica.people.models import ApiToken, Person, Role, Team, TeamKind, TeamMembership

TOKEN_PREFIX = "pra_"


def normalise_email(email: str) -> str:
    return email.strip().lower()


@transaction.atomic
def person_create(
    *,
    email: str,
    display_name: str,
    username: str | None = None,
    password: str | None = None,
    title: str = "",
    location: str = "",
    time_zone: str = "UTC",
    role: Role = Role.MEMBER,
) -> Person:
    """Create a sign-in account and its person; without a password the account cannot sign in
    until the person resets it by email."""
    email = normalise_email(email)
    if Person.objects.filter(email=email).exists():
        raise ApplicationError(f"A person with the email {email} already exists.", field="email")
    user_model = get_user_model()
    username = username or email
    if user_model.objects.filter(username=username).exists():
        raise ApplicationError(f"The username {username} is taken.", field="username")
    user = user_model(username=username, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save()
    person = Person(
        user=user,
        email=email,
        display_name=display_name.strip() or email,
        title=title,
        location=location,
        time_zone=time_zone,
        role=role,
    )
    _full_clean(person, exclude=["user"])
    person.save()
    return person


def _full_clean(instance: Person | Team, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ApplicationError(f"{field}: {messages[0]}", field=field) from None


def person_update_profile(
    *, person: Person, display_name: str, title: str, location: str, time_zone: str, bio: str
) -> Person:
    """Change what a person says about themselves on their profile."""
    person.display_name = display_name.strip()
    person.title = title.strip()
    person.location = location.strip()
    person.time_zone = time_zone.strip()
    person.bio = bio
    if not person.display_name:
        raise ApplicationError("display_name: enter the name people know you by.", field="display_name")
    _full_clean(person, exclude=["user"])
    person.save(update_fields=["display_name", "title", "location", "time_zone", "bio"])
    return person


@transaction.atomic
def person_set_broker_listing(*, person: Person, listed: bool) -> Person:
    """Consent (or stop consenting) to being named as a knowledge broker to stewards. Without it a
    broker is only counted. Withdrawing takes effect on the next page view; opting in from the next
    refresh of the network panel."""
    if person.listed_as_broker != listed:
        person.listed_as_broker = listed
        person.save(update_fields=["listed_as_broker"])
        audit_record(
            actor=person, action="person.broker_listing_changed", target=person, details={"listed": listed}
        )
    return person


@transaction.atomic
def person_set_role(*, actor: Person, person: Person, role: Role) -> Person:
    """Make someone a member, steward or admin; only admins may, and never demote the last admin."""
    if not actor.is_admin:
        raise ApplicationError("Only an admin can change roles.")
    demoting_admin = person.role == Role.ADMIN and role != Role.ADMIN
    if demoting_admin and Person.objects.select_for_update().filter(role=Role.ADMIN).count() <= 1:
        raise ApplicationError("This is the last admin; make someone else admin first.")
    previous = person.role
    person.role = role
    person.save(update_fields=["role"])
    person.user.is_staff = person.user.is_superuser = role == Role.ADMIN
    person.user.save(update_fields=["is_staff", "is_superuser"])
    audit_record(
        actor=actor, action="person.role_changed", target=person, details={"from": previous, "to": role}
    )
    return person


def unique_team_slug(name: str) -> str:
    return unique_slug(Team, name, fallback="team", max_length=150)


def team_create(*, name: str, parent: Team | None = None, kind: TeamKind | None = None) -> Team:
    """Add a unit to the org chart; a unit without a parent is a department unless told otherwise."""
    name = name.strip()
    if not name:
        raise ApplicationError("A team needs a name.", field="name")
    if Team.objects.filter(name__iexact=name).exists():
        raise ApplicationError(f"A team named {name} already exists.", field="name")
    kind = kind or (TeamKind.TEAM if parent else TeamKind.DEPARTMENT)
    return Team.objects.create(name=name, slug=unique_team_slug(name), parent=parent, kind=kind)


def team_membership_set(*, person: Person, team: Team, manager: Person | None) -> TeamMembership:
    """Put a person in a team (or update their manager there)."""
    if manager is not None and manager.pk == person.pk:
        raise ApplicationError("A person cannot be their own manager.", field="manager")
    membership, _ = TeamMembership.objects.update_or_create(
        person=person, team=team, defaults={"manager": manager}
    )
    return membership


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, person: Person, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; returns the record and the token, which is never shown again."""
    name = name.strip()
    if not name:
        raise ApplicationError("Give the token a name, such as the script that will use it.", field="name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        person=person, name=name[:100], token_hash=_hash_token(token), prefix=token[:12]
    )
    audit_record(actor=person, action="api_token.created", target=record, details={"prefix": record.prefix})
    return record, token


def api_token_revoke(*, person: Person, token_id: int) -> ApiToken:
    """Revoke one of the person's own tokens; revoking twice is harmless."""
    try:
        record = ApiToken.objects.get(pk=token_id, person=person)
    except ApiToken.DoesNotExist:
        raise ApplicationError("No such token.") from None
    if record.revoked_at is None:
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at"])
        audit_record(
            actor=person, action="api_token.revoked", target=record, details={"prefix": record.prefix}
        )
    return record


def api_token_authenticate(token: str) -> Person | None:
    """The person an active token belongs to, or None; records when the token was last used."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    record = (
        ApiToken.objects.select_related("person__user")
        .filter(token_hash=_hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if record is None or not record.person.user.is_active:
        return None
    now = timezone.now()
    # Write at most once a minute so busy scripts do not turn every read into a write.
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.person
