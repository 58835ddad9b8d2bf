"""Every read of reviews, insights and actions, already limited to what the viewer may see.

- A review is read by its participants only (``core.permissions.review_participant_q``); anyone else
  gets a 404, so a private team's or community's review leaks nowhere.
- An anonymous item's author is never part of what these selectors return to anyone but the author:
  not to the facilitator, not to a lead, not through the API.
- An insight is seen by its author, the participants of its review, and whoever may read the
  content of a community it was shared to (``community_content_q``). Its spread names only the
  communities the viewer may read.
- The board is read with a constant number of queries however many items and people it has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from practica.calibration.forecast_selectors import NOBODY, group_forecasts
from practica.calibration.models import Resolution
from practica.communities.models import Community, Membership, MembershipStatus
from practica.core.permissions import (
    can_facilitate_review,
    community_content_q,
    review_participant_q,
)
from practica.core.privacy import Aggregate
from practica.learning.mind_selectors import group_prediction, predictions_closed
from practica.learning.models import (
    Action,
    ActionStatus,
    ExperimentPrediction,
    Insight,
    InsightAdoption,
    InsightShare,
    MethodTemplate,
    Review,
    ReviewGroup,
    ReviewItem,
    ReviewPhase,
    TemplateKind,
)
from practica.learning.reviews import participants_q, previous_of
from practica.people.models import Person, Team

FOLLOW_THROUGH_DEFINITION = (
    "Follow-through rate: of the actions a later review followed up, the share that were done. "
    "Dropped actions and actions carried over as still open count as not done; actions nobody "
    "has followed up yet do not count."
)


# Method templates ---------------------------------------------------------------------------------


def template_list(*, kind: str | None = TemplateKind.REVIEW) -> QuerySet[MethodTemplate]:
    templates = MethodTemplate.objects.select_related("created_by").order_by("-builtin", "method", "name")
    return templates.filter(kind=kind) if kind else templates


def template_by_slug(slug: str) -> MethodTemplate:
    template = MethodTemplate.objects.filter(slug=slug).select_related("created_by").first()
    if template is None:
        raise Http404("No such template.")
    return template


# Reviews ------------------------------------------------------------------------------------------


def review_list_for(person: Person) -> QuerySet[Review]:
    """Reviews ``person`` takes part in, newest first."""
    return (
        Review.objects.filter(review_participant_q(person))
        .select_related("template", "team", "community", "facilitator")
        .order_by("-held_at", "-id")
    )


@dataclass
class ReviewAccess:
    """A review the viewer takes part in, and whether they facilitate it."""

    review: Review
    person: Person
    is_facilitator: bool

    @property
    def is_closed(self) -> bool:
        return self.review.phase == ReviewPhase.CLOSED


def review_for(person: Person, pk: int) -> ReviewAccess:
    """The review ``pk`` if ``person`` takes part in it; a 404 otherwise (outsiders learn nothing)."""
    review = (
        Review.objects.filter(review_participant_q(person), pk=pk)
        .select_related("template", "team", "community", "facilitator", "previous")
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    membership = None
    if review.community_id is not None and review.facilitator_id != person.pk:
        membership = Membership.objects.filter(community_id=review.community_id, person=person).first()
    return ReviewAccess(
        review=review, person=person, is_facilitator=can_facilitate_review(person, review, membership)
    )


def review_readable(person: Person, review_id: int | None) -> bool:
    """True when ``person`` takes part in the review ``review_id`` (an insight's page names its review
    only to them: a private team's or community's review title leaks nowhere, even when its insight
    travels)."""
    return (
        review_id is not None and Review.objects.filter(review_participant_q(person), pk=review_id).exists()
    )


@dataclass
class ItemView:
    """An item as the viewer may see it: ``author`` is None when it is anonymous and not theirs."""

    pk: int
    section: str
    text: str
    author: str | None
    anonymous: bool
    mine: bool
    group_id: int | None
    votes: int
    my_votes: int


@dataclass
class SectionView:
    key: str
    title: str
    prompt: str
    items: list[ItemView] = field(default_factory=list)


@dataclass
class GroupView:
    pk: int
    title: str
    items: list[ItemView] = field(default_factory=list)

    @property
    def votes(self) -> int:
        return sum(item.votes for item in self.items)


@dataclass(frozen=True)
class FollowThrough:
    done: int
    followed_up: int

    @property
    def rate(self) -> float | None:
        return self.done / self.followed_up if self.followed_up else None


@dataclass
class Expectation:
    """After-action reviews: what was predicted, beside what happened."""

    kind: str
    title: str
    url: str
    expected: str
    prediction: Aggregate[float]
    outcome: str
    hidden_until: str = ""  # why the group's figure is not shown yet (anti-anchoring), or ""


@dataclass
class Board:
    sections: list[SectionView]
    groups: list[GroupView]
    item_count: int
    dots_left: int
    participants: list[Person]
    to_follow_up: list[Action]
    followed_up: list[Action]
    actions: list[Action]
    insights: list[Insight]
    expectations: list[Expectation]
    follow_through: FollowThrough
    previous: Review | None = None

    @property
    def top_items(self) -> list[ItemView]:
        items = [item for section in self.sections for item in section.items]
        items += [item for group in self.groups for item in group.items]
        return sorted((item for item in items if item.votes), key=lambda item: (-item.votes, item.pk))[:10]


def item_views(review: Review, person: Person, *, pks: list[int] | None = None) -> list[ItemView]:
    """Items of the review for ``person`` (one query), anonymous authors withheld from everyone else."""
    items = (
        ReviewItem.objects.filter(review=review)
        .annotate(
            vote_count=Count("votes"),
            my_vote_count=Count("votes", filter=Q(votes__voter=person)),
        )
        .values(
            "pk",
            "section",
            "text",
            "anonymous",
            "author_id",
            "author__display_name",
            "group_id",
            "vote_count",
            "my_vote_count",
        )
        .order_by("created_at", "pk")
    )
    if pks is not None:
        items = items.filter(pk__in=pks)
    return [
        ItemView(
            pk=row["pk"],
            section=row["section"],
            text=row["text"],
            author=None
            if row["anonymous"] and row["author_id"] != person.pk
            else row["author__display_name"],
            anonymous=row["anonymous"],
            mine=row["author_id"] == person.pk,
            group_id=row["group_id"],
            votes=row["vote_count"],
            my_votes=row["my_vote_count"],
        )
        for row in items
    ]


def item_view(review: Review, person: Person, pk: int) -> ItemView:
    views = item_views(review, person, pks=[pk])
    if not views:
        raise Http404("No such item.")
    return views[0]


def dots_left(review: Review, person: Person) -> int:
    from practica.learning.models import DotVote

    used = DotVote.objects.filter(review=review, voter=person).count()
    return max(0, review.dots_per_person - used)


def participants(review: Review) -> QuerySet[Person]:
    return Person.objects.filter(participants_q(review)).distinct().order_by("display_name", "pk")


def follow_through_of(actions: QuerySet[Action]) -> FollowThrough:
    """Done / followed up over ``actions`` (one query)."""
    counts = actions.filter(followed_up_in__isnull=False).aggregate(
        followed=Count("pk"), done=Count("pk", filter=Q(status=ActionStatus.DONE))
    )
    return FollowThrough(done=counts["done"] or 0, followed_up=counts["followed"] or 0)


def board(access: ReviewAccess) -> Board:
    """Everything the review page shows, in a constant number of queries."""
    review, person = access.review, access.person
    items = item_views(review, person)
    sections = [
        SectionView(key=section["key"], title=section["title"], prompt=section.get("prompt", ""))
        for section in review.template.sections
    ]
    by_key = {section.key: section for section in sections}
    groups = [
        GroupView(pk=pk, title=title)
        for pk, title in ReviewGroup.objects.filter(review=review).values_list("pk", "title")
    ]
    by_group = {group.pk: group for group in groups}
    for item in items:
        if item.group_id is not None and item.group_id in by_group:
            by_group[item.group_id].items.append(item)
        elif item.section in by_key:
            by_key[item.section].items.append(item)
    previous_actions: list[Action] = []
    previous = previous_of(review)
    if previous is not None:
        previous_actions = list(
            Action.objects.filter(review_id=previous.pk).select_related("owner").order_by("pk")
        )
    return Board(
        sections=sections,
        groups=groups,
        item_count=len(items),
        dots_left=dots_left(review, person),
        participants=list(participants(review)),
        to_follow_up=[action for action in previous_actions if action.followed_up_in_id is None],
        followed_up=[action for action in previous_actions if action.followed_up_in_id == review.pk],
        actions=list(Action.objects.filter(review=review).select_related("owner").order_by("pk")),
        insights=list(_with_spread(Insight.objects.filter(review=review), person).order_by("pk")),
        expectations=expectations(review),
        follow_through=follow_through_of(Action.objects.filter(followed_up_in=review)),
        previous=previous,
    )


UNTIL_CLOSED = "Shown once the question closes."
UNTIL_STARTED = "Shown once the experiment starts."


def _mean_of(figure: Aggregate[Any]) -> Aggregate[float]:
    """The mean of a group figure (a forecast question's or an experiment's), withheld alike."""
    return Aggregate(figure.value.mean if figure.value is not None else None, figure.people, figure.shown)


def expectations(review: Review) -> list[Expectation]:
    """Linked forecasts and experiments: the group's stated probability beside the outcome, by the
    same rules as their own pages (released steps and anti-anchoring for a forecast question, shown
    once predictions closed for an experiment; both only above the minimum group size). Three queries."""
    from django.urls import reverse

    result: list[Expectation] = []
    questions = list(review.forecasts.select_related("community").order_by("pk"))
    groups = group_forecasts(question.pk for question in questions) if questions else {}
    for question in questions:
        figure = groups.get(question.pk, NOBODY).figure
        outcome = (
            "Not resolved yet"
            if question.resolution == Resolution.OPEN
            else f"Resolved: {question.get_resolution_display()}"
        )
        result.append(
            Expectation(
                kind="Forecast",
                title=question.title,
                url=reverse("calibration:forecast-detail", args=[question.community.slug, question.pk]),
                expected=f'"{question.title}" would be answered yes',
                prediction=_mean_of(figure),
                outcome=outcome,
                hidden_until="" if question.is_closed() else UNTIL_CLOSED,
            )
        )
    experiments = list(review.experiments.order_by("pk"))
    if experiments:
        predictions: dict[int, list[float]] = {}
        for experiment_id, probability in ExperimentPrediction.objects.filter(
            experiment__in=experiments
        ).values_list("experiment_id", "probability"):
            predictions.setdefault(experiment_id, []).append(probability)
        for experiment in experiments:
            group = group_prediction(experiment, predictions.get(experiment.pk, []))
            result.append(
                Expectation(
                    kind="Experiment",
                    title=experiment.title,
                    url="",
                    expected=experiment.success_criterion,
                    prediction=_mean_of(group),
                    outcome=experiment.get_result_display() if experiment.result else "No result yet",
                    hidden_until="" if predictions_closed(experiment) else UNTIL_STARTED,
                )
            )
    return result


@dataclass
class HistoryRow:
    review: Review
    followed_up: int
    done: int

    @property
    def rate(self) -> float | None:
        return self.done / self.followed_up if self.followed_up else None


def review_history(
    *, team: Team | None = None, community: Community | None = None
) -> tuple[list[HistoryRow], FollowThrough]:
    """A team's or community's reviews with each one's follow-through, and the overall rate (two queries)."""
    reviews = (
        Review.objects.filter(team=team) if team is not None else Review.objects.filter(community=community)
    )
    followed = Action.objects.filter(followed_up_in=OuterRef("pk")).values("followed_up_in")
    annotated = (
        reviews.select_related("template", "facilitator")
        .annotate(
            followed_count=Coalesce(Subquery(followed.annotate(n=Count("pk")).values("n")[:1]), 0),
            done_count=Coalesce(
                Subquery(followed.filter(status=ActionStatus.DONE).annotate(n=Count("pk")).values("n")[:1]), 0
            ),
            action_count=Coalesce(
                Subquery(
                    Action.objects.filter(review=OuterRef("pk"))
                    .values("review")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
                0,
            ),
        )
        .order_by("-held_at", "-id")
    )
    rows = [
        HistoryRow(review=review, followed_up=review.followed_count, done=review.done_count)
        for review in annotated
    ]
    total = FollowThrough(
        done=sum(row.done for row in rows), followed_up=sum(row.followed_up for row in rows)
    )
    return rows, total


def team_for(person: Person, slug: str) -> Team:
    """A team whose reviews ``person`` may read: their own teams only (404 otherwise)."""
    team = Team.objects.filter(slug=slug, memberships__person=person).first()
    if team is None:
        raise Http404("No such team.")
    return team


# Insights -------------------------------------------------------------------------------------------------


def insight_visible_q(person: Person) -> Q:
    """Filter for insights ``person`` may see (use on Insight querysets)."""
    readable = Community.objects.filter(community_content_q(person)).values("pk")
    shared_where_readable = InsightShare.objects.filter(insight=OuterRef("pk"), community__in=readable)
    own_reviews = Review.objects.filter(review_participant_q(person)).values("pk")
    return Q(author=person) | Q(review__in=own_reviews) | Q(Exists(shared_where_readable))


def _with_spread(insights: QuerySet[Insight], person: Person) -> QuerySet[Insight]:
    """Share counts over the communities ``person`` may read only: a share to a private community
    they are not in is not even counted."""
    readable = Community.objects.filter(community_content_q(person)).values("pk")
    shares = (
        InsightShare.objects.filter(insight=OuterRef("pk"), community__in=readable)
        .values("insight")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    adoptions = (
        InsightAdoption.objects.filter(insight=OuterRef("pk"))
        .values("insight")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return insights.annotate(
        share_count=Coalesce(Subquery(shares), 0), adoption_count=Coalesce(Subquery(adoptions), 0)
    )


def insight_list_for(person: Person) -> QuerySet[Insight]:
    """Insights ``person`` may see, newest first, with how far each has spread."""
    return _with_spread(
        Insight.objects.filter(insight_visible_q(person)).select_related("team", "author", "review"), person
    ).order_by("-created_at", "-id")


def insight_for(person: Person, pk: int) -> Insight:
    insight = (
        Insight.objects.filter(insight_visible_q(person), pk=pk)
        .select_related("team", "author", "review")
        .first()
    )
    if insight is None:
        raise Http404("No such insight.")
    return insight


@dataclass
class AdoptionView:
    team: str
    adopted_at: Any
    adopted_by: str | None
    note: str
    via: str | None
    via_slug: str | None


@dataclass
class Spread:
    shares: list[InsightShare]
    adoptions: list[AdoptionView]


def insight_spread(insight: Insight, person: Person) -> Spread:
    """Where the insight went: shares to communities the viewer may read (others are neither named
    nor counted) and the teams that adopted it, with the community share they found it through when the
    viewer may read that community. Two queries."""
    readable = set(Community.objects.filter(community_content_q(person)).values_list("pk", flat=True))
    shares = list(
        InsightShare.objects.filter(insight=insight)
        .select_related("community", "shared_by")
        .order_by("shared_at", "pk")
    )
    visible = [share for share in shares if share.community_id in readable]
    adoptions = [
        AdoptionView(
            team=adoption.team.name,
            adopted_at=adoption.adopted_at,
            adopted_by=adoption.adopted_by.display_name if adoption.adopted_by else None,
            note=adoption.note,
            via=adoption.via.community.name
            if adoption.via and adoption.via.community_id in readable
            else None,
            via_slug=adoption.via.community.slug
            if adoption.via and adoption.via.community_id in readable
            else None,
        )
        for adoption in InsightAdoption.objects.filter(insight=insight)
        .select_related("team", "adopted_by", "via__community")
        .order_by("adopted_at", "pk")
    ]
    return Spread(shares=visible, adoptions=adoptions)


def community_insights(community: Community) -> QuerySet[InsightShare]:
    """Insights shared to a community (the caller has checked the viewer may read it)."""
    adoptions = (
        InsightAdoption.objects.filter(insight=OuterRef("insight_id"))
        .values("insight")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return (
        InsightShare.objects.filter(community=community)
        .select_related("insight", "insight__team", "shared_by")
        .annotate(adoption_count=Coalesce(Subquery(adoptions), 0))
        .order_by("-shared_at", "-id")
    )


def shareable_communities(person: Person) -> QuerySet[Community]:
    return Community.objects.filter(
        memberships__person=person, memberships__status=MembershipStatus.ACTIVE
    ).order_by("name")


def my_teams(person: Person) -> QuerySet[Team]:
    return Team.objects.filter(memberships__person=person).order_by("name")


# Home ---------------------------------------------------------------------------------------------------


def my_open_actions(person: Person) -> QuerySet[Action]:
    """Open actions assigned to ``person`` that no later review has followed up yet."""
    return (
        Action.objects.filter(owner=person, status=ActionStatus.OPEN, followed_up_in__isnull=True)
        .select_related("review", "review__team", "review__community")
        .order_by("due_on", "pk")
    )
