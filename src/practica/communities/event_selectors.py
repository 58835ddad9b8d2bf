"""Every read of events, RSVPs and attendance, already limited to what the viewer may see.

Community pages first fetch the community through :func:`selectors.community_for`, which answers 404
for a private community to a non-member; the functions here then only need the community.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import (
    Attendance,
    Community,
    Event,
    EventStatus,
    Membership,
    MembershipStatus,
    Rsvp,
    RsvpAnswer,
)
from practica.core.permissions import community_content_q
from practica.people.models import Person

# A community feed carries a year of history: enough for calendar clients, bounded as years pass.
FEED_HISTORY = timedelta(days=365)


def event_path(event: Event) -> str:
    """The event page's path (``event.community`` should be loaded to avoid a query)."""
    return reverse("communities:event-detail", kwargs={"slug": event.community.slug, "pk": event.pk})


def _with_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    confirmed = Q(rsvps__answer=RsvpAnswer.GOING, rsvps__waitlisted=False)
    return events.annotate(
        going_count=Count("rsvps", filter=confirmed, distinct=True),
        maybe_count=Count("rsvps", filter=Q(rsvps__answer=RsvpAnswer.MAYBE), distinct=True),
        waitlist_count=Count(
            "rsvps", filter=Q(rsvps__answer=RsvpAnswer.GOING, rsvps__waitlisted=True), distinct=True
        ),
    )


def events_of(
    community: Community, *, upcoming: bool | None = None, now: datetime | None = None
) -> QuerySet[Event]:
    """The community's events with RSVP counts; ``upcoming`` picks those not yet over (soonest first)
    or those over (latest first); ``None`` gives all of them in time order."""
    now = now or timezone.now()
    events = _with_counts(Event.objects.filter(community=community).select_related("community", "series"))
    if upcoming is True:
        return events.filter(ends_at__gte=now).order_by("starts_at", "id")
    if upcoming is False:
        return events.filter(ends_at__lt=now).order_by("-starts_at", "-id")
    return events.order_by("starts_at", "id")


def event_of(community: Community, pk: int) -> Event:
    """One event of ``community`` with its RSVP counts; 404 if it belongs to another community."""
    event = _with_counts(Event.objects.filter(community=community, pk=pk).select_related("community")).first()
    if event is None:
        raise Http404("No such event.")
    return event


@dataclass
class EventAnswers:
    """Who answered what, for the event page: confirmed, maybe and waitlist in answer order."""

    going: list[Rsvp] = field(default_factory=list)
    maybe: list[Rsvp] = field(default_factory=list)
    waitlist: list[Rsvp] = field(default_factory=list)
    not_going: int = 0
    mine: Rsvp | None = None

    def places_left(self, capacity: int | None) -> int | None:
        return None if capacity is None else max(capacity - len(self.going), 0)


def event_answers(event: Event, viewer: Person) -> EventAnswers:
    """The RSVPs of an event in one query, grouped, with the viewer's own answer."""
    answers = EventAnswers()
    rsvps = Rsvp.objects.filter(event=event).select_related("person").order_by("updated_at", "id")
    for rsvp in rsvps:
        if rsvp.person_id == viewer.pk:
            answers.mine = rsvp
        if rsvp.answer == RsvpAnswer.GOING:
            (answers.waitlist if rsvp.waitlisted else answers.going).append(rsvp)
        elif rsvp.answer == RsvpAnswer.MAYBE:
            answers.maybe.append(rsvp)
        else:
            answers.not_going += 1
    return answers


def rsvp_counts(event: Event) -> dict[str, int]:
    """Confirmed, maybe, waitlisted and not-going answers of one event."""
    counts = Rsvp.objects.filter(event=event).aggregate(
        going=Count("pk", filter=Q(answer=RsvpAnswer.GOING, waitlisted=False)),
        maybe=Count("pk", filter=Q(answer=RsvpAnswer.MAYBE)),
        waitlist=Count("pk", filter=Q(answer=RsvpAnswer.GOING, waitlisted=True)),
        no=Count("pk", filter=Q(answer=RsvpAnswer.NO)),
    )
    return {key: value or 0 for key, value in counts.items()}


@dataclass
class AttendanceCandidate:
    """A person a lead may mark as present, with what the attendance page shows about them."""

    person: Person
    is_member: bool
    going: bool
    present: bool


def attendance_candidates(event: Event) -> list[AttendanceCandidate]:
    """People a lead may mark as present: everyone who answered, plus the active members (one query)."""
    answered = Rsvp.objects.filter(event=event, person=OuterRef("pk"))
    member = Membership.objects.filter(
        community_id=event.community_id, person=OuterRef("pk"), status=MembershipStatus.ACTIVE
    )
    present = Attendance.objects.filter(event=event, person=OuterRef("pk"))
    going = Rsvp.objects.filter(event=event, person=OuterRef("pk"), answer=RsvpAnswer.GOING)
    people = (
        Person.objects.annotate(
            answered=Exists(answered), is_member=Exists(member), present=Exists(present), going=Exists(going)
        )
        .filter(Q(answered=True) | Q(is_member=True))
        .order_by("display_name", "id")
        .values_list("pk", "is_member", "going", "present")
    )
    rows = list(people)
    by_pk = Person.objects.in_bulk([row[0] for row in rows])
    return [
        AttendanceCandidate(person=by_pk[pk], is_member=is_member, going=going, present=present)
        for pk, is_member, going, present in rows
    ]


def attendees_of(event: Event) -> QuerySet[Person]:
    return Person.objects.filter(attendance__event=event).order_by("display_name", "id")


def upcoming_events_for(person: Person, *, limit: int = 10, now: datetime | None = None) -> list[Event]:
    """Scheduled events not yet over in the person's communities or that they said going or maybe to."""
    now = now or timezone.now()
    member_of = Membership.objects.filter(person=person, status=MembershipStatus.ACTIVE).values(
        "community_id"
    )
    answered = Rsvp.objects.filter(person=person, answer__in=[RsvpAnswer.GOING, RsvpAnswer.MAYBE]).values(
        "event_id"
    )
    events = (
        Event.objects.filter(status=EventStatus.SCHEDULED, ends_at__gte=now)
        .filter(Q(community_id__in=member_of) | Q(pk__in=answered))
        .filter(community__in=Community.objects.filter(community_content_q(person)))
        .select_related("community")
        .order_by("starts_at", "id")
    )
    return list(events[:limit])


def community_feed_events(community: Community, *, now: datetime | None = None) -> QuerySet[Event]:
    """What a community's calendar feed lists: scheduled and cancelled events of the last year and on."""
    now = now or timezone.now()
    return (
        Event.objects.filter(community=community, ends_at__gte=now - FEED_HISTORY)
        .select_related("community")
        .order_by("starts_at", "id")
    )


def personal_feed_events(person: Person, *, now: datetime | None = None) -> QuerySet[Event]:
    """Events the person said going to (waitlist excluded), in communities they may still see.

    Cancelled ones stay in the feed, marked cancelled, so calendar clients remove them.
    """
    now = now or timezone.now()
    going = Rsvp.objects.filter(person=person, answer=RsvpAnswer.GOING, waitlisted=False).values("event_id")
    return (
        Event.objects.filter(pk__in=going, ends_at__gte=now - FEED_HISTORY)
        .filter(community__in=Community.objects.filter(community_content_q(person)))
        .select_related("community")
        .order_by("starts_at", "id")
    )
