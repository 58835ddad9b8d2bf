"""Communities in the JSON API: the same selectors and services as the pages, the same permission rules.

A private community is a 404 for everyone who is not a member, exactly as on the pages.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from practica.communities import event_selectors, events, health, selectors, services
from practica.communities.models import (
    CHARTER_FIELDS,
    Community,
    Event,
    EventKind,
    Frequency,
    Membership,
    Rsvp,
    RsvpAnswer,
    Stage,
    Visibility,
)
from practica.communities.selectors import CommunityAccess
from practica.core.errors import ApplicationError
from practica.core.permissions import person_for_user
from practica.people.models import Person

router = Router(tags=["communities"])


class TagOut(Schema):
    name: str
    slug: str


class CommunityBase(Schema):
    slug: str
    name: str
    summary: str
    visibility: str
    stage: str
    health_status: str
    tags: list[TagOut]


class CommunitySummaryOut(CommunityBase):
    member_count: int | None = Field(
        None, description="Hidden (null) for private communities you are not in."
    )
    my_status: str | None = None
    my_role: str | None = None

    @staticmethod
    def resolve_member_count(community: Community) -> int | None:
        hidden = (
            community.visibility == Visibility.PRIVATE and getattr(community, "my_status", None) != "active"
        )
        return None if hidden else getattr(community, "member_count", None)


class CharterOut(Schema):
    version: int = Field(..., alias="charter_version")
    domain: str
    community: str = Field(..., alias="community_text")
    practice: str
    purpose: str
    scope: str
    audience: str
    rhythm: str
    success_criteria: str


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    reason: str
    actor: str | None = Field(None, alias="actor.display_name")
    created_at: datetime


class CommunityOut(CommunityBase):
    charter: CharterOut
    member_count: int
    stage_history: list[StageChangeOut]
    my_status: str | None
    my_role: str | None


class CommunityIn(Schema):
    name: str
    summary: str = ""
    visibility: Visibility = Visibility.OPEN
    tags: list[str] = []
    domain: str = ""
    community: str = ""
    practice: str = ""


class CommunityPatch(Schema):
    name: str | None = None
    summary: str | None = None
    visibility: Visibility | None = None
    tags: list[str] | None = None
    charter_base_version: int | None = Field(
        None, description="Required when changing the charter: the version your edit is based on."
    )
    charter_note: str = ""
    domain: str | None = None
    community: str | None = None
    practice: str | None = None
    purpose: str | None = None
    scope: str | None = None
    audience: str | None = None
    rhythm: str | None = None
    success_criteria: str | None = None


class StageIn(Schema):
    stage: Stage
    reason: str


class JoinIn(Schema):
    message: str = ""


class MemberOut(Schema):
    person_id: int
    display_name: str = Field(..., alias="person.display_name")
    role: str
    level: str
    level_pinned: bool
    joined_at: datetime | None


class MembershipOut(Schema):
    status: str
    role: str
    level: str


class ErrorOut(Schema):
    detail: str


def _access(request: HttpRequest, slug: str, *, door: bool = False) -> tuple[Person, CommunityAccess]:
    person = person_for_user(request.user)
    return person, selectors.community_for(person, slug, door=door)


def _detail(access: CommunityAccess) -> dict[str, object]:
    community = access.community
    return {
        "slug": community.slug,
        "name": community.name,
        "summary": community.summary,
        "visibility": community.visibility,
        "stage": community.stage,
        "health_status": community.health_status,
        "tags": list(community.tags.all()),
        "charter": community,
        "member_count": selectors.member_count(community),
        "stage_history": list(community.stage_changes.select_related("actor")[:50]),
        "my_status": access.membership.status if access.membership else None,
        "my_role": access.membership.role if access.membership else None,
    }


@router.get("/communities", response=list[CommunitySummaryOut])
@paginate(PageNumberPagination, page_size=50)
def community_list(
    request: HttpRequest,
    q: str = "",
    stage: str = "",
    tag: str = "",
    visibility: str = "",
    mine: bool = False,
) -> QuerySet[Community]:
    """Communities you may see (private ones only if you are a member), with the directory's filters."""
    person = person_for_user(request.user)
    return selectors.community_list_for(
        person, search=q, stage=stage, tag=tag, visibility=visibility, mine=mine
    )


@router.post("/communities", response={201: CommunityOut, 400: ErrorOut})
def community_create(request: HttpRequest, payload: CommunityIn) -> Status[dict[str, object]]:
    """Start a community; you become its first lead."""
    person = person_for_user(request.user)
    community = services.community_create(
        actor=person,
        name=payload.name,
        summary=payload.summary,
        visibility=payload.visibility,
        tags=", ".join(payload.tags),
        charter={"domain": payload.domain, "community_text": payload.community, "practice": payload.practice},
    )
    return Status(201, _detail(selectors.community_for(person, community.slug)))


@router.get("/communities/{slug}", response=CommunityOut)
def community_detail(request: HttpRequest, slug: str) -> dict[str, object]:
    """A community with its charter and stage history (404 for a private community you are not in)."""
    _, access = _access(request, slug, door=True)
    return _detail(access)


@router.patch("/communities/{slug}", response={200: CommunityOut, 400: ErrorOut, 403: ErrorOut})
def community_update(request: HttpRequest, slug: str, payload: CommunityPatch) -> dict[str, object]:
    """Change settings and/or the charter (leads only), all or nothing.

    Charter edits name the version they are based on, so a stale edit is refused, not applied.
    """
    person, access = _access(request, slug)
    if not access.is_lead:
        raise PermissionDenied(services.NOT_A_LEAD)
    community = access.community
    given = payload.dict(exclude_unset=True)
    charter = {
        ("community_text" if name == "community" else name): value
        for name, value in given.items()
        if name in {*CHARTER_FIELDS, "community"} and name != "community_text" and value is not None
    }
    if charter and payload.charter_base_version is None:
        raise ApplicationError("charter_base_version is required when changing the charter.")
    current_tags = [tag.name for tag in community.tags.all()]
    with transaction.atomic():
        if given.keys() & {"name", "summary", "visibility", "tags"}:
            services.community_update(
                actor=person,
                community=community,
                name=payload.name if payload.name is not None else community.name,
                summary=payload.summary if payload.summary is not None else community.summary,
                visibility=payload.visibility or Visibility(community.visibility),
                tags=", ".join(payload.tags if payload.tags is not None else current_tags),
            )
        if charter and payload.charter_base_version is not None:
            services.charter_update(
                actor=person,
                community=community,
                base_version=payload.charter_base_version,
                note=payload.charter_note,
                **charter,
            )
    return _detail(selectors.community_for(person, community.slug))


@router.post("/communities/{slug}/stage", response={200: CommunityOut, 400: ErrorOut, 403: ErrorOut})
def community_stage(request: HttpRequest, slug: str, payload: StageIn) -> dict[str, object]:
    """Move the community to another lifecycle stage, saying why (leads only)."""
    person, access = _access(request, slug)
    if not access.is_lead:
        raise PermissionDenied(services.NOT_A_LEAD)
    services.community_set_stage(
        actor=person, community=access.community, stage=payload.stage, reason=payload.reason
    )
    return _detail(selectors.community_for(person, slug))


@router.get("/communities/{slug}/members", response=list[MemberOut])
@paginate(PageNumberPagination, page_size=100)
def community_members(request: HttpRequest, slug: str) -> QuerySet[Membership]:
    """Active members with role and participation level."""
    _, access = _access(request, slug)
    return selectors.active_memberships(access.community)


@router.post("/communities/{slug}/membership", response={200: MembershipOut, 400: ErrorOut})
def membership_join(request: HttpRequest, slug: str, payload: JoinIn) -> Membership:
    """Join (open), ask to join (on request) or accept an invitation (private)."""
    person, access = _access(request, slug, door=True)
    return services.membership_join(person=person, community=access.community, message=payload.message)


@router.delete("/communities/{slug}/membership", response={204: None, 400: ErrorOut})
def membership_leave(request: HttpRequest, slug: str) -> Status[None]:
    """Leave the community, or decline an invitation."""
    person, access = _access(request, slug, door=True)
    services.membership_leave(person=person, community=access.community)
    return Status(204, None)


# Events, RSVPs and health ---------------------------------------------------------------------------


class EventOut(Schema):
    id: int
    title: str
    kind: str
    agenda: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    place: str
    link: str
    capacity: int | None
    status: str
    series_id: int | None
    notes: str
    going_count: int = 0
    maybe_count: int = 0
    waitlist_count: int = 0


class EventIn(Schema):
    title: str
    starts_local: datetime = Field(..., description="Wall-clock start in time_zone, without offset.")
    ends_local: datetime
    time_zone: str = "UTC"
    kind: EventKind = EventKind.MEETUP
    agenda: str = ""
    place: str = ""
    link: str = ""
    capacity: int | None = None
    frequency: Frequency | None = Field(None, description="Repeat weekly, fortnightly or monthly.")
    occurrences: int | None = None
    until: date | None = None


class RsvpIn(Schema):
    answer: RsvpAnswer


class RsvpOut(Schema):
    person_id: int
    display_name: str = Field(..., alias="person.display_name")
    answer: str
    waitlisted: bool


class AnswersOut(Schema):
    going: list[RsvpOut]
    maybe: list[RsvpOut]
    waitlist: list[RsvpOut]
    not_going: int


class IndicatorOut(Schema):
    key: str
    group: str
    label: str
    value: float | None
    previous: float | None
    unit: str
    trend: str
    rule: str
    note: str


class HealthOut(Schema):
    status: str
    reasons: list[str]
    start: date
    end: date
    indicators: list[IndicatorOut]


@router.get("/communities/{slug}/events", response=list[EventOut])
@paginate(PageNumberPagination, page_size=50)
def event_list(request: HttpRequest, slug: str, upcoming: bool | None = None) -> QuerySet[Event]:
    """The community's events with RSVP counts (``upcoming=true`` soonest first, ``false`` latest first)."""
    _, access = _access(request, slug)
    return event_selectors.events_of(access.community, upcoming=upcoming)


@router.post("/communities/{slug}/events", response={201: list[EventOut], 400: ErrorOut, 403: ErrorOut})
def event_create(request: HttpRequest, slug: str, payload: EventIn) -> Status[list[Event]]:
    """Schedule an event or a series (leads only); returns every occurrence created."""
    person, access = _access(request, slug)
    created = events.event_create(actor=person, community=access.community, **payload.dict())
    return Status(201, created)


@router.get("/communities/{slug}/events/{event_id}", response=EventOut)
def event_detail(request: HttpRequest, slug: str, event_id: int) -> Event:
    _, access = _access(request, slug)
    return event_selectors.event_of(access.community, event_id)


@router.get("/communities/{slug}/events/{event_id}/rsvps", response=AnswersOut)
def event_rsvps(request: HttpRequest, slug: str, event_id: int) -> event_selectors.EventAnswers:
    """Who answered going, maybe (and who waits for a place)."""
    person, access = _access(request, slug)
    return event_selectors.event_answers(event_selectors.event_of(access.community, event_id), person)


@router.post("/communities/{slug}/events/{event_id}/rsvp", response={200: RsvpOut, 400: ErrorOut})
def event_rsvp(request: HttpRequest, slug: str, event_id: int, payload: RsvpIn) -> Rsvp:
    """Answer going, maybe or no; going to a full event puts you on the waitlist."""
    person, access = _access(request, slug)
    event = event_selectors.event_of(access.community, event_id)
    return events.rsvp_set(person=person, event=event, answer=payload.answer)


@router.get("/communities/{slug}/health", response=HealthOut)
def community_health(request: HttpRequest, slug: str) -> dict[str, object]:
    """Health of the last 90 days against the 90 before: indicators with trend and rule, status, reasons."""
    _, access = _access(request, slug)
    report = health.community_health_report(access.community)
    return {
        "status": report.status,
        "reasons": list(report.reasons),
        "start": report.start,
        "end": report.end,
        "indicators": list(report.indicators),
    }
