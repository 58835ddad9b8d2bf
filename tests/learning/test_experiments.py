"""Experiment services and selectors: the lifecycle, predictions scored like forecasts, anti-anchoring,
privacy of the group's numbers, evidence for the tested assumption, and every refusal changing nothing."""

from __future__ import annotations

import pytest

from practica.calibration.models import CalibrationRecord, RecordSource
from practica.learning import assumptions, experiments
from practica.learning.mind_selectors import (
    community_holder,
    experiment_board,
    experiment_for,
    learnings,
    prediction_page,
    team_holder,
)
from practica.learning.models import (
    AssumptionEvidence,
    AssumptionStatus,
    Experiment,
    ExperimentPrediction,
    ExperimentResult,
    ExperimentStatus,
)
from tests.learning.helpers import make_experiment, refused

pytestmark = pytest.mark.django_db


def conclude(
    actor, experiment, result=ExperimentResult.WON, data="5 of 6 joiners merged within 4 days", **kw
):
    return experiments.experiment_conclude(
        actor=actor, experiment=experiment, result=result, result_data=data, **kw
    )


def test_a_team_member_writes_a_test_card_and_it_starts_planned(owner, team):
    experiment = make_experiment(owner, team=team)
    assert experiment.status == ExperimentStatus.PLANNED
    assert experiment.owner == owner and experiment.team == team


def test_outsiders_cannot_create(outsider, team, testing):
    refused(lambda: make_experiment(outsider, team=team), "Only members")
    refused(lambda: make_experiment(outsider, community=testing), "Only members")
    assert not Experiment.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", " "),
        ("hypothesis", ""),
        ("method", ""),
        ("metric", ""),
        ("success_criterion", ""),
        ("planned_days", 0),
    ],
)
def test_a_card_without_its_parts_is_refused_with_the_field(owner, team, field, value):
    error = refused(lambda: make_experiment(owner, team=team, **{field: value}))
    assert error.field == field
    assert not Experiment.objects.exists()


def test_predictions_are_one_per_person_and_updatable_until_the_start(owner, member, team):
    experiment = make_experiment(owner, team=team)
    experiments.experiment_predict(person=member, experiment=experiment, probability=0.4)
    experiments.experiment_predict(person=member, experiment=experiment, probability=0.7)
    assert list(ExperimentPrediction.objects.values_list("probability", flat=True)) == [0.7]
    experiments.experiment_start(actor=owner, experiment=experiment)
    refused(
        lambda: experiments.experiment_predict(person=member, experiment=experiment, probability=0.9),
        "closed",
    )
    assert list(ExperimentPrediction.objects.values_list("probability", flat=True)) == [0.7]


@pytest.mark.parametrize("probability", [-0.01, 1.01, float("nan"), "lots"])
def test_a_probability_outside_0_to_1_is_refused(owner, team, probability):
    experiment = make_experiment(owner, team=team)
    error = refused(
        lambda: experiments.experiment_predict(person=owner, experiment=experiment, probability=probability)
    )
    assert error.field == "probability"
    assert not ExperimentPrediction.objects.exists()


@pytest.mark.parametrize("probability", [0.0, 1.0])
def test_exactly_0_or_1_is_allowed(owner, team, probability):
    experiment = make_experiment(owner, team=team)
    assert experiments.experiment_predict(person=owner, experiment=experiment, probability=probability)


def test_a_non_participant_cannot_predict(owner, outsider, team, testing):
    for experiment in (make_experiment(owner, team=team), make_experiment(owner, community=testing)):
        refused(
            lambda e=experiment: experiments.experiment_predict(
                person=outsider, experiment=e, probability=0.5
            ),
            "Only members",
        )
    assert not ExperimentPrediction.objects.exists()


def test_only_runners_start_and_conclude(owner, member, outsider, testing):
    experiment = make_experiment(owner, community=testing)
    refused(
        lambda: experiments.experiment_start(actor=member, experiment=experiment),
        "Only the experiment's owner",
    )
    refused(
        lambda: experiments.experiment_start(actor=outsider, experiment=experiment),
        "Only the experiment's owner",
    )
    experiments.experiment_start(actor=owner, experiment=experiment)
    refused(lambda: conclude(member, experiment), "Only the experiment's owner")
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.RUNNING


@pytest.mark.parametrize(
    ("result", "data", "message"),
    [("", "data", "Choose the result"), ("maybe", "data", "Choose the result"), ("won", "  ", "result data")],
)
def test_concluding_without_a_result_or_data_is_refused(owner, member, team, result, data, message):
    experiment = make_experiment(owner, team=team)
    experiments.experiment_predict(person=member, experiment=experiment, probability=0.8)
    experiments.experiment_start(actor=owner, experiment=experiment)
    refused(lambda: conclude(owner, experiment, result=result, data=data), message)
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.RUNNING and experiment.result == ""
    assert not CalibrationRecord.objects.exists()


def test_concluding_a_planned_experiment_is_refused(owner, team):
    experiment = make_experiment(owner, team=team)
    refused(lambda: conclude(owner, experiment), "start it first")


def test_won_scores_every_prediction_like_a_forecast(owner, member, team):
    experiment = make_experiment(owner, team=team)
    experiments.experiment_predict(person=member, experiment=experiment, probability=0.8)
    experiments.experiment_predict(person=owner, experiment=experiment, probability=0.3)
    experiments.experiment_start(actor=owner, experiment=experiment)
    conclude(owner, experiment, ExperimentResult.WON)
    records = {r.person_id: r for r in CalibrationRecord.objects.filter(source=RecordSource.EXPERIMENT)}
    assert records[member.pk].fraction == 1.0
    assert records[member.pk].mark == pytest.approx(-0.04)
    assert records[owner.pk].mark == pytest.approx(-0.49)
    assert records[member.pk].source_id == ExperimentPrediction.objects.get(person=member).pk
    assert records[member.pk].url == f"/learning/experiments/{experiment.pk}/"


def test_lost_scores_against_and_inconclusive_counts_nowhere(owner, member, team):
    lost = make_experiment(owner, team=team)
    maybe = make_experiment(owner, team=team, title="Other")
    for experiment in (lost, maybe):
        experiments.experiment_predict(person=member, experiment=experiment, probability=0.8)
        experiments.experiment_start(actor=owner, experiment=experiment)
    conclude(owner, lost, ExperimentResult.LOST)
    conclude(owner, maybe, ExperimentResult.INCONCLUSIVE)
    record = CalibrationRecord.objects.get()
    assert record.fraction == 0.0 and record.mark == pytest.approx(-0.64)
    refused(lambda: conclude(owner, lost), "already concluded")


def test_concluding_adds_evidence_and_may_update_the_assumption(owner, member, team):
    belief = assumptions.assumption_create(
        actor=owner, statement="Pairing halves onboarding time", scope="team", team=team, confidence=0.6
    )
    experiment = make_experiment(owner, team=team, assumption=belief)
    experiments.experiment_start(actor=owner, experiment=experiment)
    conclude(
        owner,
        experiment,
        ExperimentResult.WON,
        assumption_status="supported",
        assumption_confidence=0.75,
        assumption_note="The pairing experiment won.",
    )
    belief.refresh_from_db()
    assert belief.status == AssumptionStatus.SUPPORTED and belief.confidence == 0.75
    evidence = AssumptionEvidence.objects.get()
    assert evidence.direction == "for" and evidence.experiment == experiment
    assert belief.changes.get().note == "The pairing experiment won."


def test_an_assumption_update_without_a_note_refuses_the_whole_conclusion(owner, team):
    belief = assumptions.assumption_create(
        actor=owner, statement="Pairing halves onboarding time", scope="team", team=team, confidence=0.6
    )
    experiment = make_experiment(owner, team=team, assumption=belief)
    experiments.experiment_start(actor=owner, experiment=experiment)
    refused(
        lambda: conclude(owner, experiment, assumption_status="supported", assumption_note=""),
        "what changed your mind",
    )
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.RUNNING
    assert not AssumptionEvidence.objects.exists()


def test_the_learning_card_needs_a_conclusion_a_learning_and_a_decision(owner, team):
    experiment = make_experiment(owner, team=team)
    refused(
        lambda: experiments.experiment_learning_card_set(
            actor=owner, experiment=experiment, learning="x", decision="pivot"
        ),
        "Conclude",
    )
    experiments.experiment_start(actor=owner, experiment=experiment)
    conclude(owner, experiment)
    refused(
        lambda: experiments.experiment_learning_card_set(
            actor=owner, experiment=experiment, learning=" ", decision="pivot"
        ),
        "learned",
    )
    refused(
        lambda: experiments.experiment_learning_card_set(
            actor=owner, experiment=experiment, learning="x", decision="dance"
        ),
        "decision",
    )
    experiments.experiment_learning_card_set(
        actor=owner, experiment=experiment, learning="Buddies matter.", decision="persevere"
    )
    experiment.refresh_from_db()
    assert experiment.decision == "persevere"


def test_the_group_shows_once_predictions_close_and_needs_enough_people(owner, member, team, crowd):
    experiment = make_experiment(owner, team=team)
    for person in crowd[:3]:
        experiments.experiment_predict(person=person, experiment=experiment, probability=0.6)
    page = prediction_page(experiment, member)
    assert not page.group_visible and page.mine is None
    experiments.experiment_predict(person=member, experiment=experiment, probability=0.9)
    experiments.experiment_predict(person=crowd[3], experiment=experiment, probability=0.2)
    # Predicting does not open the group's figure: watching it change as one more person predicts
    # would give their number away.
    page = prediction_page(experiment, member)
    assert not page.group_visible and page.count == 5
    experiments.experiment_start(actor=owner, experiment=experiment)
    experiment.refresh_from_db()
    page = prediction_page(experiment, member)
    assert page.group_visible and page.group.shown and page.group.value is not None
    assert page.group.value.mean == pytest.approx((0.6 * 3 + 0.9 + 0.2) / 5)


def test_the_group_is_withheld_below_the_minimum_group_size(owner, member, team, crowd):
    experiment = make_experiment(owner, team=team)
    for person in crowd[:4]:
        experiments.experiment_predict(person=person, experiment=experiment, probability=0.6)
    experiments.experiment_start(actor=owner, experiment=experiment)
    experiment.refresh_from_db()
    page = prediction_page(experiment, member)
    assert page.group_visible and not page.group.shown and page.group.value is None  # 4 < 5 people


def test_the_group_is_scored_once_the_experiment_is_won_or_lost(owner, member, team, crowd):
    experiment = make_experiment(owner, team=team)
    for person in [*crowd[:4], member]:
        experiments.experiment_predict(person=person, experiment=experiment, probability=0.9)
    experiments.experiment_start(actor=owner, experiment=experiment)
    conclude(owner, experiment, ExperimentResult.WON)
    experiment.refresh_from_db()
    page = prediction_page(experiment, member)
    assert page.my_score == pytest.approx(0.01)
    assert page.group.value is not None and page.group.value.brier_of_mean is not None


def test_private_community_experiments_are_invisible_to_outsiders(owner, outsider, private):
    from django.http import Http404

    experiment = make_experiment(owner, community=private)
    with pytest.raises(Http404):
        experiment_for(outsider, experiment.pk)
    experiments.experiment_start(actor=owner, experiment=experiment)
    conclude(owner, experiment)
    assert not learnings(outsider).exists()
    assert learnings(owner).count() == 1


def test_the_board_has_three_columns_in_constant_queries(owner, team, testing, django_assert_num_queries):
    for number in range(5):
        experiment = make_experiment(owner, team=team, title=f"E{number}")
        if number >= 2:
            experiments.experiment_start(actor=owner, experiment=experiment)
        if number >= 4:
            conclude(owner, experiment)
    holder = team_holder(owner, team.slug)
    with django_assert_num_queries(2):
        board = experiment_board(holder)
    assert (len(board.planned), len(board.running), len(board.concluded)) == (2, 2, 1)
    assert experiment_board(community_holder(owner, testing.slug)).empty


def test_the_demo_has_every_state_history_pulses_and_goals():
    from practica.demo.generator import generate_organisation
    from practica.learning.models import AlignmentPulse, Assumption, LearningGoal, Vision

    context = generate_organisation(people=120, seed=3)
    member = context.accounts["demo-member"]
    assert set(Experiment.objects.values_list("status", flat=True)) == {"planned", "running", "concluded"}
    assert {"won", "lost", "inconclusive"} <= set(Experiment.objects.values_list("result", flat=True))
    assert CalibrationRecord.objects.filter(source=RecordSource.EXPERIMENT, person=member).exists()
    pairing = Assumption.objects.get(statement="Pairing halves onboarding time")
    assert (pairing.status, pairing.confidence) == ("supported", 0.75)
    assert pairing.changes.get().note
    org = Vision.objects.get(organisation=True)
    assert (
        org.version == 2
        and AlignmentPulse.objects.filter(vision=org).values("person").distinct().count() >= 5
    )
    community_people = [
        AlignmentPulse.objects.filter(vision=v).values("person").distinct().count()
        for v in Vision.objects.filter(organisation=False)
    ]
    assert max(community_people) >= 5 and min(community_people) < 5
    shared = LearningGoal.objects.filter(person=member).exclude(shared_with=None)
    assert shared.exists() and shared.get().check_ins.exclude(author=member).exists()


def test_my_calibration_scores_experiment_predictions_beside_forecasts(owner, member, team, client):
    """Won and lost experiments join the person's Brier score and curve, labelled; inconclusive ones
    count nowhere, and nobody else's predictions are in it."""
    from practica.calibration.forecast_selectors import forecast_profile

    won = make_experiment(owner, team=team, title="Won")
    lost = make_experiment(owner, team=team, title="Lost")
    maybe = make_experiment(owner, team=team, title="Maybe")
    for experiment, result in ((won, ExperimentResult.WON), (lost, ExperimentResult.LOST), (maybe, None)):
        experiments.experiment_predict(person=member, experiment=experiment, probability=0.8)
        experiments.experiment_predict(person=owner, experiment=experiment, probability=0.1)
        experiments.experiment_start(actor=owner, experiment=experiment)
        conclude(owner, experiment, result or ExperimentResult.INCONCLUSIVE)
    profile = forecast_profile(member.pk)
    assert profile is not None
    assert (profile.count, profile.forecasts, profile.experiments, profile.questions) == (2, 0, 2, 0)
    assert profile.brier == pytest.approx((0.2**2 + 0.8**2) / 2)
    assert sum(point.count for point in profile.curve) == 2
    client.force_login(member.user)
    page = client.get("/me/calibration/").content.decode()
    assert "2 predictions on experiments that were won or lost" in page
    assert "inconclusive experiments count nowhere" in page
