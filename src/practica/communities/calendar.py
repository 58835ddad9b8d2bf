"""iCalendar (RFC 5545) feeds: one per community and one personal feed per person.

All times are written in UTC (``...Z``), so no VTIMEZONE blocks are needed and every common client
(Google Calendar, Outlook, Apple Calendar, Thunderbird) reads them the same way. UIDs are stable per
event and SEQUENCE grows with every change, so clients update an event instead of duplicating it.

References: RFC 5545, Internet Calendaring and Scheduling Core Object Specification (iCalendar),
sections 3.6.1 (VEVENT), 3.8.4.7 (UID), 3.8.7.4 (SEQUENCE), 3.8.1.11 (STATUS).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import UTC

import icalendar
from django.utils.html import strip_tags

from practica.communities.event_selectors import event_path
from practica.communities.models import Community, Event, EventStatus
from practica.core.markdown import render_markdown
from practica.people.models import Person

PRODUCT_ID = "-//Practica//Communities of practice//EN"
UID_DOMAIN = "practica"


def agenda_text(agenda: str) -> str:
    """The agenda's Markdown as plain text, as calendar descriptions show no formatting."""
    text = html.unescape(strip_tags(render_markdown(agenda)))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _vevent(event: Event, *, base_url: str) -> icalendar.Event:
    url = base_url.rstrip("/") + event_path(event)
    vevent = icalendar.Event()
    vevent.add("uid", f"{event.uid}@{UID_DOMAIN}")
    vevent.add("dtstamp", event.updated_at.astimezone(UTC))
    vevent.add("created", event.created_at.astimezone(UTC))
    vevent.add("last-modified", event.updated_at.astimezone(UTC))
    vevent.add("dtstart", event.starts_at.astimezone(UTC))
    vevent.add("dtend", event.ends_at.astimezone(UTC))
    vevent.add("summary", f"{event.title} · {event.community.name}")
    description = agenda_text(event.agenda)
    vevent.add("description", f"{description}\n\n{url}" if description else url)
    location = event.place or event.link
    if location:
        vevent.add("location", location)
    vevent.add("url", url)
    vevent.add("sequence", event.sequence)
    cancelled = event.status == EventStatus.CANCELLED
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return vevent


def _calendar(name: str, events: Iterable[Event], *, base_url: str) -> bytes:
    feed = icalendar.Calendar()
    feed.add("prodid", PRODUCT_ID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", name)
    for event in events:
        feed.add_component(_vevent(event, base_url=base_url))
    return feed.to_ical()


def community_calendar(community: Community, events: Iterable[Event], *, base_url: str) -> bytes:
    """The community feed: its scheduled events, and cancelled ones marked STATUS:CANCELLED."""
    return _calendar(f"{community.name} (Practica)", events, base_url=base_url)


def personal_calendar(person: Person, events: Iterable[Event], *, base_url: str) -> bytes:
    """A person's feed of the events they are going to, across their communities."""
    return _calendar(f"{person.display_name}: events (Practica)", events, base_url=base_url)
