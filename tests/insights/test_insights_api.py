"""The dashboard's JSON API: the same numbers as the pages, for stewards only; time logs and budgets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from practica.analysis.portfolio import quarter_key
from practica.communities.models import Community
from practica.insights.models import InsightRefresh, TimeBudget, TimeLog
from practica.insights.portfolio import PortfolioFilters, compute_portfolio, portfolio_view
from practica.insights.refresh import refresh_insights
from practica.insights.time_invested import time_log_create
from practica.people.models import Person
from tests.insights.conftest import past_event

pytestmark = pytest.mark.django_db

PANELS = [
    "/api/v1/insights/portfolio",
    "/api/v1/insights/portfolio.csv",
    "/api/v1/insights/indicators",
    "/api/v1/insights/time",
]


@pytest.fixture
def computed(testing: Community, private: Community) -> None:
    past_event(testing, days_ago=3)
    refresh_insights()


@pytest.mark.parametrize("url", PANELS)
def test_every_panel_endpoint_is_for_stewards_only(
    computed: None,
    client: Client,
    client_for: Callable[[Person], Client],
    steward: Person,
    admin: Person,
    member: Person,
    outsider: Person,
    url: str,
) -> None:
    assert client.get(url).status_code == 401
    for person in (member, outsider):
        response = client_for(person).get(url)
        assert response.status_code == 403
        assert response.json()["detail"] == "The dashboard is for stewards and admins."
    for person in (steward, admin):
        assert client_for(person).get(url).status_code == 200


def test_the_portfolio_endpoint_has_the_same_numbers_as_the_page(
    computed: None, client_for: Callable[[Person], Client], steward: Person
) -> None:
    body = client_for(steward).get("/api/v1/insights/portfolio").json()
    view = portfolio_view(compute_portfolio(), PortfolioFilters())
    assert body["computed"] is True and body["duration_ms"] is not None
    assert [row["name"] for row in body["communities"]] == ["Testing"]
    api_row, view_row = body["communities"][0], view.rows[0]
    for field in ("members", "levels", "events_held", "events_planned", "stories_total", "teams_reached"):
        assert api_row[field] == view_row[field]
    assert "levels_by_department" not in api_row
    assert body["totals"]["communities"] == 1
    assert "Secret Guild" not in str(body)


def test_the_portfolio_endpoint_refuses_bad_filters(
    computed: None, client_for: Callable[[Person], Client], steward: Person
) -> None:
    response = client_for(steward).get("/api/v1/insights/portfolio?stage=adolescent")
    assert response.status_code == 400
    assert "Unknown stage" in response.json()["detail"]


def test_an_uncomputed_panel_says_so(
    testing: Community, client_for: Callable[[Person], Client], steward: Person
) -> None:
    client = client_for(steward)
    assert client.get("/api/v1/insights/indicators").json() == {
        "computed": False,
        "computed_at": None,
        "duration_ms": None,
        "data": None,
    }
    assert client.get("/api/v1/insights/portfolio.csv").status_code == 404


def test_the_csv_endpoint_matches_the_page_download(
    computed: None, client_for: Callable[[Person], Client], steward: Person
) -> None:
    client = client_for(steward)
    assert (
        client.get("/api/v1/insights/portfolio.csv").content == client.get("/insights/portfolio.csv").content
    )


def test_the_time_endpoint_reads_a_quarter_and_refuses_bad_ones(
    testing: Community, member: Person, client_for: Callable[[Person], Client], steward: Person
) -> None:
    time_log_create(actor=member, community=testing, hours=2, on=timezone.localdate())
    refresh_insights()
    client = client_for(steward)
    body = client.get(f"/api/v1/insights/time?quarter={quarter_key(timezone.localdate())}").json()
    assert body["data"]["hours"] == 2.0
    assert body["data"]["per_person"]["shown"] is False
    assert client.get("/api/v1/insights/time?quarter=soon").status_code == 400


def test_stewards_trigger_a_refresh_and_follow_it(
    testing: Community, client_for: Callable[[Person], Client], steward: Person, member: Person
) -> None:
    assert client_for(member).post("/api/v1/insights/refresh").status_code == 403
    response = client_for(steward).post("/api/v1/insights/refresh")
    assert response.status_code == 202
    refresh_id = response.json()["id"]
    assert client_for(steward).get(f"/api/v1/insights/refresh/{refresh_id}").json()["status"] == "done"
    assert client_for(member).get(f"/api/v1/insights/refresh/{refresh_id}").status_code == 403
    assert InsightRefresh.objects.count() == 1


def test_a_member_logs_lists_and_deletes_their_own_time(
    testing: Community, member: Person, owner: Person, client_for: Callable[[Person], Client]
) -> None:
    client = client_for(member)
    created = client.post(
        "/api/v1/me/time-logs",
        {"community": "testing", "hours": "1.25", "on": timezone.localdate().isoformat(), "note": "Kata"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["hours"] == "1.25"
    time_log_create(actor=owner, community=testing, hours=3, on=timezone.localdate())
    mine = client.get("/api/v1/me/time-logs").json()
    assert [log["note"] for log in mine] == ["Kata"]
    other = TimeLog.objects.get(person=owner)
    assert client.delete(f"/api/v1/me/time-logs/{other.pk}").status_code == 400
    assert client.delete(f"/api/v1/me/time-logs/{created.json()['id']}").status_code == 204
    assert list(TimeLog.objects.values_list("person_id", flat=True)) == [owner.pk]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"community": "testing", "hours": "30", "on": "today"}, 422),
        ({"community": "testing", "hours": "30", "on": "2026-01-01"}, 400),
        ({"community": "nowhere", "hours": "1", "on": "2026-01-01"}, 404),
    ],
)
def test_bad_time_logs_are_refused(
    testing: Community,
    member: Person,
    client_for: Callable[[Person], Client],
    payload: dict[str, Any],
    status: int,
) -> None:
    response = client_for(member).post("/api/v1/me/time-logs", payload, content_type="application/json")
    assert response.status_code == status
    assert not TimeLog.objects.exists()


def test_private_communities_are_a_404_for_outsiders_logging_time(
    private: Community, outsider: Person, client_for: Callable[[Person], Client]
) -> None:
    response = client_for(outsider).post(
        "/api/v1/me/time-logs",
        {"community": private.slug, "hours": "1", "on": timezone.localdate().isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not TimeLog.objects.exists()


def test_sponsors_read_and_set_budgets_and_nobody_else_does(
    testing: Community, sponsor: Person, owner: Person, client_for: Callable[[Person], Client]
) -> None:
    url = "/api/v1/communities/testing/time-budgets/2026-Q4"
    assert client_for(owner).put(url, {"hours": 10}, content_type="application/json").status_code == 403
    assert client_for(owner).get(url).status_code == 403
    client = client_for(sponsor)
    assert client.put(url, {"hours": 60}, content_type="application/json").json() == {
        "community": "testing",
        "quarter": "2026-Q4",
        "hours": 60,
    }
    assert client.get(url).json()["hours"] == 60
    assert client.put(url, {"hours": -1}, content_type="application/json").status_code == 400
    bad_quarter = client.put(
        "/api/v1/communities/testing/time-budgets/2026-Q9", {"hours": 5}, content_type="application/json"
    )
    assert bad_quarter.status_code == 400
    assert TimeBudget.objects.get().hours == 60


def test_a_lead_logs_time_for_attendees_through_the_api(
    testing: Community, private: Community, owner: Person, member: Person, outsider: Person,
    client_for: Callable[[Person], Client],
) -> None:  # fmt: skip
    from practica.communities.events import attendance_record

    event = past_event(testing, days_ago=2)
    attendance_record(actor=owner, event=event, attendee_ids=[member.pk])
    url = f"/api/v1/events/{event.pk}/attendee-time-logs"
    assert client_for(member).post(url, {"hours": "2"}, content_type="application/json").status_code == 403
    response = client_for(owner).post(url, {"hours": "2"}, content_type="application/json")
    assert response.status_code == 201 and response.json() == {"logged": 1}
    hidden = past_event(private, days_ago=2)
    response = client_for(outsider).post(
        f"/api/v1/events/{hidden.pk}/attendee-time-logs", {"hours": "2"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert TimeLog.objects.count() == 1
