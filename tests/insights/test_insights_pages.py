"""The dashboard pages: who may open them, what they show, the recompute button, query counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practica.analysis.portfolio import quarter_key
from practica.communities.models import Community
from practica.communities.services import community_create
from practica.insights.models import InsightRefresh, RefreshStatus, TimeBudget, TimeLog
from practica.insights.refresh import refresh_insights
from practica.insights.time_invested import time_log_create
from practica.people.models import Person
from tests.insights.conftest import past_event

pytestmark = pytest.mark.django_db

DASHBOARD = [
    "/insights/",
    "/insights/portfolio/",
    "/insights/portfolio.csv",
    "/insights/indicators/",
    "/insights/time/",
    "/insights/report/",
]


@pytest.fixture
def computed(testing: Community, private: Community) -> None:
    past_event(testing, days_ago=3, title="Mutation testing kata")
    refresh_insights()


@pytest.mark.parametrize("url", DASHBOARD)
def test_stewards_and_admins_open_every_dashboard_page(
    computed: None, client_for: Callable[[Person], Client], steward: Person, admin: Person, url: str
) -> None:
    for person in (steward, admin):
        assert client_for(person).get(url).status_code == 200


@pytest.mark.parametrize("url", [*DASHBOARD, "/insights/refresh/"])
def test_members_and_outsiders_are_refused(
    computed: None,
    client_for: Callable[[Person], Client],
    member: Person,
    outsider: Person,
    owner: Person,
    url: str,
) -> None:
    for person in (member, outsider, owner):
        client = client_for(person)
        response = client.post(url) if url.endswith("refresh/") else client.get(url)
        assert response.status_code == 403
    assert not InsightRefresh.objects.exists()


@pytest.mark.parametrize("url", [*DASHBOARD, "/me/time/", "/me/budgets/"])
def test_signed_out_visitors_are_sent_to_sign_in(computed: None, client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_refresh_status_fragment_is_for_stewards_only(
    steward: Person, member: Person, client_for: Callable[[Person], Client]
) -> None:
    refresh = InsightRefresh.objects.create(requested_by=steward)
    assert client_for(member).get(f"/insights/refresh/{refresh.pk}/").status_code == 403
    assert client_for(steward).get(f"/insights/refresh/{refresh.pk}/").status_code == 200
    assert client_for(steward).get("/insights/refresh/999999/").status_code == 404


def test_the_nav_shows_insights_to_stewards_only(
    computed: None, client_for: Callable[[Person], Client], steward: Person, member: Person
) -> None:
    assert 'href="/insights/"' in client_for(steward).get("/communities/").content.decode()
    page = client_for(member).get("/communities/").content.decode()
    assert 'href="/insights/"' not in page
    assert 'href="/me/time/"' in page


def test_before_any_refresh_the_dashboard_says_so_and_offers_to_compute(
    testing: Community, client_for: Callable[[Person], Client], steward: Person
) -> None:
    for url in ("/insights/", "/insights/portfolio/", "/insights/indicators/", "/insights/time/"):
        page = client_for(steward).get(url).content.decode()
        assert "not been computed yet" in page
        assert "Recompute now" in page
    assert client_for(steward).get("/insights/portfolio.csv").status_code == 404


def test_the_home_page_does_not_read_the_numbers_of_other_modules_panels(
    testing: Community, client_for: Callable[[Person], Client], steward: Person
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from practica.insights.models import InsightSnapshot

    InsightSnapshot.objects.create(kind="network", data={"huge": "x" * 1000})
    with CaptureQueriesContext(connection) as captured:
        client_for(steward).get("/insights/")
    lean = [
        query["sql"] for query in captured if "insightsnapshot" in query["sql"] and "network" in query["sql"]
    ]
    assert lean and all('"data"' not in sql.split("FROM")[0] for sql in lean)


def test_the_home_page_shows_the_portfolio_attention_and_when_it_was_computed(
    testing: Community, client_for: Callable[[Person], Client], steward: Person
) -> None:
    refresh_insights()
    page = client_for(steward).get("/insights/").content.decode()
    assert "just now</time> (took " in page
    assert 'id="needs-attention"' in page
    assert "No event held yet." in page  # Testing never met
    assert "What learning produced" in page


def test_private_communities_appear_nowhere_on_the_dashboard(
    computed: None, client_for: Callable[[Person], Client], steward: Person
) -> None:
    client = client_for(steward)
    for url in DASHBOARD:
        assert "Secret Guild" not in client.get(url).content.decode()


def test_the_portfolio_filters_by_stage_and_exports_the_same_rows(
    computed: None, owner: Person, client_for: Callable[[Person], Client], steward: Person
) -> None:
    client = client_for(steward)
    page = client.get("/insights/portfolio/?stage=potential").content.decode()
    assert 'id="community-testing"' in page
    assert "Mutation testing kata" not in page
    assert client.get("/insights/portfolio/?stage=maturing").content.decode().count('id="community-') == 0
    csv_text = client.get("/insights/portfolio.csv?stage=potential").content.decode()
    assert csv_text.splitlines()[1].startswith("Testing,Potential,")
    assert len(client.get("/insights/portfolio.csv?stage=maturing").content.decode().splitlines()) == 1


def test_a_bad_filter_is_shown_next_to_the_field(
    computed: None, client_for: Callable[[Person], Client], steward: Person
) -> None:
    response = client_for(steward).get("/insights/portfolio/?health=splendid")
    assert response.status_code == 400
    assert "Unknown health status" in response.content.decode()
    assert client_for(steward).get("/insights/portfolio.csv?health=splendid").status_code == 400


def test_recompute_now_queues_the_task_and_shows_progress(
    testing: Community, client_for: Callable[[Person], Client], steward: Person
) -> None:
    client = client_for(steward)
    response = client.post("/insights/refresh/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert InsightRefresh.objects.get().status == RefreshStatus.DONE
    assert "Reload to see the new numbers" in response.content.decode()
    response = client.post("/insights/refresh/")
    assert response.status_code == 302


def test_a_pending_refresh_polls_until_done(
    testing: Community, client_for: Callable[[Person], Client], steward: Person, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = client_for(steward)
    fragment = client.post("/insights/refresh/", headers={"HX-Request": "true"}).content.decode()
    refresh = InsightRefresh.objects.get()
    assert f'hx-get="/insights/refresh/{refresh.pk}/"' in fragment
    assert 'hx-trigger="every 2s"' in fragment
    from practica.insights.refresh import execute_refresh

    execute_refresh(refresh.pk)
    done = client.get(f"/insights/refresh/{refresh.pk}/").content.decode()
    assert "hx-trigger" not in done


def test_the_indicators_page_shows_every_definition_and_no_data_honestly(
    computed: None, client_for: Callable[[Person], Client], steward: Person
) -> None:
    page = client_for(steward).get("/insights/indicators/").content.decode()
    assert page.count("Definition:") == 6
    assert "No data yet" in page


def test_the_time_page_shows_hours_against_budget_and_refuses_bad_quarters(
    testing: Community,
    member: Person,
    sponsor: Person,
    client_for: Callable[[Person], Client],
    steward: Person,
) -> None:
    quarter = quarter_key(timezone.localdate())
    time_log_create(actor=member, community=testing, hours=3, on=timezone.localdate())
    TimeBudget.objects.create(community=testing, quarter=quarter, hours=12, set_by=sponsor)
    refresh_insights()
    page = client_for(steward).get(f"/insights/time/?quarter={quarter}").content.decode()
    assert "<svg" in page and "3 h of 12" in page
    assert "25%" in page
    response = client_for(steward).get("/insights/time/?quarter=someday")
    assert "Quarter must look like 2026-Q4." in response.content.decode()


# Many communities: the pages read a constant number of queries -------------------------------------


@pytest.fixture
def many_communities(owner: Person) -> None:
    for number in range(25):
        community = community_create(actor=owner, name=f"Community {number}")
        past_event(community, days_ago=number * 5 + 1)
    refresh_insights()


@pytest.mark.parametrize(
    "url",
    [
        "/insights/",
        "/insights/portfolio/",
        "/insights/portfolio/?stage=potential",
        "/insights/portfolio.csv",
        "/insights/indicators/",
        "/insights/time/",
        "/insights/report/",
    ],
)
def test_dashboard_pages_read_a_constant_number_of_queries(
    many_communities: None,
    client_for: Callable[[Person], Client],
    steward: Person,
    django_assert_max_num_queries: Any,
    url: str,
) -> None:
    client = client_for(steward)
    # session, user, person, the snapshots (a second query reads the network and skills panels without
    # their numbers), the latest refresh request.
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200


# Time log and budgets: every member ------------------------------------------------------------------


def test_a_member_logs_time_on_the_page_and_sees_only_their_own(
    testing: Community, member: Person, owner: Person, client_for: Callable[[Person], Client]
) -> None:
    time_log_create(
        actor=owner, community=testing, hours=5, on=timezone.localdate(), note="Owner's secret work"
    )
    client = client_for(member)
    response = client.post(
        "/me/time/",
        {
            "community": testing.pk,
            "on": timezone.localdate().isoformat(),
            "hours": "1.5",
            "note": "Kata prep",
        },
    )
    assert response.status_code == 302
    page = client.get("/me/time/").content.decode()
    assert "Kata prep" in page
    assert "Owner&#x27;s secret work" not in page and "Owner's secret work" not in page


def test_a_bad_time_log_keeps_the_input_and_says_what_is_wrong(
    testing: Community, member: Person, client_for: Callable[[Person], Client]
) -> None:
    response = client_for(member).post(
        "/me/time/",
        {"community": testing.pk, "on": timezone.localdate().isoformat(), "hours": "1.1", "note": "x"},
    )
    assert response.status_code == 400
    assert "quarters of an hour" in response.content.decode()
    assert not TimeLog.objects.exists()


def test_an_outsider_cannot_log_time_for_a_community_they_are_not_in(
    testing: Community, outsider: Person, client_for: Callable[[Person], Client]
) -> None:
    page = client_for(outsider).get("/me/time/").content.decode()
    assert "Find a community to join" in page
    response = client_for(outsider).post(
        "/me/time/", {"community": testing.pk, "on": timezone.localdate().isoformat(), "hours": "1"}
    )
    assert response.status_code == 400
    assert not TimeLog.objects.exists()


def test_nobody_deletes_someone_elses_log(
    testing: Community, member: Person, owner: Person, client_for: Callable[[Person], Client]
) -> None:
    log = time_log_create(actor=member, community=testing, hours=1, on=timezone.localdate())
    client_for(owner).post(f"/me/time/{log.pk}/delete/")
    assert TimeLog.objects.filter(pk=log.pk).exists()
    client_for(member).post(f"/me/time/{log.pk}/delete/")
    assert not TimeLog.objects.filter(pk=log.pk).exists()


def test_a_sponsor_sets_a_budget_on_the_page(
    testing: Community, sponsor: Person, client_for: Callable[[Person], Client]
) -> None:
    client = client_for(sponsor)
    page = client.get("/me/budgets/").content.decode()
    assert "Hours for Testing" in page
    response = client.post(
        "/me/budgets/?quarter=2026-Q4",
        {"community": testing.pk, "quarter": "2026-Q4", f"c{testing.pk}-hours": "40"},
    )
    assert response.status_code == 302
    assert TimeBudget.objects.get().hours == 40
    bad = client.post(
        "/me/budgets/", {"community": testing.pk, "quarter": "2026-Q4", f"c{testing.pk}-hours": "-3"}
    )
    assert bad.status_code == 400
    assert TimeBudget.objects.get().hours == 40


def test_a_lead_who_is_not_a_sponsor_cannot_set_a_budget(
    testing: Community, owner: Person, client_for: Callable[[Person], Client]
) -> None:
    client = client_for(owner)
    assert "You do not sponsor a community" in client.get("/me/budgets/").content.decode()
    response = client.post(
        "/me/budgets/", {"community": testing.pk, "quarter": "2026-Q4", f"c{testing.pk}-hours": "9"}
    )
    assert response.status_code == 403
    assert not TimeBudget.objects.exists()


def test_a_lead_logs_an_event_for_its_attendees_on_the_page(
    testing: Community,
    owner: Person,
    member: Person,
    outsider: Person,
    client_for: Callable[[Person], Client],
) -> None:
    from practica.communities.events import attendance_record

    event = past_event(testing, days_ago=2, title="Kata night")
    attendance_record(actor=owner, event=event, attendee_ids=[member.pk])
    client = client_for(owner)
    assert "log an event for everyone who came" in client.get("/me/time/").content.decode()
    assert "log an event for everyone who came" not in client_for(member).get("/me/time/").content.decode()
    client_for(outsider).post("/me/time/event/", {"event": event.pk, "hours": "2"})
    assert not TimeLog.objects.exists()
    response = client.post("/me/time/event/", {"event": event.pk, "hours": "2"}, follow=True)
    assert "Logged 2 h for 1 attendee(s)." in response.content.decode()
    assert "(logged by a lead)" in client_for(member).get("/me/time/").content.decode()
