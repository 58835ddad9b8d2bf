"""iCalendar feeds, parsed back with the icalendar library as a calendar client would read them."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from practica.communities.calendar import agenda_text
from practica.communities.events import (
    calendar_token_for,
    calendar_token_regenerate,
    event_cancel,
    event_update,
    rsvp_set,
)
from practica.communities.models import Frequency, Rsvp, RsvpAnswer, Visibility
from practica.communities.services import (
    community_create,
    membership_invite,
    membership_join,
    membership_leave,
)
from tests.communities.scheduling import schedule, soon

pytestmark = pytest.mark.django_db


@pytest.fixture
def testing(owner, member):
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def private(owner, member):
    community = community_create(actor=owner, name="Secret guild", visibility=Visibility.PRIVATE)
    membership_invite(actor=owner, community=community, person=member)
    membership_join(person=member, community=community)
    return community


def community_feed(person, slug):
    token = calendar_token_for(person).token
    # Calendar clients fetch without a session: the token alone must be enough.
    return Client().get(reverse("communities:calendar-community", kwargs={"token": token, "slug": slug}))


def personal_feed(person):
    token = calendar_token_for(person).token
    return Client().get(reverse("communities:calendar-personal", kwargs={"token": token}))


def parsed(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def vevents(calendar):
    return list(calendar.walk("VEVENT"))


def test_the_community_feed_lists_every_event_with_stable_uids_in_utc(owner, member, testing):
    events = schedule(
        owner, testing, agenda="## Plan\n\nPair on **katas**.", place="Room 4", frequency=Frequency.WEEKLY,
        occurrences=3,
    )  # fmt: skip
    calendar = parsed(community_feed(member, testing.slug))
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Testing (Practica)"
    assert calendar["PRODID"]
    items = vevents(calendar)
    assert [str(item["UID"]) for item in items] == [f"{event.uid}@practica" for event in events]
    first = items[0]
    assert first["DTSTART"].dt == events[0].starts_at
    assert first["DTSTART"].dt.utcoffset() == timedelta(0)
    assert first["DTEND"].dt == events[0].ends_at
    assert b"DTSTART:" in community_feed(member, testing.slug).content  # UTC form, no TZID
    assert str(first["SUMMARY"]) == "Kata night · Testing"
    assert str(first["LOCATION"]) == "Room 4"
    assert str(first["STATUS"]) == "CONFIRMED"
    assert int(first["SEQUENCE"]) == 0
    assert first["DTSTAMP"]
    url = f"http://testserver/communities/testing/events/{events[0].pk}/"
    assert str(first["URL"]) == url
    description = str(first["DESCRIPTION"])
    assert "Pair on katas." in description and "**" not in description and "<" not in description
    assert description.endswith(url)


def test_changes_keep_the_uid_and_raise_the_sequence_and_cancelled_ones_are_marked(owner, member, testing):
    first, second = schedule(
        owner, testing, frequency=Frequency.WEEKLY, occurrences=2, link="https://meet.example/x"
    )
    start = soon(7).replace(hour=19)
    event_update(
        actor=owner, event=first, title="Later kata", starts_local=start,
        ends_local=start + timedelta(hours=1), time_zone="Europe/Berlin", link="https://meet.example/x",
    )  # fmt: skip
    event_cancel(actor=owner, event=second)
    items = {str(item["UID"]): item for item in vevents(parsed(community_feed(member, testing.slug)))}
    changed, cancelled = items[f"{first.uid}@practica"], items[f"{second.uid}@practica"]
    assert (str(changed["SUMMARY"]), int(changed["SEQUENCE"]), str(changed["STATUS"])) == (
        "Later kata · Testing", 1, "CONFIRMED",
    )  # fmt: skip
    assert str(changed["LOCATION"]) == "https://meet.example/x"
    assert (int(cancelled["SEQUENCE"]), str(cancelled["STATUS"])) == (1, "CANCELLED")


def test_the_personal_feed_has_only_the_events_i_am_going_to(owner, member, make_person, testing):
    going, maybe, declined, full = (schedule(owner, testing, title=title)[0] for title in "ABCD")
    full.capacity = 1
    full.save()
    rsvp_set(person=owner, event=full, answer=RsvpAnswer.GOING)
    rsvp_set(person=member, event=going, answer=RsvpAnswer.GOING)
    rsvp_set(person=member, event=maybe, answer=RsvpAnswer.MAYBE)
    rsvp_set(person=member, event=declined, answer=RsvpAnswer.NO)
    rsvp_set(person=member, event=full, answer=RsvpAnswer.GOING)  # waitlisted: not going yet
    calendar = parsed(personal_feed(member))
    assert [str(item["UID"]) for item in vevents(calendar)] == [f"{going.uid}@practica"]
    assert "Max Member" in str(calendar["X-WR-CALNAME"])


def test_an_outsider_token_gets_404_for_a_private_community_feed(owner, member, outsider, private):
    schedule(owner, private)
    assert community_feed(outsider, private.slug).status_code == 404
    assert len(vevents(parsed(community_feed(member, private.slug)))) == 1


def test_private_events_never_reach_an_outsiders_personal_feed(owner, outsider, private, testing):
    (secret,) = schedule(owner, private, title="Secret plans")
    (public,) = schedule(owner, testing, title="Open kata")
    # An RSVP row that should not exist (e.g. written before a visibility change) must still not leak.
    Rsvp.objects.create(event=secret, person=outsider, answer=RsvpAnswer.GOING)
    rsvp_set(person=outsider, event=public, answer=RsvpAnswer.GOING)
    response = personal_feed(outsider)
    assert b"Secret plans" not in response.content
    assert [str(item["UID"]) for item in vevents(parsed(response))] == [f"{public.uid}@practica"]


def test_leaving_a_private_community_takes_its_events_out_of_my_feeds(owner, member, private):
    (secret,) = schedule(owner, private, title="Secret plans")
    rsvp_set(person=member, event=secret, answer=RsvpAnswer.GOING)
    assert len(vevents(parsed(personal_feed(member)))) == 1
    membership_leave(person=member, community=private)
    assert b"Secret plans" not in personal_feed(member).content
    assert community_feed(member, private.slug).status_code == 404


def test_an_unknown_or_regenerated_token_gets_404(member, testing):
    old = calendar_token_for(member).token
    calendar_token_regenerate(member)
    client = Client()
    assert client.get(reverse("communities:calendar-personal", kwargs={"token": old})).status_code == 404
    url = reverse("communities:calendar-community", kwargs={"token": "not-a-token", "slug": testing.slug})
    assert client.get(url).status_code == 404
    assert personal_feed(member).status_code == 200


def test_an_empty_feed_is_still_a_valid_calendar(member, testing):
    calendar = parsed(personal_feed(member))
    assert vevents(calendar) == []
    assert str(calendar["VERSION"]) == "2.0"


def test_agenda_markdown_becomes_plain_text():
    # Calendar descriptions are plain text: formatting goes, what people wrote stays as written.
    assert agenda_text("# Plan\n\n* one & **two**\n* <b>three</b>") == "Plan\n\none & two\n<b>three</b>"
