"""The JSON API for experiments, the assumption register, shared vision and personal learning goals.

The same selectors and services as the pages: a private community's experiments and vision are a 404
for non-members, a goal is a 404 for everyone but its owner and the people it is shared with, and the
services' refusals are a 400 with the same text. Probabilities and confidences are 0..1 here.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from practica.calibration.models import Skill
from practica.core.errors import ApplicationError
from practica.core.permissions import person_for_user
from practica.learning import assumptions as assumption_services
from practica.learning import experiments, goals, vision
from practica.learning import mind_selectors as selectors
from practica.learning.models import (
    Assumption,
    Experiment,
    ExperimentPrediction,
    Milestone,
    VisionDraft,
)
from practica.people.models import Person

router = Router(tags=["mind"])


class ErrorOut(Schema):
    detail: str


# Experiments --------------------------------------------------------------------------------------


class ExperimentSummaryOut(Schema):
    id: int
    title: str
    team: str | None = Field(None, alias="team.slug")
    community: str | None = Field(None, alias="community.slug")
    owner: str | None = Field(None, alias="owner.display_name")
    status: str
    result: str
    decision: str
    prediction_count: int
    created_at: datetime
    concluded_at: datetime | None


class GroupPredictionOut(Schema):
    visible: bool = Field(..., description="False until the experiment started and predictions closed.")
    shown: bool = Field(..., description="False when too few people predicted to show it safely.")
    reason: str
    people: int
    mean: float | None
    median: float | None
    bins: list[int] | None = Field(None, description="Predictions per 10% band, 0-10% first.")
    brier: float | None = Field(None, description="Mean Brier score of the predictions, once won or lost.")
    brier_of_mean: float | None


class ExperimentOut(Schema):
    id: int
    title: str
    team: str | None
    community: str | None
    owner: str | None
    hypothesis: str
    method: str
    metric: str
    success_criterion: str
    planned_days: int
    assumption_id: int | None
    status: str
    started_at: datetime | None
    concluded_at: datetime | None
    result: str
    result_data: str
    learning: str
    decision: str
    my_prediction: float | None
    my_brier: float | None
    prediction_count: int
    group: GroupPredictionOut


class ExperimentIn(Schema):
    title: str
    hypothesis: str
    method: str
    metric: str
    success_criterion: str
    planned_days: int = 14
    assumption_id: int | None = None


class PredictionIn(Schema):
    probability: float = Field(..., description="Probability that the experiment succeeds, 0 to 1.")


class PredictionOut(Schema):
    id: int
    probability: float
    created_at: datetime


class ConcludeIn(Schema):
    result: str = Field(..., description='"won", "lost" or "inconclusive".')
    result_data: str = Field(..., description="Required: what you observed, with the numbers.")
    learning: str = ""
    decision: str = ""
    assumption_status: str = ""
    assumption_confidence: float | None = None
    assumption_note: str = ""


class LearningCardIn(Schema):
    learning: str
    decision: str = Field(..., description='"persevere", "pivot", "stop" or "keep_testing".')


def _experiment_out(experiment: Experiment, person: Person) -> ExperimentOut:
    page = selectors.prediction_page(experiment, person)
    visible = page.group_visible
    value = page.group.value if visible else None
    # An assumption the caller cannot see is not named.
    assumption_id = experiment.assumption_id
    if (
        assumption_id is not None
        and not selectors.assumptions_visible_to(person).filter(pk=assumption_id).exists()
    ):
        assumption_id = None
    return ExperimentOut(
        id=experiment.pk,
        title=experiment.title,
        team=experiment.team.slug if experiment.team else None,
        community=experiment.community.slug if experiment.community else None,
        owner=experiment.owner.display_name if experiment.owner else None,
        hypothesis=experiment.hypothesis,
        method=experiment.method,
        metric=experiment.metric,
        success_criterion=experiment.success_criterion,
        planned_days=experiment.planned_days,
        assumption_id=assumption_id,
        status=experiment.status,
        started_at=experiment.started_at,
        concluded_at=experiment.concluded_at,
        result=experiment.result,
        result_data=experiment.result_data,
        learning=experiment.learning,
        decision=experiment.decision,
        my_prediction=page.mine.probability if page.mine else None,
        my_brier=page.my_score,
        prediction_count=page.count,
        group=GroupPredictionOut(
            visible=visible,
            shown=visible and page.group.shown,
            reason=page.group.reason if visible else "",
            people=page.group.people,
            mean=value.mean if value else None,
            median=value.median if value else None,
            bins=value.bins if value else None,
            brier=value.brier if value else None,
            brier_of_mean=value.brier_of_mean if value else None,
        ),
    )


def _assumption_or_none(person: Person, assumption_id: int | None) -> Assumption | None:
    if assumption_id is None:
        return None
    assumption = selectors.assumptions_visible_to(person).filter(pk=assumption_id).first()
    if assumption is None:
        raise ApplicationError("No such assumption.", field="assumption")
    return assumption


def _reload(person: Person, pk: int) -> Experiment:
    return selectors.experiment_for(person, pk)[0]


@router.get("/teams/{slug}/experiments", response=list[ExperimentSummaryOut])
def team_experiments(request: HttpRequest, slug: str) -> list[Experiment]:
    """A team's experiments: planned and running, then the latest concluded."""
    board = selectors.experiment_board(selectors.team_holder(person_for_user(request.user), slug))
    return [*board.planned, *board.running, *board.concluded]


@router.get("/communities/{slug}/experiments", response=list[ExperimentSummaryOut])
def community_experiments(request: HttpRequest, slug: str) -> list[Experiment]:
    """A community's experiments (a private community's are a 404 for non-members)."""
    board = selectors.experiment_board(selectors.community_holder(person_for_user(request.user), slug))
    return [*board.planned, *board.running, *board.concluded]


def _create(request: HttpRequest, holder: selectors.Holder, payload: ExperimentIn) -> Status[ExperimentOut]:
    person = person_for_user(request.user)
    data = payload.dict()
    assumption = _assumption_or_none(person, data.pop("assumption_id"))
    experiment = experiments.experiment_create(
        actor=person, team=holder.team, community=holder.community, assumption=assumption, **data
    )
    return Status(201, _experiment_out(_reload(person, experiment.pk), person))


@router.post("/teams/{slug}/experiments", response={201: ExperimentOut, 400: ErrorOut})
def team_experiment_create(request: HttpRequest, slug: str, payload: ExperimentIn) -> Status[ExperimentOut]:
    """Write a test card for a team you belong to."""
    return _create(request, selectors.team_holder(person_for_user(request.user), slug), payload)


@router.post("/communities/{slug}/experiments", response={201: ExperimentOut, 400: ErrorOut})
def community_experiment_create(
    request: HttpRequest, slug: str, payload: ExperimentIn
) -> Status[ExperimentOut]:
    """Write a test card for a community you are an active member of."""
    return _create(request, selectors.community_holder(person_for_user(request.user), slug), payload)


@router.get("/learnings", response=list[ExperimentSummaryOut])
@paginate(PageNumberPagination, page_size=50)
def learning_list(
    request: HttpRequest, result: str = "", decision: str = "", q: str = "", holder: str = ""
) -> QuerySet[Experiment]:
    """Concluded experiments you may see, newest first; holder: ``team:<slug>`` or ``community:<slug>``."""
    return selectors.learnings(
        person_for_user(request.user), result=result, decision=decision, search=q, holder=holder
    )


@router.get("/experiments/{experiment_id}", response=ExperimentOut)
def experiment_detail(request: HttpRequest, experiment_id: int) -> ExperimentOut:
    """An experiment with your prediction and, by the anti-anchoring and group-size rules, the group's."""
    person = person_for_user(request.user)
    return _experiment_out(_reload(person, experiment_id), person)


@router.put("/experiments/{experiment_id}", response={200: ExperimentOut, 400: ErrorOut})
def experiment_update(request: HttpRequest, experiment_id: int, payload: ExperimentIn) -> ExperimentOut:
    """Edit the test card while the experiment is planned."""
    person = person_for_user(request.user)
    experiment = _reload(person, experiment_id)
    data = payload.dict()
    assumption = _assumption_or_none(person, data.pop("assumption_id"))
    experiments.experiment_update(actor=person, experiment=experiment, assumption=assumption, **data)
    return _experiment_out(_reload(person, experiment_id), person)


@router.delete("/experiments/{experiment_id}", response={204: None, 400: ErrorOut})
def experiment_delete(request: HttpRequest, experiment_id: int) -> Status[None]:
    """Delete a planned experiment."""
    person = person_for_user(request.user)
    experiments.experiment_delete(actor=person, experiment=_reload(person, experiment_id))
    return Status(204, None)


@router.post("/experiments/{experiment_id}/predictions", response={201: PredictionOut, 400: ErrorOut})
def experiment_predict(
    request: HttpRequest, experiment_id: int, payload: PredictionIn
) -> Status[ExperimentPrediction]:
    """State or change your probability (0..1) that it succeeds; only while it is planned."""
    person = person_for_user(request.user)
    prediction = experiments.experiment_predict(
        person=person, experiment=_reload(person, experiment_id), probability=payload.probability
    )
    return Status(201, prediction)


@router.post("/experiments/{experiment_id}/start", response={200: ExperimentOut, 400: ErrorOut})
def experiment_start(request: HttpRequest, experiment_id: int) -> ExperimentOut:
    """Start the experiment: predictions close."""
    person = person_for_user(request.user)
    experiments.experiment_start(actor=person, experiment=_reload(person, experiment_id))
    return _experiment_out(_reload(person, experiment_id), person)


@router.post("/experiments/{experiment_id}/conclude", response={200: ExperimentOut, 400: ErrorOut})
def experiment_conclude(request: HttpRequest, experiment_id: int, payload: ConcludeIn) -> ExperimentOut:
    """Conclude with a result and its data; won or lost scores every prediction."""
    person = person_for_user(request.user)
    experiments.experiment_conclude(actor=person, experiment=_reload(person, experiment_id), **payload.dict())
    return _experiment_out(_reload(person, experiment_id), person)


@router.put("/experiments/{experiment_id}/learning-card", response={200: ExperimentOut, 400: ErrorOut})
def experiment_learning_card(
    request: HttpRequest, experiment_id: int, payload: LearningCardIn
) -> ExperimentOut:
    """Write or revise the learning card of a concluded experiment."""
    person = person_for_user(request.user)
    experiments.experiment_learning_card_set(
        actor=person, experiment=_reload(person, experiment_id), **payload.dict()
    )
    return _experiment_out(_reload(person, experiment_id), person)


# Assumptions --------------------------------------------------------------------------------------


class AssumptionSummaryOut(Schema):
    id: int
    statement: str
    scope: str
    team: str | None = Field(None, alias="team.slug")
    community: str | None = Field(None, alias="community.slug")
    owner: str | None = Field(None, alias="owner.display_name")
    confidence: float
    status: str
    evidence_for: int
    evidence_against: int
    updated_at: datetime


class ChangeOut(Schema):
    id: int
    author: str | None = Field(None, alias="author.display_name")
    from_status: str
    to_status: str
    from_confidence: float
    to_confidence: float
    note: str
    created_at: datetime


class EvidenceOut(Schema):
    id: int
    direction: str
    summary: str
    experiment_id: int | None
    review_id: int | None
    answer_id: int | None
    url: str
    added_by: str | None = Field(None, alias="added_by.display_name")
    created_at: datetime


class AssumptionOut(Schema):
    id: int
    statement: str
    details: str
    scope: str
    team: str | None = Field(None, alias="team.slug")
    community: str | None = Field(None, alias="community.slug")
    owner: str | None = Field(None, alias="owner.display_name")
    confidence: float
    status: str
    created_at: datetime
    updated_at: datetime
    changes: list[ChangeOut]
    evidence: list[EvidenceOut]


class AssumptionIn(Schema):
    statement: str
    details: str = ""
    scope: str = Field(..., description='"personal", "team", "community" or "organisation".')
    team: str | None = Field(None, description="The team's slug, for team scope.")
    community: str | None = Field(None, description="The community's slug, for community scope.")
    confidence: float = Field(..., description="Probability the belief is true, 0 to 1.")


class AssumptionEditIn(Schema):
    statement: str
    details: str = ""


class ChangeIn(Schema):
    status: str
    confidence: float
    note: str = Field(..., description="Required: what changed your mind.")


class EvidenceIn(Schema):
    direction: str = Field(..., description='"for" or "against".')
    summary: str
    experiment_id: int | None = None
    review_id: int | None = None
    answer_id: int | None = None
    url: str = ""


def _assumption_out(person: Person, pk: int) -> AssumptionOut:
    assumption = selectors.assumption_for(person, pk)
    out = AssumptionOut.from_orm(assumption)
    out.evidence = [EvidenceOut.from_orm(e) for e in selectors.assumption_evidence(assumption, person)]
    return out


@router.get("/assumptions", response=list[AssumptionSummaryOut])
@paginate(PageNumberPagination, page_size=50)
def assumption_list(
    request: HttpRequest, status: str = "", scope: str = "", q: str = "", mine: bool = False
) -> QuerySet[Assumption]:
    """The assumptions you may see, by their scope."""
    return selectors.assumption_register(
        person_for_user(request.user), status=status, scope=scope, search=q, mine=mine
    )


@router.post("/assumptions", response={201: AssumptionOut, 400: ErrorOut})
def assumption_create(request: HttpRequest, payload: AssumptionIn) -> Status[AssumptionOut]:
    """Register a belief in a scope you belong to."""
    from practica.communities.selectors import community_for
    from practica.people.models import Team

    person = person_for_user(request.user)
    team = Team.objects.filter(slug=payload.team).first() if payload.team else None
    if payload.team and team is None:
        raise ApplicationError("No such team.", field="team")
    community = community_for(person, payload.community).community if payload.community else None
    assumption = assumption_services.assumption_create(
        actor=person,
        statement=payload.statement,
        details=payload.details,
        scope=payload.scope,
        team=team,
        community=community,
        confidence=payload.confidence,
    )
    return Status(201, _assumption_out(person, assumption.pk))


@router.get("/assumptions/{assumption_id}", response=AssumptionOut)
def assumption_detail(request: HttpRequest, assumption_id: int) -> AssumptionOut:
    """An assumption with its history of changes and its evidence."""
    return _assumption_out(person_for_user(request.user), assumption_id)


@router.put("/assumptions/{assumption_id}", response={200: AssumptionOut, 400: ErrorOut})
def assumption_edit(request: HttpRequest, assumption_id: int, payload: AssumptionEditIn) -> AssumptionOut:
    """Reword the belief (status and confidence change through /changes, with a note)."""
    person = person_for_user(request.user)
    assumption_services.assumption_edit(
        actor=person, assumption=selectors.assumption_for(person, assumption_id), **payload.dict()
    )
    return _assumption_out(person, assumption_id)


@router.delete("/assumptions/{assumption_id}", response={204: None, 400: ErrorOut})
def assumption_delete(request: HttpRequest, assumption_id: int) -> Status[None]:
    person = person_for_user(request.user)
    assumption_services.assumption_delete(
        actor=person, assumption=selectors.assumption_for(person, assumption_id)
    )
    return Status(204, None)


@router.post("/assumptions/{assumption_id}/changes", response={201: ChangeOut, 400: ErrorOut})
def assumption_change(request: HttpRequest, assumption_id: int, payload: ChangeIn) -> Status[ChangeOut]:
    """Change the status and/or confidence with a note saying what changed your mind (required)."""
    person = person_for_user(request.user)
    change = assumption_services.assumption_change(
        actor=person, assumption=selectors.assumption_for(person, assumption_id), **payload.dict()
    )
    return Status(201, ChangeOut.from_orm(change))


@router.post("/assumptions/{assumption_id}/evidence", response={201: EvidenceOut, 400: ErrorOut})
def assumption_evidence(request: HttpRequest, assumption_id: int, payload: EvidenceIn) -> Status[EvidenceOut]:
    """Add evidence for or against: one experiment, review, answer or document address."""
    from practica.learning.models import Review

    person = person_for_user(request.user)
    experiment = (
        Experiment.objects.filter(pk=payload.experiment_id).first() if payload.experiment_id else None
    )
    if payload.experiment_id and experiment is None:
        raise ApplicationError("No such experiment.", field="experiment")
    review = Review.objects.filter(pk=payload.review_id).first() if payload.review_id else None
    if payload.review_id and review is None:
        raise ApplicationError("No such review.", field="review")
    evidence = assumption_services.assumption_evidence_add(
        actor=person,
        assumption=selectors.assumption_for(person, assumption_id),
        direction=payload.direction,
        summary=payload.summary,
        experiment=experiment,
        review=review,
        answer_id=payload.answer_id,
        url=payload.url,
    )
    return Status(201, EvidenceOut.from_orm(evidence))


# Shared vision ------------------------------------------------------------------------------------


class CommentOut(Schema):
    id: int
    author: str | None = Field(None, alias="author.display_name")
    text: str
    created_at: datetime


class DraftOut(Schema):
    id: int
    text: str
    note: str
    author: str | None = Field(None, alias="author.display_name")
    status: str
    based_on_version: int
    version: int | None
    created_at: datetime
    adopted_at: datetime | None


class OpenDraftOut(DraftOut):
    stale: bool
    comments: list[CommentOut]


class MonthOut(Schema):
    month: date
    shown: bool
    mean: float | None


class PulseResultsOut(Schema):
    shown: bool
    reason: str
    people: int = Field(..., description="Distinct people whose latest pulse counts.")
    distribution: list[int] | None = Field(None, description="How many gave 1, 2, 3, 4, 5.")
    mean: float | None
    comments: list[str] | None = Field(None, description="Without names, only above the group size.")
    trend: list[MonthOut]


class VisionOut(Schema):
    id: int | None
    community: str | None
    text: str
    version: int
    updated_at: datetime | None
    may_adopt: bool
    may_pulse: bool
    drafts: list[OpenDraftOut]
    versions: list[DraftOut]
    results: PulseResultsOut


class DraftIn(Schema):
    text: str
    note: str = ""


class TextIn(Schema):
    text: str


class PulseIn(Schema):
    score: int = Field(..., description="1 (I do not see my work in this) to 5 (I clearly do).")
    comment: str = ""


class PulseOut(Schema):
    id: int
    score: int
    comment: str
    vision_version: int
    created_at: datetime


def _results_out(results: selectors.PulseResults) -> PulseResultsOut:
    shown = results.distribution.shown
    return PulseResultsOut(
        shown=shown,
        reason=results.distribution.reason,
        people=results.people,
        distribution=results.distribution.value,
        mean=results.mean.value,
        comments=results.comments.value,
        trend=[MonthOut(month=p.month, shown=p.mean.shown, mean=p.mean.value) for p in results.trend],
    )


def _vision_out(scope: selectors.VisionScope) -> VisionOut:
    current = scope.vision
    drafts = selectors.open_drafts(current) if current else []
    return VisionOut(
        id=current.pk if current else None,
        community=scope.community.slug if scope.community else None,
        text=current.text if current else "",
        version=current.version if current else 0,
        updated_at=current.updated_at if current else None,
        may_adopt=scope.may_adopt,
        may_pulse=scope.may_pulse,
        drafts=[
            OpenDraftOut(
                **DraftOut.from_orm(view.draft).dict(),
                stale=view.is_stale(current.version if current else 0),
                comments=[CommentOut.from_orm(c) for c in view.comments],
            )
            for view in drafts
        ],
        versions=[DraftOut.from_orm(d) for d in (selectors.versions(current) if current else [])],
        results=_results_out(selectors.pulse_results(current)),
    )


@router.get("/vision", response=VisionOut)
def organisation_vision(request: HttpRequest) -> VisionOut:
    """The organisation's vision, its drafts, versions and pulse results (above the group size)."""
    return _vision_out(selectors.organisation_scope(person_for_user(request.user)))


@router.get("/communities/{slug}/vision", response=VisionOut)
def community_vision(request: HttpRequest, slug: str) -> VisionOut:
    """A community's vision (a private community's is a 404 for non-members)."""
    return _vision_out(selectors.community_scope(person_for_user(request.user), slug))


@router.post("/vision/drafts", response={201: DraftOut, 400: ErrorOut})
def organisation_draft(request: HttpRequest, payload: DraftIn) -> Status[VisionDraft]:
    """Propose a draft of the organisation's vision."""
    person = person_for_user(request.user)
    return Status(
        201,
        vision.vision_draft_propose(
            actor=person, scope=selectors.organisation_scope(person), **payload.dict()
        ),
    )


@router.post("/communities/{slug}/vision/drafts", response={201: DraftOut, 400: ErrorOut})
def community_draft(request: HttpRequest, slug: str, payload: DraftIn) -> Status[VisionDraft]:
    """Propose a draft of a community's vision."""
    person = person_for_user(request.user)
    scope = selectors.community_scope(person, slug)
    return Status(201, vision.vision_draft_propose(actor=person, scope=scope, **payload.dict()))


@router.post("/vision-drafts/{draft_id}/comments", response={201: CommentOut, 400: ErrorOut})
def draft_comment(request: HttpRequest, draft_id: int, payload: TextIn) -> Status[CommentOut]:
    person = person_for_user(request.user)
    draft, scope = selectors.draft_for(person, draft_id)
    comment = vision.vision_comment_add(actor=person, scope=scope, draft=draft, text=payload.text)
    return Status(201, CommentOut.from_orm(comment))


@router.post("/vision-drafts/{draft_id}/adopt", response={200: VisionOut, 400: ErrorOut})
def draft_adopt(request: HttpRequest, draft_id: int) -> VisionOut:
    """Adopt a draft as the next version (leads; stewards for the organisation). Stale drafts are refused."""
    person = person_for_user(request.user)
    draft, scope = selectors.draft_for(person, draft_id)
    vision.vision_draft_adopt(actor=person, scope=scope, draft=draft)
    return _vision_out(selectors.vision_scope_of(person, draft.vision))


@router.post("/vision-drafts/{draft_id}/rebase", response={200: DraftOut, 400: ErrorOut})
def draft_rebase(request: HttpRequest, draft_id: int, payload: TextIn) -> VisionDraft:
    """Bring a draft onto the current version with a merged text."""
    person = person_for_user(request.user)
    draft, scope = selectors.draft_for(person, draft_id)
    return vision.vision_draft_rebase(actor=person, scope=scope, draft=draft, text=payload.text)


@router.post("/vision-drafts/{draft_id}/withdraw", response={200: DraftOut, 400: ErrorOut})
def draft_withdraw(request: HttpRequest, draft_id: int) -> VisionDraft:
    person = person_for_user(request.user)
    draft, scope = selectors.draft_for(person, draft_id)
    return vision.vision_draft_withdraw(actor=person, scope=scope, draft=draft)


@router.post("/vision/pulse", response={201: PulseOut, 400: ErrorOut})
def organisation_pulse(request: HttpRequest, payload: PulseIn) -> Status[PulseOut]:
    """Your alignment pulse on the organisation's vision (1..5)."""
    person = person_for_user(request.user)
    pulse = vision.vision_pulse_give(
        person=person, scope=selectors.organisation_scope(person), **payload.dict()
    )
    return Status(201, PulseOut.from_orm(pulse))


@router.post("/communities/{slug}/vision/pulse", response={201: PulseOut, 400: ErrorOut})
def community_pulse(request: HttpRequest, slug: str, payload: PulseIn) -> Status[PulseOut]:
    """Your alignment pulse on a community's vision (active members)."""
    person = person_for_user(request.user)
    scope = selectors.community_scope(person, slug)
    pulse = vision.vision_pulse_give(person=person, scope=scope, **payload.dict())
    return Status(201, PulseOut.from_orm(pulse))


# Goals --------------------------------------------------------------------------------------------


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: date | None
    done_at: datetime | None


class CheckInOut(Schema):
    id: int
    author: str | None = Field(None, alias="author.display_name")
    note: str
    current_reality: str
    created_at: datetime


class GoalSummaryOut(Schema):
    id: int
    title: str
    person: str = Field(..., alias="person.display_name")
    status: str
    target_date: date | None
    updated_at: datetime


class GoalsOut(Schema):
    mine: list[GoalSummaryOut]
    shared_with_me: list[GoalSummaryOut]


class GoalOut(Schema):
    id: int
    title: str
    person: str
    vision: str
    current_reality: str
    status: str
    target_date: date | None
    skills: list[str]
    shared_with: list[str] = Field(..., description="Names; only for the goal's owner.")
    milestones: list[MilestoneOut]
    check_ins: list[CheckInOut]


class GoalIn(Schema):
    title: str
    vision: str
    current_reality: str
    target_date: date | None = None
    skill_ids: list[int] = []


class GoalUpdateIn(GoalIn):
    status: str = "active"


class ShareIn(Schema):
    email: str


class MilestoneIn(Schema):
    title: str
    due_on: date | None = None


class MilestoneDoneIn(Schema):
    done: bool


class CheckInIn(Schema):
    note: str
    current_reality: str = ""


def _goal_out(person: Person, pk: int) -> GoalOut:
    goal = selectors.goal_for(person, pk)
    owner = goal.person_id == person.pk
    return GoalOut(
        id=goal.pk,
        title=goal.title,
        person=goal.person.display_name,
        vision=goal.vision,
        current_reality=goal.current_reality,
        status=goal.status,
        target_date=goal.target_date,
        skills=list(goal.skills.order_by("name").values_list("name", flat=True)),
        shared_with=list(goal.shared_with.order_by("display_name").values_list("display_name", flat=True))
        if owner
        else [],
        milestones=[MilestoneOut.from_orm(m) for m in goal.milestones.all()],
        check_ins=[CheckInOut.from_orm(c) for c in goal.check_ins.select_related("author")],
    )


def _skills(ids: list[int]) -> list[Skill]:
    found = list(Skill.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ApplicationError("Choose skills you can see.", field="skills")
    return found


@router.get("/me/goals", response=GoalsOut)
def goal_list(request: HttpRequest) -> GoalsOut:
    """Your learning goals, and the goals others shared with you."""
    person = person_for_user(request.user)
    return GoalsOut(
        mine=[GoalSummaryOut.from_orm(g) for g in selectors.my_goals(person).select_related("person")],
        shared_with_me=[GoalSummaryOut.from_orm(g) for g in selectors.goals_shared_with(person)],
    )


@router.post("/me/goals", response={201: GoalOut, 400: ErrorOut})
def goal_create(request: HttpRequest, payload: GoalIn) -> Status[GoalOut]:
    """Set a learning goal (private to you)."""
    person = person_for_user(request.user)
    data = payload.dict()
    skills = _skills(data.pop("skill_ids"))
    goal = goals.goal_create(actor=person, skills=skills, **data)
    return Status(201, _goal_out(person, goal.pk))


@router.get("/goals/{goal_id}", response=GoalOut)
def goal_detail(request: HttpRequest, goal_id: int) -> GoalOut:
    """A goal you own or that was shared with you; a 404 for everyone else."""
    return _goal_out(person_for_user(request.user), goal_id)


@router.put("/goals/{goal_id}", response={200: GoalOut, 400: ErrorOut})
def goal_update(request: HttpRequest, goal_id: int, payload: GoalUpdateIn) -> GoalOut:
    person = person_for_user(request.user)
    data = payload.dict()
    skills = _skills(data.pop("skill_ids"))
    goals.goal_update(actor=person, goal=selectors.goal_for(person, goal_id), skills=skills, **data)
    return _goal_out(person, goal_id)


@router.delete("/goals/{goal_id}", response={204: None, 400: ErrorOut})
def goal_delete(request: HttpRequest, goal_id: int) -> Status[None]:
    person = person_for_user(request.user)
    goals.goal_delete(actor=person, goal=selectors.goal_for(person, goal_id))
    return Status(204, None)


@router.post("/goals/{goal_id}/shares", response={200: GoalOut, 400: ErrorOut})
def goal_share(request: HttpRequest, goal_id: int, payload: ShareIn) -> GoalOut:
    """Share your goal with someone (by email): they can read it and add check-ins."""
    person = person_for_user(request.user)
    goal = selectors.goal_for(person, goal_id)
    other = Person.objects.filter(email__iexact=payload.email.strip()).select_related("user").first()
    if other is None:
        raise ApplicationError("Nobody here has this email address.", field="email")
    goals.goal_share(actor=person, goal=goal, person=other)
    return _goal_out(person, goal_id)


@router.delete("/goals/{goal_id}/shares/{person_id}", response={200: GoalOut, 400: ErrorOut})
def goal_unshare(request: HttpRequest, goal_id: int, person_id: int) -> GoalOut:
    person = person_for_user(request.user)
    goal = selectors.goal_for(person, goal_id)
    other = Person.objects.filter(pk=person_id).first()
    if other is None:
        raise Http404("No such person.")
    goals.goal_unshare(actor=person, goal=goal, person=other)
    return _goal_out(person, goal_id)


@router.post("/goals/{goal_id}/milestones", response={201: MilestoneOut, 400: ErrorOut})
def milestone_add(request: HttpRequest, goal_id: int, payload: MilestoneIn) -> Status[Milestone]:
    person = person_for_user(request.user)
    milestone = goals.milestone_add(actor=person, goal=selectors.goal_for(person, goal_id), **payload.dict())
    return Status(201, milestone)


@router.put("/goals/{goal_id}/milestones/{milestone_id}", response={200: MilestoneOut, 400: ErrorOut})
def milestone_done(
    request: HttpRequest, goal_id: int, milestone_id: int, payload: MilestoneDoneIn
) -> Milestone:
    """Mark a milestone done or not done."""
    person = person_for_user(request.user)
    goal = selectors.goal_for(person, goal_id)
    milestone = Milestone.objects.filter(goal=goal, pk=milestone_id).select_related("goal").first()
    if milestone is None:
        raise Http404("No such milestone.")
    return goals.milestone_set_done(actor=person, milestone=milestone, done=payload.done)


@router.post("/goals/{goal_id}/check-ins", response={201: CheckInOut, 400: ErrorOut})
def check_in_add(request: HttpRequest, goal_id: int, payload: CheckInIn) -> Status[CheckInOut]:
    """A check-in by the owner or someone the goal is shared with."""
    person = person_for_user(request.user)
    check_in = goals.check_in_add(actor=person, goal=selectors.goal_for(person, goal_id), **payload.dict())
    return Status(201, CheckInOut.from_orm(check_in))
