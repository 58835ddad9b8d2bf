"""Every write to communities, charters, stages and memberships.

Events live in ``events.py`` and health in ``health.py``; all of them record what people do as
Activity rows through :func:`activity_record`, which the feed, participation levels and health read.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from practica.analysis.participation import PersonActivity, participation_levels
from practica.communities.models import (
    CHARTER_FIELDS,
    Activity,
    ActivityKind,
    CharterVersion,
    Community,
    Level,
    Membership,
    MembershipStatus,
    Role,
    Stage,
    StageChange,
    Tag,
    Visibility,
)
from practica.communities.participation import activity_in_window
from practica.core.audit import audit_record
from practica.core.errors import ApplicationError
from practica.core.permissions import can_lead_community, membership_of
from practica.core.slugs import unique_slug
from practica.people.models import Person

STALE_CHARTER = (
    "Someone saved the charter after you started editing (you edited version {base}, the current one is "
    "{current}). Your text is below; compare it with the current charter and save again."
)
NOT_A_LEAD = "Only a lead of this community can do that."


def activity_record(
    *,
    community: Community,
    person: Person | None,
    kind: ActivityKind,
    summary: str,
    url: str = "",
    occurred_at: datetime | None = None,
) -> Activity:
    """Note that someone did something in a community (feeds, participation and health read these)."""
    return Activity.objects.create(
        community=community,
        person=person,
        kind=kind,
        summary=summary[:200],
        url=url[:300],
        occurred_at=occurred_at or timezone.now(),
    )


def require_lead(actor: Person, community: Community) -> Membership:
    membership = membership_of(actor, community)
    if not can_lead_community(membership):
        raise ApplicationError(NOT_A_LEAD)
    assert membership is not None
    return membership


def tags_from_text(text: str) -> list[Tag]:
    """Tags from a comma-separated list, created on first use."""
    tags = []
    for name in dict.fromkeys(word.strip() for word in text.split(",") if word.strip()):
        if len(name) > 50:
            raise ApplicationError(f"The tag {name[:20]}… is longer than 50 characters.", field="tags")
        slug = slugify(name)[:60]
        if not slug:
            raise ApplicationError(f"The tag {name!r} needs letters or digits.", field="tags")
        tag = Tag.objects.filter(slug=slug).first() or Tag.objects.create(name=name, slug=slug)
        tags.append(tag)
    return tags


@transaction.atomic
def community_create(
    *,
    actor: Person,
    name: str,
    summary: str = "",
    visibility: Visibility = Visibility.OPEN,
    tags: str = "",
    charter: dict[str, str] | None = None,
) -> Community:
    """Start a community; its creator becomes its first lead and the charter's version 1 is saved."""
    name = name.strip()
    if not name:
        raise ApplicationError("A community needs a name.", field="name")
    if Community.objects.filter(name__iexact=name).exists():
        raise ApplicationError(f"A community named {name} already exists.", field="name")
    charter = {field: (charter or {}).get(field, "") for field in CHARTER_FIELDS}
    community = Community.objects.create(
        name=name,
        slug=unique_slug(Community, name, fallback="community"),
        summary=summary.strip()[:200],
        visibility=visibility,
        created_by=actor,
        **charter,
    )
    community.tags.set(tags_from_text(tags))
    CharterVersion.objects.create(
        community=community, number=1, author=actor, note="First charter", **charter
    )
    StageChange.objects.create(
        community=community, from_stage="", to_stage=community.stage, actor=actor, reason="Community started"
    )
    now = timezone.now()
    Membership.objects.create(
        community=community,
        person=actor,
        role=Role.LEAD,
        status=MembershipStatus.ACTIVE,
        level=Level.CORE,
        joined_at=now,
    )
    activity_record(community=community, person=actor, kind=ActivityKind.JOINED, summary=community.name)
    return community


@transaction.atomic
def community_update(
    *, actor: Person, community: Community, name: str, summary: str, visibility: Visibility, tags: str
) -> Community:
    """Change a community's name, one-line summary, visibility and tags (leads only)."""
    require_lead(actor, community)
    name = name.strip()
    if not name:
        raise ApplicationError("A community needs a name.", field="name")
    if Community.objects.filter(name__iexact=name).exclude(pk=community.pk).exists():
        raise ApplicationError(f"A community named {name} already exists.", field="name")
    community.name, community.summary, community.visibility = name, summary.strip()[:200], visibility
    community.save(update_fields=["name", "summary", "visibility", "updated_at"])
    community.tags.set(tags_from_text(tags))
    return community


@transaction.atomic
def charter_update(
    *, actor: Person, community: Community, base_version: int, note: str = "", **fields: str
) -> CharterVersion:
    """Save a new charter version; refused when ``base_version`` is not the current version."""
    require_lead(actor, community)
    unknown = set(fields) - set(CHARTER_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown charter fields: {', '.join(sorted(unknown))}.")
    current = Community.objects.select_for_update().get(pk=community.pk)
    if base_version != current.charter_version:
        raise ApplicationError(STALE_CHARTER.format(base=base_version, current=current.charter_version))
    values = {field: fields.get(field, getattr(current, field)) for field in CHARTER_FIELDS}
    if all(values[field] == getattr(current, field) for field in CHARTER_FIELDS):
        raise ApplicationError("Nothing changed in the charter.")
    current.charter_version += 1
    for field, value in values.items():
        setattr(current, field, value)
    current.save(update_fields=[*CHARTER_FIELDS, "charter_version", "updated_at"])
    version = CharterVersion.objects.create(
        community=current, number=current.charter_version, author=actor, note=note.strip()[:200], **values
    )
    activity_record(
        community=current, person=actor, kind=ActivityKind.CHARTER_EDITED, summary=f"version {version.number}"
    )
    community.refresh_from_db()
    return version


@transaction.atomic
def community_set_stage(*, actor: Person, community: Community, stage: Stage, reason: str) -> StageChange:
    """Move a community to another lifecycle stage, saying why (leads only)."""
    require_lead(actor, community)
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Say why the community moves to this stage.", field="reason")
    if stage == community.stage:
        raise ApplicationError(f"The community is already {community.get_stage_display().lower()}.")
    change = StageChange.objects.create(
        community=community, from_stage=community.stage, to_stage=stage, actor=actor, reason=reason
    )
    community.stage = stage
    community.save(update_fields=["stage", "updated_at"])
    activity_record(
        community=community,
        person=actor,
        kind=ActivityKind.STAGE_CHANGED,
        summary=community.get_stage_display(),
    )
    return change


def _activate(membership: Membership, *, role: Role | None = None) -> Membership:
    membership.status = MembershipStatus.ACTIVE
    membership.joined_at = timezone.now()
    membership.left_at = None
    membership.level = Level.PERIPHERAL
    membership.level_pinned = False
    if role is not None:
        membership.role = role
    membership.save()
    activity_record(
        community=membership.community,
        person=membership.person,
        kind=ActivityKind.JOINED,
        summary=membership.community.name,
    )
    return membership


@transaction.atomic
def membership_join(*, person: Person, community: Community, message: str = "") -> Membership:
    """Join an open community, ask to join a request-only one, or accept an invitation to a private one."""
    membership = membership_of(person, community)
    if membership is not None and membership.is_active:
        raise ApplicationError("You are already a member.")
    if membership is not None and membership.status == MembershipStatus.INVITED:
        return _activate(membership)
    if community.visibility == Visibility.PRIVATE:
        raise ApplicationError("This community is private: a lead has to invite you.")
    if membership is None:
        membership = Membership(community=community, person=person)
    if community.visibility == Visibility.REQUEST:
        if membership.status == MembershipStatus.REQUESTED and membership.pk:
            raise ApplicationError("You already asked to join; a lead will answer.")
        membership.status = MembershipStatus.REQUESTED
        membership.message = message.strip()[:300]
        membership.save()
        return membership
    return _activate(membership)


@transaction.atomic
def membership_decide(*, actor: Person, membership: Membership, approve: bool) -> Membership:
    """A lead approves or declines a request to join."""
    require_lead(actor, membership.community)
    if membership.status != MembershipStatus.REQUESTED:
        raise ApplicationError("There is no open request to answer.")
    action = "membership.approved" if approve else "membership.declined"
    details = {"community": membership.community.slug}
    audit_record(actor=actor, action=action, target=membership, details=details)
    if approve:
        return _activate(membership)
    membership.status = MembershipStatus.DECLINED
    membership.save(update_fields=["status"])
    return membership


@transaction.atomic
def membership_invite(*, actor: Person, community: Community, person: Person) -> Membership:
    """A lead invites someone; they become a member when they accept (any visibility)."""
    require_lead(actor, community)
    membership = membership_of(person, community)
    if membership is not None and membership.is_active:
        raise ApplicationError(f"{person.display_name} is already a member.")
    if membership is not None and membership.status == MembershipStatus.REQUESTED:
        return _activate(membership)
    membership = membership or Membership(community=community, person=person)
    membership.status = MembershipStatus.INVITED
    membership.invited_by = actor
    membership.save()
    details = {"community": community.slug}
    audit_record(actor=actor, action="membership.invited", target=membership, details=details)
    return membership


@transaction.atomic
def membership_leave(*, person: Person, community: Community) -> Membership:
    """Leave a community (or decline an invitation); the last lead must hand over first."""
    membership = membership_of(person, community)
    if membership is None or membership.status not in {MembershipStatus.ACTIVE, MembershipStatus.INVITED}:
        raise ApplicationError("You are not a member of this community.")
    if membership.status == MembershipStatus.INVITED:
        membership.delete()
        return membership
    if membership.role == Role.LEAD and _lead_count(community) <= 1:
        raise ApplicationError("You are the only lead: make someone else a lead before you leave.")
    membership.status = MembershipStatus.LEFT
    membership.left_at = timezone.now()
    membership.role = Role.MEMBER
    membership.save(update_fields=["status", "left_at", "role"])
    activity_record(community=community, person=person, kind=ActivityKind.LEFT, summary=community.name)
    return membership


def derived_level(membership: Membership) -> Level:
    """The level the participation rule gives an active ``membership`` now, by its (maybe unsaved) role."""
    activity = activity_in_window(membership.community, now=timezone.now())
    record = activity.get(membership.person_id, PersonActivity(is_member=True))
    activity[membership.person_id] = replace(record, is_member=True, is_lead=membership.role == Role.LEAD)
    return Level(participation_levels(activity)[membership.person_id])


def _lead_count(community: Community) -> int:
    return (
        Membership.objects.select_for_update()
        .filter(community=community, role=Role.LEAD, status=MembershipStatus.ACTIVE)
        .count()
    )


@transaction.atomic
def membership_set_role(*, actor: Person, membership: Membership, role: Role) -> Membership:
    """A lead makes a member a lead, sponsor or member; a community always keeps one lead."""
    require_lead(actor, membership.community)
    if not membership.is_active:
        raise ApplicationError("Only active members can have a role.")
    if membership.role == Role.LEAD and role != Role.LEAD and _lead_count(membership.community) <= 1:
        raise ApplicationError("A community needs at least one lead: make someone else a lead first.")
    audit_record(
        actor=actor,
        action="membership.role_changed",
        target=membership,
        details={"community": membership.community.slug, "from": membership.role, "to": role},
    )
    membership.role = role
    if not membership.level_pinned:
        # A former lead is no longer core by right: derive the level at once, not at the next recompute.
        membership.level = derived_level(membership)
    membership.save(update_fields=["role", "level"])
    return membership


def membership_pin_level(*, actor: Person, membership: Membership, level: Level | None) -> Membership:
    """A lead pins a member's participation level, or unpins it (``None``) to derive it again."""
    require_lead(actor, membership.community)
    if not membership.is_active:
        raise ApplicationError("Only active members have a participation level.")
    if level == Level.TRANSACTIONAL:
        raise ApplicationError(
            "Transactional is for people outside the community; members cannot be pinned there."
        )
    membership.level_pinned = level is not None
    # Unpinning shows the level derived from activity straight away, whoever calls (page or API).
    membership.level = level if level is not None else derived_level(membership)
    membership.save(update_fields=["level", "level_pinned"])
    return membership
