"""Event services: series, changes, cancellation, RSVPs with a waitlist, attendance, notes, tokens."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from practica.communities.event_selectors import event_path, rsvp_counts, upcoming_events_for
from practica.communities.events import (
    attendance_record,
    calendar_token_for,
    calendar_token_regenerate,
    event_cancel,
    event_create,
    event_set_notes,
    event_update,
    occurrence_dates,
    rsvp_set,
)
from practica.communities.models import (
    Activity,
    ActivityKind,
    Attendance,
    Event,
    EventStatus,
    Frequency,
    Rsvp,
    RsvpAnswer,
    Visibility,
)
from practica.communities.services import (
    community_create,
    membership_invite,
    membership_join,
    membership_leave,
)
from practica.core.errors import ApplicationError

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def soon(days: int = 7, hour: int = 18) -> datetime:
    """A naive wall-clock time ``days`` from today, as a person types it into the form."""
    day = timezone.now().astimezone(BERLIN).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0)


@pytest.fixture
def testing(owner, member):
    community = community_create(actor=owner, name="Testing", visibility=Visibility.OPEN)
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def private(owner, member):
    community = community_create(actor=owner, name="Secret guild", visibility=Visibility.PRIVATE)
    membership_invite(actor=owner, community=community, person=member)
    membership_join(person=member, community=community)
    return community


def schedule(owner, community, *, days=7, hours=2, **fields):
    start = soon(days)
    fields.setdefault("title", "Kata night")
    fields.setdefault("time_zone", "Europe/Berlin")
    return event_create(
        actor=owner,
        community=community,
        starts_local=start,
        ends_local=start + timedelta(hours=hours),
        **fields,
    )


def utc_hours(events):
    return [
        (event.starts_at.astimezone(UTC).date(), event.starts_at.astimezone(UTC).hour) for event in events
    ]


# Series -------------------------------------------------------------------------------------------


def test_weekly_series_keeps_the_berlin_wall_clock_time_across_the_spring_dst_change(owner, testing):
    events = event_create(
        actor=owner, community=testing, title="Kata", starts_local=datetime(2024, 3, 26, 10, 0),
        ends_local=datetime(2024, 3, 26, 11, 30), time_zone="Europe/Berlin", frequency=Frequency.WEEKLY,
        occurrences=3,
    )  # fmt: skip
    # Summer time starts on 31 March 2024: 10:00 in Berlin is 09:00 UTC before and 08:00 UTC after.
    assert utc_hours(events) == [(date(2024, 3, 26), 9), (date(2024, 4, 2), 8), (date(2024, 4, 9), 8)]
    assert {event.starts_at.astimezone(BERLIN).hour for event in events} == {10}
    assert all(event.ends_at - event.starts_at == timedelta(minutes=90) for event in events)
    assert len({event.series_id for event in events}) == 1
    assert all(event.starts_at.tzinfo is not None for event in Event.objects.all())


def test_weekly_series_keeps_the_wall_clock_time_across_the_autumn_dst_change(owner, testing):
    events = event_create(
        actor=owner, community=testing, title="Kata", starts_local=datetime(2024, 10, 22, 10, 0),
        ends_local=datetime(2024, 10, 22, 11, 0), time_zone="Europe/Berlin", frequency=Frequency.WEEKLY,
        occurrences=2,
    )  # fmt: skip
    assert utc_hours(events) == [(date(2024, 10, 22), 8), (date(2024, 10, 29), 9)]


def test_fortnightly_series_is_every_fourteen_days():
    dates = occurrence_dates(date(2024, 1, 2), Frequency.FORTNIGHTLY, count=3)
    assert dates == [date(2024, 1, 2), date(2024, 1, 16), date(2024, 1, 30)]


def test_monthly_series_repeats_on_the_same_weekday_of_the_month():
    # 9 January 2024 is the second Tuesday; so are 13 February, 12 March and 9 April.
    dates = occurrence_dates(date(2024, 1, 9), Frequency.MONTHLY, count=4)
    assert dates == [date(2024, 1, 9), date(2024, 2, 13), date(2024, 3, 12), date(2024, 4, 9)]
    assert {day.weekday() for day in dates} == {1}


def test_monthly_series_from_a_fifth_weekday_repeats_on_the_last_one():
    # 30 January 2024 is the fifth Tuesday; February and March 2024 have four, the last on 27 and 26.
    dates = occurrence_dates(date(2024, 1, 30), Frequency.MONTHLY, count=3)
    assert dates == [date(2024, 1, 30), date(2024, 2, 27), date(2024, 3, 26)]


def test_monthly_series_crosses_the_year_end():
    dates = occurrence_dates(date(2024, 11, 5), Frequency.MONTHLY, count=3)
    assert dates == [date(2024, 11, 5), date(2024, 12, 3), date(2025, 1, 7)]


def test_series_until_a_date_includes_that_date():
    dates = occurrence_dates(date(2024, 1, 1), Frequency.WEEKLY, until=date(2024, 1, 22))
    assert dates == [date(2024, 1, 1), date(2024, 1, 8), date(2024, 1, 15), date(2024, 1, 22)]


def test_a_series_of_more_than_52_occurrences_is_refused_and_nothing_is_created(owner, testing):
    with pytest.raises(ApplicationError, match="52"):
        schedule(owner, testing, frequency=Frequency.WEEKLY, until=soon(7).date() + timedelta(days=7 * 60))
    with pytest.raises(ApplicationError, match="52"):
        schedule(owner, testing, frequency=Frequency.WEEKLY, occurrences=53)
    assert not Event.objects.exists()
    assert not Activity.objects.filter(kind=ActivityKind.EVENT_SCHEDULED).exists()


def test_a_series_needs_a_count_or_an_end_date(owner, testing):
    with pytest.raises(ApplicationError, match="how often"):
        schedule(owner, testing, frequency=Frequency.MONTHLY)
    assert not Event.objects.exists()


# Bad input ----------------------------------------------------------------------------------------


def test_an_end_before_the_start_is_refused_and_nothing_is_created(owner, testing):
    with pytest.raises(ApplicationError, match="end must be after the start") as refusal:
        schedule(owner, testing, hours=-1)
    assert refusal.value.field == "ends_local"
    with pytest.raises(ApplicationError, match="end must be after the start"):
        schedule(owner, testing, hours=0)
    assert not Event.objects.exists()


def test_a_capacity_below_zero_is_refused(owner, testing):
    with pytest.raises(ApplicationError, match="capacity cannot be below zero") as refusal:
        schedule(owner, testing, capacity=-1)
    assert refusal.value.field == "capacity"
    assert not Event.objects.exists()


def test_an_unknown_time_zone_and_a_bad_link_are_refused(owner, testing):
    with pytest.raises(ApplicationError, match="time zone"):
        schedule(owner, testing, time_zone="Mars/Olympus")
    with pytest.raises(ApplicationError, match="web address"):
        schedule(owner, testing, link="javascript:alert(1)")
    assert not Event.objects.exists()


def test_only_a_lead_schedules_events(member, testing):
    with pytest.raises(ApplicationError, match="Only a lead"):
        schedule(member, testing)
    assert not Event.objects.exists()


def test_scheduling_a_series_records_one_activity_for_the_lead(owner, testing):
    events = schedule(owner, testing, frequency=Frequency.FORTNIGHTLY, occurrences=4)
    activity = Activity.objects.get(kind=ActivityKind.EVENT_SCHEDULED)
    assert activity.person == owner
    assert activity.community == testing
    assert activity.url == event_path(events[0])
    assert "4 occurrences" in activity.summary


# Changing and cancelling --------------------------------------------------------------------------


def _fields(event, **changes):
    start = event.starts_at.astimezone(ZoneInfo(event.time_zone)).replace(tzinfo=None)
    fields = {
        "title": event.title, "starts_local": start, "ends_local": start + (event.ends_at - event.starts_at),
        "time_zone": event.time_zone, "kind": event.kind, "agenda": event.agenda, "place": event.place,
        "link": event.link, "capacity": event.capacity,
    }  # fmt: skip
    fields.update(changes)
    return fields


def test_changing_one_occurrence_leaves_the_others_alone(owner, testing):
    first, second, third = schedule(owner, testing, frequency=Frequency.WEEKLY, occurrences=3)
    later = _fields(second)["starts_local"] + timedelta(hours=1)
    event_update(
        actor=owner, event=second, **_fields(second, title="Special kata", starts_local=later,
                                            ends_local=later + timedelta(hours=1)),
    )  # fmt: skip
    second.refresh_from_db()
    assert (second.title, second.series_changed, second.sequence) == ("Special kata", True, 1)
    assert second.starts_at.astimezone(BERLIN).hour == 19
    for other in (first, third):
        before = other.starts_at
        other.refresh_from_db()
        assert (other.title, other.series_changed, other.sequence, other.starts_at) == (
            "Kata night", False, 0, before,
        )  # fmt: skip


def test_changing_this_and_following_occurrences_moves_them_all(owner, testing):
    first, second, third = schedule(owner, testing, frequency=Frequency.WEEKLY, occurrences=3)
    start = _fields(second)["starts_local"].replace(hour=9)
    event_update(
        actor=owner, event=second, scope="following",
        **_fields(second, title="Morning kata", starts_local=start, ends_local=start + timedelta(hours=1)),
    )  # fmt: skip
    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert first.title == "Kata night"
    assert [event.title for event in (second, third)] == ["Morning kata", "Morning kata"]
    assert {event.starts_at.astimezone(BERLIN).hour for event in (second, third)} == {9}
    assert third.starts_at - second.starts_at == timedelta(days=7)
    assert (second.sequence, third.sequence) == (1, 1)


def test_an_update_with_an_end_before_the_start_changes_nothing(owner, testing):
    (event,) = schedule(owner, testing)
    start = _fields(event)["starts_local"]
    with pytest.raises(ApplicationError, match="end must be after"):
        event_update(actor=owner, event=event, **_fields(event, title="New", ends_local=start))
    event.refresh_from_db()
    assert (event.title, event.sequence) == ("Kata night", 0)


def test_cancelling_one_occurrence_leaves_the_others_scheduled(owner, testing):
    _, second, _ = schedule(owner, testing, frequency=Frequency.MONTHLY, occurrences=3)
    event_cancel(actor=owner, event=second)
    statuses = list(Event.objects.order_by("starts_at").values_list("status", "sequence"))
    assert statuses == [(EventStatus.SCHEDULED, 0), (EventStatus.CANCELLED, 1), (EventStatus.SCHEDULED, 0)]
    with pytest.raises(ApplicationError, match="already cancelled"):
        event_cancel(actor=owner, event=second)


def test_a_member_cannot_change_or_cancel_an_event(owner, member, testing):
    (event,) = schedule(owner, testing)
    with pytest.raises(ApplicationError, match="Only a lead"):
        event_cancel(actor=member, event=event)
    with pytest.raises(ApplicationError, match="Only a lead"):
        event_update(actor=member, event=event, **_fields(event, title="Mine"))
    with pytest.raises(ApplicationError, match="Only a lead"):
        event_set_notes(actor=member, event=event, notes="hi")
    event.refresh_from_db()
    assert (event.status, event.title, event.notes, event.sequence) == ("scheduled", "Kata night", "", 0)


def test_notes_are_saved_by_a_lead_and_bump_the_sequence(owner, testing):
    (event,) = schedule(owner, testing)
    event_set_notes(actor=owner, event=event, notes="  We learned **TDD**.  ")
    event.refresh_from_db()
    assert (event.notes, event.sequence) == ("We learned **TDD**.", 1)


# RSVPs and the waitlist ---------------------------------------------------------------------------


@pytest.fixture
def crowd(make_person, testing):
    people = [make_person(f"fan{number}") for number in range(4)]
    for person in people:
        membership_join(person=person, community=testing)
    return people


def test_going_to_a_full_event_puts_people_on_the_waitlist_and_stepping_back_promotes_the_earliest(
    owner, testing, crowd
):
    (event,) = schedule(owner, testing, capacity=2)
    first, second, third, fourth = crowd
    answers = [rsvp_set(person=person, event=event, answer=RsvpAnswer.GOING) for person in crowd]
    assert [rsvp.waitlisted for rsvp in answers] == [False, False, True, True]
    rsvp_set(person=first, event=event, answer=RsvpAnswer.NO)
    waitlisted = dict(Rsvp.objects.filter(answer=RsvpAnswer.GOING).values_list("person_id", "waitlisted"))
    assert waitlisted == {second.pk: False, third.pk: False, fourth.pk: True}
    assert rsvp_counts(event) == {"going": 2, "maybe": 0, "waitlist": 1, "no": 1}


def test_a_waitlisted_person_stepping_back_frees_no_place(owner, testing, crowd):
    (event,) = schedule(owner, testing, capacity=1)
    first, second, third, _ = crowd
    for person in (first, second, third):
        rsvp_set(person=person, event=event, answer=RsvpAnswer.GOING)
    rsvp_set(person=second, event=event, answer=RsvpAnswer.MAYBE)
    assert rsvp_counts(event) == {"going": 1, "maybe": 1, "waitlist": 1, "no": 0}
    assert Rsvp.objects.get(person=third).waitlisted


def test_raising_the_capacity_promotes_the_earliest_waitlisted(owner, testing, crowd):
    (event,) = schedule(owner, testing, capacity=1)
    for person in crowd:
        rsvp_set(person=person, event=event, answer=RsvpAnswer.GOING)
    event_update(actor=owner, event=event, **_fields(event, capacity=3))
    confirmed = set(
        Rsvp.objects.filter(answer=RsvpAnswer.GOING, waitlisted=False).values_list("person_id", flat=True)
    )
    assert confirmed == {crowd[0].pk, crowd[1].pk, crowd[2].pk}
    event_update(actor=owner, event=event, **_fields(event, capacity=None))
    assert rsvp_counts(event)["waitlist"] == 0


def test_answering_the_same_again_keeps_the_place_in_the_waitlist(owner, testing, crowd):
    (event,) = schedule(owner, testing, capacity=1)
    first, second, third, _ = crowd
    for person in (first, second, third):
        rsvp_set(person=person, event=event, answer=RsvpAnswer.GOING)
    rsvp_set(person=third, event=event, answer=RsvpAnswer.GOING)
    rsvp_set(person=first, event=event, answer=RsvpAnswer.NO)
    assert not Rsvp.objects.get(person=second).waitlisted
    assert Rsvp.objects.get(person=third).waitlisted


def test_rsvp_to_a_cancelled_event_is_refused_and_changes_nothing(owner, member, testing):
    (event,) = schedule(owner, testing)
    rsvp_set(person=member, event=event, answer=RsvpAnswer.MAYBE)
    event_cancel(actor=owner, event=event)
    with pytest.raises(ApplicationError, match="cancelled"):
        rsvp_set(person=member, event=event, answer=RsvpAnswer.GOING)
    assert list(Rsvp.objects.values_list("answer", flat=True)) == [RsvpAnswer.MAYBE]


def test_rsvp_to_a_past_event_is_refused_and_changes_nothing(owner, member, testing):
    (event,) = schedule(owner, testing, days=-3)
    with pytest.raises(ApplicationError, match="already started"):
        rsvp_set(person=member, event=event, answer=RsvpAnswer.GOING)
    assert not Rsvp.objects.exists()


def test_an_unknown_answer_is_refused(owner, member, testing):
    (event,) = schedule(owner, testing)
    with pytest.raises(ApplicationError, match="going, maybe or no"):
        rsvp_set(person=member, event=event, answer="perhaps")
    assert not Rsvp.objects.exists()


def test_anyone_may_answer_an_open_communitys_event(owner, outsider, testing):
    (event,) = schedule(owner, testing)
    assert rsvp_set(person=outsider, event=event, answer=RsvpAnswer.GOING).answer == RsvpAnswer.GOING


def test_a_request_only_community_keeps_its_events_to_members(owner, outsider):
    community = community_create(actor=owner, name="Architecture", visibility=Visibility.REQUEST)
    (event,) = schedule(owner, community)
    with pytest.raises(ApplicationError, match="Join the community"):
        rsvp_set(person=outsider, event=event, answer=RsvpAnswer.GOING)
    assert not Rsvp.objects.exists()


def test_an_outsider_cannot_answer_a_private_communitys_event(owner, member, outsider, private):
    (event,) = schedule(owner, private)
    with pytest.raises(ApplicationError, match="no such event"):
        rsvp_set(person=outsider, event=event, answer=RsvpAnswer.GOING)
    assert rsvp_set(person=member, event=event, answer=RsvpAnswer.GOING).answer == RsvpAnswer.GOING
    assert Rsvp.objects.count() == 1


# Attendance ---------------------------------------------------------------------------------------


def test_attendance_is_recorded_by_a_lead_after_the_start_with_activities(owner, member, outsider, testing):
    (event,) = schedule(owner, testing, days=-1)
    Rsvp.objects.create(event=event, person=outsider, answer=RsvpAnswer.GOING)
    attendance_record(actor=owner, event=event, attendee_ids=[member.pk, outsider.pk], speaker_ids=[owner.pk])
    assert set(Attendance.objects.values_list("person_id", flat=True)) == {owner.pk, member.pk, outsider.pk}
    at_event = Activity.objects.filter(url=event_path(event), kind__in=["attended", "spoke"])
    kinds = sorted(at_event.values_list("person_id", "kind"))
    assert kinds == sorted(
        [(owner.pk, "attended"), (owner.pk, "spoke"), (member.pk, "attended"), (outsider.pk, "attended")]
    )
    assert set(event.speakers.all()) == {owner}
    assert Activity.objects.filter(kind=ActivityKind.ATTENDED).first().occurred_at == event.starts_at
    event.refresh_from_db()
    assert event.attendance_taken_at is not None


def test_recording_attendance_again_replaces_it(owner, member, testing):
    (event,) = schedule(owner, testing, days=-1)
    attendance_record(actor=owner, event=event, attendee_ids=[owner.pk, member.pk], speaker_ids=[member.pk])
    attendance_record(actor=owner, event=event, attendee_ids=[owner.pk])
    assert list(Attendance.objects.values_list("person_id", flat=True)) == [owner.pk]
    at_event = Activity.objects.filter(url=event_path(event), kind__in=["attended", "spoke"])
    assert list(at_event.values_list("person_id", "kind")) == [(owner.pk, "attended")]
    assert not event.speakers.exists()


def test_attendance_is_refused_before_the_start_and_for_members(owner, member, testing):
    (future,) = schedule(owner, testing)
    with pytest.raises(ApplicationError, match="once the event has started"):
        attendance_record(actor=owner, event=future, attendee_ids=[member.pk])
    (past,) = schedule(owner, testing, days=-1)
    with pytest.raises(ApplicationError, match="Only a lead"):
        attendance_record(actor=member, event=past, attendee_ids=[member.pk])
    assert not Attendance.objects.exists()
    assert not Activity.objects.filter(kind=ActivityKind.ATTENDED).exists()


def test_attendance_only_lists_people_who_answered_or_members(owner, outsider, testing):
    (event,) = schedule(owner, testing, days=-1)
    with pytest.raises(ApplicationError, match="answered the invitation or members"):
        attendance_record(actor=owner, event=event, attendee_ids=[owner.pk, outsider.pk, 999_999])
    assert not Attendance.objects.exists()


# Reads and tokens ---------------------------------------------------------------------------------


def test_upcoming_events_are_those_of_my_communities_and_those_i_answered(owner, member, outsider, testing):
    other = community_create(actor=outsider, name="Frontend")
    (mine,) = schedule(owner, testing)
    (answered,) = schedule(outsider, other, days=3)
    schedule(outsider, other, days=5)
    schedule(owner, testing, days=-2)
    rsvp_set(person=member, event=answered, answer=RsvpAnswer.MAYBE)
    assert upcoming_events_for(member, limit=5) == [answered, mine]


def test_upcoming_events_leave_out_a_private_community_after_leaving_it(owner, member, private):
    (event,) = schedule(owner, private)
    rsvp_set(person=member, event=event, answer=RsvpAnswer.GOING)
    assert upcoming_events_for(member) == [event]
    membership_leave(person=member, community=private)
    assert upcoming_events_for(member) == []


def test_a_calendar_token_is_stable_until_regenerated(member):
    token = calendar_token_for(member).token
    assert len(token) >= 40
    assert calendar_token_for(member).token == token
    assert calendar_token_regenerate(member).token != token
