"""The experiment journey: a lead writes a test card in a community, several members predict before it
starts (the group stays hidden until you predict), the lead starts and concludes it as won, and a
predictor sees how well they and the group predicted, and the scored record on /me/calibration/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from practica.communities.services import community_create, membership_join
from practica.learning import experiments
from practica.learning.models import AlignmentPulse, Experiment
from tests.browser.conftest import screenshot
from tests.browser.test_knowledge_journey import signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_pre_register_predict_conclude_and_see_how_well_you_predicted(
    browser, live_server, owner, member, make_person
):
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    crowd = [make_person(f"crowd{n}", display_name=f"Crowd {n}") for n in range(4)]
    for person in crowd:
        membership_join(person=person, community=community)

    with signed_in(browser, live_server, "owner") as page:
        page.goto("/communities/testing/")
        page.get_by_role("link", name="Experiments").click()
        page.get_by_text("No experiments yet").wait_for()
        page.get_by_role("link", name="Write a test card").first.click()
        page.get_by_label("Title").fill("Lightning talks at the meetup")
        page.get_by_label("We believe that").fill(
            "Three 10-minute talks bring more people than one long talk."
        )
        page.get_by_label("To verify that, we will").fill("Run the next three meetups with lightning talks.")
        page.get_by_label("And measure").fill("People present")
        page.get_by_label("We are right if").fill("More than the average of the last three meetups (14)")
        page.get_by_role("button", name="Create the experiment").click()
        page.get_by_text("The test card is written").wait_for()
        page.locator("#group-hidden").wait_for()
        page.get_by_label("Your probability that it succeeds (%)").fill("70")
        page.get_by_role("button", name="Save my prediction").click()
        page.get_by_text("Your prediction of 70% is saved").wait_for()
        experiment_url = page.url

    experiment = Experiment.objects.get()
    for person, probability in zip(crowd, [0.6, 0.3, 0.55, 0.8], strict=True):
        experiments.experiment_predict(person=person, experiment=experiment, probability=probability)

    with signed_in(browser, live_server, "member") as page:
        page.goto(experiment_url)
        page.locator("#group-hidden").wait_for()
        screenshot(page, "experiment-before-predicting")
        page.get_by_label("Your probability that it succeeds (%)").fill("90")
        page.get_by_role("button", name="Save my prediction").click()
        page.get_by_text("Your prediction of 90% is saved").wait_for()
        page.locator("#group-hidden").wait_for()  # until predictions close, whoever predicted
        screenshot(page, "experiment-after-predicting")

    with signed_in(browser, live_server, "owner") as page:
        page.goto(experiment_url)
        page.get_by_role("button", name="Start the experiment").click()
        page.get_by_text("predictions are closed").wait_for()
        page.get_by_role("button", name="Conclude").click()  # nothing chosen: refused, nothing changed
        page.get_by_text("Choose the result").wait_for()
        page.get_by_role("radio", name=re.compile("^Won")).check()
        page.get_by_label("Result data").fill("18, 21 and 17 people came: mean 18.7 against 14 before.")
        page.get_by_label("We learned that (learning card)").fill(
            "Short slots lower the bar for first-time speakers."
        )
        page.get_by_label("Therefore we will").select_option("persevere")
        page.get_by_role("button", name="Conclude").click()
        page.get_by_text("The experiment is concluded").wait_for()
        page.goto("/communities/testing/experiments/")
        page.locator("#col-concluded").wait_for()
        screenshot(page, "experiment-board")
        page.get_by_role("link", name="Learnings").click()
        page.get_by_text("Short slots lower the bar").wait_for()
        screenshot(page, "experiment-learnings")

    with signed_in(browser, live_server, "member") as page:
        page.goto(experiment_url)
        assert page.locator("#my-brier").inner_text() == "0.010"
        page.locator("#group-brier").wait_for()
        page.locator("[data-vega-spec='predictions-spec'] svg").first.wait_for()
        assert "Crowd" not in page.locator("main").inner_text()
        screenshot(page, "experiment-concluded")
        page.goto("/me/calibration/")
        page.get_by_text("Experiment: Lightning talks at the meetup").first.wait_for()
        screenshot(page, "experiment-calibration")


def test_assumption_vision_and_goal_pages_look_right(
    browser, live_server, owner, member, steward, team, make_person
):
    from practica.learning import assumptions, goals, vision
    from practica.learning.mind_selectors import community_scope, organisation_scope

    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    crowd = [make_person(f"crowd{n}", display_name=f"Crowd {n}") for n in range(4)]
    for person in crowd:
        membership_join(person=person, community=community)
    belief = assumptions.assumption_create(
        actor=owner, statement="Pairing halves onboarding time", scope="team", team=team, confidence=0.6
    )
    assumptions.assumption_evidence_add(
        actor=owner,
        assumption=belief,
        direction="for",
        summary="Two cohorts",
        url="https://wiki.example.org/x",
    )
    scope = lambda person: community_scope(person, community.slug)  # noqa: E731
    first = vision.vision_draft_propose(
        actor=owner, scope=scope(owner), text="Anyone who tests software learns here."
    )
    vision.vision_draft_adopt(actor=owner, scope=scope(owner), draft=first)
    second = vision.vision_draft_propose(
        actor=member,
        scope=scope(member),
        text="Anyone who tests software learns here, and teaches.",
        note="Teaching",
    )
    vision.vision_comment_add(actor=owner, scope=scope(owner), draft=second, text="Yes.")
    for person, score in zip([owner, member, *crowd], [4, 5, 3, 4, 2, 4], strict=True):
        vision.vision_pulse_give(
            person=person, scope=scope(person), score=score, comment="I see it" if score > 3 else ""
        )
    # Pulse results move a month at a time (core.privacy.release_cutoff): these were last month's.
    AlignmentPulse.objects.update(created_at=timezone.now() - timedelta(days=40))
    vision.vision_draft_propose(actor=member, scope=organisation_scope(member), text="We learn in the open.")
    goal = goals.goal_create(
        actor=member,
        title="Facilitate a retrospective",
        vision="Calm, useful retros.",
        current_reality="None yet.",
    )
    goals.milestone_add(actor=member, goal=goal, title="Co-facilitate one")
    goals.goal_share(actor=member, goal=goal, person=owner)
    goals.check_in_add(actor=owner, goal=goal, note="Let silences run.")

    with signed_in(browser, live_server, "owner") as page:
        page.goto(f"/learning/assumptions/{belief.pk}/")
        page.get_by_label("Status").select_option("supported")
        page.get_by_label("Confidence (%)").fill("75")
        page.get_by_role("button", name="Record the change").click()
        page.get_by_text("a note").first.wait_for()  # refused: no note
        page.get_by_label("What changed my mind").fill("Two cohorts onboarded in half the time.")
        page.get_by_role("button", name="Record the change").click()
        page.locator("#timeline").wait_for()
        screenshot(page, "assumption-detail")
        page.goto("/learning/assumptions/")
        page.locator("#assumptions").wait_for()
        screenshot(page, "assumption-register")
        page.goto("/communities/testing/vision/")
        page.locator("#pulse-mean").wait_for()
        screenshot(page, "vision-community")
    with signed_in(browser, live_server, "member") as page:
        page.goto(f"/learning/goals/{goal.pk}/")
        page.get_by_text("Let silences run.").wait_for()
        screenshot(page, "goal-detail")
        page.goto("/learning/")
        page.locator("#mind-panels").wait_for()
        screenshot(page, "learning-home-mind")
