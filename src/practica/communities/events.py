"""Every write to events: scheduling (single or recurring), changes, cancellation, RSVPs with a
waitlist, attendance, notes, and the calendar tokens behind personal feed URLs.

Times come in as the wall-clock time people type (naive) plus the event's time zone, and are stored
as aware UTC datetimes. A recurring series keeps the local wall-clock time across daylight-saving
changes: a 10:00 Berlin kata is at 10:00 in Berlin in winter and in summer.
"""

from __future__ import annotations

import calendar
import secrets
import zoneinfo
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from practica.communities.event_selectors import event_path
from practica.communities.models import (
    Activity,
    ActivityKind,
    Attendance,
    CalendarToken,
    Community,
    Event,
    EventKind,
    EventSeries,
    EventStatus,
    Frequency,
    Membership,
    MembershipStatus,
    Rsvp,
    RsvpAnswer,
)
from practica.communities.services import activity_record, require_lead
from practica.core.errors import ApplicationError
from practica.core.permissions import can_take_part, can_view_community, membership_of
from practica.people.models import Person

MAX_OCCURRENCES = 52
END_BEFORE_START = "The end must be after the start: pick a later end time."
Scope = Literal["this", "following"]


# Rules --------------------------------------------------------------------------------------------


def rsvp_refusal(event: Event, *, now: datetime | None = None) -> str:
    """Why answers to ``event`` are closed, or an empty string when they are open."""
    if event.status == EventStatus.CANCELLED:
        return "This event is cancelled, so it takes no answers."
    if event.starts_at <= (now or timezone.now()):
        return "This event has already started, so it takes no more answers."
    return ""


# Times and series ---------------------------------------------------------------------------------


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ApplicationError(
            f"{name!r} is not a time zone name such as Europe/Berlin.", field="time_zone"
        ) from None


def to_utc(local: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """A wall-clock time in ``zone`` as an aware UTC datetime.

    A time that falls in a spring-forward gap is read with the offset before the change (fold=0),
    so 02:30 on that night becomes 03:30 summer time instead of an error.
    """
    return local.replace(tzinfo=zone).astimezone(UTC)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The ``nth`` (1-4) given weekday of a month, or the last one when ``nth`` is 5."""
    days_in_month = calendar.monthrange(year, month)[1]
    if nth >= 5:
        last = date(year, month, days_in_month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def occurrence_dates(
    first: date, frequency: Frequency, *, count: int | None = None, until: date | None = None
) -> list[date]:
    """The dates of a series starting on ``first``: ``count`` of them, or all up to ``until``.

    Monthly means the same weekday of the month (the 2nd Tuesday stays the 2nd Tuesday), which is how
    communities state their rhythm; a start on the 5th such weekday repeats on the last one, because
    not every month has five. Raises ApplicationError beyond MAX_OCCURRENCES.
    """
    if (count is None) == (until is None):
        raise ApplicationError("Say how often it repeats: a number of occurrences or an end date.")
    if count is not None and not 1 <= count <= MAX_OCCURRENCES:
        raise ApplicationError(
            f"A series has between 1 and {MAX_OCCURRENCES} occurrences.", field="occurrences"
        )
    if until is not None and until < first:
        raise ApplicationError("The series cannot end before its first date.", field="until")
    dates: list[date] = []
    nth = (first.day - 1) // 7 + 1
    index = 0
    while True:
        if frequency == Frequency.MONTHLY:
            months = first.month - 1 + index
            current = _nth_weekday(first.year + months // 12, months % 12 + 1, first.weekday(), nth)
        else:
            step = 7 if frequency == Frequency.WEEKLY else 14
            current = first + timedelta(days=step * index)
        if (count is not None and len(dates) == count) or (until is not None and current > until):
            return dates
        if len(dates) == MAX_OCCURRENCES:
            raise ApplicationError(
                f"A series has at most {MAX_OCCURRENCES} occurrences: choose an earlier end date.",
                field="until",
            )
        dates.append(current)
        index += 1


def _validated(
    *,
    title: str,
    kind: EventKind | str,
    starts_local: datetime,
    ends_local: datetime,
    time_zone: str,
    link: str,
    capacity: int | None,
) -> tuple[str, EventKind, zoneinfo.ZoneInfo, str]:
    title = title.strip()
    if not title:
        raise ApplicationError("An event needs a title.", field="title")
    if len(title) > 150:
        raise ApplicationError("Keep the title under 150 characters.", field="title")
    if kind not in EventKind.values:
        raise ApplicationError("Choose one of the kinds of event listed.", field="kind")
    zone = _zone(time_zone)
    if to_utc(ends_local, zone) <= to_utc(starts_local, zone):
        raise ApplicationError(END_BEFORE_START, field="ends_local")
    link = link.strip()
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise ApplicationError(
                "The link must be a web address starting with https:// or http://.", field="link"
            ) from None
    if capacity is not None and capacity < 0:
        raise ApplicationError(
            "The capacity cannot be below zero; leave it empty for no limit.", field="capacity"
        )
    return title, EventKind(kind), zone, link


# Events -------------------------------------------------------------------------------------------


@transaction.atomic
def event_create(
    *,
    actor: Person,
    community: Community,
    title: str,
    starts_local: datetime,
    ends_local: datetime,
    time_zone: str,
    kind: EventKind | str = EventKind.MEETUP,
    agenda: str = "",
    place: str = "",
    link: str = "",
    capacity: int | None = None,
    frequency: Frequency | str | None = None,
    occurrences: int | None = None,
    until: date | None = None,
) -> list[Event]:
    """Schedule one event, or a series (``frequency`` with ``occurrences`` or an ``until`` date).

    ``starts_local``/``ends_local`` are naive wall-clock times in ``time_zone``. Every occurrence keeps
    that wall-clock time and length. Leads only; records one EVENT_SCHEDULED activity.
    """
    require_lead(actor, community)
    title, kind, zone, link = _validated(
        title=title, kind=kind, starts_local=starts_local, ends_local=ends_local, time_zone=time_zone,
        link=link, capacity=capacity,
    )  # fmt: skip
    length = ends_local - starts_local
    series = None
    dates = [starts_local.date()]
    if frequency:
        if frequency not in Frequency.values:
            raise ApplicationError("Repeat weekly, fortnightly or monthly.", field="frequency")
        dates = occurrence_dates(starts_local.date(), Frequency(frequency), count=occurrences, until=until)
        series = EventSeries.objects.create(community=community, frequency=frequency, created_by=actor)
    common = {
        "community": community, "series": series, "title": title, "kind": kind, "agenda": agenda,
        "time_zone": time_zone, "place": place.strip()[:200], "link": link, "capacity": capacity,
        "created_by": actor,
    }  # fmt: skip
    events = []
    for day in dates:
        local_start = datetime.combine(day, starts_local.time())
        events.append(
            Event.objects.create(
                starts_at=to_utc(local_start, zone), ends_at=to_utc(local_start + length, zone), **common
            )
        )
    first = events[0]
    summary = title
    if series is not None:
        summary = f"{title} ({series.get_frequency_display().lower()}, {len(events)} occurrences)"
    activity_record(
        community=community, person=actor, kind=ActivityKind.EVENT_SCHEDULED, summary=summary,
        url=event_path(first),
    )  # fmt: skip
    return events


def _locked(event: Event) -> Event:
    # Lock the event row only: RSVPs to one event wait for each other, other events' do not.
    return Event.objects.select_for_update(of=("self",)).select_related("community").get(pk=event.pk)


@transaction.atomic
def event_update(
    *,
    actor: Person,
    event: Event,
    title: str,
    starts_local: datetime,
    ends_local: datetime,
    time_zone: str,
    kind: EventKind | str = EventKind.MEETUP,
    agenda: str = "",
    place: str = "",
    link: str = "",
    capacity: int | None = None,
    scope: Scope = "this",
) -> Event:
    """Change an event. In a series, ``scope="this"`` changes this occurrence alone (marked as changed);
    ``"following"`` applies the change to it and every later scheduled occurrence, each moved by the
    same number of days. Raising the capacity moves people up from the waitlist.
    """
    require_lead(actor, event.community)
    current = _locked(event)
    if current.status == EventStatus.CANCELLED:
        raise ApplicationError("This occurrence is cancelled; schedule a new event instead of editing it.")
    title, kind, zone, link = _validated(
        title=title, kind=kind, starts_local=starts_local, ends_local=ends_local, time_zone=time_zone,
        link=link, capacity=capacity,
    )  # fmt: skip
    if scope not in ("this", "following"):
        raise ApplicationError("Choose this occurrence or this and the following ones.", field="scope")
    targets = [current]
    if scope == "following" and current.series_id is not None:
        targets = list(
            Event.objects.select_for_update()
            .filter(
                series_id=current.series_id, starts_at__gte=current.starts_at, status=EventStatus.SCHEDULED
            )
            .order_by("starts_at", "id")
        )
    old_first_day = current.starts_at.astimezone(_zone(current.time_zone)).date()
    shift = starts_local.date() - old_first_day
    length = ends_local - starts_local
    for target in targets:
        day = target.starts_at.astimezone(_zone(target.time_zone)).date() + shift
        local_start = datetime.combine(day, starts_local.time())
        target.title, target.kind, target.agenda = title, kind, agenda
        target.starts_at, target.ends_at = to_utc(local_start, zone), to_utc(local_start + length, zone)
        target.time_zone, target.place, target.link = time_zone, place.strip()[:200], link
        target.capacity = capacity
        target.series_changed = target.series_id is not None and scope == "this"
        target.sequence += 1
        target.save()
        _promote_waitlisted(target)
    event.refresh_from_db()
    return event


@transaction.atomic
def event_cancel(*, actor: Person, event: Event) -> Event:
    """Cancel one event (one occurrence of a series, the others stay). Feeds then mark it cancelled."""
    require_lead(actor, event.community)
    current = _locked(event)
    if current.status == EventStatus.CANCELLED:
        raise ApplicationError("This event is already cancelled.")
    if current.starts_at <= timezone.now():
        raise ApplicationError("This event has already started; it can no longer be cancelled.")
    current.status = EventStatus.CANCELLED
    current.series_changed = current.series_id is not None
    current.sequence += 1
    current.save(update_fields=["status", "series_changed", "sequence", "updated_at"])
    event.refresh_from_db()
    return event


@transaction.atomic
def event_set_notes(*, actor: Person, event: Event, notes: str) -> Event:
    """Save the notes and outcomes of an event (Markdown; leads only)."""
    require_lead(actor, event.community)
    Event.objects.filter(pk=event.pk).update(
        notes=notes.strip(), sequence=F("sequence") + 1, updated_at=timezone.now()
    )
    event.refresh_from_db()
    return event


# RSVPs --------------------------------------------------------------------------------------------


def _confirmed_count(event: Event) -> int:
    return Rsvp.objects.filter(event=event, answer=RsvpAnswer.GOING, waitlisted=False).count()


def _promote_waitlisted(event: Event) -> list[Rsvp]:
    """Move people up from the waitlist, earliest first, while there are places."""
    waiting = Rsvp.objects.filter(event=event, answer=RsvpAnswer.GOING, waitlisted=True).order_by(
        "updated_at", "id"
    )
    if event.capacity is None:
        promoted = list(waiting)
    else:
        free = event.capacity - _confirmed_count(event)
        promoted = list(waiting[: max(free, 0)])
    for rsvp in promoted:
        rsvp.waitlisted = False
        rsvp.save(update_fields=["waitlisted", "updated_at"])
    return promoted


@transaction.atomic
def rsvp_set(*, person: Person, event: Event, answer: RsvpAnswer | str) -> Rsvp:
    """Answer going, maybe or no. Going to a full event puts the person on the waitlist; a confirmed
    person stepping back frees a place for the earliest waitlisted one. Refused for cancelled events,
    events that have started, and people who may not take part (see :func:`can_take_part`).
    """
    if answer not in RsvpAnswer.values:
        raise ApplicationError("Answer going, maybe or no.", field="answer")
    answer = RsvpAnswer(answer)
    current = _locked(event)
    community = current.community
    membership = membership_of(person, community)
    if not can_view_community(person, community, membership):
        raise ApplicationError("There is no such event.")
    if not can_take_part(person, community, membership):
        raise ApplicationError("Join the community to answer its events.")
    refusal = rsvp_refusal(current)
    if refusal:
        raise ApplicationError(refusal)
    rsvp = Rsvp.objects.filter(event=current, person=person).first()
    was_confirmed = rsvp is not None and rsvp.answer == RsvpAnswer.GOING and not rsvp.waitlisted
    if rsvp is not None and rsvp.answer == answer:
        return rsvp
    rsvp = rsvp or Rsvp(event=current, person=person)
    rsvp.answer = answer
    rsvp.waitlisted = (
        answer == RsvpAnswer.GOING
        and current.capacity is not None
        and _confirmed_count(current) >= current.capacity
    )
    rsvp.save()
    if was_confirmed:
        _promote_waitlisted(current)
    return rsvp


# Attendance ---------------------------------------------------------------------------------------


@transaction.atomic
def attendance_record(
    *, actor: Person, event: Event, attendee_ids: Iterable[int], speaker_ids: Iterable[int] = ()
) -> list[Attendance]:
    """Record who came (and who spoke) after the event has started; recording again replaces it.

    Attendees come from the people who answered and the active members. Each attendee gets an
    ATTENDED activity and each speaker a SPOKE activity, dated at the event's start, so participation
    levels count them in the right window.
    """
    require_lead(actor, event.community)
    current = _locked(event)
    if current.status == EventStatus.CANCELLED:
        raise ApplicationError("This event was cancelled; there is no attendance to take.")
    if current.starts_at > timezone.now():
        raise ApplicationError("Attendance can be taken once the event has started.")
    speakers = set(speaker_ids)
    attendees = set(attendee_ids) | speakers
    allowed = set(
        Rsvp.objects.filter(event=current, person_id__in=attendees).values_list("person_id", flat=True)
    ) | set(
        Membership.objects.filter(
            community=current.community, person_id__in=attendees, status=MembershipStatus.ACTIVE
        ).values_list("person_id", flat=True)
    )
    if attendees - allowed:
        raise ApplicationError(
            "Only people who answered the invitation or members of the community can be marked present."
        )
    url = event_path(current)
    Attendance.objects.filter(event=current).delete()
    Activity.objects.filter(
        community=current.community, url=url, kind__in=[ActivityKind.ATTENDED, ActivityKind.SPOKE]
    ).delete()
    people = Person.objects.in_bulk(attendees)
    records = Attendance.objects.bulk_create(
        [Attendance(event=current, person=people[pk], recorded_by=actor) for pk in sorted(attendees)]
    )
    Activity.objects.bulk_create(
        [
            Activity(
                community=current.community,
                person=people[pk],
                kind=kind,
                summary=current.title[:200],
                url=url,
                occurred_at=current.starts_at,
            )
            for pk in sorted(attendees)
            for kind in ([ActivityKind.ATTENDED] + ([ActivityKind.SPOKE] if pk in speakers else []))
        ]
    )
    current.speakers.set([people[pk] for pk in speakers])
    current.attendance_taken_at = timezone.now()
    current.sequence += 1
    current.save(update_fields=["attendance_taken_at", "sequence", "updated_at"])
    event.refresh_from_db()
    return records


# Calendar tokens ----------------------------------------------------------------------------------


def personal_feed_url(person: Person) -> str:
    """The path of the person's personal calendar feed (prefix the site address to share it)."""
    return reverse("communities:calendar-personal", kwargs={"token": calendar_token_for(person).token})


def calendar_token_for(person: Person) -> CalendarToken:
    """The person's calendar token, made on first use; it is the secret part of their feed URLs."""
    token, _ = CalendarToken.objects.get_or_create(person=person)
    return token


@transaction.atomic
def calendar_token_regenerate(person: Person) -> CalendarToken:
    """Give the person a new calendar token; feed URLs with the old one stop working."""
    token = calendar_token_for(person)
    token.token = secrets.token_urlsafe()
    token.save(update_fields=["token"])
    return token
