"""The forecast journey: a member asks a forecast question, forecasts in percent, resolves it, and finds
their Brier score and a drawn calibration curve on their private calibration page (phone width too)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from practica.calibration import forecasts
from practica.calibration.models import Forecast, ForecastQuestion
from practica.communities.services import community_create, membership_join
from tests.browser.conftest import screenshot
from tests.browser.test_knowledge_journey import signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_forecast_then_see_your_calibration_curve(browser, live_server, owner, member, make_person):
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    crowd = [make_person(f"crowd{number}") for number in range(5)]
    for person in crowd:
        membership_join(person=person, community=community)
    with signed_in(browser, live_server, "member") as page:
        page.goto("/communities/testing/")
        page.get_by_role("link", name="Forecasts").click()
        page.get_by_text("No forecast questions yet").wait_for()
        page.get_by_role("link", name="Ask a forecast question").first.click()
        page.get_by_label("Title").fill("Will the new CI ship by Friday?")
        page.get_by_label("Forecasts close at").fill("2099-01-01T12:00")
        page.get_by_role("button", name="Open the question").click()
        page.get_by_text("Hidden until you forecast").wait_for()
        question = ForecastQuestion.objects.get()
        for person, probability in zip(crowd, [0.5, 0.6, 0.7, 0.7, 0.9], strict=True):
            forecasts.forecast_make(person=person, question=question, probability=probability)
        Forecast.objects.update(created_at=timezone.now() - timedelta(minutes=5))  # past the replace window
        page.get_by_label('Your probability of "yes" (%)').fill("80")
        page.get_by_role("button", name="Save my forecast").click()
        page.get_by_text("Your forecast of 80% is saved.").wait_for()
        # The group's figure covers the five earlier forecasters; the member's own is one new person.
        assert "Mean 68%, median 70%" in page.locator("#group-forecast").inner_text()
        screenshot(page, "forecast-question")
        page.get_by_role("radio", name=re.compile("^Yes: it happened")).check()
        page.get_by_role("button", name="Resolve").click()
        page.get_by_text("Resolved: Yes").first.wait_for()
        page.goto("/me/calibration/")
        assert page.locator("#forecast-brier").inner_text() == "0.040"
        page.locator("[data-vega-spec='curve-spec'] svg").first.wait_for()
        screenshot(page, "forecast-calibration")
        page.set_viewport_size({"width": 375, "height": 800})
        screenshot(page, "forecast-calibration-phone")
