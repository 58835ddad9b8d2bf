"""The JSON API for reviews, method templates, insights and actions: the same selectors and services
as the pages.

A review someone does not take part in is a 404; refusals from the services are a 400 with the same
text. An anonymous item's ``author`` is null for everyone but its author (``mine`` tells the author).
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from practica.communities.models import Community
from practica.communities.selectors import community_for
from practica.core.errors import ApplicationError
from practica.core.permissions import community_visible_q, person_for_user
from practica.learning import review_selectors as selectors
from practica.learning import reviews
from practica.learning.models import Action, Insight, ReviewGroup, ReviewItem
from practica.people.models import Person, Team

router = Router(tags=["reviews"])


class ErrorOut(Schema):
    detail: str


class SectionOut(Schema):
    key: str
    title: str
    prompt: str = ""


class TemplateOut(Schema):
    slug: str
    name: str
    method: str
    kind: str
    summary: str
    description: str
    builtin: bool
    sections: list[SectionOut]


class ReviewSummaryOut(Schema):
    id: int
    title: str
    template: str = Field(..., alias="template.slug")
    team: str | None = Field(None, alias="team.slug")
    community: str | None = Field(None, alias="community.slug")
    phase: str
    held_at: datetime
    previous_id: int | None


class ItemOut(Schema):
    id: int
    section: str
    text: str
    author: str | None = Field(..., description="Null for an anonymous item, unless you wrote it.")
    anonymous: bool
    mine: bool
    group_id: int | None
    votes: int
    my_votes: int


class GroupOut(Schema):
    id: int
    title: str
    item_ids: list[int]


class ActionOut(Schema):
    id: int
    review_id: int
    title: str
    owner: str | None
    owner_id: int | None
    due_on: date | None
    status: str
    followed_up_in_id: int | None


class FollowThroughOut(Schema):
    done: int
    followed_up: int
    rate: float | None
    definition: str


class InsightSummaryOut(Schema):
    id: int
    title: str
    team: str | None
    review_id: int | None
    created_at: datetime
    share_count: int = 0
    adoption_count: int = 0


class ExpectationOut(Schema):
    kind: str
    title: str
    expected: str
    prediction: float | None
    predicted_by: int | None = Field(None, description="People, when enough predicted to show it.")
    withheld: str
    outcome: str


class ReviewOut(Schema):
    id: int
    title: str
    template: str
    team: str | None
    community: str | None
    facilitator: str | None
    phase: str
    dots_per_person: int
    dots_left: int
    allow_anonymous: bool
    previous_id: int | None
    you_facilitate: bool
    items: list[ItemOut]
    groups: list[GroupOut]
    to_follow_up: list[ActionOut]
    actions: list[ActionOut]
    insights: list[InsightSummaryOut]
    expectations: list[ExpectationOut]
    follow_through: FollowThroughOut


class ReviewIn(Schema):
    template: str = Field(..., description="The template's slug.")
    team: str | None = Field(None, description="The team's slug (or give community).")
    community: str | None = Field(None, description="The community's slug (or give team).")
    title: str = ""
    dots_per_person: int = 3
    allow_anonymous: bool = True


class PhaseIn(Schema):
    phase: str = Field(..., description="collect, group, vote, act or closed.")


class ItemIn(Schema):
    section: str
    text: str
    anonymous: bool = False


class ItemEditIn(Schema):
    text: str


class GroupIn(Schema):
    title: str = ""
    item_ids: list[int]
    into: int | None = Field(None, description="Add the items to this existing group instead.")


class InsightIn(Schema):
    title: str
    details: str = ""
    item_ids: list[int] = []
    group_id: int | None = None


class ActionIn(Schema):
    title: str
    owner_id: int | None = None
    due_on: date | None = None
    item_id: int | None = None


class ActionStatusIn(Schema):
    status: str = Field(..., description="open, done or dropped.")


class FollowUpIn(Schema):
    action_id: int
    outcome: str = Field(..., description="done, dropped or carry (still open: carried over).")


class ShareIn(Schema):
    communities: list[str] = Field(..., description="Slugs of communities you are an active member of.")


class AdoptIn(Schema):
    team: str = Field(..., description="The slug of your team that adopted it.")
    note: str = ""


class ShareOut(Schema):
    community: str
    shared_at: datetime


class AdoptionOut(Schema):
    team: str
    adopted_at: datetime
    note: str
    via_community: str | None


class SpreadOut(Schema):
    shares: list[ShareOut]
    adoptions: list[AdoptionOut]


class InsightOut(Schema):
    id: int
    title: str
    details: str
    team: str | None
    review_id: int | None
    created_at: datetime
    spread: SpreadOut


def _action_out(action: Action) -> ActionOut:
    return ActionOut(
        id=action.pk,
        review_id=action.review_id,
        title=action.title,
        owner=action.owner.display_name if action.owner else None,
        owner_id=action.owner_id,
        due_on=action.due_on,
        status=action.status,
        followed_up_in_id=action.followed_up_in_id,
    )


def _follow_through_out(follow: selectors.FollowThrough) -> FollowThroughOut:
    return FollowThroughOut(
        done=follow.done,
        followed_up=follow.followed_up,
        rate=follow.rate,
        definition=selectors.FOLLOW_THROUGH_DEFINITION,
    )


def _review_out(access: selectors.ReviewAccess) -> ReviewOut:
    review = access.review
    board = selectors.board(access)
    items = [item for section in board.sections for item in section.items]
    items += [item for group in board.groups for item in group.items]
    return ReviewOut(
        id=review.pk,
        title=review.title,
        template=review.template.slug,
        team=review.team.slug if review.team else None,
        community=review.community.slug if review.community else None,
        facilitator=review.facilitator.display_name if review.facilitator else None,
        phase=review.phase,
        dots_per_person=review.dots_per_person,
        dots_left=board.dots_left,
        allow_anonymous=review.allow_anonymous,
        previous_id=board.previous.pk if board.previous else None,
        you_facilitate=access.is_facilitator,
        items=[
            ItemOut(id=item.pk, **{k: v for k, v in vars(item).items() if k != "pk"})
            for item in sorted(items, key=lambda i: i.pk)
        ],
        groups=[
            GroupOut(id=group.pk, title=group.title, item_ids=[item.pk for item in group.items])
            for group in board.groups
        ],
        to_follow_up=[_action_out(action) for action in board.to_follow_up],
        actions=[_action_out(action) for action in board.actions],
        insights=[
            InsightSummaryOut(
                id=insight.pk,
                title=insight.title,
                team=review.team.slug if review.team else None,
                review_id=review.pk,
                created_at=insight.created_at,
                share_count=insight.share_count,  # type: ignore[attr-defined]
                adoption_count=insight.adoption_count,  # type: ignore[attr-defined]
            )
            for insight in board.insights
        ],
        expectations=[
            ExpectationOut(
                kind=expectation.kind,
                title=expectation.title,
                expected=expectation.expected,
                prediction=expectation.prediction.value if expectation.prediction.shown else None,
                predicted_by=expectation.prediction.people if expectation.prediction.shown else None,
                withheld=expectation.prediction.reason,
                outcome=expectation.outcome,
            )
            for expectation in board.expectations
        ],
        follow_through=_follow_through_out(board.follow_through),
    )


def _access(request: HttpRequest, review_id: int) -> selectors.ReviewAccess:
    return selectors.review_for(person_for_user(request.user), review_id)


def _item(access: selectors.ReviewAccess, item_id: int) -> ReviewItem:
    item = ReviewItem.objects.filter(review=access.review, pk=item_id).first()
    if item is None:
        raise Http404("No such item.")
    item.review = access.review
    return item


def _item_out(access: selectors.ReviewAccess, item_id: int) -> ItemOut:
    view = selectors.item_view(access.review, access.person, item_id)
    return ItemOut(id=view.pk, **{k: v for k, v in vars(view).items() if k != "pk"})


@router.get("/learning/templates", response=list[TemplateOut])
def template_list(request: HttpRequest, kind: str | None = None) -> QuerySet:
    """The method library: built-in and your organisation's templates (``kind``: review or experiment)."""
    person_for_user(request.user)
    return selectors.template_list(kind=kind)


@router.get("/learning/reviews", response=list[ReviewSummaryOut])
@paginate(PageNumberPagination, page_size=50)
def review_list(request: HttpRequest) -> QuerySet:
    """Reviews you take part in, newest first."""
    return selectors.review_list_for(person_for_user(request.user))


@router.post("/learning/reviews", response={201: ReviewOut, 400: ErrorOut})
def review_create(request: HttpRequest, payload: ReviewIn) -> Status[ReviewOut]:
    """Start a review of one of your teams or communities; you facilitate it."""
    person = person_for_user(request.user)
    template = selectors.template_by_slug(payload.template)
    team = community = None
    if payload.team:
        team = Team.objects.filter(slug=payload.team).first()
        if team is None:
            raise ApplicationError("No such team.")
    if payload.community:
        community = community_for(person, payload.community).community
    review = reviews.review_create(
        actor=person,
        template=template,
        title=payload.title,
        team=team,
        community=community,
        dots_per_person=payload.dots_per_person,
        allow_anonymous=payload.allow_anonymous,
    )
    return Status(201, _review_out(selectors.review_for(person, review.pk)))


@router.get("/learning/reviews/{review_id}", response=ReviewOut)
def review_detail(request: HttpRequest, review_id: int) -> ReviewOut:
    """The whole board: items (anonymous authors withheld), groups, your dots, actions, follow-through."""
    return _review_out(_access(request, review_id))


@router.post("/learning/reviews/{review_id}/phase", response={200: ReviewOut, 400: ErrorOut})
def review_phase(request: HttpRequest, review_id: int, payload: PhaseIn) -> ReviewOut:
    """Move the review to another phase (the facilitator); closing is final."""
    access = _access(request, review_id)
    reviews.review_set_phase(actor=access.person, review=access.review, phase=payload.phase)
    return _review_out(_access(request, review_id))


@router.post("/learning/reviews/{review_id}/items", response={201: ItemOut, 400: ErrorOut})
def item_add(request: HttpRequest, review_id: int, payload: ItemIn) -> Status[ItemOut]:
    """Add an item under a section (collect phase); anonymous hides your name from everyone else."""
    access = _access(request, review_id)
    item = reviews.review_item_add(
        actor=access.person,
        review=access.review,
        section=payload.section,
        text=payload.text,
        anonymous=payload.anonymous,
    )
    return Status(201, _item_out(access, item.pk))


@router.patch("/learning/reviews/{review_id}/items/{item_id}", response={200: ItemOut, 400: ErrorOut})
def item_edit(request: HttpRequest, review_id: int, item_id: int, payload: ItemEditIn) -> ItemOut:
    """Change your own item's text (collect phase)."""
    access = _access(request, review_id)
    reviews.review_item_edit(actor=access.person, item=_item(access, item_id), text=payload.text)
    return _item_out(access, item_id)


@router.post("/learning/reviews/{review_id}/groups", response={201: GroupOut, 400: ErrorOut})
def group_create(request: HttpRequest, review_id: int, payload: GroupIn) -> Status[GroupOut]:
    """Group items under a title, or add them to an existing group (group phase)."""
    access = _access(request, review_id)
    into = None
    if payload.into is not None:
        into = ReviewGroup.objects.filter(review=access.review, pk=payload.into).first()
        if into is None:
            raise ApplicationError("That group is not in this review.")
    group = reviews.review_group_create(
        actor=access.person, review=access.review, title=payload.title, item_ids=payload.item_ids, into=into
    )
    item_ids = list(group.items.order_by("pk").values_list("pk", flat=True))
    return Status(201, GroupOut(id=group.pk, title=group.title, item_ids=item_ids))


@router.post("/learning/reviews/{review_id}/items/{item_id}/votes", response={201: ItemOut, 400: ErrorOut})
def vote_add(request: HttpRequest, review_id: int, item_id: int) -> Status[ItemOut]:
    """Put one of your dots on an item (vote phase); refused beyond your budget."""
    access = _access(request, review_id)
    reviews.review_vote_add(actor=access.person, item=_item(access, item_id))
    return Status(201, _item_out(access, item_id))


@router.delete("/learning/reviews/{review_id}/items/{item_id}/votes", response={200: ItemOut, 400: ErrorOut})
def vote_remove(request: HttpRequest, review_id: int, item_id: int) -> ItemOut:
    """Take one of your dots back from an item (vote phase)."""
    access = _access(request, review_id)
    reviews.review_vote_remove(actor=access.person, item=_item(access, item_id))
    return _item_out(access, item_id)


@router.post("/learning/reviews/{review_id}/insights", response={201: InsightSummaryOut, 400: ErrorOut})
def insight_create(request: HttpRequest, review_id: int, payload: InsightIn) -> Status[InsightSummaryOut]:
    """Turn items or a group into an insight (act phase)."""
    access = _access(request, review_id)
    group = None
    if payload.group_id is not None:
        group = ReviewGroup.objects.filter(review=access.review, pk=payload.group_id).first()
        if group is None:
            raise ApplicationError("That group is not in this review.")
    insight = reviews.insight_create(
        actor=access.person,
        review=access.review,
        title=payload.title,
        details=payload.details,
        item_ids=payload.item_ids,
        group=group,
    )
    return Status(201, _insight_summary(insight))


def _insight_summary(insight: Insight) -> InsightSummaryOut:
    return InsightSummaryOut(
        id=insight.pk,
        title=insight.title,
        team=insight.team.slug if insight.team else None,
        review_id=insight.review_id,
        created_at=insight.created_at,
        share_count=getattr(insight, "share_count", 0),
        adoption_count=getattr(insight, "adoption_count", 0),
    )


@router.post("/learning/reviews/{review_id}/actions", response={201: ActionOut, 400: ErrorOut})
def action_create(request: HttpRequest, review_id: int, payload: ActionIn) -> Status[ActionOut]:
    """Agree an action (act phase); the owner must be a participant."""
    access = _access(request, review_id)
    owner = None
    if payload.owner_id is not None:
        owner = Person.objects.filter(pk=payload.owner_id).first()
        if owner is None:
            raise ApplicationError(reviews.NOT_AN_OWNER)
    item = _item(access, payload.item_id) if payload.item_id else None
    action = reviews.action_create(
        actor=access.person,
        review=access.review,
        title=payload.title,
        owner=owner,
        due_on=payload.due_on,
        item=item,
    )
    return Status(201, _action_out(action))


@router.post("/learning/reviews/{review_id}/follow-ups", response={200: ActionOut, 400: ErrorOut})
def follow_up(request: HttpRequest, review_id: int, payload: FollowUpIn) -> ActionOut:
    """Say what became of an action of the previous review: done, dropped, or carry (still open)."""
    access = _access(request, review_id)
    action = Action.objects.filter(pk=payload.action_id, review=reviews.previous_of(access.review)).first()
    if action is None:
        raise Http404("No such action in the previous review.")
    action = reviews.action_follow_up(
        actor=access.person, review=access.review, action=action, outcome=payload.outcome
    )
    return _action_out(action)


@router.patch("/learning/actions/{action_id}", response={200: ActionOut, 400: ErrorOut})
def action_status(request: HttpRequest, action_id: int, payload: ActionStatusIn) -> ActionOut:
    """Mark an action open, done or dropped (its owner or a participant of its review)."""
    person = person_for_user(request.user)
    action = Action.objects.filter(pk=action_id).select_related("owner").first()
    if action is None:
        raise Http404("No such action.")
    action.review = selectors.review_for(person, action.review_id).review
    return _action_out(reviews.action_set_status(actor=person, action=action, status=payload.status))


@router.get("/learning/me/actions", response=list[ActionOut])
def my_actions(request: HttpRequest) -> list[ActionOut]:
    """Open actions assigned to you that no review has followed up yet."""
    return [
        _action_out(action)
        for action in selectors.my_open_actions(person_for_user(request.user)).select_related("owner")[:200]
    ]


@router.get("/learning/teams/{slug}/follow-through", response=FollowThroughOut)
def team_follow_through(request: HttpRequest, slug: str) -> FollowThroughOut:
    """The follow-through rate of one of your teams' reviews."""
    team = selectors.team_for(person_for_user(request.user), slug)
    return _follow_through_out(selectors.review_history(team=team)[1])


class InsightListOut(Schema):
    id: int
    title: str
    team: str | None = Field(None, alias="team.slug")
    review_id: int | None
    created_at: datetime
    share_count: int
    adoption_count: int


@router.get("/learning/insights", response=list[InsightListOut])
@paginate(PageNumberPagination, page_size=50)
def insight_list(request: HttpRequest) -> QuerySet[Insight]:
    """Insights you may see, newest first, with how far each spread."""
    return selectors.insight_list_for(person_for_user(request.user))


def _insight_out(insight: Insight, person: Person) -> InsightOut:
    spread = selectors.insight_spread(insight, person)
    return InsightOut(
        id=insight.pk,
        title=insight.title,
        details=insight.details,
        team=insight.team.slug if insight.team else None,
        review_id=insight.review_id,
        created_at=insight.created_at,
        spread=SpreadOut(
            shares=[
                ShareOut(community=share.community.slug, shared_at=share.shared_at) for share in spread.shares
            ],
            adoptions=[
                AdoptionOut(
                    team=adoption.team,
                    adopted_at=adoption.adopted_at,
                    note=adoption.note,
                    via_community=adoption.via_slug,
                )
                for adoption in spread.adoptions
            ],
        ),
    )


@router.get("/learning/insights/{insight_id}", response=InsightOut)
def insight_detail(request: HttpRequest, insight_id: int) -> InsightOut:
    """An insight and its spread: communities it was shared to (that you may see) and adopting teams."""
    person = person_for_user(request.user)
    return _insight_out(selectors.insight_for(person, insight_id), person)


@router.post("/learning/insights/{insight_id}/shares", response={201: InsightOut, 400: ErrorOut})
def insight_share(request: HttpRequest, insight_id: int, payload: ShareIn) -> Status[InsightOut]:
    """Share to communities you are an active member of; it shows in their feed and Insights tab."""
    person = person_for_user(request.user)
    insight = selectors.insight_for(person, insight_id)
    # Only communities the sharer may see: a private community's name must not leak in the refusal.
    communities = list(Community.objects.filter(community_visible_q(person), slug__in=payload.communities))
    if len(communities) != len(set(payload.communities)):
        raise ApplicationError("Some of those communities do not exist, or you cannot see them.")
    reviews.insight_share(actor=person, insight=insight, communities=communities)
    return Status(201, _insight_out(insight, person))


@router.post("/learning/insights/{insight_id}/adoptions", response={201: InsightOut, 400: ErrorOut})
def insight_adopt(request: HttpRequest, insight_id: int, payload: AdoptIn) -> Status[InsightOut]:
    """Mark the insight adopted by one of your teams, with a note on how."""
    person = person_for_user(request.user)
    insight = selectors.insight_for(person, insight_id)
    team = Team.objects.filter(slug=payload.team).first()
    if team is None:
        raise ApplicationError("No such team.")
    reviews.insight_adopt(actor=person, insight=insight, team=team, note=payload.note)
    return Status(201, _insight_out(insight, person))
