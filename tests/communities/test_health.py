"""Health services: what is counted for a period, the stored status, the seven-principles self-check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from practica.analysis.health import AT_RISK, STEADY
from practica.communities.health import (
    attendance_per_event,
    community_health_compute,
    health_inputs,
    health_review_create,
    health_reviews,
    participation_history,
)
from practica.communities.models import (
    Activity,
    ActivityKind,
    Attendance,
    Community,
    Event,
    EventStatus,
    HealthReview,
    Membership,
    Principle,
    PrincipleRating,
    Visibility,
)
from practica.communities.services import (
    activity_record,
    community_create,
    membership_join,
    membership_leave,
)
from practica.core.errors import ApplicationError
from practica.people.models import Person, Team
from practica.people.services import team_create, team_membership_set

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@dataclass
class Scenario:
    community: Community
    now: datetime
    people: dict[str, Person]


def _join(community: Community, person: Person, joined_at: datetime) -> None:
    membership_join(person=person, community=community)
    Membership.objects.filter(community=community, person=person).update(joined_at=joined_at)


def _event(
    community: Community, title: str, starts_at: datetime, present: list[Person], **fields: object
) -> Event:
    event = Event.objects.create(
        community=community,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        **fields,
    )
    Attendance.objects.bulk_create(Attendance(event=event, person=person) for person in present)
    return event


@pytest.fixture
def scenario(owner: Person, member: Person, make_person: Callable[..., Person], team: Team) -> Scenario:
    """Five members now, three at the start of the period; events, joins, a leave and activity by hand.

    Current period = the 90 days before ``now``; previous = the 90 days before that.
    """
    base = timezone.now()
    community = community_create(actor=owner, name="Testing", visibility=Visibility.OPEN)
    Membership.objects.filter(community=community, person=owner).update(joined_at=base - 200 * DAY)
    newcomer = make_person("newcomer")  # joins 60 days ago, answers within 30 days
    team_membership_set(person=newcomer, team=team_create(name="Search"), manager=None)
    quiet = make_person("quiet")  # joins 40 days ago, only asks
    recent = make_person("recent")  # joins 10 days ago
    leaver = make_person("leaver")  # joined 120 days ago, left 20 days ago
    _join(community, member, base - 150 * DAY)
    _join(community, newcomer, base - 60 * DAY)
    _join(community, quiet, base - 40 * DAY)
    _join(community, recent, base - 10 * DAY)
    _join(community, leaver, base - 120 * DAY)
    membership_leave(person=leaver, community=community)
    Membership.objects.filter(community=community, person=leaver).update(left_at=base - 20 * DAY)

    _event(community, "Kick-off", base - 100 * DAY, [owner, leaver], attendance_taken_at=base - 100 * DAY)
    _event(community, "Kata", base - 70 * DAY, [owner, member, newcomer], attendance_taken_at=base - 70 * DAY)
    _event(community, "Lean coffee", base - 40 * DAY, [owner, member], attendance_taken_at=base - 40 * DAY)
    _event(community, "Cancelled talk", base - 30 * DAY, [], status=EventStatus.CANCELLED)
    _event(community, "Retro", base - 10 * DAY, [])  # held, attendance not taken

    for person, kind, days_ago in [
        (newcomer, ActivityKind.ANSWERED, 50),
        (member, ActivityKind.ARTICLE, 20),
        (member, ActivityKind.ASKED, 15),
        (quiet, ActivityKind.ASKED, 5),
    ]:
        activity_record(
            community=community, person=person, kind=kind, summary="…", occurred_at=base - days_ago * DAY
        )
    people = {"owner": owner, "member": member, "newcomer": newcomer, "quiet": quiet, "recent": recent}
    # After every service call above, so their "now" activity (joins, leaves) falls inside the period.
    return Scenario(community=community, now=timezone.now(), people=people)


def test_inputs_of_the_current_period_are_counted_by_hand(scenario: Scenario) -> None:
    now = scenario.now
    inputs = health_inputs(scenario.community, start=now - 90 * DAY, end=now)
    assert inputs.members == 5
    # Owner leads (core); member, newcomer and quiet did something (occasional); recent did nothing.
    assert inputs.members_by_level == {"core": 1, "occasional": 3, "peripheral": 1}
    assert (inputs.joins, inputs.leaves) == (3, 1)
    assert inputs.members_taking_part == 4  # owner and member by attendance, newcomer, quiet
    assert (inputs.events_planned, inputs.events_held) == (4, 3)
    assert sorted(inputs.attendance) == [2, 3]  # the retro has no attendance taken
    assert [(b - a).days for a, b in zip(inputs.event_days, inputs.event_days[1:], strict=False)] == [30, 30]
    assert (inputs.questions_asked, inputs.answers_given, inputs.articles_written) == (2, 1, 1)
    assert inputs.teams_reached == 2  # Payments (owner, member) and Search (newcomer)
    assert (inputs.newcomers, inputs.newcomers_contributed) == (2, 1)  # recent joined too late to count


def test_inputs_of_the_previous_period(scenario: Scenario) -> None:
    now = scenario.now
    inputs = health_inputs(scenario.community, start=now - 180 * DAY, end=now - 90 * DAY)
    assert inputs.members == 3  # owner, member, leaver
    assert (inputs.joins, inputs.leaves) == (2, 0)
    assert (inputs.events_planned, inputs.events_held, list(inputs.attendance)) == (1, 1, [2])
    assert inputs.members_taking_part == 2  # owner and leaver came to the kick-off
    assert inputs.newcomers == 2 and inputs.newcomers_contributed == 0


def test_query_count_of_health_inputs_does_not_grow(
    scenario: Scenario, make_person: Callable[..., Person], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    community, now = scenario.community, scenario.now
    with django_assert_num_queries(8):
        health_inputs(community, start=now - 90 * DAY, end=now)
    for number in range(15):
        person = make_person(f"extra{number}")
        _join(community, person, now - 80 * DAY)
        _event(community, f"Meetup {number}", now - (number + 1) * 5 * DAY, [person])
        activity_record(
            community=community,
            person=person,
            kind=ActivityKind.SPOKE,
            summary="…",
            occurred_at=now - 2 * DAY,
        )
    with django_assert_num_queries(8):
        inputs = health_inputs(community, start=now - 90 * DAY, end=now)
    assert inputs.members == 20


def test_compute_stores_the_status_on_the_community(scenario: Scenario) -> None:
    report = community_health_compute(community=scenario.community, now=scenario.now)
    scenario.community.refresh_from_db()
    assert scenario.community.health_status == report.status
    assert scenario.community.health_computed_at == scenario.now
    # 80% took part, 3 events 30 days apart, membership grew 3 -> 5, but only half the newcomers
    # contributed: exactly the thriving threshold, so the status is thriving.
    assert report.indicator("active_share").value == 0.8
    assert report.indicator("members").trend == "up"
    assert report.status == "thriving"


def test_a_community_where_nothing_happened_is_dormant(owner: Person) -> None:
    community = community_create(actor=owner, name="Quiet")
    report = community_health_compute(community=community, now=timezone.now() + DAY)
    assert report.status == "dormant"
    community.refresh_from_db()
    assert community.health_status == "dormant"


def test_status_falls_to_at_risk_when_people_stop_coming(scenario: Scenario) -> None:
    later = scenario.now + 120 * DAY  # no event in the 90 days before, one question asked
    activity_record(
        community=scenario.community, person=scenario.people["quiet"], kind=ActivityKind.ASKED, summary="…",
        occurred_at=later - 5 * DAY,
    )  # fmt: skip
    report = community_health_compute(community=scenario.community, now=later)
    assert report.status == AT_RISK
    assert report.reasons == (
        "No event was held in the period.",
        "The number of members taking part fell by 75%, from 4 to 1 (at risk above 50%).",
    )


def test_status_is_dormant_when_nothing_happens_any_more(scenario: Scenario) -> None:
    report = community_health_compute(community=scenario.community, now=scenario.now + 120 * DAY)
    assert report.status == "dormant"


def test_status_steady_with_a_slow_rhythm(scenario: Scenario) -> None:
    Event.objects.filter(community=scenario.community, title="Lean coffee").update(
        status=EventStatus.CANCELLED
    )
    report = community_health_compute(community=scenario.community, now=scenario.now)
    assert report.status == STEADY


def test_participation_history_has_one_point_per_month(scenario: Scenario) -> None:
    history = participation_history(scenario.community, months=6, now=scenario.now)
    assert len(history) == 6
    months = [point.month for point in history]
    assert months == sorted(months) and all(month.day == 1 for month in months)
    assert months[-1] == timezone.localdate(scenario.now).replace(day=1)
    assert all(set(point.counts) == {"core", "active", "occasional", "peripheral"} for point in history)
    assert history[-1].counts == {"core": 1, "active": 0, "occasional": 3, "peripheral": 1}
    assert history[0].at < history[-1].at == scenario.now


def test_participation_history_costs_two_queries(
    scenario: Scenario, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(2):
        participation_history(scenario.community, months=12, now=scenario.now)


def test_attendance_per_event_lists_held_events_oldest_first(scenario: Scenario) -> None:
    events = attendance_per_event(scenario.community, now=scenario.now)
    assert [(event.title, event.present, event.recorded) for event in events] == [
        ("Kick-off", 2, True),
        ("Kata", 3, True),
        ("Lean coffee", 2, True),
        ("Retro", 0, False),
    ]
    assert [event.title for event in attendance_per_event(scenario.community, limit=2, now=scenario.now)] == [
        "Lean coffee", "Retro",
    ]  # fmt: skip


def _ratings(**changes: tuple[int, str]) -> dict[str, tuple[int, str]]:
    ratings = {principle.value: (3, f"about {principle.value}") for principle in Principle}
    ratings.update(changes)
    return ratings


def test_lead_records_a_review_of_all_seven_principles(scenario: Scenario) -> None:
    owner, community = scenario.people["owner"], scenario.community
    review = health_review_create(
        actor=owner, community=community, ratings=_ratings(rhythm=(5, "  weekly  "))
    )
    assert review.ratings.count() == 7
    assert review.ratings.get(principle="rhythm").note == "weekly"
    assert Activity.objects.filter(
        community=community, kind=ActivityKind.HEALTH_REVIEWED, person=owner
    ).exists()
    [record] = health_reviews(community)
    assert [rating.principle for rating in record.ratings] == list(Principle.values)


def _nothing_saved(community: Community) -> None:
    assert not HealthReview.objects.filter(community=community).exists()
    assert not PrincipleRating.objects.exists()
    assert not Activity.objects.filter(community=community, kind=ActivityKind.HEALTH_REVIEWED).exists()


def test_member_cannot_record_a_review(scenario: Scenario) -> None:
    with pytest.raises(ApplicationError, match="Only a lead"):
        health_review_create(
            actor=scenario.people["member"], community=scenario.community, ratings=_ratings()
        )
    _nothing_saved(scenario.community)


def test_review_needs_every_principle(scenario: Scenario) -> None:
    ratings = _ratings()
    del ratings["rhythm"], ratings["value"]
    with pytest.raises(ApplicationError, match="missing: Focus on value; Create a rhythm") as error:
        health_review_create(actor=scenario.people["owner"], community=scenario.community, ratings=ratings)
    assert error.value.field == "value"
    _nothing_saved(scenario.community)


@pytest.mark.parametrize("rating", [0, 6, -1, True])
def test_review_ratings_must_be_one_to_five(scenario: Scenario, rating: int) -> None:
    with pytest.raises(ApplicationError, match="from 1 \\(weak\\) to 5") as error:
        health_review_create(
            actor=scenario.people["owner"],
            community=scenario.community,
            ratings=_ratings(spaces=(rating, "")),
        )
    assert error.value.field == "spaces"
    _nothing_saved(scenario.community)


def test_review_refuses_unknown_principles(scenario: Scenario) -> None:
    with pytest.raises(ApplicationError, match="Unknown principles: vibes"):
        health_review_create(
            actor=scenario.people["owner"], community=scenario.community, ratings=_ratings(vibes=(3, ""))
        )
    _nothing_saved(scenario.community)


def test_refresh_health_command_recomputes_every_community(scenario: Scenario, owner: Person) -> None:
    other = community_create(actor=owner, name="Quiet corner")
    out = StringIO()
    call_command("refresh_health", stdout=out)
    text = out.getvalue()
    assert "[1/2] Quiet corner" in text and "[2/2] Testing" in text
    assert "Refreshed 2 communities" in text
    other.refresh_from_db()
    scenario.community.refresh_from_db()
    assert other.health_status == "dormant"
    assert scenario.community.health_status and scenario.community.health_computed_at
    # Levels were recomputed too: the member who asked and wrote is occasional now.
    assert (
        Membership.objects.get(community=scenario.community, person=scenario.people["member"]).level
        == "occasional"
    )


def test_refresh_health_command_for_one_community(scenario: Scenario) -> None:
    out = StringIO()
    call_command("refresh_health", "--community", "testing", stdout=out)
    assert "Refreshed 1 communities" in out.getvalue()
    with pytest.raises(CommandError, match="No community with the slug 'nope'"):
        call_command("refresh_health", "--community", "nope", stdout=out)
