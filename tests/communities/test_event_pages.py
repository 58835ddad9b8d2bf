"""Event pages: who sees and does what, forms that keep input, htmx RSVPs, pinned query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from practica.communities.events import (
    attendance_record,
    calendar_token_for,
    event_cancel,
    event_create,
    rsvp_set,
)
from practica.communities.models import (
    Attendance,
    Event,
    EventStatus,
    Frequency,
    Rsvp,
    RsvpAnswer,
    Visibility,
)
from practica.communities.services import community_create, membership_invite, membership_join
from tests.communities.scheduling import schedule as schedule_series
from tests.communities.scheduling import soon

pytestmark = pytest.mark.django_db


def schedule(owner, community, *, days=7, **fields):
    (event,) = schedule_series(owner, community, days=days, **fields)
    return event


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


def url(name, event=None, community=None):
    community = community or event.community
    kwargs = {"slug": community.slug} if event is None else {"slug": community.slug, "pk": event.pk}
    return reverse(f"communities:{name}", kwargs=kwargs)


def form_data(**changes):
    data = {
        "title": "Kata night", "kind": "kata", "date": soon(10).date().isoformat(), "start_time": "18:00",
        "end_time": "20:00", "time_zone": "Europe/Berlin", "place": "Room 4", "link": "", "capacity": "",
        "agenda": "Bring a **laptop**.", "frequency": "", "occurrences": "", "until": "",
    }  # fmt: skip
    data.update(changes)
    return data


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# Who may see --------------------------------------------------------------------------------------


def all_pages(event):
    return [
        url("events", community=event.community),
        url("event-create", community=event.community),
        url("event-detail", event),
        url("event-edit", event),
        url("event-attendance", event),
    ]


def all_posts(event):
    return [
        url("event-create", community=event.community),
        url("event-edit", event),
        url("event-cancel", event),
        url("event-rsvp", event),
        url("event-attendance", event),
        url("event-notes", event),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(owner, testing):
    event = schedule(owner, testing)
    client = Client()
    for page in all_pages(event) + all_posts(event):
        response = client.post(page, {"answer": "going", "notes": "x"}) if page in all_posts(event) else None
        assert response is None or response.status_code == 302, page
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.url.startswith(reverse("login")), page
    assert not Rsvp.objects.exists()
    event.refresh_from_db()
    assert (event.notes, event.status) == ("", EventStatus.SCHEDULED)


def test_an_outsider_gets_404_on_every_page_and_feed_of_a_private_community(
    owner, outsider, private, client_for
):
    event = schedule(owner, private, days=-1)
    client = client_for(outsider)
    for page in all_pages(event):
        assert client.get(page).status_code == 404, page
    for page in all_posts(event):
        assert client.post(page, {"answer": "going", "notes": "leak"}).status_code == 404, page
    token = calendar_token_for(outsider).token
    feed = reverse("communities:calendar-community", kwargs={"token": token, "slug": private.slug})
    assert client.get(feed).status_code == 404
    assert not Rsvp.objects.exists()
    event.refresh_from_db()
    assert event.notes == ""


def test_a_member_sees_the_events_list_and_detail_but_no_lead_actions(owner, member, testing, client_for):
    event = schedule(owner, testing, agenda="Bring a **laptop**.")
    client = client_for(member)
    listing = client.get(url("events", community=testing))
    assert listing.status_code == 200
    assert "Kata night" in listing.text and "Schedule an event" not in listing.text
    assert 'aria-current="page">Events' in listing.text
    detail = client.get(url("event-detail", event))
    assert detail.status_code == 200
    assert "<strong>laptop</strong>" in detail.text
    assert "18:00" in detail.text and "Europe/Berlin" in detail.text
    assert "Cancel it" not in detail.text and "Save notes" not in detail.text


def test_a_lead_sees_schedule_and_lead_actions(owner, testing, client_for):
    event = schedule(owner, testing)
    client = client_for(owner)
    assert "Schedule an event" in client.get(url("events", community=testing)).text
    detail = client.get(url("event-detail", event)).text
    assert "Cancel it" in detail and "Save notes" in detail and "Edit" in detail


def test_the_empty_events_list_says_what_events_are_for(owner, testing, client_for):
    response = client_for(owner).get(url("events", community=testing))
    assert "Nothing is scheduled yet" in response.text
    assert "schedule the first one" in response.text


def test_lead_actions_are_forbidden_to_members_and_change_nothing(owner, member, testing, client_for):
    event = schedule(owner, testing)
    past = schedule(owner, testing, days=-1, title="Yesterday")
    client = client_for(member)
    assert client.get(url("event-create", community=testing)).status_code == 403
    assert client.post(url("event-create", community=testing), form_data()).status_code == 403
    assert client.get(url("event-edit", event)).status_code == 403
    assert client.post(url("event-edit", event), form_data(title="Hijacked")).status_code == 403
    assert client.post(url("event-cancel", event)).status_code == 403
    assert client.get(url("event-attendance", past)).status_code == 403
    assert client.post(url("event-attendance", past), {"attendees": [member.pk]}).status_code == 403
    assert client.post(url("event-notes", event), {"notes": "mine"}).status_code == 403
    assert Event.objects.count() == 2
    event.refresh_from_db()
    assert (event.title, event.status, event.notes) == ("Kata night", EventStatus.SCHEDULED, "")
    assert not Attendance.objects.exists()


# Scheduling and editing ---------------------------------------------------------------------------


def test_the_form_defaults_to_the_leads_time_zone(owner, testing, client_for):
    owner.time_zone = "America/New_York"
    owner.save()
    response = client_for(owner).get(url("event-create", community=testing))
    assert '<option value="America/New_York" selected>' in response.text


def test_a_lead_schedules_a_single_event(owner, testing, client_for):
    response = client_for(owner).post(url("event-create", community=testing), form_data(capacity="12"))
    event = Event.objects.get()
    assert response.status_code == 302
    assert response.url == url("event-detail", event)
    assert (event.title, event.kind, event.capacity, event.place) == ("Kata night", "kata", 12, "Room 4")
    assert event.starts_at.astimezone(event.starts_at.tzinfo).tzinfo is not None
    assert event.ends_at - event.starts_at == timedelta(hours=2)


def test_a_lead_schedules_a_monthly_series(owner, testing, client_for):
    client_for(owner).post(
        url("event-create", community=testing), form_data(frequency="monthly", occurrences="4")
    )
    events = list(Event.objects.all())
    assert len(events) == 4
    assert len({event.series_id for event in events}) == 1
    assert events[0].series.frequency == Frequency.MONTHLY


def test_an_end_before_the_start_keeps_what_was_typed_and_shows_the_error_next_to_the_field(
    owner, testing, client_for
):
    response = client_for(owner).post(
        url("event-create", community=testing),
        form_data(title="Late kata", start_time="20:00", end_time="19:00"),
    )
    assert response.status_code == 200
    assert 'value="Late kata"' in response.text
    assert response.context["form"].errors["end_time"] == [
        "The end must be after the start: pick a later end time."
    ]
    assert not Event.objects.exists()


def test_a_negative_capacity_is_refused_next_to_the_field(owner, testing, client_for):
    response = client_for(owner).post(url("event-create", community=testing), form_data(capacity="-3"))
    assert response.status_code == 200
    assert "cannot be below zero" in response.context["form"].errors["capacity"][0]
    assert 'value="-3"' in response.text
    assert not Event.objects.exists()


def test_too_many_occurrences_are_refused_next_to_the_field(owner, testing, client_for):
    response = client_for(owner).post(
        url("event-create", community=testing), form_data(frequency="weekly", occurrences="60")
    )
    assert "52" in response.context["form"].errors["occurrences"][0]
    assert not Event.objects.exists()


def test_editing_one_occurrence_of_a_series_changes_it_alone(owner, testing, client_for):
    start = soon(7)
    first, second = event_create(
        actor=owner, community=testing, title="Kata", starts_local=start,
        ends_local=start + timedelta(hours=1), time_zone="Europe/Berlin", frequency=Frequency.WEEKLY,
        occurrences=2,
    )  # fmt: skip
    edit = client_for(owner).get(url("event-edit", first))
    assert "This occurrence only" in edit.text
    data = form_data(title="Special", date=(start.date()).isoformat(), start_time="18:00", end_time="19:00")
    response = client_for(owner).post(url("event-edit", first), {**data, "scope": "this"})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.title, first.series_changed, first.sequence) == ("Special", True, 1)
    assert (second.title, second.sequence) == ("Kata", 0)


def test_an_invalid_edit_keeps_the_input_and_changes_nothing(owner, testing, client_for):
    event = schedule(owner, testing)
    response = client_for(owner).post(
        url("event-edit", event), form_data(title="Renamed", start_time="18:00", end_time="17:00")
    )
    assert response.status_code == 200
    assert 'value="Renamed"' in response.text
    assert response.context["form"].errors["end_time"]
    event.refresh_from_db()
    assert (event.title, event.sequence) == ("Kata night", 0)


def test_a_lead_cancels_an_occurrence_from_the_page(owner, testing, client_for):
    event = schedule(owner, testing)
    response = client_for(owner).post(url("event-cancel", event))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert "This event is cancelled" in client_for(owner).get(url("event-detail", event)).text


# RSVP ---------------------------------------------------------------------------------------------


def test_a_member_answers_going_and_sees_it(owner, member, testing, client_for):
    event = schedule(owner, testing)
    client = client_for(member)
    response = client.post(url("event-rsvp", event), {"answer": "going"})
    assert response.status_code == 302
    assert message_texts(response) == ["Your answer is saved: going."]
    assert Rsvp.objects.get(person=member).answer == RsvpAnswer.GOING


def test_an_htmx_rsvp_answers_with_the_updated_fragment(owner, member, testing, client_for):
    event = schedule(owner, testing, capacity=1)
    rsvp_set(person=owner, event=event, answer=RsvpAnswer.GOING)
    response = client_for(member).post(url("event-rsvp", event), {"answer": "going"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="rsvp"' in response.text
    assert "you are on the waitlist" in response.text
    assert "Max Member" in response.text.split("Waitlist")[1]


def test_an_htmx_rsvp_to_a_cancelled_event_shows_why_and_changes_nothing(owner, member, testing, client_for):
    event = schedule(owner, testing)
    event_cancel(actor=owner, event=event)
    response = client_for(member).post(url("event-rsvp", event), {"answer": "going"}, HTTP_HX_REQUEST="true")
    assert 'role="alert"' in response.text and "cancelled" in response.text
    assert not Rsvp.objects.exists()


def test_an_rsvp_to_a_past_event_is_refused_with_a_message(owner, member, testing, client_for):
    event = schedule(owner, testing, days=-1)
    response = client_for(member).post(url("event-rsvp", event), {"answer": "going"})
    assert message_texts(response) == ["This event has already started, so it takes no more answers."]
    assert not Rsvp.objects.exists()


def test_a_bad_answer_is_refused(owner, member, testing, client_for):
    event = schedule(owner, testing)
    response = client_for(member).post(url("event-rsvp", event), {"answer": "perhaps"})
    assert message_texts(response) == ["Answer going, maybe or no."]
    assert not Rsvp.objects.exists()


def test_a_non_member_may_answer_an_open_communitys_event_but_not_a_request_only_one(
    owner, outsider, testing, client_for
):
    event = schedule(owner, testing)
    client = client_for(outsider)
    client.post(url("event-rsvp", event), {"answer": "maybe"})
    assert Rsvp.objects.get(person=outsider).answer == RsvpAnswer.MAYBE
    guarded = community_create(actor=owner, name="Architecture", visibility=Visibility.REQUEST)
    other = schedule(owner, guarded)
    assert "Join the community to answer" in client.get(url("event-detail", other)).text
    response = client.post(url("event-rsvp", other), {"answer": "going"})
    assert message_texts(response) == ["Join the community to answer its events."]
    assert not Rsvp.objects.filter(event=other).exists()


# Attendance and notes -----------------------------------------------------------------------------


def test_a_lead_takes_attendance_after_the_event(owner, member, outsider, testing, client_for):
    event = schedule(owner, testing, days=-1)
    client = client_for(owner)
    page = client.get(url("event-attendance", event))
    assert page.status_code == 200
    assert "Max Member" in page.text and "Otto Outsider" not in page.text
    response = client.post(url("event-attendance", event), {"attendees": [member.pk], "speakers": [owner.pk]})
    assert response.status_code == 302
    assert set(Attendance.objects.values_list("person_id", flat=True)) == {member.pk, owner.pk}
    assert "2 people came" in client.get(url("event-detail", event)).text


def test_attendance_of_someone_not_listed_is_refused_and_changes_nothing(
    owner, outsider, testing, client_for
):
    event = schedule(owner, testing, days=-1)
    response = client_for(owner).post(url("event-attendance", event), {"attendees": [outsider.pk]})
    assert response.status_code == 200
    assert response.context["form"].errors["attendees"]
    assert not Attendance.objects.exists()


def test_attendance_before_the_start_is_refused(owner, member, testing, client_for):
    event = schedule(owner, testing)
    response = client_for(owner).post(url("event-attendance", event), {"attendees": [member.pk]})
    assert "once the event has started" in response.text
    assert not Attendance.objects.exists()


def test_a_lead_saves_notes_and_outcomes(owner, member, testing, client_for):
    event = schedule(owner, testing, days=-1)
    client_for(owner).post(url("event-notes", event), {"notes": "We agreed to **pair** more."})
    assert "<strong>pair</strong>" in client_for(member).get(url("event-detail", event)).text


# Query counts -------------------------------------------------------------------------------------


def test_the_events_list_takes_a_constant_number_of_queries(
    owner, member, make_person, testing, client_for, django_assert_max_num_queries
):
    client = client_for(member)
    schedule(owner, testing)
    client.get(url("events", community=testing))  # the calendar token is made on the first visit
    # session, user, person, community, its tags, membership, page count, upcoming, calendar token, past
    with django_assert_max_num_queries(10) as few:
        client.get(url("events", community=testing))
    for day in range(8):
        start = soon(day + 2)
        event, _ = event_create(
            actor=owner, community=testing, title="Series", starts_local=start,
            ends_local=start + timedelta(hours=1), time_zone="UTC", capacity=3, frequency=Frequency.WEEKLY,
            occurrences=2,
        )  # fmt: skip
        schedule(owner, testing, days=-day - 2)
        for _ in range(4):
            rsvp_set(person=make_person(), event=event, answer=RsvpAnswer.GOING)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(url("events", community=testing))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert response.text.count('class="card"') == 8 * 2 + 1 + 8


def test_the_event_detail_takes_a_constant_number_of_queries(
    owner, member, make_person, testing, client_for, django_assert_max_num_queries
):
    event = schedule(owner, testing, capacity=5)
    client = client_for(owner)
    # session, user, person, community, its tags, membership, the event with counts, the answers
    with django_assert_max_num_queries(8) as few:
        client.get(url("event-detail", event))
    for _ in range(8):
        rsvp_set(person=make_person(), event=event, answer=RsvpAnswer.GOING)
    rsvp_set(person=member, event=event, answer=RsvpAnswer.MAYBE)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(url("event-detail", event))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "on the waitlist" in response.text


def test_the_detail_of_a_past_event_with_attendance_takes_a_constant_number_of_queries(
    owner, make_person, testing, client_for, django_assert_max_num_queries
):
    event = schedule(owner, testing, days=-1)
    people = [make_person() for _ in range(6)]
    for person in people:
        membership_join(person=person, community=testing)
    attendance_record(actor=owner, event=event, attendee_ids=[p.pk for p in people], speaker_ids=[owner.pk])
    client, page = client_for(owner), url("event-detail", event)
    # the eight of an upcoming event, plus the attendance count and the speakers
    with django_assert_max_num_queries(10):
        response = client.get(page)
    assert "7 people came" in response.text and "speakers: Olivia Owner" in response.text
