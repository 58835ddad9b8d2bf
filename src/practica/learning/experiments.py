"""Every write to lean-startup experiments: the test card, predictions, start, conclusion, learning card.

Participants (team members, or a community's active members) state the probability that the
experiment succeeds while it is planned; starting it closes predictions. Concluding it won or lost
scores every prediction into its predictor's private calibration record with the forecasts' rule
(``calibration.forecasts.scored_record``: mark = -(p - o)^2); inconclusive counts nowhere. If the
experiment tests an assumption, concluding adds evidence for (won) or against (lost) it, and may
update the assumption in the same step (with a note). Refusals raise ApplicationError, nothing changed.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from practica.calibration.forecasts import clean_probability, scored_record
from practica.calibration.models import CalibrationRecord, RecordSource
from practica.communities.models import Community
from practica.core.audit import audit_record
from practica.core.errors import ApplicationError
from practica.core.permissions import is_active_member, is_team_member, membership_of
from practica.learning import assumptions as assumption_services
from practica.learning.mind_selectors import assumptions_visible_to, is_participant, may_run
from practica.learning.models import (
    Assumption,
    AssumptionEvidence,
    Decision,
    EvidenceDirection,
    Experiment,
    ExperimentPrediction,
    ExperimentResult,
    ExperimentStatus,
    MethodTemplate,
)
from practica.people.models import Person, Team

NOT_A_PARTICIPANT = "Only members of the experiment's team or community can take part; join it first."
NOT_A_RUNNER = "Only the experiment's owner, a member of its team or a lead of its community can do that."
PREDICTIONS_CLOSED = (
    "Predictions closed when the experiment started: a prediction made while watching the results "
    "would not be a prediction."
)
NOT_PLANNED = "Only a planned experiment can be started or edited."
NOT_RUNNING = "Only a running experiment can be concluded; start it first."
NOT_CONCLUDED = "Conclude the experiment before writing its learning card."
NO_RESULT = "Choose the result: won, lost or inconclusive."
NO_RESULT_DATA = "Describe the result data: what you observed, with the numbers."
NO_LEARNING = "Write what you learned."
BAD_DECISION = "Choose the decision: persevere, pivot, stop or keep testing."
HOLDER = "An experiment belongs to exactly one team or one community."

MAX_TITLE = 200
CARD_FIELDS = ("title", "hypothesis", "method", "metric", "success_criterion", "planned_days")
RESULT_DIRECTION = {
    ExperimentResult.WON: EvidenceDirection.FOR,
    ExperimentResult.LOST: EvidenceDirection.AGAINST,
}


def experiment_path(experiment: Experiment) -> str:
    return reverse("learning:experiment-detail", args=[experiment.pk])


def _text(value: str, field: str, message: str, limit: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(message, field=field)
    if limit is not None and len(value) > limit:
        raise ApplicationError(f"Keep this to {limit} characters (it has {len(value)}).", field=field)
    return value


def _clean_card(
    *,
    title: str,
    hypothesis: str,
    method: str,
    metric: str,
    success_criterion: str,
    planned_days: int,
) -> dict[str, object]:
    if not isinstance(planned_days, int) or not 1 <= planned_days <= 365:
        raise ApplicationError("Plan the experiment for 1 to 365 days.", field="planned_days")
    return {
        "title": _text(title, "title", "Give the experiment a title.", MAX_TITLE),
        "hypothesis": _text(hypothesis, "hypothesis", 'State the hypothesis: "We believe that ...".'),
        "method": _text(method, "method", 'Say how you will test it: "To verify that, we will ...".'),
        "metric": _text(metric, "metric", 'Name the metric: "And measure ...".', 200),
        "success_criterion": _text(
            success_criterion, "success_criterion", 'Set the success criterion: "We are right if ...".', 300
        ),
        "planned_days": planned_days,
    }


def _check_assumption(actor: Person, assumption: Assumption | None) -> None:
    if assumption is not None and not assumptions_visible_to(actor).filter(pk=assumption.pk).exists():
        raise ApplicationError("You cannot cite an assumption you cannot see.", field="assumption")


def _lean_template() -> MethodTemplate | None:
    return MethodTemplate.objects.filter(slug="lean-test-card").first()


@transaction.atomic
def experiment_create(
    *,
    actor: Person,
    team: Team | None = None,
    community: Community | None = None,
    title: str,
    hypothesis: str,
    method: str,
    metric: str,
    success_criterion: str,
    planned_days: int = 14,
    assumption: Assumption | None = None,
) -> Experiment:
    """Write a test card for a team or a community (its members); the experiment starts planned."""
    if (team is None) == (community is None):
        raise ApplicationError(HOLDER)
    if team is not None and not is_team_member(actor, team.pk):
        raise ApplicationError(NOT_A_PARTICIPANT)
    if community is not None and not is_active_member(membership_of(actor, community)):
        raise ApplicationError(NOT_A_PARTICIPANT)
    card = _clean_card(
        title=title,
        hypothesis=hypothesis,
        method=method,
        metric=metric,
        success_criterion=success_criterion,
        planned_days=planned_days,
    )
    _check_assumption(actor, assumption)
    return Experiment.objects.create(
        team=team,
        community=community,
        owner=actor,
        assumption=assumption,
        template=_lean_template(),
        **card,
    )


@transaction.atomic
def experiment_update(
    *,
    actor: Person,
    experiment: Experiment,
    title: str,
    hypothesis: str,
    method: str,
    metric: str,
    success_criterion: str,
    planned_days: int,
    assumption: Assumption | None = None,
) -> Experiment:
    """Edit the test card while the experiment is planned (predictions are about this card)."""
    experiment = (
        Experiment.objects.select_for_update(of=("self",)).select_related("community").get(pk=experiment.pk)
    )
    if not may_run(actor, experiment):
        raise ApplicationError(NOT_A_RUNNER)
    if experiment.status != ExperimentStatus.PLANNED:
        raise ApplicationError(NOT_PLANNED)
    card = _clean_card(
        title=title,
        hypothesis=hypothesis,
        method=method,
        metric=metric,
        success_criterion=success_criterion,
        planned_days=planned_days,
    )
    if assumption is not None and assumption.pk != experiment.assumption_id:
        _check_assumption(actor, assumption)
    for name, value in card.items():
        setattr(experiment, name, value)
    experiment.assumption = assumption
    experiment.save(update_fields=[*CARD_FIELDS, "assumption"])
    return experiment


@transaction.atomic
def experiment_delete(*, actor: Person, experiment: Experiment) -> None:
    """Delete a planned experiment (its predictions go with it); running and concluded ones are kept."""
    experiment = (
        Experiment.objects.select_for_update(of=("self",)).select_related("community").get(pk=experiment.pk)
    )
    if not may_run(actor, experiment):
        raise ApplicationError(NOT_A_RUNNER)
    if experiment.status != ExperimentStatus.PLANNED:
        raise ApplicationError("Only a planned experiment can be deleted; a started one is kept as history.")
    audit_record(actor=actor, action="content.deleted", target=experiment)
    experiment.delete()


@transaction.atomic
def experiment_predict(*, person: Person, experiment: Experiment, probability: float) -> ExperimentPrediction:
    """State (or change, until it starts) your probability that the experiment succeeds (0 to 1)."""
    probability = clean_probability(probability)
    experiment = (
        Experiment.objects.select_for_update(of=("self",)).select_related("community").get(pk=experiment.pk)
    )
    if experiment.status != ExperimentStatus.PLANNED:
        raise ApplicationError(PREDICTIONS_CLOSED)
    if not is_participant(person, experiment):
        raise ApplicationError(NOT_A_PARTICIPANT)
    prediction, created = ExperimentPrediction.objects.get_or_create(
        experiment=experiment, person=person, defaults={"probability": probability}
    )
    if not created:
        prediction.probability = probability
        prediction.created_at = timezone.now()
        prediction.save(update_fields=["probability", "created_at"])
    return prediction


@transaction.atomic
def experiment_start(*, actor: Person, experiment: Experiment) -> Experiment:
    """Start the experiment: predictions close."""
    experiment = (
        Experiment.objects.select_for_update(of=("self",)).select_related("community").get(pk=experiment.pk)
    )
    if not may_run(actor, experiment):
        raise ApplicationError(NOT_A_RUNNER)
    if experiment.status != ExperimentStatus.PLANNED:
        raise ApplicationError(NOT_PLANNED)
    experiment.status = ExperimentStatus.RUNNING
    experiment.started_at = timezone.now()
    experiment.save(update_fields=["status", "started_at"])
    return experiment


@transaction.atomic
def experiment_conclude(
    *,
    actor: Person,
    experiment: Experiment,
    result: ExperimentResult | str,
    result_data: str,
    learning: str = "",
    decision: Decision | str = "",
    assumption_status: str = "",
    assumption_confidence: float | None = None,
    assumption_note: str = "",
) -> Experiment:
    """Conclude with a result and its data (both required). Won or lost scores every prediction into
    its predictor's calibration record; inconclusive counts nowhere. If the experiment tests an
    assumption, evidence for (won) or against (lost) is added, and the assumption is updated when a
    new status or confidence is given (with the note that explains it)."""
    if result not in {ExperimentResult.WON, ExperimentResult.LOST, ExperimentResult.INCONCLUSIVE}:
        raise ApplicationError(NO_RESULT, field="result")
    result_data = _text(result_data, "result_data", NO_RESULT_DATA)
    if decision and decision not in Decision.values:
        raise ApplicationError(BAD_DECISION, field="decision")
    experiment = (
        Experiment.objects.select_for_update(of=("self",))
        .select_related("community", "assumption")
        .get(pk=experiment.pk)
    )
    if not may_run(actor, experiment):
        raise ApplicationError(NOT_A_RUNNER)
    if experiment.status != ExperimentStatus.RUNNING:
        raise ApplicationError(
            "This experiment is already concluded."
            if experiment.status == ExperimentStatus.CONCLUDED
            else NOT_RUNNING
        )
    now = timezone.now()
    experiment.status = ExperimentStatus.CONCLUDED
    experiment.result = ExperimentResult(result)
    experiment.result_data = result_data
    experiment.concluded_at = now
    experiment.learning = learning.strip()
    experiment.decision = decision
    experiment.save(update_fields=["status", "result", "result_data", "concluded_at", "learning", "decision"])
    direction = RESULT_DIRECTION.get(experiment.result)
    if experiment.assumption is not None:
        if assumption_status or assumption_confidence is not None:
            assumption_services.assumption_change(
                actor=actor,
                assumption=experiment.assumption,
                status=assumption_status or experiment.assumption.status,
                confidence=experiment.assumption.confidence
                if assumption_confidence is None
                else assumption_confidence,
                note=assumption_note,
            )
        if direction is not None:
            AssumptionEvidence.objects.create(
                assumption=experiment.assumption,
                direction=direction,
                summary=f"Experiment {experiment.result}: {experiment.title}"[:300],
                experiment=experiment,
                added_by=actor,
            )
    if direction is not None:
        outcome = 1.0 if experiment.result == ExperimentResult.WON else 0.0
        url = experiment_path(experiment)
        CalibrationRecord.objects.bulk_create(
            [
                scored_record(
                    person_id=prediction.person_id,
                    source=RecordSource.EXPERIMENT,
                    source_id=prediction.pk,
                    probability=prediction.probability,
                    outcome=outcome,
                    community=experiment.community,
                    summary=f"Experiment: {experiment.title}",
                    url=url,
                    resolved_at=now,
                )
                for prediction in ExperimentPrediction.objects.filter(experiment=experiment).order_by("pk")
            ]
        )
    return experiment


@transaction.atomic
def experiment_learning_card_set(
    *, actor: Person, experiment: Experiment, learning: str, decision: Decision | str
) -> Experiment:
    """Write (or revise) the learning card of a concluded experiment: what we learned, and the decision."""
    learning = _text(learning, "learning", NO_LEARNING)
    if decision not in Decision.values or not decision:
        raise ApplicationError(BAD_DECISION, field="decision")
    experiment = (
        Experiment.objects.select_for_update(of=("self",)).select_related("community").get(pk=experiment.pk)
    )
    if not may_run(actor, experiment):
        raise ApplicationError(NOT_A_RUNNER)
    if experiment.status != ExperimentStatus.CONCLUDED:
        raise ApplicationError(NOT_CONCLUDED)
    experiment.learning = learning
    experiment.decision = decision
    experiment.save(update_fields=["learning", "decision"])
    return experiment
