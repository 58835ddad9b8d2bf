"""The experiment, assumption, vision and goal pages: allowed people, outsiders (signed out, signed in,
private communities), bad input with nothing changed, and query counts pinned on list pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.calibration.models import CalibrationRecord
from practica.learning import assumptions, experiments, goals, vision
from practica.learning.mind_selectors import community_scope, organisation_scope
from practica.learning.models import (
    AlignmentPulse,
    Assumption,
    AssumptionChange,
    Experiment,
    ExperimentPrediction,
    ExperimentStatus,
    LearningGoal,
    Vision,
    VisionDraft,
)
from tests.learning.helpers import make_experiment

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def started(owner, experiment):
    return experiments.experiment_start(actor=owner, experiment=experiment)


# Experiments --------------------------------------------------------------------------------------


def test_the_community_board_and_tab(client_for, owner, testing):
    make_experiment(owner, community=testing)
    response = client_for(owner).get(f"/communities/{testing.slug}/experiments/")
    assert response.status_code == 200
    body = text(response)
    assert "Pairing onboarding" in body and 'aria-current="page">Experiments' in body
    assert "Write a test card" in body


def test_the_empty_board_says_what_to_do(client_for, owner, team):
    body = text(client_for(owner).get(f"/learning/teams/{team.slug}/experiments/"))
    assert "No experiments yet" in body and "write the first test card" in body


def test_signed_out_people_are_sent_to_sign_in(client, owner, team, testing):
    experiment = make_experiment(owner, team=team)
    for url in (
        f"/learning/teams/{team.slug}/experiments/",
        f"/communities/{testing.slug}/experiments/",
        f"/learning/experiments/{experiment.pk}/",
        "/learning/learnings/",
        "/learning/assumptions/",
        "/learning/vision/",
        f"/communities/{testing.slug}/vision/",
        "/learning/goals/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/signin/" in response["Location"], url


def test_private_community_pages_are_404_for_outsiders(client_for, owner, outsider, steward, private):
    experiment = make_experiment(owner, community=private)
    draft = vision.vision_draft_propose(actor=owner, scope=community_scope(owner, private.slug), text="Ours")
    for person in (outsider, steward):
        client = client_for(person)
        for url in (
            f"/communities/{private.slug}/experiments/",
            f"/communities/{private.slug}/experiments/new/",
            f"/learning/experiments/{experiment.pk}/",
            f"/communities/{private.slug}/vision/",
            f"/communities/{private.slug}/vision/history/",
        ):
            assert client.get(url).status_code == 404, url
        assert (
            client.post(f"/learning/experiments/{experiment.pk}/predict/", {"probability": "50"}).status_code
            == 404
        )
        assert (
            client.post(f"/communities/{private.slug}/vision/drafts/", {"text": "Ours now"}).status_code
            == 404
        )
        assert client.post(f"/learning/vision/drafts/{draft.pk}/comment/", {"text": "hi"}).status_code == 404
        assert client.post(f"/learning/vision/drafts/{draft.pk}/adopt/").status_code == 404
    assert not ExperimentPrediction.objects.exists() and VisionDraft.objects.get() == draft
    draft.refresh_from_db()
    assert draft.comments.count() == 0 and draft.status == "draft"


def test_creating_an_experiment_through_the_page(client_for, owner, team):
    client = client_for(owner)
    response = client.post(
        f"/learning/teams/{team.slug}/experiments/new/",
        {
            "title": "T",
            "hypothesis": "H",
            "method": "M",
            "metric": "Days",
            "success_criterion": "< 5",
            "planned_days": "7",
        },
    )
    experiment = Experiment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/learning/experiments/{experiment.pk}/"
    bad = client.post(f"/learning/teams/{team.slug}/experiments/new/", {"title": "T"})
    assert bad.status_code == 400 and Experiment.objects.count() == 1


def test_an_outsider_cannot_open_the_new_card_form(client_for, outsider, team):
    assert client_for(outsider).get(f"/learning/teams/{team.slug}/experiments/new/").status_code == 403


def test_the_group_shows_once_the_experiment_starts_and_100_is_warned_about(client_for, owner, member, team):
    experiment = make_experiment(owner, team=team)
    experiments.experiment_predict(person=owner, experiment=experiment, probability=0.5)
    client = client_for(member)
    hidden = "The group's predictions appear when the experiment starts"
    assert hidden in text(client.get(f"/learning/experiments/{experiment.pk}/"))
    response = client.post(
        f"/learning/experiments/{experiment.pk}/predict/", {"probability": "100"}, follow=True
    )
    body = text(response)
    assert "Your prediction of 100% is saved" in body and "worst" in body
    assert hidden in body
    experiments.experiment_start(actor=owner, experiment=experiment)
    started = text(client.get(f"/learning/experiments/{experiment.pk}/"))
    assert hidden not in started and "Not enough people to show this" in started


@pytest.mark.parametrize("value", ["-1", "101", "lots", ""])
def test_a_bad_probability_is_refused_next_to_the_field(client_for, owner, team, value):
    experiment = make_experiment(owner, team=team)
    response = client_for(owner).post(
        f"/learning/experiments/{experiment.pk}/predict/", {"probability": value}
    )
    assert response.status_code == 400 and "from 0 to 100" in text(response)
    assert not ExperimentPrediction.objects.exists()


def test_a_non_participant_and_a_late_predictor_are_refused(client_for, owner, outsider, member, team):
    experiment = make_experiment(owner, team=team)
    response = client_for(outsider).post(
        f"/learning/experiments/{experiment.pk}/predict/", {"probability": "50"}, follow=True
    )
    assert "Only members" in text(response)
    started(owner, experiment)
    response = client_for(member).post(
        f"/learning/experiments/{experiment.pk}/predict/", {"probability": "50"}, follow=True
    )
    assert "Predictions closed" in text(response)
    assert not ExperimentPrediction.objects.exists()


def test_concluding_without_result_or_data_is_refused_on_the_page(client_for, owner, team):
    experiment = started(owner, make_experiment(owner, team=team))
    client = client_for(owner)
    for data, message in (
        ({"result_data": "numbers"}, "Choose the result"),
        ({"result": "won"}, "result data"),
    ):
        response = client.post(f"/learning/experiments/{experiment.pk}/conclude/", data)
        assert response.status_code == 400 and message in text(response)
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.RUNNING


def test_concluding_shows_how_well_everyone_predicted(client_for, owner, member, team, crowd):
    experiment = make_experiment(owner, team=team)
    for person, p in zip([owner, member, *crowd[:4]], [0.9, 0.8, 0.7, 0.2, 0.6, 0.5], strict=True):
        experiments.experiment_predict(person=person, experiment=experiment, probability=p)
    started(owner, experiment)
    response = client_for(owner).post(
        f"/learning/experiments/{experiment.pk}/conclude/",
        {
            "result": "won",
            "result_data": "Median 4 days",
            "learning": "Buddies help",
            "decision": "persevere",
        },
        follow=True,
    )
    body = text(response)
    assert "How well the group predicted" in body and 'id="my-brier">0.010' in body
    assert 'data-vega-spec="predictions-spec"' in body
    assert "Max Member" not in body and "Crowd Person" not in body  # no one else's name with a prediction
    assert CalibrationRecord.objects.count() == 6
    calibration = text(client_for(member).get("/me/calibration/"))
    assert "Experiment: Pairing onboarding" in calibration


def test_only_runners_see_and_use_start(client_for, owner, member, testing):
    experiment = make_experiment(owner, community=testing)
    assert "Start the experiment" not in text(
        client_for(member).get(f"/learning/experiments/{experiment.pk}/")
    )
    response = client_for(member).post(f"/learning/experiments/{experiment.pk}/start/", follow=True)
    assert "Only the experiment&#x27;s owner" in text(response)
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.PLANNED


def test_the_board_and_learnings_pin_their_queries(client_for, owner, team, django_assert_max_num_queries):
    client = client_for(owner)
    for count in (2, 8):
        while Experiment.objects.count() < count:
            e = make_experiment(owner, team=team, title=f"E{Experiment.objects.count()}")
            started(owner, e)
            experiments.experiment_conclude(actor=owner, experiment=e, result="lost", result_data="d")
        with django_assert_max_num_queries(12):
            assert client.get(f"/learning/teams/{team.slug}/experiments/").status_code == 200
        with django_assert_max_num_queries(12):
            assert client.get("/learning/learnings/?result=lost").status_code == 200


# Assumptions --------------------------------------------------------------------------------------


def test_the_register_shows_what_you_may_see(client_for, owner, outsider, team, private):
    assumptions.assumption_create(
        actor=owner, statement="Team belief", scope="team", team=team, confidence=0.5
    )
    secret = assumptions.assumption_create(
        actor=owner, statement="Secret belief", scope="community", community=private, confidence=0.5
    )
    assert "Team belief" in text(client_for(owner).get("/learning/assumptions/"))
    body = text(client_for(outsider).get("/learning/assumptions/"))
    assert "Team belief" not in body and "Secret belief" not in body and "The register is empty" in body
    assert client_for(outsider).get(f"/learning/assumptions/{secret.pk}/").status_code == 404


def test_changing_without_a_note_is_refused_on_the_page(client_for, owner, team):
    belief = assumptions.assumption_create(
        actor=owner, statement="B", scope="team", team=team, confidence=0.6
    )
    client = client_for(owner)
    response = client.post(
        f"/learning/assumptions/{belief.pk}/change/", {"status": "supported", "confidence": "75", "note": ""}
    )
    assert response.status_code == 400 and "what changed your mind" in text(response)
    assert not AssumptionChange.objects.exists()
    response = client.post(
        f"/learning/assumptions/{belief.pk}/change/",
        {"status": "supported", "confidence": "75", "note": "Data"},
        follow=True,
    )
    assert 'id="timeline"' in text(response) and "Data" in text(response)


def test_outsiders_cannot_change_an_organisation_assumption(client_for, owner, outsider):
    belief = assumptions.assumption_create(actor=owner, statement="B", scope="organisation", confidence=0.6)
    response = client_for(outsider).post(
        f"/learning/assumptions/{belief.pk}/change/", {"status": "refuted", "confidence": "10", "note": "no"}
    )
    assert response.status_code == 403
    belief.refresh_from_db()
    assert belief.status == "untested"


def test_registering_through_the_page(client_for, owner, team):
    client = client_for(owner)
    response = client.post(
        "/learning/assumptions/new/", {"statement": "S", "scope": "team", "team": team.pk, "confidence": "60"}
    )
    assert response.status_code == 302
    assert Assumption.objects.get().confidence == 0.6
    assert (
        client.post(
            "/learning/assumptions/new/", {"statement": "S", "scope": "team", "confidence": "60"}
        ).status_code
        == 400
    )
    assert Assumption.objects.count() == 1


def test_the_register_pins_its_queries(client_for, owner, team, django_assert_max_num_queries):
    client = client_for(owner)
    for count in (2, 10):
        while Assumption.objects.count() < count:
            assumptions.assumption_create(
                actor=owner,
                statement=f"B{Assumption.objects.count()}",
                scope="team",
                team=team,
                confidence=0.5,
            )
        with django_assert_max_num_queries(10):
            assert client.get("/learning/assumptions/").status_code == 200


# Vision -------------------------------------------------------------------------------------------


def test_the_vision_pages_and_a_stale_draft(client_for, owner, member, steward, testing):
    client = client_for(member)
    assert "No vision adopted yet" in text(client.get("/learning/vision/"))
    assert (
        client.post("/learning/vision/drafts/", {"text": "Learn in public", "note": "first"}).status_code
        == 302
    )
    draft = VisionDraft.objects.get()
    assert client_for(member).post(f"/learning/vision/drafts/{draft.pk}/adopt/").status_code == 400
    other = vision.vision_draft_propose(actor=owner, scope=organisation_scope(owner), text="Something else")
    steward_client = client_for(steward)
    assert steward_client.post(f"/learning/vision/drafts/{draft.pk}/adopt/").status_code == 302
    response = steward_client.post(f"/learning/vision/drafts/{other.pk}/adopt/")
    assert response.status_code == 400 and "based on version 0" in text(response)
    assert Vision.objects.get().text == "Learn in public"
    assert 'id="vision-versions"' in text(steward_client.get("/learning/vision/history/"))


def test_a_pulse_outside_1_to_5_is_refused_on_the_page(client_for, owner, testing):
    vision.vision_draft_adopt(
        actor=owner,
        scope=community_scope(owner, testing.slug),
        draft=vision.vision_draft_propose(actor=owner, scope=community_scope(owner, testing.slug), text="V"),
    )
    client = client_for(owner)
    for score in ("0", "6", ""):
        response = client.post(f"/communities/{testing.slug}/vision/pulse/", {"score": score})
        assert response.status_code == 400 and "from 1 to 5" in text(response)
    assert not AlignmentPulse.objects.exists()
    assert client.post(f"/communities/{testing.slug}/vision/pulse/", {"score": "4"}).status_code == 302
    assert "Not enough people" in text(client.get(f"/communities/{testing.slug}/vision/"))


def test_pulse_results_show_above_the_threshold(client_for, owner, member, testing, crowd):
    scope = lambda p: community_scope(p, testing.slug)  # noqa: E731
    vision.vision_draft_adopt(
        actor=owner,
        scope=scope(owner),
        draft=vision.vision_draft_propose(actor=owner, scope=scope(owner), text="V"),
    )
    for person in [owner, member, *crowd[:3]]:
        vision.vision_pulse_give(person=person, scope=scope(person), score=4, comment="I see it")
    AlignmentPulse.objects.update(created_at=timezone.now() - timedelta(days=40))  # a released month
    body = text(client_for(member).get(f"/communities/{testing.slug}/vision/"))
    assert 'id="pulse-mean"' in body and "I see it" in body


def test_outsiders_cannot_pulse_on_a_community(client_for, owner, outsider, testing):
    vision.vision_draft_adopt(
        actor=owner,
        scope=community_scope(owner, testing.slug),
        draft=vision.vision_draft_propose(actor=owner, scope=community_scope(owner, testing.slug), text="V"),
    )
    response = client_for(outsider).post(f"/communities/{testing.slug}/vision/pulse/", {"score": "3"})
    assert response.status_code == 403
    assert not AlignmentPulse.objects.exists()


# Goals --------------------------------------------------------------------------------------------


def test_goals_are_private_on_every_page(client_for, member, owner, outsider, steward, admin):
    goal = goals.goal_create(actor=member, title="Facilitate", vision="v", current_reality="r")
    assert "Facilitate" in text(client_for(member).get("/learning/goals/"))
    for person in (owner, outsider, steward, admin):
        client = client_for(person)
        assert "Facilitate" not in text(client.get("/learning/goals/"))
        assert client.get(f"/learning/goals/{goal.pk}/").status_code == 404
        assert client.post(f"/learning/goals/{goal.pk}/check-ins/", {"note": "hi"}).status_code == 404
        assert client.get(f"/learning/goals/{goal.pk}/edit/").status_code == 404
    assert not goal.check_ins.exists()


def test_sharing_through_the_page(client_for, member, owner):
    goal = goals.goal_create(actor=member, title="Facilitate", vision="v", current_reality="r")
    client = client_for(member)
    assert (
        client.post(f"/learning/goals/{goal.pk}/share/", {"email": "nobody@example.org"}).status_code == 400
    )
    assert client.post(f"/learning/goals/{goal.pk}/share/", {"email": owner.email}).status_code == 302
    mentor = client_for(owner)
    assert "Facilitate" in text(mentor.get("/learning/goals/"))
    assert mentor.post(f"/learning/goals/{goal.pk}/check-ins/", {"note": "Good progress"}).status_code == 302
    assert mentor.get(f"/learning/goals/{goal.pk}/edit/").status_code == 403
    assert LearningGoal.objects.get().check_ins.count() == 1


def test_creating_a_goal_and_milestones(client_for, member):
    client = client_for(member)
    response = client.post(
        "/learning/goals/new/", {"title": "G", "vision": "V", "current_reality": "R", "status": "active"}
    )
    goal = LearningGoal.objects.get()
    assert response.status_code == 302
    assert client.post(f"/learning/goals/{goal.pk}/milestones/", {"title": ""}).status_code == 400
    assert client.post(f"/learning/goals/{goal.pk}/milestones/", {"title": "M1"}).status_code == 302
    milestone = goal.milestones.get()
    client.post(f"/learning/goals/{goal.pk}/milestones/{milestone.pk}/", {"done": "1"})
    milestone.refresh_from_db()
    assert milestone.done_at is not None


def test_the_goal_list_pins_its_queries(client_for, member, django_assert_max_num_queries):
    client = client_for(member)
    for count in (1, 8):
        while LearningGoal.objects.count() < count:
            goals.goal_create(actor=member, title="G", vision="V", current_reality="R")
        with django_assert_max_num_queries(8):
            assert client.get("/learning/goals/").status_code == 200


def test_the_learning_home_shows_the_mind_panels_in_constant_queries(
    client_for, owner, member, team, django_assert_max_num_queries
):
    client = client_for(member)
    for count in (1, 6):
        while Experiment.objects.count() < count:
            make_experiment(owner, team=team, title=f"Awaiting {Experiment.objects.count()}")
        goals.goal_create(actor=member, title=f"Goal {count}", vision="v", current_reality="r")
        with django_assert_max_num_queries(40):
            response = client.get("/learning/")
        assert response.status_code == 200
    body = text(response)
    assert (
        'id="mind-panels"' in body and "Awaiting 5" in body and "Awaiting 0" not in body and "Goal 6" in body
    )
    experiments.experiment_predict(
        person=member, experiment=Experiment.objects.get(title="Awaiting 5"), probability=0.5
    )
    assert "Awaiting 5" not in text(client.get("/learning/"))
