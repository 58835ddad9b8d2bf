"""Time invested: logging, budgets and the quarterly panel with its per-person privacy rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from practica.analysis.portfolio import quarter_key
from practica.communities.models import Community, Event
from practica.core.errors import ApplicationError
from practica.insights.models import TimeBudget, TimeLog
from practica.insights.time_invested import (
    compute_time,
    compute_time_quarter,
    own_totals,
    time_budget_set,
    time_log_create,
    time_log_delete,
    time_logs_of,
)
from practica.people.models import Person
from tests.insights.conftest import past_event

pytestmark = pytest.mark.django_db


def today() -> Any:
    return timezone.localdate()


def test_a_member_logs_time_and_sees_only_their_own(
    testing: Community, member: Person, owner: Person
) -> None:
    log = time_log_create(actor=member, community=testing, hours="1.5", on=today(), note="Prepared the kata")
    time_log_create(actor=owner, community=testing, hours=2, on=today())
    assert log.hours == Decimal("1.5")
    assert list(time_logs_of(member)) == [log]


def test_an_event_of_the_community_can_be_named(
    testing: Community, member: Person, private: Community
) -> None:
    event = past_event(testing, days_ago=2)
    log = time_log_create(actor=member, community=testing, hours=2, on=today(), event=event)
    assert log.event == event
    elsewhere = past_event(private, days_ago=2)
    with pytest.raises(ApplicationError, match="event of this community"):
        time_log_create(actor=member, community=testing, hours=2, on=today(), event=elsewhere)


def test_a_non_member_may_not_log_time_for_a_community(testing: Community, outsider: Person) -> None:
    with pytest.raises(PermissionDenied):
        time_log_create(actor=outsider, community=testing, hours=1, on=today())
    assert not TimeLog.objects.exists()


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "more than 0"),
        ("-1", "more than 0"),
        ("25", "at most 24"),
        ("abc", "a number"),
        ("1.1", "quarters"),
    ],
)
def test_bad_hours_are_refused(testing: Community, member: Person, hours: str, message: str) -> None:
    with pytest.raises(ApplicationError, match=message) as refused:
        time_log_create(actor=member, community=testing, hours=hours, on=today())
    assert refused.value.field == "hours"
    assert not TimeLog.objects.exists()


def test_future_and_ancient_days_are_refused(testing: Community, member: Person) -> None:
    with pytest.raises(ApplicationError, match="future"):
        time_log_create(actor=member, community=testing, hours=1, on=today() + timedelta(days=1))
    with pytest.raises(ApplicationError, match="within a year"):
        time_log_create(actor=member, community=testing, hours=1, on=today() - timedelta(days=400))


def test_a_day_has_twenty_four_hours(testing: Community, member: Person) -> None:
    time_log_create(actor=member, community=testing, hours=20, on=today())
    with pytest.raises(ApplicationError, match="a day has 24"):
        time_log_create(actor=member, community=testing, hours=5, on=today())
    assert TimeLog.objects.count() == 1


def test_only_the_owner_deletes_a_log(testing: Community, member: Person, owner: Person) -> None:
    log = time_log_create(actor=member, community=testing, hours=1, on=today())
    with pytest.raises(ApplicationError, match="No such time log"):
        time_log_delete(actor=owner, log_id=log.pk)
    time_log_delete(actor=member, log_id=log.pk)
    assert not TimeLog.objects.exists()


def test_a_sponsor_sets_and_removes_a_budget(testing: Community, sponsor: Person) -> None:
    budget = time_budget_set(actor=sponsor, community=testing, quarter="2026-Q4", hours="120")
    assert budget is not None and budget.hours == 120
    time_budget_set(actor=sponsor, community=testing, quarter="2026-Q4", hours=80)
    assert TimeBudget.objects.get().hours == 80
    assert time_budget_set(actor=sponsor, community=testing, quarter="2026-Q4", hours=0) is None
    assert not TimeBudget.objects.exists()


def test_leads_and_members_may_not_set_budgets(testing: Community, owner: Person, member: Person) -> None:
    for person in (owner, member):
        with pytest.raises(PermissionDenied):
            time_budget_set(actor=person, community=testing, quarter="2026-Q4", hours=10)


@pytest.mark.parametrize(
    ("quarter", "hours"), [("2026-Q5", 10), ("Q4", 10), ("2026-Q4", -1), ("2026-Q4", "ten")]
)
def test_bad_budgets_are_refused(testing: Community, sponsor: Person, quarter: str, hours: Any) -> None:
    with pytest.raises(ApplicationError):
        time_budget_set(actor=sponsor, community=testing, quarter=quarter, hours=hours)
    assert not TimeBudget.objects.exists()


def test_the_quarter_panel_adds_hours_against_the_budget(
    testing: Community, member: Person, sponsor: Person
) -> None:
    key = quarter_key(today())
    time_log_create(actor=member, community=testing, hours=3, on=today())
    time_log_create(actor=sponsor, community=testing, hours="1.5", on=today())
    time_budget_set(actor=sponsor, community=testing, quarter=key, hours=18)
    data = compute_time_quarter(key)
    row = data["communities"][0]
    assert row["hours"] == 4.5
    assert row["budget"] == 18
    assert row["budget_use"] == 0.25
    assert data["hours"] == 4.5


def test_per_person_figures_are_withheld_below_the_threshold_and_shown_above(
    testing: Community, crowd: Callable[[Community, int], list[Person]]
) -> None:
    key = quarter_key(today())
    people = crowd(testing, 5)
    for person in people[:4]:
        time_log_create(actor=person, community=testing, hours=2, on=today())
    withheld = compute_time_quarter(key)["communities"][0]["per_person"]
    assert withheld == {
        "people": 4,
        "shown": False,
        "median": None,
        "mean": None,
        "reason": "Not enough people to show this without identifying someone.",
    }
    time_log_create(actor=people[4], community=testing, hours=7, on=today())
    shown = compute_time_quarter(key)["communities"][0]["per_person"]
    assert shown["shown"] is True
    assert shown["median"] == 2.0
    assert shown["mean"] == 3.0  # (4 * 2 + 7) / 5


def test_private_communities_are_left_out_of_the_panel(private: Community, member: Person) -> None:
    time_log_create(actor=member, community=private, hours=2, on=today())
    data = compute_time_quarter(quarter_key(today()))
    assert data["communities"] == []
    assert data["hours"] == 0


def test_the_panel_covers_the_last_four_quarters(testing: Community) -> None:
    data = compute_time()
    assert len(data) == 4
    assert quarter_key(today()) in data


def test_a_person_sees_their_own_totals_per_quarter(testing: Community, member: Person) -> None:
    time_log_create(actor=member, community=testing, hours=2, on=today())
    time_log_create(actor=member, community=testing, hours="0.5", on=today())
    totals = own_totals(member)
    assert totals[0].quarter == quarter_key(today())
    assert totals[0].hours == Decimal("2.5") and totals[0].logs == 2


def test_the_demo_logs_time_from_attendance_and_budgets_every_sponsored_community(
    testing: Community, owner: Person, sponsor: Person, crowd: Callable[[Community, int], list[Person]]
) -> None:
    import random

    from practica.communities.events import attendance_record
    from practica.demo.generator import DemoContext
    from practica.insights.demo_data import time_invested_step

    people = crowd(testing, 10)
    event = past_event(testing, days_ago=3)
    Event.objects.filter(pk=event.pk).update(created_by=owner)
    attendance_record(actor=owner, event=event, attendee_ids=[person.pk for person in people])
    time_invested_step(DemoContext(rng=random.Random(1), faker=None, size=12))  # type: ignore[arg-type]
    logs = TimeLog.objects.filter(community=testing)
    attended = logs.filter(note__startswith="Attended")
    assert 0 < attended.count() <= 10
    assert all(log.hours == Decimal(2) and log.event_id == event.pk for log in attended)
    assert logs.filter(person=owner, note__startswith="Prepared").count() == 1
    assert TimeBudget.objects.filter(community=testing, set_by=sponsor).count() == 3
    first = sorted(logs.values_list("person_id", "hours", "on"))
    TimeLog.objects.all().delete()
    TimeBudget.objects.all().delete()
    time_invested_step(DemoContext(rng=random.Random(1), faker=None, size=12))  # type: ignore[arg-type]
    assert sorted(TimeLog.objects.values_list("person_id", "hours", "on")) == first  # same seed, same logs


@pytest.fixture
def attended(
    testing: Community, owner: Person, member: Person, crowd: Callable[[Community, int], list[Person]]
) -> Any:
    from practica.communities.events import attendance_record

    people = crowd(testing, 3)
    event = past_event(testing, days_ago=2, title="Kata night")
    attendance_record(actor=owner, event=event, attendee_ids=[member.pk, *[person.pk for person in people]])
    return event


def test_a_lead_logs_an_event_for_everyone_who_came_once(
    attended: Any, owner: Person, member: Person
) -> None:
    from practica.insights.time_invested import led_events, time_log_event_attendees

    assert list(led_events(owner)) == [attended]
    time_log_create(actor=member, community=attended.community, hours=1, on=today(), event=attended)
    assert time_log_event_attendees(actor=owner, event=attended, hours=2) == 3  # member already logged it
    logs = TimeLog.objects.filter(event=attended, logged_by=owner)
    assert {log.note for log in logs} == {"Attended Kata night"}
    assert time_log_event_attendees(actor=owner, event=attended, hours=2) == 0


def test_only_a_lead_logs_for_attendees(attended: Any, member: Person) -> None:
    from practica.insights.time_invested import led_events, time_log_event_attendees

    assert not led_events(member).exists()
    with pytest.raises(PermissionDenied):
        time_log_event_attendees(actor=member, event=attended, hours=2)
    assert not TimeLog.objects.exists()


def test_an_event_without_attendance_cannot_be_logged_for(testing: Community, owner: Person) -> None:
    from practica.insights.time_invested import time_log_event_attendees

    event = past_event(testing, days_ago=1)
    with pytest.raises(ApplicationError, match="Take attendance first"):
        time_log_event_attendees(actor=owner, event=event, hours=1)
    cancelled = past_event(testing, days_ago=1, cancelled=True)
    with pytest.raises(ApplicationError, match="taken place"):
        time_log_event_attendees(actor=owner, event=cancelled, hours=1)
