"""The steward's journey: open the dashboard, compute it, read the portfolio and what needs attention,
follow the learning indicators and time invested, and print the quarterly report."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from practica.analysis.portfolio import quarter_key
from practica.calibration.models import CalibrationRecord, RecordSource
from practica.communities.models import Community, Level, Membership, Role, Stage
from practica.communities.services import community_create, membership_join
from practica.insights.models import TimeBudget
from practica.insights.time_invested import time_log_create
from practica.people.services import team_create, team_membership_set
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_knowledge_journey import signed_in
from tests.insights.conftest import past_event

pytestmark = pytest.mark.django_db(transaction=True)

COMMUNITIES = [
    ("Testing", Stage.STEWARDSHIP, [3, 10, 25, 40]),
    ("Frontend Craft", Stage.MATURING, [7, 21, 35]),
    ("Data & ML", Stage.MATURING, [80]),
    ("Service Design", Stage.COALESCING, []),
    ("Accessibility", Stage.POTENTIAL, [14]),
]


@pytest.fixture
def organisation(owner: Any, steward: Any, make_person: Any, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    departments = [team_create(name=name) for name in ("Engineering Dept", "Design Dept", "Product Dept")]
    people = []
    for number in range(18):
        person = make_person(f"colleague{number}", display_name=f"Colleague {number}")
        team_membership_set(person=person, team=departments[number % 3], manager=None)
        people.append(person)
    today = timezone.localdate()
    for index, (name, stage, event_days) in enumerate(COMMUNITIES):
        community = community_create(actor=owner, name=name)
        Community.objects.filter(pk=community.pk).update(stage=stage)
        members = people[index : index + 8 + index * 2]
        for person in members:
            membership_join(person=person, community=community)
        if name != "Service Design":
            Membership.objects.filter(community=community, person__in=members[:2]).update(level=Level.CORE)
        Membership.objects.filter(community=community, person=members[-1]).update(role=Role.SPONSOR)
        for days in event_days:
            past_event(community, days_ago=days, title=f"{name} meetup")
        for person in members[:6]:
            time_log_create(
                actor=person, community=community, hours=2 + index, on=today - timedelta(days=index)
            )
        TimeBudget.objects.create(community=community, quarter=quarter_key(today), hours=40 + 10 * index)
    for number, person in enumerate(people[:8]):
        CalibrationRecord.objects.create(
            person=person, source=RecordSource.FORECAST, source_id=number, probability=0.7,
            fraction=1.0 if number % 3 else 0.0, mark=0, summary="forecast", resolved_at=timezone.now(),
        )  # fmt: skip


def test_a_steward_reads_the_dashboard_and_prints_the_report(
    browser: Any, live_server: Any, organisation: None
) -> None:
    with signed_in(browser, live_server, "steward") as page:
        page.get_by_role("link", name="Insights").click()
        page.get_by_role("heading", name="The dashboard has not been computed yet").wait_for()
        screenshot(page, "insights-empty")
        page.get_by_role("button", name="Recompute now").click()
        page.get_by_role("link", name="Reload to see the new numbers").click()
        page.get_by_role("heading", name="Portfolio of communities").wait_for()
        assert "Computed just now" in page.locator(".computed").first.inner_text()
        attention = page.locator("#needs-attention").inner_text()
        assert "Service Design" in attention and "No event held yet." in attention
        assert "Data & ML" in attention and re.search(r"No event for 8\d days", attention)
        screenshot(page, "insights-home")

        page.get_by_role("link", name="Open the portfolio").click()
        page.locator("[data-vega-spec='stage-health-spec'] svg").first.wait_for()
        page.locator("[data-vega-spec='levels-spec'] svg").first.wait_for()
        screenshot(page, "insights-portfolio")
        page.get_by_label("Stage", exact=True).select_option("maturing")
        page.get_by_role("button", name="Filter").click()
        rows = page.locator("#portfolio-table tbody tr")
        assert rows.count() == 2
        page.get_by_label("Stage", exact=True).select_option("")
        page.get_by_label("Department", exact=True).select_option(label="Design Dept")
        page.get_by_role("button", name="Filter").click()
        page.locator("#portfolio-table").wait_for()
        screenshot(page, "insights-portfolio-department")

        page.get_by_role("link", name="Learning indicators").click()
        page.get_by_role("heading", name="Forecast calibration of the organisation").wait_for()
        page.locator("[data-vega-spec='indicator-forecast_calibration-spec'] svg").first.wait_for()
        screenshot(page, "insights-indicators")

        page.get_by_role("link", name="Time invested").click()
        page.get_by_role("heading", name="Hours by community against budget").wait_for()
        screenshot(page, "insights-time")

        page.get_by_role("link", name="Quarterly report").click()
        page.get_by_role("heading", name=re.compile("report for")).wait_for()
        page.emulate_media(media="print")
        assert not page.locator(".site-header").is_visible()
        screenshot(page, "insights-report-print")
        ARTIFACTS.mkdir(exist_ok=True)
        page.pdf(path=str(ARTIFACTS / "insights-report.pdf"), format="A4", print_background=True)
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 375, "height": 800})
        page.goto("/insights/portfolio/")
        screenshot(page, "insights-portfolio-phone")


def test_a_member_logs_time_and_sees_their_own_log(
    browser: Any, live_server: Any, organisation: None
) -> None:
    with signed_in(browser, live_server, "owner") as page:
        page.get_by_role("link", name="My time").click()
        page.get_by_role("heading", name="My time on community work").wait_for()
        page.get_by_label("Community", exact=True).select_option(label="Testing")
        page.get_by_label("Hours", exact=True).fill("1.1")
        page.get_by_role("button", name="Log time").click()
        page.get_by_text("Log hours in quarters of an hour").wait_for()
        page.get_by_label("Hours", exact=True).fill("1.5")
        page.get_by_label("What you did").fill("Prepared the mutation-testing kata")
        page.get_by_role("button", name="Log time").click()
        page.get_by_text("Time logged.").wait_for()
        assert "Prepared the mutation-testing kata" in page.locator("#my-time-logs").inner_text()
        screenshot(page, "insights-my-time")
