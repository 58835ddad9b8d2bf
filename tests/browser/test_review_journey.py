"""The review journey: a team runs a retrospective. The previous review's actions show at the start and
are followed up; items are added (one anonymous), grouped, dot-voted; an insight is written, shared to a
community, and adopted by another team, whose adoption shows in the insight's spread."""

from __future__ import annotations

import re

import pytest

from practica.communities.services import community_create, membership_join
from practica.learning import reviews
from practica.learning.method_library import method_templates_sync
from practica.learning.models import InsightAdoption, MethodTemplate, Review, ReviewPhase
from practica.people.services import team_create, team_membership_set
from tests.browser.conftest import screenshot
from tests.browser.test_knowledge_journey import signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def _previous_retro(owner, member, team) -> None:
    template = MethodTemplate.objects.get(slug="start-stop-continue")
    previous = reviews.review_create(actor=owner, template=template, team=team, title="Sprint 11 retro")
    reviews.review_set_phase(actor=owner, review=previous, phase=ReviewPhase.ACT)
    reviews.action_create(actor=owner, review=previous, title="Cap pull requests at 400 lines", owner=member)
    reviews.action_create(actor=owner, review=previous, title="Quarantine flaky tests", owner=owner)
    reviews.review_set_phase(actor=owner, review=previous, phase=ReviewPhase.CLOSED)


def test_a_team_runs_a_retrospective_and_its_insight_travels(
    browser, live_server, owner, member, make_person
):
    method_templates_sync()  # a transactional test database starts empty of data-migration rows
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    adopter = make_person("adopter", display_name="Ada Adopter")
    membership_join(person=adopter, community=community)
    team_membership_set(person=adopter, team=team_create(name="Search"), manager=None)
    team = owner.team_memberships.get().team
    _previous_retro(owner, member, team)

    with signed_in(browser, live_server, "owner") as page:
        page.goto("/learning/")
        page.get_by_role("link", name="Start a review").first.click()
        page.get_by_label("Held by").select_option(label="Team: Payments")
        page.get_by_label("Method").select_option(label="Start, stop, continue")
        page.get_by_label("Title").fill("Sprint 12 retro")
        page.get_by_role("button", name="Open the review").click()
        page.get_by_role("heading", name="Actions from the previous review").wait_for()
        screenshot(page, "review-follow-up")
        first = page.locator(".follow-up-list li", has_text="Cap pull requests")
        first.get_by_role("button", name="Done").click()
        page.get_by_text("Followed up: Cap pull requests at 400 lines.").wait_for()
        second = page.locator(".follow-up-list li", has_text="Quarantine flaky tests")
        second.get_by_role("button", name="Still open: carry over").click()
        page.get_by_text("1 of 2").wait_for()

        page.get_by_label("Add to “Stop”").fill("Merging on Friday afternoons")
        page.locator("form.add-item", has=page.get_by_label("Add to “Stop”")).get_by_role(
            "button", name="Add"
        ).click()
        page.locator("#items-stop .item", has_text="Merging on Friday afternoons").wait_for()
        assert page.get_by_label("Add to “Stop”").input_value() == ""  # the form resets for the next item
        start_form = page.locator("form.add-item", has=page.get_by_label("Add to “Start”"))
        page.get_by_label("Add to “Start”").fill("Say when a deadline is unrealistic")
        start_form.get_by_label("Anonymous").check()
        start_form.get_by_role("button", name="Add").click()
        page.locator("#items-start .item", has_text="anonymous to others · you wrote this").wait_for()
        review = Review.objects.get(title="Sprint 12 retro")
        reviews.review_item_add(
            actor=member, review=review, section="stop", text="Friday deploys break weekends", anonymous=True
        )
        reviews.review_item_add(actor=member, review=review, section="continue", text="Pairing on migrations")
        page.reload()
        anonymous = page.locator(".item", has_text="Friday deploys break weekends")
        assert "Anonymous" in anonymous.inner_text() and member.display_name not in anonymous.inner_text()
        screenshot(page, "review-collect")

        page.get_by_role("button", name="Move on to grouping").click()
        page.locator("#group-form").wait_for()
        page.locator(".item", has_text="Merging on Friday afternoons").get_by_label(
            "Select for grouping"
        ).check()
        page.locator(".item", has_text="Friday deploys break weekends").get_by_label(
            "Select for grouping"
        ).check()
        page.get_by_label("Group the ticked items as").fill("Friday releases")
        page.get_by_role("button", name="Group", exact=True).click()
        page.get_by_role("heading", name=re.compile("^Friday releases")).wait_for()
        screenshot(page, "review-group")
        # Dragging an item onto a group moves it there; "Take out of the group" moves it back.
        page.locator(".item", has_text="Pairing on migrations").drag_to(
            page.locator(".group", has_text="Friday releases")
        )
        moved = page.locator(".group .item", has_text="Pairing on migrations")
        moved.wait_for()
        moved.get_by_role("button", name="Take out of the group").click()
        page.locator("#items-continue .item", has_text="Pairing on migrations").wait_for()

        page.get_by_role("button", name="Move on to dot-voting").click()
        page.locator("#dots-left").wait_for()
        target = page.locator(".item", has_text="Merging on Friday afternoons")
        target.get_by_role("button", name=re.compile("^Add a dot")).click()
        page.locator("#dots-left strong", has_text="2").wait_for()
        page.locator(".item", has_text="Merging on Friday afternoons").get_by_role(
            "button", name=re.compile("^Add a dot")
        ).click()
        page.locator("#dots-left strong", has_text="1").wait_for()
        page.locator(".item", has_text="Pairing on migrations").get_by_role(
            "button", name=re.compile("^Add a dot")
        ).click()
        page.locator("#dots-left strong", has_text="0").wait_for()
        page.locator(".item", has_text="Pairing on migrations").get_by_role(
            "button", name=re.compile("^Add a dot")
        ).click()
        page.get_by_text("You have used all 3 of your dots").wait_for()
        screenshot(page, "review-vote")

        page.get_by_role("button", name="Move on to insights and actions").click()
        group = page.locator(".group", has_text="Friday releases")
        group.get_by_text("Turn this group into an insight or action").click()
        group.get_by_label("Insight").fill("Releasing on Fridays costs us our weekends")
        group.get_by_role("button", name="Save the insight").click()
        page.get_by_text("Insight saved").wait_for()
        group = page.locator(".group", has_text="Friday releases")
        group.get_by_text("Turn this group into an insight or action").click()
        group.get_by_label("Action").fill("No production releases after Thursday noon")
        group.get_by_label("Owner").select_option(label=member.display_name)
        group.get_by_role("button", name="Agree the action").click()
        page.get_by_text("Action agreed.").wait_for()
        page.locator("#actions", has_text="No production releases after Thursday noon").wait_for()
        screenshot(page, "review-act")
        page.set_viewport_size({"width": 375, "height": 800})
        screenshot(page, "review-act-phone")
        page.set_viewport_size({"width": 1280, "height": 900})

        page.get_by_role("link", name="Releasing on Fridays costs us our weekends").click()
        page.get_by_label("Testing").check()
        page.get_by_role("button", name="Share").click()
        page.get_by_text("Shared to Testing: it shows").wait_for()
        page.goto("/learning/")
        page.locator("#my-actions", has_text="Quarantine flaky tests").wait_for()  # carried over, still mine
        screenshot(page, "review-learning-home")
        page.get_by_role("link", name="Payments", exact=True).click()
        page.locator("#history-follow-through", has_text="50%").wait_for()
        screenshot(page, "review-team-history")

    with signed_in(browser, live_server, "adopter") as page:
        page.goto("/communities/testing/activity/")
        page.get_by_role("heading", name="Insights shared here").wait_for()
        page.goto("/communities/testing/")
        page.get_by_role("link", name="Insights", exact=True).click()
        screenshot(page, "review-community-insights")
        page.get_by_role("link", name="Releasing on Fridays costs us our weekends").click()
        page.get_by_label("How you adopted it").fill("We moved our release train to Tuesdays.")
        page.get_by_role("button", name="Mark adopted").click()
        page.get_by_text("Search adopted this insight.").wait_for()
        assert "adopted by 1 team" in page.locator("#spread-summary").inner_text()
        assert "Testing" in page.locator("#adoptions").inner_text()
        screenshot(page, "review-insight-spread")
    assert InsightAdoption.objects.get().via.community == community
