"""Reads for experiments, the assumption register, shared vision and learning goals, already limited to
what the viewer may see. The pages, the API and other apps (systems' causal-loop links, reviews) call these.

Visibility rules, written once here:

- Experiments: a team's experiments are open to everyone signed in (learning travels); a community's
  follow its content rules (a private community's experiments are for its active members only).
  Team members, or a community's active members, take part (predict).
- Anti-anchoring and privacy: the group's predictions stay hidden until the experiment started and
  predictions closed (``predictions_closed``).
  Nobody else's individual prediction is ever shown by name; group numbers only through ``guarded``.
- Assumptions follow their scope: personal (owner only), team (its members), community (its content
  rules), organisation (everyone signed in).
- Visions: the organisation's is open to everyone signed in; a community's follows its content rules.
  Pulse results only above the minimum group size; comments without names, and only then.
- Learning goals: the owner and the people they shared the goal with; nobody else, admins included.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from practica.communities.models import Community, Role
from practica.communities.selectors import CommunityAccess, community_for
from practica.core.errors import ApplicationError
from practica.core.permissions import (
    community_content_q,
    is_active_member,
    is_team_member,
    membership_of,
    review_participant_q,
)
from practica.core.privacy import Aggregate, check_filter_split, guarded, released_rows
from practica.learning.models import (
    AlignmentPulse,
    Assumption,
    AssumptionEvidence,
    AssumptionScope,
    Experiment,
    ExperimentPrediction,
    ExperimentResult,
    ExperimentStatus,
    LearningGoal,
    Review,
    Vision,
    VisionComment,
    VisionDraft,
    VisionDraftStatus,
)
from practica.people.models import Person, Team, TeamMembership

NO_EXPERIMENT = "No such experiment."
NO_ASSUMPTION = "No such assumption."
NO_GOAL = "No such learning goal."
NO_DRAFT = "No such draft."


# Experiments --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """Who holds experiments (a team or a community) and what the viewer may do there."""

    team: Team | None
    access: CommunityAccess | None
    is_participant: bool
    may_run: bool

    @property
    def community(self) -> Community | None:
        return self.access.community if self.access else None

    @property
    def name(self) -> str:
        if self.team is not None:
            return self.team.name
        assert self.access is not None
        return self.access.community.name


def team_holder(person: Person, slug: str) -> Holder:
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise Http404("No such team.")
    member = is_team_member(person, team.pk)
    return Holder(team=team, access=None, is_participant=member, may_run=member)


def community_holder(person: Person, slug: str) -> Holder:
    access = community_for(person, slug)
    return Holder(team=None, access=access, is_participant=access.is_member, may_run=access.is_lead)


def experiment_visible_q(person: Person) -> Q:
    """Filter for experiments ``person`` may see (use on Experiment querysets)."""
    readable = Community.objects.filter(community_content_q(person)).values("pk")
    return Q(team__isnull=False) | Q(community__in=readable)


def experiment_for(person: Person, pk: int) -> tuple[Experiment, Holder]:
    """An experiment with the viewer's role in its team or community, or 404."""
    experiment = (
        Experiment.objects.filter(pk=pk)
        .select_related("team", "community", "owner", "assumption", "template")
        .first()
    )
    if experiment is None:
        raise Http404(NO_EXPERIMENT)
    if experiment.community is not None:
        holder = community_holder(person, experiment.community.slug)
    else:
        assert experiment.team is not None
        holder = team_holder(person, experiment.team.slug)
    return experiment, holder


def is_participant(person: Person, experiment: Experiment) -> bool:
    """Team members, or active members of the community, predict on an experiment."""
    if experiment.team_id is not None:
        return is_team_member(person, experiment.team_id)
    assert experiment.community is not None
    return is_active_member(membership_of(person, experiment.community))


def may_run(person: Person, experiment: Experiment) -> bool:
    """The owner, any member of the team, or a lead of the community starts and concludes it."""
    if experiment.owner_id == person.pk and is_participant(person, experiment):
        return True
    if experiment.team_id is not None:
        return is_team_member(person, experiment.team_id)
    assert experiment.community is not None
    membership = membership_of(person, experiment.community)
    return is_active_member(membership) and membership is not None and membership.role == Role.LEAD


def _with_counts(experiments: QuerySet[Experiment]) -> QuerySet[Experiment]:
    return experiments.select_related("owner", "team", "community").annotate(
        prediction_count=Count("predictions", distinct=True)
    )


@dataclass(frozen=True)
class Board:
    planned: list[Experiment]
    running: list[Experiment]
    concluded: list[Experiment]

    @property
    def empty(self) -> bool:
        return not (self.planned or self.running or self.concluded)


BOARD_CONCLUDED_SHOWN = 30


def experiment_board(holder: Holder) -> Board:
    """The holder's experiments in three columns (2 queries whatever the number of experiments)."""
    base = (
        Experiment.objects.filter(team=holder.team)
        if holder.team
        else Experiment.objects.filter(community=holder.community)
    )
    open_ones = list(_with_counts(base.exclude(status=ExperimentStatus.CONCLUDED)).order_by("-created_at"))
    concluded = list(
        _with_counts(base.filter(status=ExperimentStatus.CONCLUDED)).order_by("-concluded_at", "-id")[
            :BOARD_CONCLUDED_SHOWN
        ]
    )
    return Board(
        planned=[e for e in open_ones if e.status == ExperimentStatus.PLANNED],
        running=[e for e in open_ones if e.status == ExperimentStatus.RUNNING],
        concluded=concluded,
    )


def learnings(
    person: Person, *, result: str = "", decision: str = "", search: str = "", holder: str = ""
) -> QuerySet[Experiment]:
    """Concluded experiments the viewer may see, newest first, filtered by result, decision, text and
    holder (``team:<slug>`` or ``community:<slug>``)."""
    experiments = _with_counts(
        Experiment.objects.filter(experiment_visible_q(person), status=ExperimentStatus.CONCLUDED)
    ).order_by("-concluded_at", "-id")
    if result:
        experiments = experiments.filter(result=result)
    if decision:
        experiments = experiments.filter(decision=decision)
    search = search.strip()
    if search:
        experiments = experiments.filter(
            Q(title__icontains=search) | Q(hypothesis__icontains=search) | Q(learning__icontains=search)
        )
    kind, _, slug = holder.partition(":")
    if kind == "team" and slug:
        experiments = experiments.filter(team__slug=slug)
    elif kind == "community" and slug:
        experiments = experiments.filter(community__slug=slug)
    return experiments


@dataclass(frozen=True)
class GroupPrediction:
    mean: float
    median: float
    bins: list[int]  # predictions per 10% bin, 0-10 .. 90-100
    brier: float | None  # mean Brier score of the individual predictions, once won or lost
    brier_of_mean: float | None  # Brier score of the group's mean prediction


@dataclass(frozen=True)
class PredictionPage:
    """What the viewer may see about an experiment's predictions."""

    mine: ExperimentPrediction | None
    count: int
    group_visible: bool
    group: Aggregate[GroupPrediction]
    outcome: float | None  # 1 won, 0 lost, None before or when inconclusive

    @property
    def my_score(self) -> float | None:
        """The viewer's Brier score on this experiment (0 perfect, 1 worst)."""
        if self.mine is None or self.outcome is None:
            return None
        return (self.mine.probability - self.outcome) ** 2


def outcome_of(experiment: Experiment) -> float | None:
    if experiment.result == ExperimentResult.WON:
        return 1.0
    if experiment.result == ExperimentResult.LOST:
        return 0.0
    return None


def predictions_closed(experiment: Experiment) -> bool:
    """The group's predictions show only once predictions are closed (the experiment started): while
    they are open, comparing the group's figure before and after one person predicts would reveal
    that person's number, and seeing it would anchor those yet to predict."""
    return experiment.status != ExperimentStatus.PLANNED


def group_prediction(experiment: Experiment, values: list[float]) -> Aggregate[GroupPrediction]:
    """Mean, median, histogram and (once won or lost) Brier scores of the predictions ``values``, one
    per person; withheld below the minimum group size."""
    if not values:
        return Aggregate(value=None, people=0, shown=False)
    outcome = outcome_of(experiment)
    bins = [0] * 10
    for value in values:
        bins[min(int(value * 10), 9)] += 1
    mean = statistics.fmean(values)
    return guarded(
        GroupPrediction(
            mean=mean,
            median=statistics.median(values),
            bins=bins,
            brier=statistics.fmean((v - outcome) ** 2 for v in values) if outcome is not None else None,
            brier_of_mean=(mean - outcome) ** 2 if outcome is not None else None,
        ),
        len(values),
    )


def prediction_page(experiment: Experiment, viewer: Person) -> PredictionPage:
    """The viewer's prediction and, once predictions are closed and above the group size, the group's
    (1 query)."""
    rows = list(ExperimentPrediction.objects.filter(experiment=experiment).order_by("id"))
    mine = next((row for row in rows if row.person_id == viewer.pk), None)
    values = [row.probability for row in rows]
    return PredictionPage(
        mine=mine,
        count=len(values),
        group_visible=predictions_closed(experiment),
        group=group_prediction(experiment, values),
        outcome=outcome_of(experiment),
    )


# Assumptions --------------------------------------------------------------------------------------


def assumption_visible_q(person: Person) -> Q:
    """Filter for assumptions ``person`` may see, by scope (use on Assumption querysets)."""
    my_teams = TeamMembership.objects.filter(person=person).values("team_id")
    readable = Community.objects.filter(community_content_q(person)).values("pk")
    return (
        Q(scope=AssumptionScope.ORGANISATION)
        | Q(scope=AssumptionScope.PERSONAL, owner=person)
        | Q(scope=AssumptionScope.TEAM, team__in=my_teams)
        | Q(scope=AssumptionScope.COMMUNITY, community__in=readable)
    )


def assumptions_visible_to(person: Person) -> QuerySet[Assumption]:
    """Every assumption ``person`` may see: the one entry point other apps (systems, reviews) call."""
    return Assumption.objects.filter(assumption_visible_q(person))


def evidence_visible_q(person: Person, prefix: str = "") -> Q:
    """Filter for evidence rows ``person`` may see: evidence citing an experiment, a review or an answer
    they cannot see (a private community's, another team's review) is left out, so it leaks nowhere."""
    readable = Community.objects.filter(community_content_q(person)).values("pk")
    reviews = Review.objects.filter(review_participant_q(person)).values("pk")

    def q(**lookups: object) -> Q:
        return Q(**{f"{prefix}{key}": value for key, value in lookups.items()})

    return (
        (
            q(experiment__isnull=True)
            | q(experiment__team__isnull=False)
            | q(experiment__community__in=readable)
        )
        # A review is read by its participants only (an open community's too), so is evidence citing it.
        & (q(review__isnull=True) | q(review__in=reviews))
        & (q(answer__isnull=True) | q(answer__question__community__in=readable))
    )


def assumption_evidence(assumption: Assumption, person: Person) -> QuerySet[AssumptionEvidence]:
    """The evidence for and against ``assumption`` that ``person`` may see, newest first."""
    return (
        AssumptionEvidence.objects.filter(evidence_visible_q(person), assumption=assumption)
        .select_related("added_by", "experiment", "answer__question__community")
        .order_by("-created_at", "-id")
    )


def assumption_register(
    person: Person, *, status: str = "", scope: str = "", search: str = "", mine: bool = False
) -> QuerySet[Assumption]:
    visible_evidence = evidence_visible_q(person, "evidence__")
    assumptions = (
        assumptions_visible_to(person)
        .select_related("owner", "team", "community")
        .annotate(
            evidence_for=Count(
                "evidence", filter=Q(evidence__direction="for") & visible_evidence, distinct=True
            ),
            evidence_against=Count(
                "evidence", filter=Q(evidence__direction="against") & visible_evidence, distinct=True
            ),
        )
        .order_by("-updated_at", "-id")
    )
    if status:
        assumptions = assumptions.filter(status=status)
    if scope:
        assumptions = assumptions.filter(scope=scope)
    if mine:
        assumptions = assumptions.filter(owner=person)
    search = search.strip()
    if search:
        assumptions = assumptions.filter(Q(statement__icontains=search) | Q(details__icontains=search))
    return assumptions


def assumption_for(person: Person, pk: int) -> Assumption:
    assumption = (
        assumptions_visible_to(person).filter(pk=pk).select_related("owner", "team", "community").first()
    )
    if assumption is None:
        raise Http404(NO_ASSUMPTION)
    return assumption


def assumption_experiments(assumption: Assumption, person: Person) -> QuerySet[Experiment]:
    return (
        Experiment.objects.filter(experiment_visible_q(person), assumption=assumption)
        .select_related("team", "community")
        .order_by("-created_at")
    )


# Shared vision ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisionScope:
    """The organisation (access None) or a community; what the viewer may do with its vision."""

    access: CommunityAccess | None
    vision: Vision | None
    may_adopt: bool
    may_pulse: bool

    @property
    def community(self) -> Community | None:
        return self.access.community if self.access else None


def organisation_scope(person: Person) -> VisionScope:
    return VisionScope(
        access=None,
        vision=Vision.objects.filter(organisation=True).first(),
        may_adopt=person.is_steward,
        may_pulse=True,
    )


def community_scope(person: Person, slug: str) -> VisionScope:
    access = community_for(person, slug)
    return VisionScope(
        access=access,
        vision=Vision.objects.filter(community=access.community).first(),
        may_adopt=access.is_lead,
        may_pulse=access.is_member,
    )


def vision_scope_of(person: Person, vision: Vision) -> VisionScope:
    """The scope of an existing vision (the API), with the same checks as the pages; 404 otherwise."""
    if vision.organisation:
        return organisation_scope(person)
    assert vision.community is not None
    return community_scope(person, vision.community.slug)


def vision_by_id(person: Person, pk: int) -> VisionScope:
    vision = Vision.objects.filter(pk=pk).select_related("community").first()
    if vision is None:
        raise Http404("No such vision.")
    return vision_scope_of(person, vision)


def draft_for(person: Person, pk: int) -> tuple[VisionDraft, VisionScope]:
    draft = VisionDraft.objects.filter(pk=pk).select_related("vision__community", "author").first()
    if draft is None:
        raise Http404(NO_DRAFT)
    return draft, vision_scope_of(person, draft.vision)


@dataclass
class DraftView:
    draft: VisionDraft
    comments: list[VisionComment] = field(default_factory=list)
    error: str = ""

    def is_stale(self, current_version: int) -> bool:
        return self.draft.based_on_version != current_version


def open_drafts(vision: Vision) -> list[DraftView]:
    """Drafts under discussion with their comments (2 queries)."""
    drafts = [
        DraftView(draft)
        for draft in VisionDraft.objects.filter(vision=vision, status=VisionDraftStatus.DRAFT)
        .select_related("author")
        .order_by("-created_at", "-id")
    ]
    by_id = {view.draft.pk: view for view in drafts}
    for comment in VisionComment.objects.filter(draft_id__in=by_id).select_related("author").order_by("id"):
        assert comment.draft_id is not None
        by_id[comment.draft_id].comments.append(comment)
    return drafts


def versions(vision: Vision) -> list[VisionDraft]:
    """Adopted versions, newest first."""
    return list(
        VisionDraft.objects.filter(vision=vision, status=VisionDraftStatus.ADOPTED)
        .select_related("author")
        .order_by("-version")
    )


@dataclass(frozen=True)
class MonthPoint:
    month: date
    people: int
    mean: Aggregate[float]


@dataclass(frozen=True)
class PulseResults:
    """The alignment pulse over each person's latest answer; withheld below the group size."""

    people: int
    distribution: Aggregate[list[int]]  # counts of 1..5
    mean: Aggregate[float]
    comments: Aggregate[list[str]]
    trend: list[MonthPoint]


def _month_mean(by_person: dict[int, int], everyone: int) -> Aggregate[float]:
    """A month's mean, shown only when the month has enough people AND the people who answered at
    some time but not that month are none or enough too: otherwise the overall results minus this
    month would single out the few who answered only in other months (``check_filter_split``'s rule)."""
    people = len(by_person)
    try:
        check_filter_split(everyone, [people])
    except ApplicationError:
        return Aggregate(value=None, people=people, shown=False)
    return guarded(statistics.fmean(by_person.values()), people)


def pulse_results(vision: Vision | None) -> PulseResults:
    """Distribution and mean of each person's latest pulse, their comments without names, and the
    monthly trend (each month over each person's latest pulse that month, each month guarded)."""
    if vision is None:
        empty: Aggregate[list[int]] = Aggregate(value=None, people=0, shown=False)
        return PulseResults(0, empty, Aggregate(None, 0, False), Aggregate(None, 0, False), [])
    rows = list(
        AlignmentPulse.objects.filter(vision=vision)
        .order_by("person_id", "-created_at", "-id")
        .values_list("person_id", "score", "comment", "created_at")
    )
    # Released pulses only: the results move a month at a time (core.privacy.release_cutoff), so one
    # person's new pulse never shows as a change in the figures.
    rows = released_rows(rows, timezone.now())
    latest: dict[int, tuple[int, str]] = {}
    monthly: dict[date, dict[int, int]] = defaultdict(dict)
    for person_id, score, comment, created_at in rows:
        latest.setdefault(person_id, (score, comment))
        month = created_at.date().replace(day=1)
        monthly[month].setdefault(person_id, score)
    people = len(latest)
    scores = [score for score, _ in latest.values()]
    counts = Counter(scores)
    trend = [
        MonthPoint(month=month, people=len(by_person), mean=_month_mean(by_person, people))
        for month, by_person in sorted(monthly.items())
    ]
    comments = sorted(comment.strip() for _, comment in latest.values() if comment.strip())
    return PulseResults(
        people=people,
        distribution=guarded([counts.get(score, 0) for score in range(1, 6)], people),
        mean=guarded(statistics.fmean(scores), people) if scores else Aggregate(None, 0, False),
        comments=guarded(comments, people),
        trend=trend,
    )


def my_latest_pulse(vision: Vision | None, person: Person) -> AlignmentPulse | None:
    if vision is None:
        return None
    return AlignmentPulse.objects.filter(vision=vision, person=person).order_by("-created_at", "-id").first()


def community_visions_for(person: Person) -> QuerySet[Vision]:
    """Adopted community visions the viewer may read (for the learning home panel)."""
    readable = Community.objects.filter(community_content_q(person)).values("pk")
    return (
        Vision.objects.filter(organisation=False, community__in=readable, version__gt=0)
        .select_related("community")
        .order_by("community__name")
    )


# Learning goals -----------------------------------------------------------------------------------


def my_goals(person: Person) -> QuerySet[LearningGoal]:
    return (
        LearningGoal.objects.filter(person=person)
        .annotate(
            milestone_count=Count("milestones", distinct=True),
            milestones_done=Count("milestones", filter=Q(milestones__done_at__isnull=False), distinct=True),
        )
        .order_by("status", "-updated_at", "-id")
    )


def goals_shared_with(person: Person) -> QuerySet[LearningGoal]:
    return (
        LearningGoal.objects.filter(shared_with=person)
        .select_related("person")
        .annotate(
            milestone_count=Count("milestones", distinct=True),
            milestones_done=Count("milestones", filter=Q(milestones__done_at__isnull=False), distinct=True),
        )
        .order_by("-updated_at", "-id")
    )


def goal_for(person: Person, pk: int) -> LearningGoal:
    """A goal the viewer owns or was shared with; 404 for everyone else (nothing leaks, not even that
    it exists)."""
    shared = LearningGoal.shared_with.through.objects.filter(
        learninggoal_id=OuterRef("pk"), person_id=person.pk
    )
    goal = (
        LearningGoal.objects.filter(pk=pk)
        .filter(Q(person=person) | Q(Exists(shared)))
        .select_related("person")
        .first()
    )
    if goal is None:
        raise Http404(NO_GOAL)
    return goal


# The learning home page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HomePanels:
    awaiting_prediction: list[Experiment]
    recent_learnings: list[Experiment]
    organisation_vision: Vision | None
    goals: list[LearningGoal]
    my_teams: list[Team]


HOME_ROWS = 5


def home_panels(person: Person) -> HomePanels:
    """What the learning home shows of experiments, vision and goals (a fixed number of queries)."""
    from practica.communities.models import Membership, MembershipStatus

    my_team_ids = TeamMembership.objects.filter(person=person).values("team_id")
    my_communities = Membership.objects.filter(person=person, status=MembershipStatus.ACTIVE).values(
        "community_id"
    )
    predicted = ExperimentPrediction.objects.filter(experiment=OuterRef("pk"), person=person)
    awaiting = list(
        _with_counts(
            Experiment.objects.filter(status=ExperimentStatus.PLANNED)
            .filter(Q(team__in=my_team_ids) | Q(community__in=my_communities))
            .exclude(Exists(predicted))
        ).order_by("-created_at", "-id")[:HOME_ROWS]
    )
    return HomePanels(
        awaiting_prediction=awaiting,
        recent_learnings=list(learnings(person)[:HOME_ROWS]),
        organisation_vision=Vision.objects.filter(organisation=True, version__gt=0).first(),
        goals=list(my_goals(person).filter(status="active")[:HOME_ROWS]),
        my_teams=list(Team.objects.filter(memberships__person=person).order_by("name")),
    )
