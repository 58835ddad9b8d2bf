"""The skills journey: a member finds a skill in the taxonomy, assesses themselves on the Dreyfus levels,
a lead assesses them with a justification, and the member sees the gap and the evidence behind it on
their private calibration page (phone width too); a lead sees the group view refuse a small group."""

from __future__ import annotations

import re

import pytest

from practica.calibration import skills
from practica.communities.services import community_create, membership_join
from tests.browser.conftest import screenshot
from tests.browser.test_knowledge_journey import signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_self_assess_then_see_the_gap_on_your_calibration_page(browser, live_server, owner, member, steward):
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    engineering = skills.skill_create(actor=steward, name="Engineering", description="Building software.")
    automation = skills.skill_create(
        actor=steward, name="Test automation", parent=engineering, description="Suites that stay fast."
    )
    with signed_in(browser, live_server, "member") as page:
        page.get_by_role("link", name="Skills", exact=True).first.click()
        page.get_by_role("heading", name="Skills", exact=True).wait_for()
        screenshot(page, "skills-taxonomy")
        page.get_by_role("link", name="Test automation").click()
        page.locator("#self-assess").get_by_text("Follows rules and recipes").wait_for()
        page.locator("#self-assess").get_by_role("radio", name=re.compile(r"^4 · Proficient")).check()
        page.get_by_role("button", name="Save my self-assessment").click()
        page.get_by_text("Your self-assessment is saved.").wait_for()
        assert page.locator("#self-level").inner_text() == "4 · Proficient"
        screenshot(page, "skills-detail")

    with signed_in(browser, live_server, "owner") as page:
        page.goto(f"/skills/{automation.pk}/")
        page.get_by_label("Colleague's email").fill(member.email)
        page.get_by_role("radio", name="As a lead of their community").check()
        page.locator("#assess-colleague").get_by_role(
            "radio", name=re.compile(r"^2 · Advanced beginner")
        ).check()
        page.get_by_label("Why this level").fill("Needs help choosing what to automate first.")
        page.get_by_role("button", name="Save the assessment").click()
        page.get_by_text("Your assessment of Max Member is saved").wait_for()
        page.goto("/communities/testing/skills/")
        page.get_by_text("Not enough people to show this without identifying someone.").first.wait_for()
        screenshot(page, "skills-community-group-view")

    with signed_in(browser, live_server, "member") as page:
        page.goto("/me/calibration/")
        section = page.locator("#skills")
        assert section.locator("strong.gap").inner_text() == "+2"
        section.get_by_text("Olivia Owner").first.wait_for(state="attached")
        page.locator("[data-vega-spec='gaps-spec'] svg").first.wait_for()
        section.get_by_text("The assessments behind it").click()
        section.get_by_text("Needs help choosing what to automate first.").wait_for()
        screenshot(page, "skills-my-calibration")
        page.set_viewport_size({"width": 375, "height": 800})
        screenshot(page, "skills-my-calibration-phone")
