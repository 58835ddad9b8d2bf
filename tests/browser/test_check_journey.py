"""The knowledge-check journey: a member estimates their score, answers each item with a certainty (saved
without reloading the page), submits and reads their private report with its chart; the lead sees the
refusal while too few people took the check, and the Dunning-Kruger group view once enough have."""

from __future__ import annotations

import re

import pytest

from practica.calibration import checks
from practica.communities.services import community_create, membership_join
from tests.browser.conftest import screenshot
from tests.browser.test_knowledge_journey import signed_in
from tests.calibration.check_fixtures import ITEMS, group_takes

pytestmark = pytest.mark.django_db(transaction=True)


def _published_check(owner, community):
    check = checks.check_create(actor=owner, community=community, title="Testing fundamentals")
    for fields in ITEMS:
        checks.item_create(actor=owner, check=check, **fields)
    return checks.check_set_status(actor=owner, check=check, status="published")


def test_take_a_check_read_the_report_and_the_leads_group_view(
    browser, live_server, owner, member, make_person
):
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    check = _published_check(owner, community)
    with signed_in(browser, live_server, "member") as page:
        page.goto("/communities/testing/")
        page.get_by_role("link", name="Checks", exact=True).click()
        page.get_by_role("link", name="Testing fundamentals").click()
        page.get_by_label(re.compile("what share of the items do you expect to get right")).fill("80")
        page.get_by_role("button", name="Start the check").click()
        page.get_by_text("Choose High only if you are more than 4 in 5 sure").first.wait_for()
        items = page.locator("form.check-item")
        assert items.count() == 4
        # item 1: Spy (right) at high; item 2: Fast only (half credit) at mid
        items.nth(0).get_by_label("Spy").check()
        items.nth(0).get_by_label(re.compile("^High")).check()
        items.nth(0).get_by_text("Saved with high certainty.").wait_for()
        items.nth(1).get_by_label("Fast").check()
        items.nth(1).get_by_label(re.compile("^Mid")).check()
        items.nth(1).get_by_text("Saved with mid certainty.").wait_for()
        # item 3: True (wrong) at high; item 4 left unanswered
        items.nth(2).get_by_label("True", exact=True).check()
        items.nth(2).get_by_label(re.compile("^High")).check()
        items.nth(2).get_by_text("Saved with high certainty.").wait_for()
        assert page.locator("#answered-count").inner_text() == "3"
        screenshot(page, "check-take")
        page.set_viewport_size({"width": 375, "height": 800})
        screenshot(page, "check-take-phone")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.get_by_role("button", name="Submit my answers").click()
        page.get_by_role("heading", name=re.compile("^Your report")).wait_for()
        # credit 1 + 0.5 + 0 + 0 over 4 items; marks 3 + 1 - 6 + 0
        assert page.locator("#report-accuracy").inner_text() == "38%"
        assert page.locator("#report-mark").inner_text() == "-0.50"
        assert (
            "At high certainty you were right 50% of the time (2 answers)"
            in page.locator("#level-3").inner_text()
        )
        assert (
            "over-estimated yourself by 42 percentage points"
            in page.locator("#estimate-sentence").inner_text()
        )
        page.locator("#confidently-wrong").get_by_role("link").first.wait_for()
        page.get_by_text("Coverage shows what ran, not that it is right.").wait_for()
        page.locator("[data-vega-spec='certainty-spec'] svg").first.wait_for()
        screenshot(page, "check-report")
        page.set_viewport_size({"width": 375, "height": 800})
        screenshot(page, "check-report-phone")

    with signed_in(browser, live_server, "owner") as page:
        page.goto(f"/communities/testing/checks/{check.pk}/")
        page.get_by_role("link", name="Group results").click()
        page.locator("#group-withheld").get_by_text("Not enough people to show this").wait_for()
        assert "1 so far" in page.locator("#statistics-withheld").inner_text()
        screenshot(page, "check-results-withheld")
        people = [make_person(f"taker{i}", display_name=f"Tess Taker {i}") for i in range(24)]
        for person in people:
            membership_join(person=person, community=community)
        group_takes(people, check, 24)
        page.reload()
        page.locator("#item-statistics").wait_for()
        page.locator("#quartile-table").wait_for()
        page.locator("[data-vega-spec='quartile-spec'] svg").first.wait_for()
        assert "Verdict:" in page.locator("#verdict").inner_text()
        assert "Tess Taker" not in page.content()
        assert "Max Member" not in page.content()
        screenshot(page, "check-results-group")

        # Authoring: a draft check, an item refused next to its field, then saved.
        page.goto("/communities/testing/checks/")
        page.get_by_role("link", name="Write a knowledge check").click()
        page.get_by_label("Title").fill("SQL and indexing")
        page.get_by_role("button", name="Save the draft").click()
        page.get_by_text("Your draft check is saved.").wait_for()
        page.get_by_role("link", name="Add an item").click()
        page.get_by_label("Kind of item").select_option("single")
        assert page.get_by_label("Correct number (number items)").is_hidden()
        page.get_by_label("Question").fill("Which index type serves range queries?")
        page.get_by_label("Options (single choice and multiple select)").fill("B-tree\nHash")
        page.get_by_label("Correct option number(s)").fill("3")
        page.get_by_role("button", name="Save the item").click()
        page.get_by_text("The correct answer must be one of the 2 options.").wait_for()
        screenshot(page, "check-item-refused")
        page.get_by_label("Correct option number(s)").fill("1")
        page.get_by_role("button", name="Save the item").click()
        page.get_by_text("The item is saved.").wait_for()
        page.get_by_role("button", name="Publish the check").click()
        page.get_by_text("The check is published").wait_for()
        screenshot(page, "check-edit")
