"""The printable quarterly report: its sections, print stylesheet, charts and access."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from practica.analysis.portfolio import quarter_key
from practica.communities.models import Community
from practica.insights.refresh import refresh_insights
from practica.insights.time_invested import time_log_create
from practica.people.models import Person
from tests.insights.conftest import past_event

pytestmark = pytest.mark.django_db

CSS = Path(__file__).resolve().parents[2] / "src/practica/insights/static/practica/insights/insights.css"


@pytest.fixture
def report_page(
    testing: Community,
    private: Community,
    member: Person,
    client_for: Callable[[Person], Client],
    steward: Person,
) -> str:
    past_event(testing, days_ago=70)
    time_log_create(actor=member, community=testing, hours=2, on=timezone.localdate())
    refresh_insights()
    response = client_for(steward).get("/insights/report/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_report_has_every_section_for_the_current_quarter(report_page: str) -> None:
    quarter = quarter_key(timezone.localdate())
    assert f"report for {quarter}" in report_page
    for heading in (
        "1. Portfolio summary",
        "2. Needs attention",
        "3. What learning produced",
        "4. Time invested",
    ):
        assert heading in report_page
    assert "No event for 70 days (more than 60)." in report_page
    assert "Secret Guild" not in report_page


def test_the_report_draws_its_charts_on_the_server(report_page: str) -> None:
    # SVG prints everywhere without JavaScript; no inline scripts (the Content-Security-Policy forbids them).
    assert report_page.count("<svg") == 2
    assert "<script>" not in report_page and "onclick" not in report_page


def test_the_print_stylesheet_hides_navigation_and_breaks_pages() -> None:
    css = CSS.read_text()
    print_rules = css[css.index("@media print") :]
    assert ".site-header" in print_rules and "display: none" in print_rules
    assert "break-before: page" in print_rules
    assert "break-inside: avoid" in print_rules


def test_a_quarter_without_a_snapshot_says_so(
    report_page: str, client_for: Callable[[Person], Client], steward: Person
) -> None:
    page = client_for(steward).get("/insights/report/?quarter=2019-Q1").content.decode()
    assert "Not computed for 2019-Q1." in page


def test_a_bad_quarter_is_refused(client_for: Callable[[Person], Client], steward: Person) -> None:
    response = client_for(steward).get("/insights/report/?quarter=next")
    assert response.status_code == 400
    assert "Quarter must look like 2026-Q4." in response.content.decode()


def test_members_cannot_print_the_report(
    client_for: Callable[[Person], Client], member: Person, client: Client
) -> None:
    assert client_for(member).get("/insights/report/").status_code == 403
    assert client.get("/insights/report/").status_code == 302
