from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from django.test import Client
from django.utils import timezone

from practica.communities.events import calendar_token_for, event_create
from practica.communities.models import Event, Rsvp, Visibility
from practica.communities.services import community_create, membership_join
from practica.people.services import api_token_create

pytestmark = pytest.mark.django_db


def bearer(person) -> dict[str, str]:
    _, token = api_token_create(person=person, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def soon(days: int = 3):
    return (timezone.now() + timedelta(days=days)).replace(tzinfo=None, microsecond=0)


@pytest.fixture
def testing(owner, member):
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def private_event(owner):
    community = community_create(actor=owner, name="Security Champions", visibility=Visibility.PRIVATE)
    start = soon()
    return event_create(
        actor=owner,
        community=community,
        title="Threat modelling",
        starts_local=start,
        ends_local=start + timedelta(hours=1),
        time_zone="UTC",
    )[0]


def test_lead_schedules_a_fortnightly_series_through_the_api(testing, owner):
    start = soon()
    response = Client().post(
        "/api/v1/communities/testing/events",
        {
            "title": "Kata",
            "starts_local": start.isoformat(),
            "ends_local": (start + timedelta(hours=1)).isoformat(),
            "time_zone": "Europe/Berlin",
            "frequency": "fortnightly",
            "occurrences": 3,
            "kind": "kata",
        },
        content_type="application/json",
        **bearer(owner),
    )
    assert response.status_code == 201
    occurrences = response.json()
    assert len(occurrences) == 3
    assert {item["series_id"] for item in occurrences} != {None}


def test_a_member_cannot_schedule_and_bad_dates_are_refused(testing, owner, member):
    start = soon()
    payload = {"title": "X", "starts_local": start.isoformat(), "ends_local": start.isoformat()}
    client = Client()
    assert client.post(
        "/api/v1/communities/testing/events", payload, content_type="application/json", **bearer(member)
    ).status_code in {400, 403}
    response = client.post(
        "/api/v1/communities/testing/events", payload, content_type="application/json", **bearer(owner)
    )
    assert response.status_code == 400
    assert "end must be after the start" in response.json()["detail"]
    assert not Event.objects.exists()


def test_member_rsvps_and_sees_answers_and_health(testing, owner, member):
    start = soon()
    event = event_create(
        actor=owner,
        community=testing,
        title="Meetup",
        starts_local=start,
        ends_local=start + timedelta(hours=1),
        time_zone="UTC",
        capacity=1,
    )[0]
    client = Client()
    owner_headers, member_headers = bearer(owner), bearer(member)
    url = f"/api/v1/communities/testing/events/{event.pk}"
    first = client.post(f"{url}/rsvp", {"answer": "going"}, content_type="application/json", **owner_headers)
    assert first.json()["waitlisted"] is False
    second = client.post(
        f"{url}/rsvp", {"answer": "going"}, content_type="application/json", **member_headers
    )
    assert second.json()["waitlisted"] is True
    answers = client.get(f"{url}/rsvps", **member_headers).json()
    assert [r["display_name"] for r in answers["going"]] == ["Olivia Owner"]
    assert [r["display_name"] for r in answers["waitlist"]] == ["Max Member"]
    listed = client.get("/api/v1/communities/testing/events", {"upcoming": True}, **member_headers).json()
    assert listed["items"][0]["going_count"] == 1
    health = client.get("/api/v1/communities/testing/health", **member_headers).json()
    assert health["status"] in {"thriving", "steady", "at_risk", "dormant"}
    assert {"key", "value", "trend", "rule"} <= set(health["indicators"][0])


def test_private_events_and_health_are_404_for_an_outsider(private_event, outsider):
    client = Client()
    headers = bearer(outsider)
    base = "/api/v1/communities/security-champions"
    for path in ["/events", f"/events/{private_event.pk}", f"/events/{private_event.pk}/rsvps", "/health"]:
        assert client.get(base + path, **headers).status_code == 404, path
    response = client.post(
        f"{base}/events/{private_event.pk}/rsvp",
        {"answer": "going"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
    assert not Rsvp.objects.exists()


def test_me_returns_a_working_personal_calendar_feed_url(testing, owner):
    start = soon()
    event = event_create(
        actor=owner,
        community=testing,
        title="Meetup",
        starts_local=start,
        ends_local=start + timedelta(hours=1),
        time_zone="UTC",
    )[0]
    client = Client()
    headers = bearer(owner)
    client.post(
        f"/api/v1/communities/testing/events/{event.pk}/rsvp",
        {"answer": "going"},
        content_type="application/json",
        **headers,
    )
    url = client.get("/api/v1/me", **headers).json()["calendar_feed_url"]
    assert calendar_token_for(owner).token in url
    feed = Client().get(url.replace("http://testserver", ""))
    assert feed.status_code == 200
    summaries = [str(item["SUMMARY"]) for item in icalendar.Calendar.from_ical(feed.content).walk("VEVENT")]
    assert summaries == ["Meetup · Testing"]


def test_profile_shows_the_feed_and_a_new_address_revokes_the_old_one(client_for, owner):
    client = client_for(owner)
    old = calendar_token_for(owner).token
    assert old in client.get("/me/").text
    response = client.post("/calendar/new-address/")
    assert response.status_code == 302
    new = calendar_token_for(owner).token
    assert new != old
    assert Client().get(f"/calendar/{old}/personal.ics").status_code == 404
    assert Client().get(f"/calendar/{new}/personal.ics").status_code == 200
    assert Client().post("/calendar/new-address/").status_code == 302  # anonymous: to sign-in
    assert calendar_token_for(owner).token == new


def test_patch_with_a_stale_charter_changes_no_settings_either(testing, owner):
    client = Client()
    headers = bearer(owner)
    client.patch(
        "/api/v1/communities/testing",
        {"domain": "v2", "charter_base_version": 1},
        content_type="application/json",
        **headers,
    )
    response = client.patch(
        "/api/v1/communities/testing",
        {"name": "Renamed", "domain": "stale", "charter_base_version": 1},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400
    testing.refresh_from_db()
    assert (testing.name, testing.domain) == ("Testing", "v2")
